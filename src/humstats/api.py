"""The Python front door: ``humstats.open(path)`` and what it returns.

>>> import humstats                                                       # doctest: +SKIP
>>> store = humstats.open("data")
>>> store.figures().filter(pl.col("country_iso3") == "SDN").collect()
>>> store.query("SELECT publisher, count(*) AS n FROM figures GROUP BY ALL")

Frames are polars ``LazyFrame``s over the Parquet files of the store's Delta tables, so
filters run before anything is read; ``query`` runs read-only SQL through ``humstats.query``.
``humstats.open(path, as_of=...)`` reads the store as it was then (read-only).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl

from humstats.errors import HistoryError
from humstats.store import AsOf, Snapshot, Store, parse_as_of

if TYPE_CHECKING:
    from humstats.query import Database
    from humstats.run import IngestResult
    from humstats.status import StoreStatus

__all__ = ["Dataset", "open"]


class Dataset:
    """A store: figures, quarantine, sources, runs, latest, SQL, status and ingest."""

    def __init__(
        self,
        data_dir: str | os.PathLike[str],
        *,
        priority: Sequence[str] | None = None,
        as_of: AsOf | None = None,
        storage_options: Mapping[str, str] | None = None,
    ) -> None:
        self.store = Store(data_dir, storage_options=storage_options)
        self.priority = tuple(priority) if priority is not None else None
        self.as_of = as_of
        self._snapshot: Snapshot | None = None
        self._database: Database | None = None

    def __repr__(self) -> str:
        as_of = f", as_of={self.as_of!r}" if self.as_of is not None else ""
        return f"humstats.open({str(self.store.root)!r}{as_of})"

    def _read(self, table: str) -> pl.LazyFrame:
        # A dataset pinned to a moment reads one snapshot; a live one sees each commit.
        if self.as_of is None:
            return self.store.snapshot().read(table)
        if self._snapshot is None:
            self._snapshot = self.store.snapshot(self.as_of)
        return self._snapshot.read(table)

    def figures(self) -> pl.LazyFrame:
        """Every stored figure, with its provenance (the contract's columns)."""
        return self._read("figures")

    def quarantine(self) -> pl.LazyFrame:
        """Rows that failed validation, with the check and reason."""
        return self._read("quarantine")

    def sources(self) -> pl.LazyFrame:
        """One row per stored input: its hash, archive path and metadata."""
        return self._read("sources")

    def status(self) -> StoreStatus:
        """Counts by indicator, country and publisher; quarantine; the last runs."""
        from humstats.status import store_status

        return store_status(
            self.store.url or self.store.root, storage_options=self.store.storage_options
        )

    def ingest(self, *paths: str | os.PathLike[str], **options: Any) -> IngestResult:
        """Ingest files or folders as one batch (``humstats.ingest``'s options)."""
        from humstats.run import ingest

        if self.as_of is not None:
            raise HistoryError("a dataset opened with as_of= reads the past: it cannot ingest")
        return ingest([Path(p) for p in paths], data_dir=self.store.root, **options)

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
            self._database = Database(self.store.root, priority=self.priority, as_of=self.as_of)
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
def open(
    path: str | os.PathLike[str],
    *,
    priority: Sequence[str] | None = None,
    as_of: AsOf | str | None = None,
    storage_options: Mapping[str, str] | None = None,
) -> Dataset:
    """Open a data directory (a path or a ``file://`` URI), or the store a ``humstats.toml``
    names (with its priority); ``as_of`` (a store version, a date, a datetime or the text
    ``--as-of`` takes) reads the store as it was then. A store on object storage
    (``s3://bucket/data``) is read through ``storage_options`` (credentials, endpoint: the
    keys delta-rs and polars take, or the usual ``AWS_*`` environment variables)."""
    if isinstance(as_of, str):
        as_of = parse_as_of(as_of)
    target = Path(path)
    if target.suffix == ".toml":
        from humstats.config import load_config

        config = load_config(target)
        return Dataset(config.store.data, priority=priority or config.publishers, as_of=as_of)
    return Dataset(path, priority=priority, as_of=as_of, storage_options=storage_options)
