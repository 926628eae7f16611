"""Which rows and columns of a table are what: stacked headers, row filters and total rows,
duplicate rows, columns that only sum others or repeat another, figures repeated on every
place's row."""

from __future__ import annotations

import logging
from dataclasses import replace

import polars as pl

from humstats.normalize.cells import (
    is_missing,
    parse_counts,
)
from humstats.normalize.mapping import (
    FigureColumn,
)
from humstats.readers import Table
from humstats.schema import (
    repeated_rows,
)

log = logging.getLogger(__name__)

_NATIONAL_SAMPLE = 10_000
"""Leading figures in which a column repeating one value per date is looked for first."""


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


def _matches(rules: dict[str, tuple[str, ...]]) -> pl.Expr:
    """Rows where any rule's column holds one of its texts (case and padding ignored)."""
    if not rules:
        return pl.lit(False)
    return pl.any_horizontal(
        pl.col(column).fill_null("").str.strip_chars().str.to_lowercase().is_in(list(texts))
        for column, texts in rules.items()
    )


class RowsMixin:
    """The normaliser's row and column decisions (``_Normalizer`` mixes it in)."""

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
        # rows hashed whole by polars (a few times cheaper than hashing a struct of them)
        key = pl.lit(frame.select(cells).hash_rows())
        first = repeated_rows(frame.lazy(), key, cells, keep_first=True)
        keep = first.collect().to_series()
        unique = keep.all()  # filtering copies every column, so only when there are copies
        copies = (frame.head(0) if unique else frame.filter(~keep)).select(
            pl.lit("duplicate-row").alias("check"),
            pl.lit(None, pl.String).alias("column"),
            pl.lit(None, pl.String).alias("failing_value"),
            pl.col("__row").alias("input_row"),
        )
        return (frame if unique else frame.filter(keep)), copies

    def _national(self, figures: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
        """A column repeating one value on every place's row of a date (IPC's "Total country
        population" beside each province) states the country's figure: stored once, at
        admin level 0; the repeats are quarantined as ``repeated-figure``."""
        empty = figures.head(0).select(
            pl.lit(None, pl.String).alias("check"),
            pl.lit(None, pl.String).alias("column"),
            pl.lit(None, pl.String).alias("failing_value"),
            pl.col("input_row"),
        )
        if figures.is_empty() or not self.mapping.places:
            return figures, empty
        keys = ["origin", "country_iso3", "period_start", "period_end"]
        # A column is national only if every place's row of a date holds one value: one
        # date of differing values in the first rows rules it out without reading the rest
        # (a table of a million figures is rarely a national one).
        head = figures.head(_NATIONAL_SAMPLE)
        varying = head.group_by(keys).agg(pl.col("value").n_unique() > 1).filter("value")
        candidates = figures.select("origin").unique()["origin"]
        possible = candidates.filter(~candidates.is_in(varying["origin"].implode()))
        if possible.is_empty():
            return figures, empty
        if len(possible) < len(candidates):
            figures_of_possible = figures.filter(pl.col("origin").is_in(possible.implode()))
        else:
            figures_of_possible = figures
        stats = figures_of_possible.group_by(keys).agg(
            pl.col("value").n_unique().alias("__values"),
            pl.col("location_name").n_unique().alias("__places"),
            (pl.col("group").is_null() & (pl.col("sex") == "all") & (pl.col("age") == "all"))
            .all()
            .alias("__total"),
            (pl.col("value") == 0).all().alias("__zero"),
        )
        national = (
            stats.group_by("origin")
            .agg(
                (pl.col("__values") == 1).all().alias("__same"),
                (pl.col("__places") >= 2).mean().alias("__several"),
                pl.col("__total").all(),
                pl.col("__zero").all(),
            )
            .filter(
                pl.col("__same")
                & (pl.col("__several") >= 0.5)
                & pl.col("__total")
                & ~pl.col("__zero")  # nobody in phase 5 anywhere is no national figure
            )["origin"]
        )
        if national.is_empty():
            return figures, empty
        marked = figures.with_columns(pl.col("origin").is_in(national.implode()).alias("__n"))
        first = pl.col("input_row") == pl.col("input_row").min().over(keys)
        kept = (
            marked.filter(~pl.col("__n") | first)
            .with_columns(
                pl.when("__n")
                .then(pl.lit(None, pl.String))
                .otherwise("location_name")
                .alias("location_name"),
                pl.when("__n")
                .then(pl.lit(0, pl.Int8))
                .otherwise("admin_level")
                .alias("admin_level"),
                pl.when("__n").then(pl.lit(None, pl.String)).otherwise("pcode").alias("pcode"),
            )
            .drop("__n")
        )
        repeats = marked.filter(pl.col("__n") & ~first).select(
            pl.lit("repeated-figure").alias("check"),
            pl.col("origin").alias("column"),
            pl.col("value").cast(pl.String).alias("failing_value"),
            pl.col("input_row"),
        )
        return kept, repeats

    def _repeated(self, rows: pl.DataFrame) -> list[pl.DataFrame]:
        """Cells of a column repeating a figure column that say something else: quarantined
        as ``repeated-column``. A rounded copy within 5% of the figure says the same."""
        found = []
        for column, kept, rounded in self.mapping.repeats:
            if column not in rows.columns or kept not in rows.columns:
                continue
            mine = parse_counts(rows[column], self.mapping.decimal)[0]
            theirs = parse_counts(rows[kept], self.mapping.decimal)[0]
            differs = mine.is_not_null() & (
                theirs.is_null() | ((mine - theirs).abs() > (theirs.abs() * 0.05 if rounded else 0))
            )
            if not differs.any():
                continue
            found.append(
                rows.filter(differs).select(
                    pl.lit("repeated-column").alias("check"),
                    pl.lit(column).alias("column"),
                    pl.format(
                        "{} against {} in {}", pl.col(column), pl.col(kept), pl.lit(kept)
                    ).alias("failing_value"),
                    pl.col("__row").alias("input_row"),
                )
            )
        return found

    def _empty(self, rows: pl.DataFrame) -> pl.DataFrame:
        """Rows with data but no figure in any figure column: quarantined, never dropped."""
        missing = [is_missing(pl.col(f.column)) for f in self.mapping.figures]
        return rows.filter(pl.all_horizontal(missing)).select(
            pl.lit("missing-value").alias("check"),
            pl.lit(", ".join(f.column for f in self.mapping.figures)).alias("column"),
            pl.lit(None, pl.String).alias("failing_value"),
            pl.col("__row").alias("input_row"),
        )
