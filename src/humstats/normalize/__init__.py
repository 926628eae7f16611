"""Table columns → candidate figures, using the table's HXL hashtags or a mapping file.

A table says what it counts in its own words: a hashtag row (``#affected+killed``), or column
names only its publisher understands ("Civilian casualities(OHCHR) - Killed"). A
:class:`Mapping` (HXL-derived, loaded from TOML, or both merged) names the columns that hold
figures and the columns or constants that fill the other fields. :func:`normalize_table` turns
each figure cell into one row of the candidate frame (wide tables are unpivoted) and every cell
it cannot read into a quarantine candidate with a reason.

Speed: tables reach millions of rows, so everything is a polars expression. Country names and
date strings repeat, so each DISTINCT value is resolved once in Python and joined back; number
cells are cast natively, and only the cells that fail the plain cast (thousands separators,
notes, formulas) go through the slower cleaning expressions.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, replace
from typing import Any

import polars as pl

from humstats.countries import (
    ISO3,
    agency_iso3,
    code_scheme,
    country_in_name,
    country_iso3,
    pcode_country,
)
from humstats.errors import InputError
from humstats.hxl import HOUSEHOLD_ATTRIBUTES, indicator_of, parse_hashtag
from humstats.normalize.breakdowns import (
    PLACE_GROUPS,
    age_of,
    cause_of,
    group_value,
    sex_of,
)
from humstats.normalize.cells import (
    ISO_DAY,
    MAX_DIGITS,
    MISSING,
    column_day_first,
    is_missing,
    parse_counts,
    parse_period,
)
from humstats.normalize.mapping import (
    PEOPLE_ATTRIBUTES,
    FigureColumn,
    Mapping,
    Place,
    load_mapping,
    mapping_from_hxl,
)
from humstats.readers import Table
from humstats.schema import (
    BREAKDOWN_DEFAULTS,
    COLUMNS,
    DTYPES,
    ORIGIN_COLUMNS,
    QUARANTINE_EXTRA,
    STAMPED,
    DatePrecision,
    Indicator,
    Measure,
    Qualifier,
    SourceMeta,
    Unit,
    repeated_rows,
)

__all__ = [
    "MAX_DIGITS",
    "MISSING",
    "FigureColumn",
    "Mapping",
    "Normalized",
    "Place",
    "country_iso3",
    "is_missing",
    "load_mapping",
    "mapping_from_hxl",
    "normalize_table",
    "parse_counts",
    "parse_period",
]

log = logging.getLogger(__name__)

FLOW_BY_DEFAULT = frozenset(
    {Indicator.KILLED, Indicator.INJURED, Indicator.MISSING, Indicator.DETAINED}
)
"""Casualty columns count events (new deaths in a row's period) unless a mapping says stock;
people displaced, in need or living somewhere are counted as of a date."""

QUALIFIER_WORDS: dict[str, Qualifier] = {
    "exact": Qualifier.EXACT,
    "total": Qualifier.EXACT,
    "approx": Qualifier.APPROX,
    "approximately": Qualifier.APPROX,
    "about": Qualifier.APPROX,
    "around": Qualifier.APPROX,
    "estimated": Qualifier.APPROX,
    "more than": Qualifier.AT_LEAST,
    "at least": Qualifier.AT_LEAST,
    "over": Qualifier.AT_LEAST,
    "less than": Qualifier.AT_MOST,
    "up to": Qualifier.AT_MOST,
    "nearly": Qualifier.AT_MOST,
    "almost": Qualifier.AT_MOST,
    "range": Qualifier.RANGE,
}
"""Qualifier cells as agencies write them (IDMC: "total", "approximately", "more than")."""

INDICATOR_WORDS: dict[str, Indicator] = {
    "deaths": Indicator.KILLED,
    "dead": Indicator.KILLED,
    "fatalities": Indicator.KILLED,
    "wounded": Indicator.INJURED,
    "idps": Indicator.DISPLACED,
    "pin": Indicator.IN_NEED,
    "people in need": Indicator.IN_NEED,
}
"""Indicator cells of long tables beyond the vocabulary's own names and HXL hashtags."""


def _date_table(
    values: list[str | None], mapping: Mapping, labels: dict[str, str] | None = None
) -> pl.DataFrame:
    """Distinct date texts (as written) -> start, end, precision (nulls where unreadable);
    ``labels`` rewrite a text before it is read ("T1 2024" -> "2024-01/2024-03")."""
    texts = [value for value in values if value is not None]
    labels = labels or {}
    readable = [labels.get(text.strip(), text) for text in texts]
    day_first = column_day_first(readable)
    parsed = [_read_period(text, mapping, day_first) for text in readable]
    return pl.DataFrame(
        {
            "__text": texts,
            "__start": [p[0] if p else None for p in parsed],
            "__end": [p[1] if p else None for p in parsed],
            "__precision": [p[2] if p else None for p in parsed],
        },
        schema={
            "__text": pl.String,
            "__start": pl.Date,
            "__end": pl.Date,
            "__precision": pl.String,
        },
    )


# ---------------------------------------------------------------------------------------------
# Normalisation


@dataclass
class Normalized:
    """Candidate figures (schema columns minus the stamped ones, plus ``input_row`` and
    ``origin``) and quarantine candidates (``empty_quarantine()``'s columns, text)."""

    figures: pl.DataFrame
    quarantine: pl.DataFrame


CANDIDATE_COLUMNS = tuple(c for c in COLUMNS if c not in STAMPED)

REASONS = {
    "formula-cell": "a formula-like cell is not a count",
    "implausible-value": "too many digits to be a count of people",
    "non-integer-value": "a count of people must be a whole number",
    "unparseable-number": "not a number",
    "ambiguous-number": "separators that do not group thousands: a list or a typo, not a count",
    "unknown-country": "no ISO 3166-1 country matches",
    "unparseable-date": "not a date humstats can read (give [dates] formats in a mapping)",
    "missing-date": "no reference date (map a date column or set constants.period)",
    "missing-published-date": "no publication date (pass --published or set a constant)",
    "missing-publisher": "no publisher (pass --publisher or set constants.publisher)",
    "unknown-indicator": "not an indicator humstats knows",
    "unknown-qualifier": "not a qualifier (map it under [qualifiers])",
    "missing-value": "the row holds no figure in any figure column",
    "duplicate-row": "the same cells as an earlier row",
    "ragged-row": "more cells than the header has columns (the extra cells)",
}


def normalize_table(table: Table, meta: SourceMeta, mapping: Mapping | None = None) -> Normalized:
    """Turn a table into candidate figures and quarantine candidates.

    One figure per non-empty cell of each figure column. ``meta`` (command-line flags) wins
    over the table's own publisher/url/date columns, which win over the mapping's constants.
    Raises ``InputError`` when the table has no figure columns or lacks a column the mapping
    names: no row could be read, so there is nothing to quarantine.
    """
    effective = mapping or Mapping()
    if effective.header_rows:
        table = restack(table, effective.header_rows)
    if table.hxl:
        hashtag_mapping = mapping_from_hxl(table.hxl, {c: c for c in table.hxl})
        hashtag_mapping = replace(
            hashtag_mapping, figures=_without_sums(table, hashtag_mapping.figures)
        )
        effective = effective.merged_over(hashtag_mapping)
    if not effective.figures:
        raise InputError(
            table.path,
            "no figure columns: the table has no HXL indicator hashtags (#affected+killed, "
            f"#inneed, ...) and no mapping names any; run `humstats map {table.path}` to draft "
            "a mapping, check it, and pass it with --mapping FILE",
        )
    if "indicator" not in effective.columns and not all(f.indicator for f in effective.figures):
        raise InputError(
            table.path,
            "figure columns without an indicator, and no indicator "
            "column (#indicator+name) naming one per row",
        )
    missing = [c for c in effective.referenced() if c not in table.frame.columns]
    if missing:
        raise InputError(
            table.path,
            f"missing column {', '.join(map(repr, missing))} named by the "
            f"{'mapping' if mapping else 'hashtags'}; the table has "
            f"{', '.join(map(repr, table.frame.columns[:20]))}",
        )
    _require_provenance(table, meta, effective)
    return _Normalizer(table, meta, _with_country(effective, meta, table)).run()


def _with_country(mapping: Mapping, meta: SourceMeta, table: Table) -> Mapping:
    """The country of a table that names none in its cells: ``--country`` first, else the
    mapping's constant, else a p-code column (per row, see ``_row_fields``), else the one
    country its file name names ("mali-population-movements.csv"), as HDX names files."""
    constants = mapping.constants
    if meta.country_iso3 is not None and not mapping.country:
        return replace(mapping, constants={**constants, "country": meta.country_iso3})
    if mapping.country or constants.get("country") or any(p.pcode for p in mapping.places):
        return mapping
    named = country_in_name(table.path.name)
    if named is None:
        return mapping
    log.info("%s: no country column; the file name says %s", table.path, named)
    return replace(mapping, constants={**constants, "country": named})


def restack(table: Table, rows: int) -> Table:
    """The table with its first ``rows`` data rows joined into the column names: a stacked
    header ("Oct-Dec 2022 (# of People in)" over "Crisis" over "IPC 3") becomes one name per
    column, "Oct-Dec 2022 (# of People in) / Crisis / IPC 3"; an empty column takes the name
    its stack gives it."""
    head = table.frame.head(rows).rows()
    names: list[str] = []
    for index, column in enumerate(table.frame.columns):
        parts = [] if column.startswith("column_") else [column]
        for row in head:
            cell = (row[index] or "").strip()
            if cell and cell not in parts:
                parts.append(cell)
        name = " / ".join(parts) or column
        while name in names:
            name += "'"
        names.append(name)
    frame = table.frame.slice(rows).rename(dict(zip(table.frame.columns, names, strict=True)))
    hxl = {names[table.frame.columns.index(c)]: t for c, t in (table.hxl or {}).items()}
    return replace(table, frame=frame, first_row=table.first_row + rows, hxl=hxl or None)


def _without_sums(table: Table, figures: tuple[FigureColumn, ...]) -> tuple[FigureColumn, ...]:
    """Figure columns without those that only add up others of the row.

    A "Total" column holding IDPs + refugees (tagged ``#affected``) counts nobody new: stored
    beside its parts it would be added to them. A total column (no breakdown) whose every
    filled cell equals the sum of two or more other total columns of the same unit is left
    out, and the log says so.
    """
    totals = [
        f
        for f in figures
        if not (f.sex or f.age or f.cause or f.group or f.projected or f.period_start)
    ]
    if len(totals) < 3:
        return figures
    counts = {f.column: parse_counts(table.frame[f.column])[0] for f in totals}
    dropped = set()
    for figure in totals:
        others = [o for o in totals if o.column != figure.column and o.unit == figure.unit]
        if len(others) < 2:
            continue
        frame = pl.DataFrame(
            {"value": counts[figure.column], **{o.column: counts[o.column] for o in others}}
        )
        parts = [pl.col(o.column) for o in others]
        checked = frame.filter(
            pl.col("value").is_not_null() & pl.all_horizontal(p.is_not_null() for p in parts)
        ).select("value", pl.sum_horizontal(parts).alias("sum"))
        if checked.height >= 2 and (checked["value"] == checked["sum"]).all():
            log.info(
                "%s: column %r is the sum of %s, not a figure of its own",
                table.path,
                figure.column,
                ", ".join(repr(o.column) for o in others),
            )
            dropped.add(figure.column)
    return tuple(f for f in figures if f.column not in dropped)


def _require_provenance(table: Table, meta: SourceMeta, mapping: Mapping) -> None:
    """Refuse a table that names no publisher or publication date anywhere.

    Quarantining every row instead would mark the content as ingested, so the user's retry
    with the missing flag would be skipped as "already ingested".
    """
    for field, flag in (("published_date", "--published YYYY-MM-DD"), ("publisher", "--publisher")):
        if (
            getattr(meta, field) is None
            and field not in mapping.columns
            and mapping.constants.get(field) is None
        ):
            raise InputError(
                table.path,
                f"no {field.replace('_', ' ')}: the table has no column for it; pass {flag} "
                f"or set constants.{field} in a --mapping file",
            )


DATE_ROLES = ("date", "period_start", "period_end", "published_date")


class _Normalizer:
    """One table's normalisation: row fields once per row, then one cell per figure."""

    def __init__(self, table: Table, meta: SourceMeta, mapping: Mapping) -> None:
        self.table, self.meta, self.mapping = table, meta, mapping
        frame = table.frame.with_row_index("__row", offset=table.first_row).with_columns(
            pl.col("__row").cast(pl.Int64)
        )
        filled = frame.select(pl.any_horizontal(pl.col(table.frame.columns).is_not_null()))
        # blank rows carry nothing; filtering copies every column, so only when there are any
        frame = frame if filled.to_series().all() else frame.filter(filled.to_series())
        self._rejected = self._reader_rejected()
        if self._rejected.height:
            frame = frame.filter(~pl.col("__row").is_in(self._rejected["input_row"].implode()))
        frame, self._filtered = self._filter_rows(frame)
        if mapping.rows.records:
            self.frame, self._duplicates = frame, self._filtered.head(0)
        else:
            self.frame, self._duplicates = self._split_duplicates(frame)
        self.frame = self.frame.with_columns(_matches(mapping.rows.total_when).alias("__total"))
        self._distinct: dict[str, list[str | None]] = {}
        if "year" in mapping.columns and "date" not in mapping.columns:
            self.frame = self.frame.with_columns(self._composed_date().alias(_COMPOSED))
            self.mapping = replace(mapping, columns={**mapping.columns, "date": _COMPOSED})

    def _filter_rows(self, frame: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
        """Rows the mapping's ``[rows]`` filters leave out, as quarantine candidates."""
        rules = self.mapping.rows
        if not rules.skip_when and not rules.keep_when:
            return frame, frame.head(0).select(
                pl.lit(None, pl.String).alias("check"),
                pl.lit(None, pl.String).alias("column"),
                pl.lit(None, pl.String).alias("failing_value"),
                pl.col("__row").alias("input_row"),
            )
        out = _matches(rules.skip_when) if rules.skip_when else pl.lit(False)
        if rules.keep_when:
            out = out | ~_matches(rules.keep_when)
        dropped = frame.filter(out)
        names = [*rules.skip_when, *rules.keep_when]
        failing = pl.concat_str([pl.col(c).fill_null("") for c in names], separator=" | ")
        return frame.filter(~out), dropped.select(
            pl.lit("filtered-row").alias("check"),
            pl.lit(", ".join(names)).alias("column"),
            failing.alias("failing_value"),
            pl.col("__row").alias("input_row"),
        )

    def _composed_date(self) -> pl.Expr:
        """One date text from split year, month and day columns ("2024", "Mars", "5")."""
        columns = self.mapping.columns
        labels = self.mapping.labels.get("month", {})
        year = self._label(columns["year"]).str.extract(r"(\d{4})")
        parts = [year]
        if "month" in columns:
            month = self._lookup(
                columns["month"],
                lambda text: _month_text(labels.get(text, text)),
            )
            parts.append(month)
            if "day" in columns:
                parts.append(self._label(columns["day"]).str.extract(r"(\d{1,2})").str.zfill(2))
        return pl.concat_str(parts, separator="-")

    def _reader_rejected(self) -> pl.DataFrame:
        """Rows the reader could not take whole (ragged rows), as quarantine candidates."""
        rejected = self.table.rejected
        schema = {
            "check": pl.String(),
            "column": pl.String(),
            "failing_value": pl.String(),
            "input_row": pl.Int64(),
        }
        if rejected is None:
            return pl.DataFrame(schema=schema)
        return rejected.select(
            pl.lit("ragged-row").alias("check"),
            pl.lit(None, pl.String).alias("column"),
            pl.col("failing_value").cast(pl.String),
            pl.col("input_row").cast(pl.Int64),
        )

    def _split_duplicates(self, frame: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
        """Rows with the same cells as an earlier row say nothing new: keep the first, and
        quarantine the copies as ``duplicate-row``.

        Identity is every cell of the input row, not the figure fields: two events on the
        same day at the same place with the same toll are two rows when their ids differ.
        """
        cells = self.table.frame.columns
        first = repeated_rows(frame.lazy(), pl.struct(cells).hash(), cells, keep_first=True)
        keep = first.collect().to_series()
        unique = keep.all()  # filtering copies every column, so only when there are copies
        copies = (frame.head(0) if unique else frame.filter(~keep)).select(
            pl.lit("duplicate-row").alias("check"),
            pl.lit(None, pl.String).alias("column"),
            pl.lit(None, pl.String).alias("failing_value"),
            pl.col("__row").alias("input_row"),
        )
        return (frame if unique else frame.filter(keep)), copies

    def run(self) -> Normalized:
        rows = self._with_dates(self.frame.with_columns(self._row_fields()))
        # one figure column at a time: every frame then shares the rows' chunks, where one
        # concatenated frame of all cells would be copied whole when columns are attached
        parts = [self._figures_of(rows, figure) for figure in self.mapping.figures]
        good = pl.concat([g for g, _ in parts], how="vertical", rechunk=False)
        bad = pl.concat([b for _, b in parts], how="vertical_relaxed", rechunk=False)
        unusable = pl.concat(
            [self._empty(rows), self._duplicates, self._filtered, self._rejected],
            how="vertical_relaxed",
        )
        derived_rows = [self._figures_of(rows, figure)[0] for figure in self._derived_columns(rows)]
        good = pl.concat([good, *derived_rows, *self._derived_over(good)], how="vertical")
        return Normalized(figures=good, quarantine=self._quarantine(bad, unusable))

    def _derived_columns(self, rows: pl.DataFrame) -> list[FigureColumn]:
        """``[[derived]] columns``: per row, the sum of the parts the mapping declares to
        cover the whole, as a figure column named by its parts ("IPC 3 + IPC 4 + IPC 5")."""
        made = []
        by_column = {f.column: f for f in self.mapping.figures}
        for derived in self.mapping.derived:
            if not derived.columns:
                continue
            counts = [parse_counts(rows[c], self.mapping.decimal)[0] for c in derived.columns]
            present = pl.DataFrame([c.is_not_null().alias(str(i)) for i, c in enumerate(counts)])
            total = pl.DataFrame([c.fill_null(0).alias(str(i)) for i, c in enumerate(counts)])
            summed = total.select(pl.sum_horizontal(pl.all())).to_series()
            any_present = present.select(pl.any_horizontal(pl.all())).to_series()
            name = " + ".join(derived.columns)
            rows.insert_column(
                rows.width,
                pl.when(any_present).then(summed.cast(pl.String)).otherwise(None).alias(name),
            )
            first = by_column.get(derived.columns[0], FigureColumn(derived.columns[0]))
            made.append(
                replace(
                    first,
                    column=name,
                    indicator=derived.indicator,
                    sex=None,
                    age=None,
                    cause=None,
                    group=None,
                    low=None,
                    high=None,
                )
            )
        return made

    def _derived_over(self, figures: pl.DataFrame) -> list[pl.DataFrame]:
        """``[[derived]] over``: parts that differ only by the named group keys (reason x
        origin) summed into the total they make, quoting each part."""
        made = []
        for derived in self.mapping.derived:
            if not derived.over or figures.is_empty():
                continue
            keys = set(derived.over)
            pairs = pl.col("group").fill_null("").str.split(";")
            rest = pairs.list.eval(
                pl.element().filter(~pl.element().str.split("=").list.first().is_in(list(keys)))
            ).list.join(";")
            parts = figures.filter(
                (pl.col("indicator") == derived.indicator)
                & pairs.list.eval(
                    pl.element().str.split("=").list.first().is_in(list(keys))
                ).list.any()
            ).with_columns(rest.alias("__rest"))
            if parts.is_empty():
                continue
            same = [
                c
                for c in CANDIDATE_COLUMNS
                if c
                not in (
                    "value",
                    "value_low",
                    "value_high",
                    "quote",
                    "span_start",
                    "span_end",
                    "group",
                    "qualifier",
                )
            ]
            summed = parts.group_by([*same, "__rest"], maintain_order=True).agg(
                pl.col("value").sum(),
                pl.col("input_row").min(),
                pl.col("input_row").min().alias("span_start"),
                pl.col("input_row").max().alias("span_end"),
                pl.len().alias("__n"),
                pl.col("quote").str.join(" + ").str.slice(0, 2000).alias("__parts"),
                pl.col("qualifier").first(),
            )
            made.append(
                summed.filter(pl.col("__n") > 1).select(
                    *(
                        pl.when(pl.col("__rest") != "").then(pl.col("__rest")).alias("group")
                        if c == "group"
                        else pl.format(
                            "sum of {} parts by {}: {}",
                            "__n",
                            pl.lit(", ".join(derived.over)),
                            "__parts",
                        ).alias("quote")
                        if c == "quote"
                        else pl.lit(None, pl.Int64).alias(c)
                        if c in ("value_low", "value_high")
                        else pl.col(c).cast(DTYPES[c])
                        for c in CANDIDATE_COLUMNS
                    ),
                    pl.col("input_row").cast(pl.Int64),
                    pl.lit(f"sum:{'+'.join(derived.over)}").alias("origin"),
                )
            )
        return made

    def _figures_of(self, rows: pl.DataFrame, figure: FigureColumn) -> tuple[pl.DataFrame, ...]:
        """Candidates and quarantined cells of one figure column."""
        # empty cells first: in a sparse wide table most rows hold no figure in this column
        present = rows.select(~is_missing(pl.col(figure.column))).to_series()
        cells = (rows if present.all() else rows.filter(present)).select(self._cell_fields(figure))
        for source, out, column in (
            ("__raw", "value", figure.column),
            ("__low_raw", "value_low", figure.low),
            ("__high_raw", "value_high", figure.high),
        ):
            if column:
                value, check, hedge = parse_counts(cells[source], self.mapping.decimal)
                cells = cells.with_columns(value.alias(out), check.alias(f"{out}_check"))
                if out == "value" and hedge.null_count() < len(hedge):
                    # the cell's own hedge ("<5", "100+") says more than the column's
                    cells = cells.with_columns(
                        pl.coalesce(hedge, pl.col("qualifier")).alias("qualifier")
                    )
            else:
                cells = cells.with_columns(
                    pl.lit(None, pl.Int64).alias(out), pl.lit(None, pl.String).alias(f"{out}_check")
                )
        conditions = self._checks()
        bad = pl.any_horizontal([condition for condition, *_ in conditions])
        extras = {
            "span_start": pl.col("input_row"),
            "span_end": pl.col("input_row"),
            "method": pl.lit(self.mapping.method),
            "confidence": pl.lit(1.0),
            **self._breakdowns_of(figure),
        }
        final = [
            (extras[name] if name in extras else pl.col(name)).cast(DTYPES[name]).alias(name)
            for name in CANDIDATE_COLUMNS
        ]
        origin = [pl.col(name).cast(dtype) for name, dtype in ORIGIN_COLUMNS.items()]
        bad_rows = cells.select(bad.alias("bad")).to_series()
        good = cells.select(*final, *origin)
        if bad_rows.any():
            good = good.filter(~bad_rows)
        check, column, failing = (pl.lit(None, pl.String),) * 3
        for condition, name, where, raw in reversed(conditions):
            check = pl.when(condition).then(name).otherwise(check)
            column = pl.when(condition).then(where).otherwise(column)
            failing = pl.when(condition).then(raw).otherwise(failing)
        quarantined = cells.filter(bad_rows).select(
            check.alias("check"),
            column.alias("column"),
            failing.alias("failing_value"),
            "input_row",
            *final,
        )
        return good, quarantined

    def _breakdowns_of(self, figure: FigureColumn) -> dict[str, pl.Expr]:
        """The breakdown fields of a figure column's cells: the column's own (``+f``, a
        mapping's ``sex = "f"``), else its row's, else a total's."""
        c = self.mapping.constants
        fields: dict[str, pl.Expr] = {}
        for name in ("sex", "age", "cause"):
            own = getattr(figure, name) or c.get(name)
            fields[name] = pl.coalesce(
                pl.lit(own, pl.String), pl.col(f"__{name}"), pl.lit(BREAKDOWN_DEFAULTS[name])
            )
        parts = [pl.lit(figure.group, pl.String), pl.col("__group")]
        joined = pl.concat_str(parts, separator=";", ignore_nulls=True)
        fields["group"] = pl.when(joined != "").then(_sorted_group(joined))
        projected = figure.projected if figure.projected is not None else c.get("projected")
        fields["projected"] = pl.lit(bool(projected))
        return fields

    # -- helpers over distinct values ---------------------------------------------------

    def _values(self, column: str) -> list[str | None]:
        if column not in self._distinct:
            self._distinct[column] = self.frame[column].unique().to_list()
        return self._distinct[column]

    def _label(self, column: str) -> pl.Expr:
        """The column, stripped of padding ("Green     ") only when some value has any."""
        if all(v is None or (v == v.strip() and v) for v in self._values(column)):
            return pl.col(column)
        stripped = pl.col(column).str.strip_chars()
        return pl.when(stripped != "").then(stripped)

    def _lookup(self, column: str, resolve: Any) -> pl.Expr:
        """``resolve`` applied to each distinct (stripped) value once, then mapped back."""
        lookup = {v: resolve(v.strip()) for v in self._values(column) if v is not None}
        if all(key == value for key, value in lookup.items()):
            return pl.col(column)
        return pl.col(column).replace_strict(lookup, default=None, return_dtype=pl.String)

    def _country_resolver(self, column: str) -> Any:
        """ISO codes and names, or an agency's own codes when the column is in one (UNHCR's
        "CHI" is China): the coding is judged on the column's distinct values."""
        labels = self.mapping.labels.get("country", {})
        scheme = code_scheme(labels.get(v, v) if v else v for v in self._values(column))
        if scheme == ISO3:
            return lambda text: country_iso3(labels.get(text, text))
        return lambda text: agency_iso3(labels.get(text, text), scheme)

    def _breakdown_fields(self) -> list[pl.Expr]:
        """Per row, the breakdowns its columns name (``[breakdowns]``, ``#sector``): ``__sex``,
        ``__age``, ``__cause`` and ``__group`` ("origin=SDN;reason=conflict")."""
        fields: list[pl.Expr] = []
        groups: list[pl.Expr] = []
        readers = {"sex": sex_of, "age": age_of, "cause": cause_of}
        for key, column in sorted(self.mapping.breakdowns.items()):
            labels = self.mapping.labels.get(key, {})
            if key in readers:
                read = readers[key]
                resolve = lambda text, read=read, labels=labels: read(labels.get(text, text))  # noqa: E731
                fields.append(self._lookup(column, resolve).alias(f"__{key}"))
                continue
            scheme = code_scheme(self._values(column)) if key in PLACE_GROUPS else None
            resolve = lambda text, key=key, labels=labels, scheme=scheme: group_value(  # noqa: E731
                key, labels.get(text, text), scheme
            )
            value = self._lookup(column, resolve)
            groups.append(pl.when(value.is_not_null()).then(pl.format(f"{key}={{}}", value)))
        for key in ("sex", "age", "cause"):
            if key not in self.mapping.breakdowns:
                fields.append(pl.lit(None, pl.String).alias(f"__{key}"))
        group = (
            pl.concat_str(groups, separator=";", ignore_nulls=True)
            if groups
            else pl.lit(None, pl.String)
        )
        fields.append(pl.when(group != "").then(group).alias("__group"))
        return fields

    # -- row-level fields -------------------------------------------------------------------

    def _row_fields(self) -> list[pl.Expr]:
        m, c = self.mapping, self.mapping.constants
        fields: list[pl.Expr] = []
        if m.country:
            resolved = [self._lookup(col, self._country_resolver(col)) for col in m.country]
            texts = [self._label(col) for col in m.country]
            fields.append(
                (pl.coalesce(resolved) if len(resolved) > 1 else resolved[0]).alias("country_iso3")
            )
            fields.append(
                (pl.coalesce(texts) if len(texts) > 1 else texts[0]).alias("__country_text")
            )
            fields.append(
                pl.coalesce(
                    [
                        pl.when(text.is_not_null()).then(pl.lit(col))
                        for text, col in zip(texts, m.country, strict=True)
                    ]
                ).alias("__country_column")
            )
        else:
            with_codes = [p.pcode for p in reversed(m.places) if p.pcode]
            from_pcodes = [self._lookup(code, pcode_country) for code in with_codes]
            # a row without a p-code (a total row) is in the one country all the others are
            found = {
                pcode_country(v)
                for code in with_codes
                for v in self._values(code)
                if v and pcode_country(v)
            }
            only = found.pop() if len(found) == 1 else None
            fields.append(
                pl.coalesce(*from_pcodes, pl.lit(c.get("country") or only, pl.String)).alias(
                    "country_iso3"
                )
            )
            pcode_texts = [self._label(p.pcode) for p in reversed(m.places) if p.pcode]
            fields.append(
                (pl.coalesce(pcode_texts) if pcode_texts else pl.lit(None, pl.String)).alias(
                    "__country_text"
                )
            )
            fields.append(
                pl.lit(m.places[-1].pcode if pcode_texts else None, pl.String).alias(
                    "__country_column"
                )
            )
            texts = []
        names = [self._label(p.name) for p in m.places]
        country_level = not names and "location_name" not in c
        if country_level:
            # no place below the country: the figure is about the country, named as written
            # (the hashtags list #country+code columns before #country+name ones)
            location = pl.coalesce(*reversed(texts), pl.lit(None, pl.String))
        elif not names:
            location = pl.lit(c.get("location_name"), pl.String)
        else:
            location = pl.coalesce(names) if len(names) > 1 else names[0]
        total_row = pl.col("__total")
        fields.append(pl.when(~total_row).then(location).alias("location_name"))
        level = pl.lit(c.get("admin_level", 0 if country_level else None), pl.Int8)
        pcode = pl.lit(None, pl.String)
        for place, name in zip(reversed(m.places), reversed(names), strict=True):
            if place.admin_level is None and place.pcode is None and len(m.places) == 1:
                continue
            present = name.is_not_null()
            level = pl.when(present).then(pl.lit(place.admin_level, pl.Int8)).otherwise(level)
            code = self._label(place.pcode) if place.pcode else pl.lit(None, pl.String)
            pcode = pl.when(present).then(code).otherwise(pcode)
        if "admin_level" in m.columns:
            level = self._label(m.columns["admin_level"]).cast(pl.Int8, strict=False)
        if "pcode" in m.columns:
            pcode = self._label(m.columns["pcode"])
        fields += [
            pl.when(total_row).then(pl.lit(0, pl.Int8)).otherwise(level).alias("admin_level"),
            pl.when(~total_row).then(pcode).alias("pcode"),
        ]
        # "Zamzam Camp, Al Fasher, North Darfur", once each ("Chittagong Division" may be
        # both the place and its admin1)
        place = (
            pl.concat_list(names).list.drop_nulls().list.unique(maintain_order=True).list.join(", ")
            if len(names) > 1
            else location
        )
        if len(m.places) == 1 and self.frame[m.places[0].name].null_count() == 0:
            fields.append(place.alias("__place_text"))
        else:
            # names before codes: the hashtags list #country+code columns first
            fields.append(
                pl.coalesce(
                    pl.when(place != "").then(place),
                    *(reversed(texts) if m.country else ()),
                    pl.lit(c.get("country"), pl.String),
                    pl.lit("?"),
                ).alias("__place_text")
            )
        for name in ("publisher", "attributed_to", "source_url"):
            fields.append(self._provenance(name, getattr(self.meta, name), c.get(name)))
        if "indicator" in m.columns:
            column = m.columns["indicator"]
            indicator_labels = m.labels.get("indicator", {})
            fields += [
                self._lookup(
                    column, lambda text: _indicator_from_text(indicator_labels.get(text, text))
                ).alias("__indicator"),
                self._label(column).alias("__indicator_text"),
            ]
        if "qualifier" in m.columns:
            column = m.columns["qualifier"]
            words = {k: v.value for k, v in QUALIFIER_WORDS.items()} | m.qualifiers
            fields += [
                self._lookup(column, lambda v: words.get(v.lower())).alias("__qualifier"),
                self._label(column).alias("__qualifier_text"),
            ]
        if "unit" in m.columns:
            fields.append(self._lookup(m.columns["unit"], _unit_from_text).alias("__unit"))
        if "measure" in m.columns:
            fields.append(self._lookup(m.columns["measure"], _measure_from_text).alias("__measure"))
        return fields + self._breakdown_fields()

    def _provenance(self, name: str, flag: str | None, constant: Any) -> pl.Expr:
        """Flags (``meta``) win over the row's own column, which wins over a constant."""
        if flag is not None:
            return pl.lit(flag, pl.String).alias(name)
        column = self.mapping.columns.get(name)
        fallback = pl.lit(constant, pl.String)
        if not column:
            return fallback.alias(name)
        own = self._label(column)
        labels = self.mapping.labels.get(name)
        if labels:
            own = self._lookup(column, lambda text: labels.get(text, text) or None)
        return pl.coalesce(own, fallback).alias(name)

    # -- dates ----------------------------------------------------------------------------

    def _with_dates(self, rows: pl.DataFrame) -> pl.DataFrame:
        m, c = self.mapping, self.mapping.constants
        for role in DATE_ROLES:
            column = m.columns.get(role)
            if column is None:
                rows = rows.with_columns(
                    pl.lit(None, pl.Date).alias(f"__{role}_start"),
                    pl.lit(None, pl.Date).alias(f"__{role}_end"),
                    pl.lit(None, pl.String).alias(f"__{role}_precision"),
                )
                continue
            rows = self._parse_dates(rows, column, f"__{role}")
        for column in self._figure_date_columns():
            rows = self._parse_dates(rows, column, _date_prefix(column))
        constant = c.get("period")
        start = pl.coalesce(
            "__period_start_start", "__date_start", pl.lit(constant and constant[0], pl.Date)
        )
        end = pl.coalesce(
            pl.when(pl.col("__period_start_start").is_not_null()).then(
                pl.coalesce("__period_end_end", "__period_start_end")
            ),
            "__date_end",
            pl.lit(constant and constant[1], pl.Date),
        )
        precision = pl.coalesce(
            pl.when(pl.col("__period_start_precision") == DatePrecision.DAY.value)
            .then(_span_precision(start, end))
            .otherwise(pl.col("__period_start_precision")),
            "__date_precision",
            pl.lit(constant and constant[2], pl.String),
        )
        published = pl.coalesce(
            pl.lit(self.meta.published_date, pl.Date),
            "__published_date_start",
            pl.lit(c.get("published_date"), pl.Date),
        )
        rows = rows.with_columns(
            start.alias("period_start"),
            end.alias("period_end"),
            precision.alias("date_precision"),
            published.alias("published_date"),
        )
        if "date_precision" in m.columns:
            rows = self._widen(rows, self._label(m.columns["date_precision"]))
        return rows

    def _parse_dates(self, rows: pl.DataFrame, column: str, prefix: str) -> pl.DataFrame:
        """Add ``<prefix>_text``, ``_start``, ``_end``, ``_precision`` and ``_bad`` (a date
        written but unreadable) for a date column."""
        rows = rows.with_columns(self._label(column).alias(f"{prefix}_text"))
        if self._iso_days(column):
            day = pl.col(column).str.to_date("%Y-%m-%d", strict=False)
            rows = rows.with_columns(
                day.alias(f"{prefix}_start"),
                day.alias(f"{prefix}_end"),
                pl.lit(DatePrecision.DAY.value).alias(f"{prefix}_precision"),
            )
        else:
            role = prefix.removeprefix("__")
            labels = self.mapping.labels.get(role if role in DATE_ROLES else "date", {})
            table = _date_table(self._values(column), self.mapping, labels).rename(
                {
                    "__text": column,
                    "__start": f"{prefix}_start",
                    "__end": f"{prefix}_end",
                    "__precision": f"{prefix}_precision",
                }
            )
            rows = rows.join(table, on=column, how="left", maintain_order="left")
        return rows.with_columns(
            (~is_missing(pl.col(f"{prefix}_text")) & pl.col(f"{prefix}_start").is_null()).alias(
                f"{prefix}_bad"
            )
        )

    def _figure_date_columns(self) -> list[str]:
        """Columns holding some figure columns' own periods (IPC's validity periods)."""
        names = [
            column
            for figure in self.mapping.figures
            for column in (figure.period_start, figure.period_end)
            if column
        ]
        return list(dict.fromkeys(names))

    def _iso_days(self, column: str) -> bool:
        """Whether every value is a plain YYYY-MM-DD date: then polars parses the column
        directly, which is cheaper than joining back a table of distinct values."""
        return all(v is None or (len(v) == 10 and ISO_DAY.match(v)) for v in self._values(column))

    def _widen(self, rows: pl.DataFrame, stated_text: pl.Expr) -> pl.DataFrame:
        """A row whose precision column says "month" (ACLED's time_precision 3) covers the
        whole month around its date, not the day written."""
        stated = stated_text.str.to_lowercase().replace_strict(
            self.mapping.precisions, default=None, return_dtype=pl.String
        )
        start, end = pl.col("period_start"), pl.col("period_end")
        widened = {
            DatePrecision.WEEK.value: (
                start.dt.truncate("1w"),
                start.dt.truncate("1w").dt.offset_by("6d"),
            ),
            DatePrecision.MONTH.value: (start.dt.month_start(), start.dt.month_end()),
            DatePrecision.YEAR.value: (
                start.dt.truncate("1y"),
                start.dt.truncate("1y").dt.offset_by("1y").dt.offset_by("-1d"),
            ),
        }
        new_start, new_end, new_precision = start, end, pl.col("date_precision")
        for precision, (wide_start, wide_end) in widened.items():
            chosen = stated == precision
            # an event reported on the 26th happened by the 26th, not by the month's end
            wide_end = pl.min_horizontal(wide_end, pl.col("published_date"))
            new_start = pl.when(chosen).then(wide_start).otherwise(new_start)
            new_end = pl.when(chosen).then(wide_end).otherwise(new_end)
            new_precision = pl.when(chosen).then(pl.lit(precision)).otherwise(new_precision)
        return rows.with_columns(
            new_start.alias("period_start"),
            new_end.alias("period_end"),
            new_precision.alias("date_precision"),
        )

    # -- figure cells ---------------------------------------------------------------------

    def _cell_fields(self, figure: FigureColumn) -> list[pl.Expr]:
        m, c = self.mapping, self.mapping.constants
        indicator = (
            pl.lit(figure.indicator, pl.String) if figure.indicator else pl.col("__indicator")
        )
        measure = figure.measure or c.get("measure")
        if measure:
            measure_expr = pl.lit(measure, pl.String)
        elif "measure" in m.columns:
            measure_expr = pl.coalesce(pl.col("__measure"), _default_measure(indicator))
        else:
            measure_expr = _default_measure(indicator)
        unit = pl.lit(figure.unit or c.get("unit") or Unit.PEOPLE.value, pl.String)
        if "unit" in m.columns and not figure.unit:
            unit = pl.coalesce(pl.col("__unit"), unit)
        qualifier = pl.lit(
            figure.qualifier or c.get("qualifier") or Qualifier.EXACT.value, pl.String
        )
        from_column = "qualifier" in m.columns and not figure.qualifier
        if from_column:
            qualifier = (
                pl.when(pl.col("__qualifier_text").is_null())
                .then(qualifier)
                .otherwise(pl.col("__qualifier"))
            )
        start, end, precision = (
            pl.col("period_start"),
            pl.col("period_end"),
            pl.col("date_precision"),
        )
        if figure.period is not None:
            start = pl.lit(figure.period[0], pl.Date)
            end = pl.lit(figure.period[1], pl.Date)
            precision = pl.lit(figure.period[2], pl.String)
        elif figure.period_start or figure.period_end:
            # this column's own period (IPC: current, first projection), else the row's
            first = _date_prefix(figure.period_start or figure.period_end)
            last = _date_prefix(figure.period_end or figure.period_start)
            own_start, own_end = pl.col(f"{first}_start"), pl.col(f"{last}_end")
            has_own = own_start.is_not_null()
            start = pl.when(has_own).then(own_start).otherwise(start)
            end = pl.when(has_own).then(pl.coalesce(own_end, pl.col(f"{first}_end"))).otherwise(end)
            precision = (
                pl.when(has_own)
                .then(_span_precision(own_start, pl.coalesce(own_end, pl.col(f"{first}_end"))))
                .otherwise(precision)
            )
        if "period" not in c and not (figure.period or figure.period_start or figure.period_end):
            # a stock with no date of its own is stated as of its publication
            as_published = (measure_expr == Measure.STOCK.value) & start.is_null()
            start = pl.when(as_published).then(pl.col("published_date")).otherwise(start)
            end = pl.when(as_published).then(pl.col("published_date")).otherwise(end)
            precision = (
                pl.when(as_published).then(pl.lit(DatePrecision.DAY.value)).otherwise(precision)
            )
        attributed = pl.col("attributed_to")
        if figure.attributed_to and self.meta.attributed_to is None:
            attributed = pl.lit(figure.attributed_to, pl.String)
        none = pl.lit(None, pl.String)
        return [
            pl.col("__row").alias("input_row"),
            pl.lit(figure.column).alias("origin"),
            pl.col(figure.column).alias("__raw"),
            self._quote(figure).alias("quote"),
            pl.lit(figure.low, pl.String).alias("__low_col"),
            (pl.col(figure.low) if figure.low else none).alias("__low_raw"),
            pl.lit(figure.high, pl.String).alias("__high_col"),
            (pl.col(figure.high) if figure.high else none).alias("__high_raw"),
            indicator.alias("indicator"),
            (pl.col("__indicator_text") if not figure.indicator else none).alias(
                "__indicator_text"
            ),
            measure_expr.alias("measure"),
            unit.alias("unit"),
            qualifier.alias("qualifier"),
            (pl.col("__qualifier_text") if from_column else none).alias("__qualifier_text"),
            attributed.alias("attributed_to"),
            "country_iso3",
            "__country_text",
            "__country_column",
            "__sex",
            "__age",
            "__cause",
            "__group",
            "location_name",
            "admin_level",
            "pcode",
            "publisher",
            "source_url",
            "__place_text",
            start.alias("period_start"),
            end.alias("period_end"),
            precision.alias("date_precision"),
            "published_date",
            *(
                pl.col(f"__{role}_{part}")
                for role in self._dated_roles()
                for part in ("bad", "text")
            ),
            *(
                pl.col(f"{_date_prefix(column)}_{part}")
                for column in self._figure_date_columns()
                for part in ("bad", "text")
            ),
        ]

    def _dated_roles(self) -> list[str]:
        return [role for role in DATE_ROLES if role in self.mapping.columns]

    # -- checks, quote, quarantine --------------------------------------------------------

    def _checks(self) -> list[tuple[pl.Expr, pl.Expr, pl.Expr, pl.Expr]]:
        """(condition, check name, column, failing value), most telling problem first.

        Only checks that can fail for this mapping are listed: each one is a pass over every
        cell, and a constant publisher or indicator cannot be missing on some rows only.
        """
        m, c, meta = self.mapping, self.mapping.constants, self.meta
        checks = [
            (pl.col(f"{out}_check").is_not_null(), pl.col(f"{out}_check"), column, raw)
            for out, column, raw, used in (
                ("value", pl.col("origin"), pl.col("__raw"), True),
                (
                    "value_low",
                    pl.col("__low_col"),
                    pl.col("__low_raw"),
                    any(f.low for f in m.figures),
                ),
                (
                    "value_high",
                    pl.col("__high_col"),
                    pl.col("__high_raw"),
                    any(f.high for f in m.figures),
                ),
            )
            if used
        ]
        if m.country or c.get("country") is None:
            checks.append(
                (
                    pl.col("country_iso3").is_null(),
                    pl.lit("unknown-country"),
                    pl.col("__country_column"),
                    pl.col("__country_text"),
                )
            )
        for role in self._dated_roles():
            column = m.columns[role]
            checks.append(
                (
                    pl.col(f"__{role}_bad"),
                    pl.lit("unparseable-date"),
                    _name(column),
                    pl.col(f"__{role}_text"),
                )
            )
        for column in self._figure_date_columns():
            prefix = _date_prefix(column)
            checks.append(
                (
                    pl.col(f"{prefix}_bad"),
                    pl.lit("unparseable-date"),
                    _name(column),
                    pl.col(f"{prefix}_text"),
                )
            )
        if "period" not in c:
            checks.append(
                (
                    pl.col("period_start").is_null(),
                    pl.lit("missing-date"),
                    _name(m.columns.get("date")),
                    pl.lit(None, pl.String),
                )
            )
        if meta.published_date is None and (
            "published_date" in m.columns or "published_date" not in c
        ):
            checks.append(
                (
                    pl.col("published_date").is_null(),
                    pl.lit("missing-published-date"),
                    _name(m.columns.get("published_date")),
                    pl.lit(None, pl.String),
                )
            )
        if "indicator" in m.columns and not all(f.indicator for f in m.figures):
            checks.append(
                (
                    pl.col("indicator").is_null(),
                    pl.lit("unknown-indicator"),
                    _name(m.columns["indicator"]),
                    pl.col("__indicator_text"),
                )
            )
        if "qualifier" in m.columns:
            checks.append(
                (
                    pl.col("qualifier").is_null(),
                    pl.lit("unknown-qualifier"),
                    _name(m.columns["qualifier"]),
                    pl.col("__qualifier_text"),
                )
            )
        if meta.publisher is None and ("publisher" in m.columns or not c.get("publisher")):
            checks.append(
                (
                    pl.col("publisher").is_null(),
                    pl.lit("missing-publisher"),
                    _name(m.columns.get("publisher")),
                    pl.lit(None, pl.String),
                )
            )
        return checks

    def _quote(self, figure: FigureColumn) -> pl.Expr:
        """ "Zamzam Camp, Al Fasher, North Darfur: IND 243946 (IOM DTM, 2021-05-18)".

        Built as one ``pl.format`` per figure column with the column name and a constant
        publisher written into the template: a quote is made for every cell, so each part
        that need not be a column is one pass fewer.
        """
        texts = [
            pl.col(f"__{role}_text")
            for role in ("period_start", "date")
            if role in self.mapping.columns
        ]
        # the date as written; casting dates back to text would cost a pass over every cell
        when = (
            (pl.coalesce(*texts) if len(texts) > 1 else texts[0])
            if texts
            else (pl.col("period_start").cast(pl.String))
        )
        publisher = self.meta.publisher
        if publisher is None and "publisher" not in self.mapping.columns:
            publisher = self.mapping.constants.get("publisher")
        record = self.mapping.record_id or tuple(
            c for c in (self.mapping.columns.get("record_id"),) if c
        )
        ids: list[str | pl.Expr] = []
        for column in record:
            ids += [" ", pl.col(column).fill_null("?")]
        parts: list[str | pl.Expr] = [
            pl.col("__place_text"),
            f": {figure.column} ",
            pl.col(figure.column),
            " (",
            publisher if publisher is not None else pl.col("publisher").fill_null("?"),
            *ids,
            ", ",
            when.fill_null("?"),
            ")",
        ]
        template = "".join(
            part.replace("{", "{{").replace("}", "}}") if isinstance(part, str) else "{}"
            for part in parts
        )
        return pl.format(template, *(part for part in parts if not isinstance(part, str)))

    def _empty(self, rows: pl.DataFrame) -> pl.DataFrame:
        """Rows with data but no figure in any figure column: quarantined, never dropped."""
        missing = [is_missing(pl.col(f.column)) for f in self.mapping.figures]
        return rows.filter(pl.all_horizontal(missing)).select(
            pl.lit("missing-value").alias("check"),
            pl.lit(", ".join(f.column for f in self.mapping.figures)).alias("column"),
            pl.lit(None, pl.String).alias("failing_value"),
            pl.col("__row").alias("input_row"),
        )

    def _quarantine(self, bad: pl.DataFrame, blank: pl.DataFrame) -> pl.DataFrame:
        text_columns = {**QUARANTINE_EXTRA, **dict.fromkeys(COLUMNS, pl.String())}
        bad = bad.with_columns(pl.col(c).cast(pl.String) for c in CANDIDATE_COLUMNS)
        rows = pl.concat([bad, blank], how="diagonal_relaxed")
        if rows.height == 0:
            return pl.DataFrame(schema=text_columns)
        # frame row i is input row first_row + i: the original rows are a gather away
        numbers = rows["input_row"].unique()
        original = self.table.frame[(numbers - self.table.first_row).to_list()]
        raw = original.select(
            numbers.alias("input_row"),
            pl.struct(pl.col(self.table.frame.columns)).struct.json_encode().alias("raw"),
        )
        rows = rows.join(raw, on="input_row", how="left").with_columns(
            pl.concat_str(
                [
                    pl.col("check"),
                    pl.lit(": "),
                    pl.col("check").replace_strict(REASONS, default=""),
                    pl.when(pl.col("failing_value").is_not_null()).then(
                        pl.format(" ({})", pl.col("failing_value").str.slice(0, 80))
                    ),
                    pl.when(pl.col("column").is_not_null()).then(
                        pl.format(" in column {}", pl.col("column"))
                    ),
                    pl.format(" at row {}", pl.col("input_row")),
                ],
                ignore_nulls=True,
            ).alias("reason")
        )
        return rows.select(
            (pl.col(c) if c in rows.columns else pl.lit(None)).cast(dtype).alias(c)
            for c, dtype in text_columns.items()
        ).sort("input_row", maintain_order=True)


_COMPOSED = "__date_ymd"
"""The date text composed from split year, month and day columns."""


def _read_period(
    text: str, mapping: Mapping, day_first: bool | None
) -> tuple[dt.date, dt.date, str] | None:
    """A date cell, or a range written START/END ("2022-10-01/2022-12-31")."""
    parsed = parse_period(text, mapping.date_formats, mapping.timezone, day_first)
    if parsed is None and "/" in text and text.count("/") == 1:
        first, last = (part.strip() for part in text.split("/"))
        start = parse_period(first, mapping.date_formats, mapping.timezone, day_first)
        end = parse_period(last, mapping.date_formats, mapping.timezone, day_first)
        if start and end and start[0] <= end[1]:
            return start[0], end[1], start[2] if start[2] == end[2] else DatePrecision.DAY.value
    return parsed


def _month_text(text: str) -> str | None:
    """ "3", "03", "Mars", "March" -> "03"."""
    from humstats.normalize.headers import month_number

    stripped = text.strip()
    number = int(stripped) if stripped.isdigit() else month_number(stripped)
    return f"{number:02d}" if number and 1 <= number <= 12 else None


def _matches(rules: dict[str, tuple[str, ...]]) -> pl.Expr:
    """Rows where any rule's column holds one of its texts (case and padding ignored)."""
    if not rules:
        return pl.lit(False)
    return pl.any_horizontal(
        pl.col(column).fill_null("").str.strip_chars().str.to_lowercase().is_in(list(texts))
        for column, texts in rules.items()
    )


def _date_prefix(column: str) -> str:
    """Internal column prefix for the parsed dates of a figure's own period column."""
    return f"__fdate_{column}"


def _sorted_group(joined: pl.Expr) -> pl.Expr:
    """ "phase=3;origin=SDN": the contract writes group pairs in key order."""
    return joined.str.split(";").list.unique().list.sort().list.join(";")


def _span_precision(start: pl.Expr, end: pl.Expr) -> pl.Expr:
    """The precision a start..end pair of exact days amounts to: a whole calendar month or
    year ("1991-01-01".."1991-12-31") is that month or year; any other span is days."""
    whole_month = (start == start.dt.month_start()) & (end == start.dt.month_end())
    whole_year = (
        whole_month.not_()
        & (start.dt.ordinal_day() == 1)
        & (end == start.dt.truncate("1y").dt.offset_by("1y").dt.offset_by("-1d"))
    )
    week = (start.dt.weekday() == 1) & (end == start.dt.offset_by("6d"))
    return (
        pl.when(start == end)
        .then(pl.lit(DatePrecision.DAY.value))
        .when(whole_month)
        .then(pl.lit(DatePrecision.MONTH.value))
        .when(whole_year)
        .then(pl.lit(DatePrecision.YEAR.value))
        .when(week)
        .then(pl.lit(DatePrecision.WEEK.value))
        .otherwise(pl.lit(DatePrecision.DAY.value))
    )


def _name(column: str | None) -> pl.Expr:
    return pl.lit(column, pl.String)


def _default_measure(indicator: pl.Expr) -> pl.Expr:
    flows = [i.value for i in FLOW_BY_DEFAULT]
    return (
        pl.when(indicator.is_in(flows))
        .then(pl.lit(Measure.FLOW.value))
        .otherwise(pl.lit(Measure.STOCK.value))
    )


def _unit_from_text(text: str) -> str | None:
    folded = text.lower()
    if folded in HOUSEHOLD_ATTRIBUTES:
        return Unit.HOUSEHOLDS.value
    return Unit.PEOPLE.value if folded in PEOPLE_ATTRIBUTES | {"person", "persons"} else None


_STOCK_WORDS = frozenset({"cum", "cumulative", "total", "stock"})
_FLOW_WORDS = frozenset({"new", "daily", "weekly", "monthly", "flow", "incident"})


def _measure_from_text(text: str) -> str | None:
    folded = text.lower()
    if folded in _STOCK_WORDS:
        return Measure.STOCK.value
    return Measure.FLOW.value if folded in _FLOW_WORDS else None


def _indicator_from_text(text: str) -> str | None:
    folded = text.strip().lower()
    values = {i.value for i in Indicator}
    for candidate in (folded, folded.replace(" ", "_").replace("-", "_")):
        if candidate in values:
            return candidate
    if folded.startswith("#"):
        found = indicator_of(parse_hashtag(folded))
        return found.value if found else None
    word = INDICATOR_WORDS.get(folded)
    return word.value if word else None
