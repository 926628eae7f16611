"""``Store``: a data directory's paths, its lock, and its tables opened for reading; the
other modules of this package each add one part of what it does.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping
from pathlib import Path

import filelock
import polars as pl
from deltalake import DeltaTable
from deltalake.exceptions import TableNotFoundError

from humstats.errors import ConfigError, LockedError, StoreError, shown
from humstats.store.archive import Archive
from humstats.store.commit import Committing
from humstats.store.damage import Checks
from humstats.store.files import _environment, _stat
from humstats.store.history import AsOf, History
from humstats.store.housekeeping import Housekeeping
from humstats.store.kept import Kept
from humstats.store.layout import TABLES, _is_remote
from humstats.store.migration import Migration
from humstats.store.runlog import RunLog


class Store(Archive, Kept, History, Committing, Housekeeping, Migration, Checks, RunLog):
    """A data directory: raw archive, Delta tables, run log and lock."""

    def __init__(
        self,
        data_dir: str | os.PathLike[str],
        *,
        storage_options: Mapping[str, str] | None = None,
    ) -> None:
        text = os.fspath(data_dir)
        self.url = text.rstrip("/") if _is_remote(text) else None
        """The store's URL when it is on object storage (``s3://``, ``gs://``, ``az://``…)."""
        self.root = Path(text.removeprefix("file://"))
        self.storage_options = dict(storage_options) if storage_options else None
        self.raw_dir = self.root / "raw"
        self.processed_dir = self.root / "processed"
        self.batches_dir = self.processed_dir / "batches"
        self.runs_path = self.processed_dir / "runs.jsonl"
        self.lock_path = self.root / ".lock"
        self.cache_dir = self.root / ".cache"
        """What readers keep for the next one (Parquet files not named so, so that no glob
        for a store's data takes them): never the only copy of anything."""
        self._warned: set[str] = set()
        self._latest: dict[str, DeltaTable] = {}
        self._held = 0
        """How deep this ``Store`` holds the lock (it is reentrant)."""
        self._current: set[str] = set()
        """Tables brought up to date since this ``Store`` took the lock: while it holds it no
        local writer commits, so they are not listed again before each commit."""
        self._unreadable: dict[str, str] = {}
        """Files whose size is right but whose data is not, found by ``read``."""
        if self.root.exists() and not self.root.is_dir():
            raise ConfigError(f"the data folder {shown(self.root)} is a file, not a folder")

    def __repr__(self) -> str:
        return f"Store({str(self.root)!r})"

    def table_path(self, table: str) -> Path:
        """Where ``table``'s Delta table lives (for other engines: ``scan_delta(path)``)."""
        return self.processed_dir / table

    def table_uri(self, table: str) -> str:
        """``table_path`` as delta-rs takes it: a path, or a URL on object storage."""
        if self.url is not None:
            return f"{self.url}/processed/{table}"
        return str(self.table_path(table))

    def _local(self, what: str) -> None:
        """Refuse what needs a file system (the raw archive, the run log) on object storage."""
        if self.url is not None:
            raise StoreError(
                self.url,
                f"{what} needs a local or mounted folder: on object storage a store is read, "
                "compacted and queried (ingest into a local store and copy it, or mount the "
                "bucket)",
            )

    @contextlib.contextmanager
    def lock(self, timeout: float = 60.0) -> Iterator[None]:
        """Hold the store's lock; ``timeout=0`` fails at once when another process has it.

        On one machine the lock keeps writers in turn, so a batch is checked against what
        is stored right before it commits; Delta's optimistic commits are what keep two
        writers on different machines from losing a batch. The lock is reentrant within a
        process: a scheduled run holds it from start to end and the ingest it calls takes
        it again.
        """
        if self.url is not None:  # no file to lock: Delta's optimistic commits alone
            yield
            return
        lock = filelock.FileLock(self.lock_path.resolve(), is_singleton=True)
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            lock.acquire(timeout=timeout)
        except filelock.Timeout as error:  # a TimeoutError, so an OSError: first
            raise LockedError(self.lock_path) from error
        except OSError as error:
            raise _environment(self.root, error) from error
        if not self._held:
            self._current.clear()
        self._held += 1
        try:
            self._finish_migration()
            yield
        finally:
            self._held -= 1
            if not self._held:
                self._current.clear()
            lock.release()

    def _open(self, table: str, version: int | None = None) -> DeltaTable | None:
        uri = self.table_uri(table)
        try:
            return DeltaTable(uri, version=version, storage_options=self.storage_options)
        except TableNotFoundError:
            return None

    def _fresh(self, table: str) -> DeltaTable | None:
        """``table`` at its newest version: opened once per ``Store``, then brought up to
        date by reading only the commits since. Opening lists the log and replays it from
        the last checkpoint, the one cost of a read that grows with the number of commits,
        and an ingest reads each table three times. Under the lock a table is brought up to
        date once: an append on a table another writer (outside the lock: another engine)
        has moved on is still safe, as Delta's commit retries it on the newer version."""
        delta = self._latest.get(table)
        if delta is None:
            delta = self._open(table)
            if delta is not None:
                self._latest[table] = delta
        elif table not in self._current:
            delta.update_incremental()
        if delta is not None and self._held:
            self._current.add(table)
        return delta

    def figures(self, as_of: AsOf | None = None) -> pl.LazyFrame:
        """Every visible figure, as a lazy frame in ``FigureSchema``'s columns."""
        return self.snapshot(as_of).read("figures")

    def quarantine(self, as_of: AsOf | None = None) -> pl.LazyFrame:
        return self.snapshot(as_of).read("quarantine")

    def sources(self, as_of: AsOf | None = None) -> pl.LazyFrame:
        return self.snapshot(as_of).read("sources")

    def ingested_hashes(self, among: set[str] | None = None) -> set[str]:
        """Content hashes of every input a committed batch holds (only those in ``among``,
        when given: then only the files whose statistics may hold them are read)."""
        snapshot = self.snapshot()
        if among is not None:
            return snapshot.sources_among(among) if among else set()
        return snapshot.hashes()

    def data_files(self) -> int:
        """How many Parquet files the tables' current versions hold (what compaction cuts)."""
        snapshot = self.snapshot()
        return sum(len(snapshot.files(table)) for table in TABLES)

    def changed_since(self, state: object) -> bool:
        """Whether anything was committed or logged since ``state()`` returned ``state``."""
        return self.state() != state

    def state(self) -> object:
        """A cheap fingerprint of the store: the tables' logs and the run log (local stores;
        one ``stat`` each)."""
        paths = [self.table_path(t) / "_delta_log" for t in TABLES]
        paths += [self.batches_dir, self.runs_path]
        return tuple((s.st_mtime_ns, s.st_size) if (s := _stat(p)) else None for p in paths)
