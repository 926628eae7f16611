"""Totals a table does not state, summed from the parts a mapping declares to cover them."""

from __future__ import annotations

from dataclasses import replace

import polars as pl

from humstats.normalize.candidates import CANDIDATE_COLUMNS
from humstats.normalize.cells import (
    parse_counts,
)
from humstats.normalize.mapping import (
    FigureColumn,
)
from humstats.schema import (
    DTYPES,
)


class DerivedMixin:
    """``[[derived]]`` totals (``_Normalizer`` mixes it in)."""

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
