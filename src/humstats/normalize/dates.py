"""Dates of a table: date columns read once per distinct text, split year/month/day columns
composed, a figure column's own period, and a row's stated precision widening its date."""

from __future__ import annotations

import logging

import polars as pl

from humstats.normalize.cells import (
    ISO_DAY,
    column_day_first,
    is_missing,
    parse_period,
)
from humstats.normalize.mapping import (
    Mapping,
)
from humstats.periods import Period
from humstats.schema import (
    DatePrecision,
)

log = logging.getLogger(__name__)

DATE_ROLES = ("date", "period_start", "period_end", "published_date")


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
            "__start": [p.start if p else None for p in parsed],
            "__end": [p.end if p else None for p in parsed],
            "__precision": [p.precision.value if p else None for p in parsed],
        },
        schema={
            "__text": pl.String,
            "__start": pl.Date,
            "__end": pl.Date,
            "__precision": pl.String,
        },
    )


_COMPOSED = "__date_ymd"
"""The date text composed from split year, month and day columns."""


def _read_period(text: str, mapping: Mapping, day_first: bool | None) -> Period | None:
    """A date cell, or a range written START/END ("2022-10-01/2022-12-31")."""
    parsed = parse_period(text, mapping.date_formats, mapping.timezone, day_first)
    if parsed is None and "/" in text and text.count("/") == 1:
        first, last = (part.strip() for part in text.split("/"))
        start = parse_period(first, mapping.date_formats, mapping.timezone, day_first)
        end = parse_period(last, mapping.date_formats, mapping.timezone, day_first)
        if start and end and start.start <= end.end:
            return start.through(end)
    return parsed


def _month_text(text: str) -> str | None:
    """ "3", "03", "Mars", "March" -> "03"."""
    from humstats.normalize.headers import month_number

    stripped = text.strip()
    number = int(stripped) if stripped.isdigit() else month_number(stripped)
    return f"{number:02d}" if number and 1 <= number <= 12 else None


def _date_prefix(column: str) -> str:
    """Internal column prefix for the parsed dates of a figure's own period column."""
    return f"__fdate_{column}"


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


class DatesMixin:
    """The normaliser's date fields (``_Normalizer`` mixes it in)."""

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
            "__period_start_start", "__date_start", pl.lit(constant and constant.start, pl.Date)
        )
        end = pl.coalesce(
            pl.when(pl.col("__period_start_start").is_not_null()).then(
                pl.coalesce("__period_end_end", "__period_start_end")
            ),
            "__date_end",
            pl.lit(constant and constant.end, pl.Date),
        )
        precision = pl.coalesce(
            pl.when(pl.col("__period_start_precision") == DatePrecision.DAY.value)
            .then(_span_precision(start, end))
            .otherwise(pl.col("__period_start_precision")),
            "__date_precision",
            pl.lit(constant and constant.precision.value, pl.String),
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

    def _dated_roles(self) -> list[str]:
        return [role for role in DATE_ROLES if role in self.mapping.columns]
