"""The figure record, defined once.

``FigureSchema`` is the single description of a figure: its columns, their types and every
check a figure must pass before it may be stored. Everything else in humstats derives its
column lists, vocabularies and HXL hashtags from this module, so a field is renamed or a
check tightened in one place only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

import pandera.polars as pa
import polars as pl
from pandera.engines.polars_engine import DateTime
from pandera.typing.polars import Series

from humstats.countries import iso3_codes

MAX_VALUE = 10_000_000_000
"""No count of people reaches ten billion: a larger value is a parsing or typing error."""

EARLIEST_DATE = dt.date(1900, 1, 1)
PUBLICATION_TOLERANCE = dt.timedelta(days=1)
"""A reference date may run one day past publication: time zones shift "today" by a day."""


class Indicator(StrEnum):
    KILLED = "killed"
    INJURED = "injured"
    MISSING = "missing"
    DETAINED = "detained"
    DISPLACED = "displaced"
    REFUGEES = "refugees"
    RETURNEES = "returnees"
    AFFECTED = "affected"
    IN_NEED = "in_need"
    FOOD_INSECURE = "food_insecure"
    POPULATION = "population"


class Measure(StrEnum):
    STOCK = "stock"
    FLOW = "flow"


class Qualifier(StrEnum):
    EXACT = "exact"
    APPROX = "approx"
    AT_LEAST = "at_least"
    AT_MOST = "at_most"
    RANGE = "range"


class Unit(StrEnum):
    PEOPLE = "people"
    HOUSEHOLDS = "households"


class DatePrecision(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    YEAR = "year"


class Sex(StrEnum):
    ALL = "all"
    F = "f"
    M = "m"
    X = "x"


TOTAL = "all"
"""The ``sex``, ``age`` and ``cause`` of a figure that is not broken down by them."""

BREAKDOWN_DEFAULTS: dict[str, object] = {
    "sex": TOTAL,
    "age": TOTAL,
    "cause": TOTAL,
    "group": None,
    "projected": False,
}
"""The breakdown fields and their values for a total: a producer that splits nothing fills
these, so a part and its total are told apart by these fields alone."""

BREAKDOWNS: tuple[str, ...] = tuple(BREAKDOWN_DEFAULTS)

_BREAKDOWN_PATTERNS: dict[str, str] = {
    "age": r"^(all|\d{1,3}-\d{1,3}|\d{1,3}\+)$",
    "cause": r"^[a-z0-9_]+$",
    "group": r"^[a-z0-9_]+=[^;=]+(;[a-z0-9_]+=[^;=]+)*$",
}
"""How ``age`` ("0-17", "60+"), ``cause`` ("conflict") and ``group`` ("origin=SDN;phase=3")
are written, so that users can filter on them."""


def breakdown_defaults() -> list[pl.Expr]:
    """The breakdown columns of a total, as literals to add to a frame of candidates."""
    return [pl.lit(value, DTYPES[name]).alias(name) for name, value in BREAKDOWN_DEFAULTS.items()]


def is_total(exclude: Sequence[str] = ()) -> pl.Expr:
    """True for a figure that is a total: no sex, age or cause split and no group (columns in
    ``exclude`` are not looked at). Stores written before breakdowns existed read these
    columns as null, which counts as the total they were."""
    conditions = [
        pl.col(name).fill_null(TOTAL) == TOTAL
        for name in ("sex", "age", "cause")
        if name not in exclude
    ]
    if "group" not in exclude:
        conditions.append(pl.col("group").is_null())
    return pl.all_horizontal(conditions) if conditions else pl.lit(True)


def is_projected() -> pl.Expr:
    return pl.col("projected").fill_null(False)


def breakdown_key() -> pl.Expr:
    """ "sex=f;age=0-17": the breakdown fields that differ from a total, empty for a total and
    for a figure that is not projected. Part of ``figure_id`` so that a part and its total from
    the same cell never share an id."""
    parts = [
        pl.when(pl.col(name).fill_null(TOTAL) != TOTAL).then(pl.format(f"{name}={{}}", name))
        for name in ("sex", "age", "cause")
    ]
    parts.append(pl.col("group"))
    parts.append(pl.when(is_projected()).then(pl.lit("projected")))
    return pl.concat_str(parts, separator=";", ignore_nulls=True)


def repeated_rows(
    frame: pl.LazyFrame, cheap_key: pl.Expr, columns: Sequence[str], *, keep_first: bool
) -> pl.LazyFrame:
    """False for rows that repeat an earlier row's ``columns`` (for all copies unless
    ``keep_first``). Shared by the schema's duplicate-id check and normalisation's
    duplicate-row check.

    Comparing whole rows of text is the costliest check on a large batch, so rows are first
    narrowed to those whose ``cheap_key`` (a hash of a few columns) repeats, and only those
    are compared in full. Repeated keys are found by sorting the keys and comparing
    neighbours, which is about twice as fast as a hash table over a million rows.
    """
    keys = frame.select(cheap_key.alias("_key")).collect().to_series()
    ordered = keys.sort()
    repeated_keys = ordered.filter(ordered == ordered.shift(1))
    if repeated_keys.is_empty():
        return frame.select(pl.repeat(True, pl.len()).alias("ok"))
    numbered = frame.with_row_index("_row")
    suspects = (
        numbered.filter(pl.lit(keys).is_in(repeated_keys.implode()))
        .select("_row", *columns)
        .collect()
    )
    whole = pl.struct(columns)
    repeated = (
        whole.is_duplicated() & ~whole.is_first_distinct()
        if keep_first
        else (whole.is_duplicated())
    )
    rows = suspects.filter(repeated)["_row"]
    return numbered.select(~pl.col("_row").is_in(rows.implode()).alias("ok"))


def _values(enum: type[StrEnum]) -> list[str]:
    return [member.value for member in enum]


def _nonblank(column: pl.Expr) -> pl.Expr:
    """Something besides whitespace; bytes are counted, not characters: the same verdict
    without decoding a million quotes."""
    return column.str.strip_chars().str.len_bytes() > 0


def _per_distinct(data: pa.PolarsData, verdict: Callable[[pl.Expr], pl.Expr]) -> pl.LazyFrame:
    """``verdict`` judged once per distinct value of the column, and mapped back to its rows.

    A breakdown label repeats on every figure of a batch: a regular expression over a million
    rows costs three times what finding the column's few distinct values does, judging those,
    and marking the rows that hold a failing one. A row fails exactly when ``verdict`` of its
    value is false (a null verdict passes, as it does row by row)."""
    column = pl.col(data.key)
    failing = (
        data.lazyframe.select(column.unique())
        .filter(~verdict(column).fill_null(True))
        .collect()
        .to_series()
    )
    if failing.is_empty():
        return data.lazyframe.select(pl.repeat(True, pl.len()).alias(data.key))
    return data.lazyframe.select(~column.is_in(failing.implode()))


class FigureSchema(pa.DataFrameModel):
    """One row per figure: what was counted, where, as of when, and who says so."""

    figure_id: Series[str]
    indicator: Series[str] = pa.Field(isin=_values(Indicator))
    measure: Series[str] = pa.Field(isin=_values(Measure))
    value: Series[pl.Int64]
    value_low: Series[pl.Int64] = pa.Field(nullable=True)
    value_high: Series[pl.Int64] = pa.Field(nullable=True)
    qualifier: Series[str] = pa.Field(isin=_values(Qualifier))
    unit: Series[str] = pa.Field(isin=_values(Unit))
    location_name: Series[str] = pa.Field(nullable=True)
    country_iso3: Series[str]
    admin_level: Series[pl.Int8] = pa.Field(nullable=True, ge=0, le=5)
    pcode: Series[str] = pa.Field(nullable=True)
    period_start: Series[pl.Date]
    period_end: Series[pl.Date]
    date_precision: Series[str] = pa.Field(isin=_values(DatePrecision))
    published_date: Series[pl.Date]
    publisher: Series[str]
    attributed_to: Series[str] = pa.Field(nullable=True)
    source_url: Series[str] = pa.Field(nullable=True)
    source_file: Series[str]
    quote: Series[str]
    span_start: Series[pl.Int64] = pa.Field(nullable=True)
    span_end: Series[pl.Int64] = pa.Field(nullable=True)
    sex: Series[str] = pa.Field(isin=_values(Sex))
    age: Series[str]
    cause: Series[str]
    group: Series[str] = pa.Field(nullable=True)
    projected: Series[bool]
    method: Series[str]
    confidence: Series[pl.Float64] = pa.Field(ge=0.0, le=1.0)
    batch_id: Series[str]
    ingested_at: Series[DateTime] = pa.Field(dtype_kwargs={"time_zone": "UTC", "time_unit": "us"})

    class Config:
        strict = True
        ordered = True
        coerce = False

    @pa.check("value", "value_low", "value_high", name="negative-value")
    def _non_negative(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col(data.key) >= 0)

    @pa.check("value", "value_low", "value_high", name="implausible-value")
    def _below_ten_billion(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col(data.key) < MAX_VALUE)

    @pa.check("country_iso3", name="unknown-country")
    def _real_country(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col(data.key).is_in(sorted(iso3_codes())))

    @pa.check("age", "cause", "group", name="malformed-breakdown")
    def _breakdown_written(cls, data: pa.PolarsData) -> pl.LazyFrame:
        pattern = _BREAKDOWN_PATTERNS[data.key]
        return _per_distinct(data, lambda column: column.str.contains(pattern).fill_null(True))

    @pa.check("publisher", "quote", "source_file", "method", name="blank-text")
    def _not_blank(cls, data: pa.PolarsData) -> pl.LazyFrame:
        # a strip costs no more than finding distinct values: judged row by row
        return data.lazyframe.select(_nonblank(pl.col(data.key)))

    @pa.check("period_start", "period_end", "published_date", name="date-before-1900")
    def _not_ancient(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col(data.key) >= EARLIEST_DATE)

    @pa.check("period_start", "period_end", "published_date", name="future-date")
    def _not_future(cls, data: pa.PolarsData) -> pl.LazyFrame:
        tomorrow = dt.datetime.now(dt.UTC).date() + PUBLICATION_TOLERANCE
        # A projection or plan describes a period yet to come; its publication may not.
        planned = is_projected() if data.key != "published_date" else pl.lit(False)
        return data.lazyframe.select((pl.col(data.key) <= tomorrow) | planned)

    @pa.dataframe_check(name="period-reversed")
    def _period_ordered(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("period_start") <= pl.col("period_end"))

    @pa.dataframe_check(name="published-before-period")
    def _published_after_period(cls, data: pa.PolarsData) -> pl.LazyFrame:
        limit = pl.col("published_date") + pl.duration(days=PUBLICATION_TOLERANCE.days)
        return data.lazyframe.select((pl.col("period_end") <= limit) | is_projected())

    @pa.dataframe_check(name="value-outside-bounds")
    def _bounds_ordered(cls, data: pa.PolarsData) -> pl.LazyFrame:
        low_ok = pl.col("value_low").is_null() | (pl.col("value_low") <= pl.col("value"))
        high_ok = pl.col("value_high").is_null() | (pl.col("value") <= pl.col("value_high"))
        return data.lazyframe.select(low_ok & high_ok)

    @pa.check("figure_id", name="duplicate-figure-id")
    def _unique_id(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return repeated_rows(data.lazyframe, pl.col(data.key).hash(), [data.key], keep_first=False)

    @pa.dataframe_check(name="range-without-bounds")
    def _range_has_bounds(cls, data: pa.PolarsData) -> pl.LazyFrame:
        bounded = pl.col("value_low").is_not_null() & pl.col("value_high").is_not_null()
        return data.lazyframe.select((pl.col("qualifier") != Qualifier.RANGE.value) | bounded)


ROW_CHECK_FIELDS: dict[str, tuple[str, ...]] = {
    "period-reversed": ("period_start", "period_end"),
    "published-before-period": ("period_end", "published_date"),
    "value-outside-bounds": ("value_low", "value", "value_high"),
    "range-without-bounds": ("qualifier", "value_low", "value_high"),
}
"""The fields each row-level check compares, so a quarantine reason can show their values."""

COLUMNS: tuple[str, ...] = tuple(FigureSchema.to_schema().columns)
"""The figure record's columns, in order."""

