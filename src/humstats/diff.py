"""What changed in a store between two moments: what two reports, run then, would differ by.

Three kinds of change, each a frame of the rows concerned:

- ``added``: figures the store holds at ``end`` and did not at ``start``;
- ``superseded``: figures that were the latest for their indicator and place at ``start``
  (``aggregate.latest``, so the same rule as reports) and are not at ``end``, with the
  figure that replaced each (``superseded_by``, null when the place lost its figure);
- ``quarantined``: rows quarantined by the batches committed in between.

The store is append-only, so "added" is exact; moments are what ``Store.snapshot`` takes (a
store version, a date meaning the end of that day in UTC, a datetime).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from humstats.aggregate import KEYS, latest
from humstats.schema import COLUMNS
from humstats.store import AsOf, Store

CHANGES: tuple[str, ...] = ("added", "superseded", "quarantined")


@dataclass(frozen=True)
class Changes:
    """Rows added, superseded and quarantined between two moments (see the module)."""

    added: pl.DataFrame
    superseded: pl.DataFrame
    quarantined: pl.DataFrame

    def to_frame(self) -> pl.DataFrame:
        """One table: a ``change`` column, then the figure columns (and, for quarantined
        rows, ``check`` and ``reason``; for superseded ones, ``superseded_by``)."""
        parts = [
            frame.with_columns(pl.lit(change).alias("change"))
            for change, frame in zip(
                CHANGES, (self.added, self.superseded, self.quarantined), strict=True
            )
        ]
        columns = ["change", *COLUMNS, "superseded_by", "check", "reason"]
        combined = pl.concat(
            [
                p.with_columns(pl.col(c).cast(pl.String) for c in p.columns if c != "change")
                for p in parts
            ],
            how="diagonal_relaxed",
        )
        return combined.select(c for c in columns if c in combined.columns)

    def counts(self) -> dict[str, int]:
        return {
            change: frame.height
            for change, frame in zip(
                CHANGES, (self.added, self.superseded, self.quarantined), strict=True
            )
        }


def diff(
    data_dir: str | os.PathLike[str],
    start: AsOf,
    end: AsOf | None = None,
    *,
    priority: Sequence[str] | None = None,
) -> Changes:
    """Changes from ``start`` to ``end`` (now, when not given)."""
    store = Store(data_dir)
    before, after = store.snapshot(start), store.snapshot(end)
    old, new = before.read("figures"), after.read("figures")
    added = new.join(old.select("figure_id"), on="figure_id", how="anti")
    options = {} if priority is None else {"priority": priority}
    latest_before = latest(old, **options)
    latest_after = latest(new, **options).select(*KEYS, pl.col("figure_id").alias("superseded_by"))
    superseded = (
        latest_before.join(latest_after, on=list(KEYS), how="left", nulls_equal=True)
        .filter(
            pl.col("superseded_by").is_null() | (pl.col("superseded_by") != pl.col("figure_id"))
        )
        .select(*COLUMNS, "superseded_by")
    )
    keys = ["batch_id", "source_file"]
    arrived = after.sources().select(keys).join(before.sources().select(keys), on=keys, how="anti")
    quarantined = after.read("quarantine").join(arrived, on=keys, how="semi")
    added, superseded, quarantined = pl.collect_all([added, superseded, quarantined])
    return Changes(
        added.sort("ingested_at", "figure_id"),
        superseded.sort("indicator", "country_iso3", "figure_id"),
        quarantined.sort("ingested_at", "input_row", nulls_last=True),
    )
