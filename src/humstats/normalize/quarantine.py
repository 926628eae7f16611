"""Why a cell is not a figure: the checks run on every candidate, and the quarantine rows
they make (check, reason, column, failing value, the original row as JSON)."""

from __future__ import annotations

import polars as pl

from humstats.countries import NO_ISO_CODES
from humstats.normalize.candidates import CANDIDATE_COLUMNS
from humstats.normalize.dates import _date_prefix
from humstats.schema import (
    COLUMNS,
    QUARANTINE_EXTRA,
)

REASONS = {
    "formula-cell": "a formula-like cell is not a count",
    "implausible-value": "too many digits to be a count of people",
    "non-integer-value": "a count of people must be a whole number",
    "unparseable-number": "not a number",
    "ambiguous-number": "separators that do not group thousands: a list or a typo, not a count",
    "unknown-country": "no ISO 3166-1 country matches",
    "no-iso-country": "an agency's code for a place of no single ISO 3166-1 country",
    "unparseable-date": "not a date humstats can read (give [dates] formats in a mapping)",
    "missing-date": "no reference date (map a date column or set constants.period)",
    "missing-published-date": "no publication date (pass --published or set a constant)",
    "missing-publisher": "no publisher (pass --publisher or set constants.publisher)",
    "unknown-indicator": "not an indicator humstats knows",
    "unknown-qualifier": "not a qualifier (map it under [qualifiers])",
    "missing-value": "the row holds no figure in any figure column",
    "duplicate-row": "the same cells as an earlier row",
    "ragged-row": "more cells than the header has columns (the extra cells)",
    "filtered-row": "left out by the mapping's [rows] filters",
    "repeated-column": "a second column meaning the same figure says another value",
    "repeated-figure": "the country's figure, stated again on another place's row",
}


def _name(column: str | None) -> pl.Expr:
    return pl.lit(column, pl.String)


class QuarantineMixin:
    """The normaliser's checks and quarantine rows (``_Normalizer`` mixes it in)."""

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
            # agencies' codes of no ISO country, as the table writes them: found among the
            # distinct country texts once, rather than by upper-casing every row's text
            no_iso = sorted(
                {
                    v.strip()
                    for column in self._country_text_columns()
                    for v in self._values(column)
                    if v and v.strip().upper() in NO_ISO_CODES
                }
            )
            if no_iso:
                checks.append(
                    (
                        pl.col("country_iso3").is_null() & pl.col("__country_text").is_in(no_iso),
                        pl.lit("no-iso-country"),
                        pl.col("__country_column"),
                        pl.format(
                            "{}: {}",
                            pl.col("__country_text"),
                            pl.col("__country_text")
                            .str.to_uppercase()
                            .replace_strict(NO_ISO_CODES, default=None),
                        ),
                    )
                )
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