DTYPES: dict[str, pl.DataType] = {
    name: column.dtype.type for name, column in FigureSchema.to_schema().columns.items()
}
"""The figure record's polars dtypes, for building empty frames and casting."""

STAMPED: tuple[str, ...] = ("figure_id", "source_file", "batch_id", "ingested_at")
"""Columns the store stamps on a figure; readers and extractors leave them out."""

QUARANTINE_EXTRA: dict[str, pl.DataType] = {
    "check": pl.String(),
    "reason": pl.String(),
    "column": pl.String(),
    "failing_value": pl.String(),
    "input_row": pl.Int64(),
    "raw": pl.String(),
}
"""What a quarantined row carries beyond the figure columns (which it keeps as text)."""

QUARANTINE_COLUMNS: tuple[str, ...] = (*QUARANTINE_EXTRA, *COLUMNS)

ORIGIN_COLUMNS: dict[str, pl.DataType] = {"input_row": pl.Int64(), "origin": pl.String()}
"""Where in its input a candidate figure sits; the store derives ``figure_id`` from them."""


def empty_figures() -> pl.DataFrame:
    """A figure frame with no rows but every column, typed."""
    return pl.DataFrame(schema=DTYPES)


def empty_quarantine() -> pl.DataFrame:
    return pl.DataFrame(schema={**QUARANTINE_EXTRA, **dict.fromkeys(COLUMNS, pl.String())})


@dataclass(frozen=True)
class SourceMeta:
    """What is known of a document before reading it: who published it, where and when.

    Fields are named after the figure columns they fill. A reader fills them from the input
    (front matter, meta tags, a mapping's constants); command-line flags override them.
    """

    publisher: str | None = None
    source_url: str | None = None
    published_date: dt.date | None = None
    attributed_to: str | None = None
    title: str | None = None
    country_iso3: str | None = None
    """The country the whole input is about (``--country``), where it names none itself."""

    def overridden_by(self, other: SourceMeta) -> SourceMeta:
        """Fields set in ``other`` win; the rest stay as they are."""
        return SourceMeta(
            **{
                name: getattr(other, name) if getattr(other, name) is not None else value
                for name, value in vars(self).items()
            }
        )
