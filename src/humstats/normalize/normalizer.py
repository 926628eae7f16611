"""The normaliser: one table's rows and figure columns into candidate figures.

Speed: tables reach millions of rows, so everything is a polars expression. Country names and
date strings repeat, so each DISTINCT value is resolved once in Python and joined back; number
cells are cast natively, and only the cells that fail the plain cast (thousands separators,
notes, formulas) go through the slower cleaning expressions.
"""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import Any

import polars as pl

from humstats.countries import (
    ISO3,
    agency_iso3,
    code_scheme,
    country_iso3,
    pcode_country,
    pcode_levels,
)
from humstats.hxl import HOUSEHOLD_ATTRIBUTES, indicator_of, parse_hashtag
from humstats.normalize.breakdowns import (
    PLACE_GROUPS,
    age_of,
    cause_of,
    group_value,
    sex_of,
)
from humstats.normalize.candidates import CANDIDATE_COLUMNS, Normalized
from humstats.normalize.cells import (
    is_missing,
    parse_counts,
)
from humstats.normalize.dates import (
    _COMPOSED,
    DatesMixin,
    _date_prefix,
    _span_precision,
)
from humstats.normalize.derived import DerivedMixin
from humstats.normalize.mapping import (
    PEOPLE_ATTRIBUTES,
    FigureColumn,
    Mapping,
)
from humstats.normalize.quarantine import QuarantineMixin
from humstats.normalize.rows import RowsMixin, _matches
from humstats.readers import Table
from humstats.schema import (
    BREAKDOWN_DEFAULTS,
    DTYPES,
    ORIGIN_COLUMNS,
    DatePrecision,
    Indicator,
    Measure,
    Qualifier,
    SourceMeta,
    Unit,
)

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


class Normalizer(RowsMixin, DatesMixin, DerivedMixin, QuarantineMixin):
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

    def run(self) -> Normalized:
        rows = self._with_dates(self.frame.with_columns(self._row_fields()))
        # one figure column at a time: every frame then shares the rows' chunks, where one
        # concatenated frame of all cells would be copied whole when columns are attached
        parts = [self._figures_of(rows, figure) for figure in self.mapping.figures]
        good = pl.concat([g for g, _ in parts], how="vertical", rechunk=False)
        bad = pl.concat([b for _, b in parts], how="vertical_relaxed", rechunk=False)
        unusable = pl.concat(
            [
                self._empty(rows),
                self._duplicates,
                self._filtered,
                self._rejected,
                *self._repeated(rows),
            ],
            how="vertical_relaxed",
        )
        derived_rows = [self._figures_of(rows, figure)[0] for figure in self._derived_columns(rows)]
        good = pl.concat([good, *derived_rows, *self._derived_over(good)], how="vertical")
        good, repeated = self._national(good)
        unusable = pl.concat([unusable, repeated], how="vertical_relaxed")
        return Normalized(figures=good, quarantine=self._quarantine(bad, unusable))

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
            with_codes = self._country_text_columns()
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
            pcode_texts = [self._label(code) for code in with_codes]
            fields.append(
                (pl.coalesce(pcode_texts) if pcode_texts else pl.lit(None, pl.String)).alias(
                    "__country_text"
                )
            )
            fields.append(
                pl.coalesce(
                    pl.when(text.is_not_null()).then(pl.lit(code))
                    for text, code in zip(pcode_texts, with_codes, strict=True)
                ).alias("__country_column")
                if pcode_texts
                else pl.lit(None, pl.String).alias("__country_column")
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
        named_levels = [p.admin_level for p in m.places if p.admin_level]
        for place, name in zip(reversed(m.places), reversed(names), strict=True):
            if place.admin_level is None and place.pcode is None and len(m.places) == 1:
                continue
            present = name.is_not_null()
            own = pl.lit(place.admin_level, pl.Int8)
            if place.admin_level is None and place.pcode is not None:
                # no hashtag or key names this column's level: the p-codes' lengths do
                by_length = pcode_levels(self._values(place.pcode), min(named_levels, default=1))
                own = pl.col(place.pcode).replace_strict(
                    by_length, default=None, return_dtype=pl.Int8
                )
            level = pl.when(present).then(own).otherwise(level)
            code = self._label(place.pcode) if place.pcode else pl.lit(None, pl.String)
            pcode = pl.when(present).then(code).otherwise(pcode)
        if "admin_level" in m.columns:
            level = self._label(m.columns["admin_level"]).cast(pl.Int8, strict=False)
        if "pcode" in m.columns:
            column = m.columns["pcode"]
            pcode = self._label(column)
            if "admin_level" not in m.columns and "admin_level" not in c:
                # a row's own p-code column with no level column: its length gives the level
                by_length = pcode_levels(self._values(column), min(named_levels, default=1))
                own = pl.col(column).replace_strict(by_length, default=None, return_dtype=pl.Int8)
                level = pl.coalesce(level, own)
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

    def _country_text_columns(self) -> list[str]:
        """The columns whose cells a row's country is read from (``__country_text``): the
        country columns, else the row's own p-code column first, then the places' from the
        deepest up."""
        m = self.mapping
        if m.country:
            return list(m.country)
        own_code = [m.columns["pcode"]] if "pcode" in m.columns else []
        return [*own_code, *(p.pcode for p in reversed(m.places) if p.pcode)]

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
            start = pl.lit(figure.period.start, pl.Date)
            end = pl.lit(figure.period.end, pl.Date)
            precision = pl.lit(figure.period.precision.value, pl.String)
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


def _sorted_group(joined: pl.Expr) -> pl.Expr:
    """ "phase=3;origin=SDN": the contract writes group pairs in key order."""
    return joined.str.split(";").list.unique().list.sort().list.join(";")


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
