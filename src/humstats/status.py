"""A summary of what a store holds, for ``humstats status`` and for monitoring scripts."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from humstats.store import Store


@dataclass(frozen=True)
class StoreStatus:
    """Counts that tell an analyst at a glance whether the store is what they expect."""

    data_dir: str
    figures: int
    quarantined: int
    sources: int
    by_indicator: pl.DataFrame
    by_country: pl.DataFrame
    by_publisher: pl.DataFrame
    quarantine_by_check: pl.DataFrame
    runs: list[dict[str, object]]
    tables: pl.DataFrame
    """Each Delta table's version and data files (``damaged``: left out of reads), so a
    monitoring script sees the store grow and compaction catch up."""
    version: int | None = None
    """The store's version (the sources table's: one per batch), what ``--as-of`` takes."""

    def to_dict(self) -> dict[str, object]:
        return {
            "data_dir": self.data_dir,
            "figures": self.figures,
            "quarantined": self.quarantined,
            "sources": self.sources,
            "by_indicator": self.by_indicator.to_dicts(),
            "by_country": self.by_country.to_dicts(),
            "by_publisher": self.by_publisher.to_dicts(),
            "quarantine_by_check": self.quarantine_by_check.to_dicts(),
            "runs": self.runs,
            "version": self.version,
            "tables": self.tables.to_dicts(),
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), default=str, indent=2)

    def render(self) -> str:
        """Plain text for a terminal or an email from cron."""
        lines = [
            f"store {self.data_dir}: {self.figures:,} figures from {self.sources:,} inputs, "
            f"{self.quarantined:,} rows in quarantine"
        ]
        if self.version is not None:
            tables = ", ".join(
                f"{row['table']} v{row['version']} ({row['files']:,} file"
                + ("" if row["files"] == 1 else "s")
                + (f", {row['damaged']:,} damaged" if row["damaged"] else "")
                + ")"
                for row in self.tables.iter_rows(named=True)
            )
            lines.append(f"version {self.version}: {tables}")
        with pl.Config(
            tbl_rows=25,
            tbl_hide_dataframe_shape=True,
            tbl_hide_column_data_types=True,
            thousands_separator=",",
            fmt_str_lengths=50,
        ):
            for title, frame in (
                ("by indicator", self.by_indicator),
                ("by country", self.by_country),
                ("by publisher", self.by_publisher),
                ("quarantine by check", self.quarantine_by_check),
            ):
                if frame.height:
                    lines += ["", title, str(frame)]
        if self.runs:
            lines += ["", "last runs"]
            for run in self.runs:
                lines.append(
                    f"  {run.get('finished', run.get('started', '?'))}  {run.get('kind', '?'):7}"
                    f"  {run.get('batch_id', '')}  figures {run.get('figures', 0):,}"
                    f"  quarantined {run.get('quarantined', 0):,}"
                    f"  {'ok' if not run.get('errors') else 'errors: ' + str(run['errors'])}"
                )
        return "\n".join(lines)


_KEYS = ("indicator", "country_iso3", "publisher")


def _counts(combinations: pl.DataFrame, key: str) -> pl.DataFrame:
    return (
        combinations.group_by(key)
        .agg(pl.col("figures").sum())
        .sort("figures", key, descending=[True, False])
    )


def store_status(
    data_dir: str | Path,
    last_runs: int = 5,
    *,
    storage_options: Mapping[str, str] | None = None,
) -> StoreStatus:
    """The store's counts; a damaged batch is left out with a warning (``Store.read``).
    ``storage_options`` reach a store on object storage (delta-rs' and polars' keys)."""
    store = Store(data_dir, storage_options=storage_options)
    return store.read(lambda: _status(store, data_dir, last_runs))


def _status(store: Store, data_dir: str | Path, last_runs: int) -> StoreStatus:
    snapshot = store.snapshot()
    quarantine = snapshot.read("quarantine")
    # the few combinations of the three keys (kept per data file), summed three ways
    combinations = snapshot.counts("figures", _KEYS).rename({"rows": "figures"})
    by_check = (
        quarantine.select(pl.col("check").str.split("; ").explode())
        .group_by("check")
        .agg(pl.len().alias("rows"))
        .sort("rows", "check", descending=[True, False])
        .collect()
    )
    return StoreStatus(
        data_dir=str(data_dir),
        figures=int(combinations["figures"].sum()),
        quarantined=quarantine.select(pl.len()).collect().item(),
        sources=snapshot.sources().select(pl.len()).collect().item(),
        by_indicator=_counts(combinations, "indicator"),
        by_country=_counts(combinations, "country_iso3"),
        by_publisher=_counts(combinations, "publisher"),
        quarantine_by_check=by_check,
        runs=store.runs(last=last_runs),
        tables=snapshot.tables(),
        version=snapshot.version,
    )
