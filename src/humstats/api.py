"""The Python front door: ``humstats.open(path)`` and what it returns.

>>> import humstats                                                       # doctest: +SKIP
>>> store = humstats.open("data")
>>> store.figures().filter(pl.col("country_iso3") == "SDN").collect()
>>> store.query("SELECT publisher, count(*) AS n FROM figures GROUP BY ALL")

Frames are polars ``LazyFrame``s over the store's Parquet files, so filters run before
anything is read; ``query`` runs read-only SQL through ``humstats.query``.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from humstats.store import Store

if TYPE_CHECKING:
    from humstats.query import Database

__all__ = ["Dataset", "open"]


class Dataset:
    """A store opened for reading: figures, quarantine, sources, runs, latest and SQL."""

    def __init__(
        self, data_dir: str | os.PathLike[str], *, priority: Sequence[str] | None = None
    ) -> None:
        self.store = Store(data_dir)
        self.priority = tuple(priority) if priority is not None else None
        self._database: Database | None = None

    def __repr__(self) -> str:
        return f"humstats.open({str(self.store.root)!r})"

    def figures(self) -> pl.LazyFrame:
        """Every stored figure, with its provenance (the contract's columns)."""
        return self.store.figures()

    def quarantine(self) -> pl.LazyFrame:
        """Rows that failed validation, with the check and reason."""
        return self.store.quarantine()

    def sources(self) -> pl.LazyFrame:
        """One row per stored input: its hash, archive path and metadata."""
        return self.store.sources()

    def runs(self) -> pl.DataFrame:
        """The run log (ingests and scheduled runs), oldest first."""
        from humstats.query import runs_frame

        return runs_frame(self.store.runs())

    def latest(self) -> pl.LazyFrame:
        """The latest figure per indicator and place, ties resolved by publisher priority."""
        from humstats.aggregate import latest

        figures = self.figures()
        return latest(figures) if self.priority is None else latest(figures, self.priority)

    def query(self, sql: str, /, **params: object) -> pl.DataFrame:
        """Read-only SQL over the views ``figures``, ``quarantine``, ``sources``, ``runs`` and
        ``latest``; keyword arguments fill ``$name`` placeholders.

        Each call sees the batches committed before it starts: the connection is kept between
        calls and opened again once the store has changed. (DuckDB is imported here, not when
        ``humstats`` is, so the command line starts fast.)
        """
        from humstats.query import Database

        if self._database is None or not self._database.is_current():
            self.close()
            self._database = Database(self.store.root, priority=self.priority)
        return self._database.query(sql, params)

    def close(self) -> None:
        """Close the SQL connection, if ``query`` opened one."""
        if self._database is not None:
            self._database.close()
            self._database = None

    def __enter__(self) -> Dataset:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


# ``open`` shadows the builtin inside this module on purpose: ``humstats.open(path)`` reads
# like ``sqlite3.connect`` or ``duckdb.connect``; nothing here needs the builtin.
def open(path: str | os.PathLike[str], *, priority: Sequence[str] | None = None) -> Dataset:
    """Open a data directory, or the store a ``humstats.toml`` names (with its priority)."""
    target = Path(path)
    if target.suffix == ".toml":
        from humstats.config import load_config

        config = load_config(target)
        return Dataset(config.store.data, priority=priority or config.publishers)
    return Dataset(target, priority=priority)
