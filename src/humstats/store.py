"""The store: the only code that knows the layout of a data directory.

::

    data/
      raw/<sha[:2]>/<sha256><suffix>        every input, byte for byte
      raw/<sha[:2]>/<sha256>.json           what we knew of it when it arrived
      processed/figures/                    Delta Lake table: validated figures (FigureSchema)
      processed/quarantine/                 Delta Lake table: rows that failed, with reasons
      processed/sources/                    Delta Lake table: one row per stored input
      processed/runs.jsonl                  append-only log of ingests and runs
      processed/batches/<batch_id>/         the layout before Delta Lake, read until migrated
      .lock

Each table is a folder of Parquet files and a ``_delta_log/`` of numbered commits, so polars,
DuckDB, Spark or Trino read it as it is, and any earlier version can be read again.

A batch is three commits: its figures, its quarantine, then its sources. The sources commit
is the batch's commit point: a figure is visible only when the sources table holds the row of
its input (``batch_id`` and ``source_file``), so a writer killed between the commits leaves
rows nobody sees, and ingesting that input again stores it once. When two writers store the
same content at once, the first sources row for that content hash (by ``ingested_at``, then
``batch_id``) wins and the other's rows stay invisible. The store's version is the sources
table's: one per batch (and one per compaction).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import logging
import os
import shutil
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import filelock
import polars as pl
from deltalake import CommitProperties, DeltaTable, Transaction, WriterProperties, write_deltalake
from deltalake.exceptions import CommitFailedError, TableNotFoundError

from humstats.errors import ConfigError, InputError, LockedError, StoreError
from humstats.schema import DTYPES, QUARANTINE_COLUMNS, QUARANTINE_EXTRA

log = logging.getLogger(__name__)

SOURCE_DTYPES: dict[str, pl.DataType] = {
    "sha256": pl.String(),
    "source_file": pl.String(),
    "original_name": pl.String(),
    "original_path": pl.String(),
    "size": pl.Int64(),
    "kind": pl.String(),
    "publisher": pl.String(),
    "source_url": pl.String(),
    "published_date": pl.Date(),
    "title": pl.String(),
    "figures": pl.Int64(),
    "quarantined": pl.Int64(),
    "batch_id": pl.String(),
    "ingested_at": pl.Datetime("us", "UTC"),
}
"""One row per stored input: the provenance shared by all of its figures."""

QUARANTINE_DTYPES: dict[str, pl.DataType] = {
    column: QUARANTINE_EXTRA.get(column, pl.String()) for column in QUARANTINE_COLUMNS
}

TABLES: tuple[str, ...] = ("figures", "quarantine", "sources")
"""The store's tables, in the order a batch commits them (sources last: the commit point)."""

ZORDER: dict[str, tuple[str, ...]] = {
    "figures": ("country_iso3", "indicator", "period_end"),
    "quarantine": (),
    "sources": ("sha256",),
}
"""How compaction lays rows out. Figures are clustered by country, indicator and date (what
filters name), so each file's min/max statistics rule most files out of a filtered read;
sources by content hash, so "is this input stored?" opens one file. No Hive partitioning:
measured in bench/store.py, a partition per country multiplies the small files of every
hourly batch, and statistics on clustered files skip as well once compacted."""

PARTITION_BY: dict[str, tuple[str, ...]] = {}
"""Hive partition columns of a table, used when the table is created (none: see ``ZORDER``;
``bench/store.py --partition`` measures the alternative)."""

COMPACT_THRESHOLD = 200
"""Data files (all tables) past which ``humstats run`` compacts the store."""
RETENTION = dt.timedelta(days=7)
"""How long compaction keeps replaced files, so ``--as-of`` reaches back at least this far."""

_ZSTD_LEVEL = 1
"""zstd's fastest level: on a million figures it writes faster than the default level and
the file comes out no larger (quotes and ids compress about as well at either)."""
_CHUNK = 1 << 20
_COMMIT_ATTEMPTS = 20
_MIGRATED = "humstats-migrate"
_MIGRATED_BATCH = "migrated"
"""Application id of the commit that carries a migrated batch-folder store."""

AsOf = int | dt.date | dt.datetime


def _no_failpoint(point: str) -> None:
    """Crash and concurrency tests replace ``failpoint`` to kill or pause the process at a
    named step (``commit:sources``, ``compact:figures``…); it does nothing otherwise."""


failpoint: Callable[[str], None] = _no_failpoint


def new_batch_id(now: dt.datetime | None = None) -> str:
    """Sortable by time, unique across concurrent runs."""
    now = now or dt.datetime.now(dt.UTC)
    return f"{now:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"


def parse_as_of(text: str) -> AsOf:
    """``--as-of``: a version number, a date (the end of that day, UTC) or an ISO 8601
    timestamp (UTC unless it names a zone)."""
    text = text.strip()
    if text.isdigit():
        return int(text)
    try:
        if len(text) == 10:
            return dt.date.fromisoformat(text)
        return dt.datetime.fromisoformat(text)
    except ValueError:
        raise ConfigError(
            f"--as-of {text!r}: expected a date (2026-11-27), a timestamp "
            "(2026-11-27T14:05:00) or a store version number"
        ) from None


def _moment(as_of: dt.date | dt.datetime) -> dt.datetime:
    if isinstance(as_of, dt.datetime):
        return as_of if as_of.tzinfo else as_of.replace(tzinfo=dt.UTC)
    return dt.datetime.combine(as_of, dt.time.max, dt.UTC)


@dataclass(frozen=True)
class Archived:
    """An input as the archive holds it."""

    sha256: str
    source_file: str
    """Path of the archived copy relative to the data directory: ``raw/ab/ab…ef.csv``."""
    original: Path
    size: int


@dataclass(frozen=True)
class Compaction:
    """What ``Store.compact`` did: data files before and after, files it deleted."""

    files_before: int
    files_after: int
    removed: int


def _sha256(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(_CHUNK):
                digest.update(chunk)
                size += len(chunk)
    except OSError as error:
        raise InputError(path, error.strerror or str(error)) from error
    return digest.hexdigest(), size


def _write_atomic(target: Path, write: Callable[[Path], object]) -> None:
    """Write through a temporary file in the same folder, then rename over ``target``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        write(tmp)
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def _winners(sources: pl.LazyFrame) -> pl.LazyFrame:
    """The first stored row of each content hash: the inputs whose rows are visible."""
    return sources.sort("sha256", "ingested_at", "batch_id").unique(
        "sha256", keep="first", maintain_order=True
    )


def _scan(files: list[str], schema: Mapping[str, pl.DataType]) -> pl.LazyFrame:
    if not files:
        return pl.LazyFrame(schema=dict(schema))
    return pl.scan_parquet(files, schema=dict(schema), missing_columns="insert")


_SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    "figures": DTYPES,
    "quarantine": QUARANTINE_DTYPES,
    "sources": SOURCE_DTYPES,
}


class Snapshot:
    """The store as one reader sees it: every table at one version (the latest, or the one
    ``as_of`` names), and the batch-folder files not yet migrated. Tables are opened when
    first read, so reading the figures does not pay for the quarantine's log."""

    def __init__(
        self, open_table: Callable[[str], DeltaTable | None], legacy: Mapping[str, list[str]]
    ) -> None:
        self._open_table = open_table
        self._tables: dict[str, DeltaTable | None] = {}
        self._sources: pl.DataFrame | None = None
        migrated = (sources := self.table("sources")) is not None and sources.transaction_version(
            _MIGRATED
        ) is not None
        self.legacy = {} if migrated else dict(legacy)  # migrated folders only await deletion

    def table(self, name: str) -> DeltaTable | None:
        """``name``'s Delta table at this snapshot's version (None when it has none yet)."""
        if name not in self._tables:
            self._tables[name] = self._open_table(name)
        return self._tables[name]

    @property
    def version(self) -> int | None:
        """The sources table's version (the store's version); None for an empty store."""
        sources = self.table("sources")
        return sources.version() if sources is not None else None

    def files(self, table: str) -> list[str]:
        """The Parquet files of ``table``'s Delta table in this snapshot (not the batch
        folders: ``read`` joins those in)."""
        delta = self.table(table)
        return delta.file_uris() if delta is not None else []

    def _delta_sources(self) -> pl.DataFrame:
        if self._sources is None:
            self._sources = _scan(self.files("sources"), SOURCE_DTYPES).collect()
        return self._sources

    def all_sources(self) -> pl.DataFrame:
        """Every sources row this snapshot holds, visible or not (small: one per input)."""
        legacy = _scan(self.legacy.get("sources", []), SOURCE_DTYPES).collect()
        return pl.concat([self._delta_sources(), legacy])

    def _legacy_sources(self) -> pl.LazyFrame:
        """Batch-folder inputs the Delta tables do not hold."""
        stored = self._delta_sources()["sha256"].unique().implode()
        legacy = _scan(self.legacy.get("sources", []), SOURCE_DTYPES)
        return _winners(legacy.filter(pl.col("sha256").is_in(stored).not_()))

    def sources(self) -> pl.LazyFrame:
        """The visible sources rows: the first stored row of each content hash."""
        delta = _winners(self._delta_sources().lazy())
        return pl.concat([delta, self._legacy_sources()]) if self.legacy else delta

    def _records(self, table: str) -> int:
        delta = self.table(table)
        if delta is None:
            return 0
        actions = pl.DataFrame(delta.get_add_actions(flatten=True))
        return int(actions["num_records"].sum()) if actions.height else 0

    def visible_keys(self, table: str) -> pl.DataFrame | None:
        """``(batch_id, source_file)`` of the inputs whose rows in ``table``'s Delta table are
        visible, or None when all are (the common case, which then needs no join).

        Rows are hidden when a writer was killed before its sources commit, or lost a race
        to store the same content; counting them from the log costs no read of the data."""
        sources = self._delta_sources()
        winners = _winners(sources.lazy()).collect()
        column = "figures" if table == "figures" else "quarantined"
        if winners.height == sources.height and self._records(table) == sources[column].sum():
            return None
        return winners.select("batch_id", "source_file")

    def read(self, table: str) -> pl.LazyFrame:
        """``table``'s visible rows, in the store's schema."""
        if table == "sources":
            return self.sources()
        keys = ["batch_id", "source_file"]
        frame = _scan(self.files(table), _SCHEMAS[table])
        visible = self.visible_keys(table)
        if visible is not None:
            frame = frame.join(visible.lazy(), on=keys, how="semi")
        if not self.legacy:
            return frame
        legacy = _scan(self.legacy.get(table, []), _SCHEMAS[table])
        legacy = legacy.join(self._legacy_sources().select(keys), on=keys, how="semi")
        return pl.concat([frame, legacy])


class Store:
    """A data directory: raw archive, Delta tables, run log and lock."""

    def __init__(
        self,
        data_dir: str | os.PathLike[str],
        *,
        storage_options: Mapping[str, str] | None = None,
    ) -> None:
        text = os.fspath(data_dir)
        self.root = Path(text.removeprefix("file://"))
        self.storage_options = dict(storage_options) if storage_options else None
        self.raw_dir = self.root / "raw"
        self.processed_dir = self.root / "processed"
        self.batches_dir = self.processed_dir / "batches"
        self.runs_path = self.processed_dir / "runs.jsonl"
        self.lock_path = self.root / ".lock"

    def __repr__(self) -> str:
        return f"Store({str(self.root)!r})"

    def table_path(self, table: str) -> Path:
        """Where ``table``'s Delta table lives (for other engines: ``scan_delta(path)``)."""
        return self.processed_dir / table

    # -- raw archive -------------------------------------------------------------------

    def identify(self, path: Path) -> Archived:
        """Where ``path`` sits (or would sit) in the archive, without copying it."""
        sha, size = _sha256(path)
        source_file = f"raw/{sha[:2]}/{sha}{''.join(path.suffixes[-1:]).lower()}"
        return Archived(sha256=sha, source_file=source_file, original=path, size=size)

    def archive(self, path: Path) -> Archived:
        """Keep ``path`` unchanged under ``raw/``, named by content; idempotent."""
        archived = self.identify(path)
        target = self.root / archived.source_file
        if not target.exists():
            _write_atomic(target, lambda tmp: shutil.copyfile(path, tmp))
            meta = {
                "sha256": archived.sha256,
                "original_name": path.name,
                "original_path": str(path.resolve()),
                "size": archived.size,
                "archived_at": dt.datetime.now(dt.UTC).isoformat(),
            }
            _write_atomic(
                target.with_suffix(".json"),
                lambda tmp: tmp.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8"),
            )
        return archived

    def raw_path(self, source_file: str) -> Path:
        return self.root / source_file

    # -- lock --------------------------------------------------------------------------

    @contextlib.contextmanager
    def lock(self, timeout: float = 60.0) -> Iterator[None]:
        """Hold the store's lock; ``timeout=0`` fails at once when another process has it.

        On one machine the lock keeps writers in turn, so a batch is checked against what
        is stored right before it commits; Delta's optimistic commits are what keep two
        writers on different machines from losing a batch. The lock is reentrant within a
        process: a scheduled run holds it from start to end and the ingest it calls takes
        it again.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        lock = filelock.FileLock(self.lock_path.resolve(), is_singleton=True)
        try:
            lock.acquire(timeout=timeout)
        except filelock.Timeout as error:
            raise LockedError(self.lock_path) from error
        try:
            self._finish_migration()
            yield
        finally:
            lock.release()

    # -- reading -----------------------------------------------------------------------

    def _open(self, table: str, version: int | None = None) -> DeltaTable | None:
        uri = str(self.table_path(table))
        try:
            return DeltaTable(uri, version=version, storage_options=self.storage_options)
        except TableNotFoundError:
            return None

    def _legacy(self) -> dict[str, list[str]]:
        if not self.batches_dir.is_dir():
            return {}
        return {
            table: sorted(str(p) for p in self.batches_dir.glob(f"*/{table}.parquet"))
            for table in TABLES
        }

    def _commit_times(self, table: DeltaTable) -> dict[int, dt.datetime]:
        return {
            int(entry["version"]): dt.datetime.fromtimestamp(entry["timestamp"] / 1000, dt.UTC)
            for entry in table.history()
            if "version" in entry
        }

    def _as_of(self, table: str, moment: dt.datetime) -> DeltaTable | None:
        """``table`` as it was at ``moment``: its last commit at or before it, or None."""
        delta = self._open(table)
        if delta is None:
            return None
        times = self._commit_times(delta)
        versions = [v for v, at in times.items() if at <= moment]
        if not versions:
            return None
        delta.load_as_version(max(versions))
        return delta

    def snapshot(self, as_of: AsOf | None = None) -> Snapshot:
        """Every table at one moment: now, or what the store held at ``as_of`` (a version
        number of the store, a date meaning the end of that day in UTC, or a datetime)."""
        legacy = self._legacy()
        if as_of is None:
            return Snapshot(self._open, legacy)
        if legacy:
            raise StoreError(
                "--as-of needs the Delta layout: convert this store with humstats migrate"
            )
        if isinstance(as_of, int) and not isinstance(as_of, bool):
            moment = self._version_time(as_of)
        else:
            moment = _moment(as_of)

        def open_as_of(name: str) -> DeltaTable | None:
            table = self._as_of(name, moment)
            if table is not None:
                self._check_kept(table)
            return table

        return Snapshot(open_as_of, legacy)

    def _version_time(self, version: int) -> dt.datetime:
        sources = self._open("sources")
        times = self._commit_times(sources) if sources is not None else {}
        if version not in times:
            newest = max(times, default=None)
            raise StoreError(
                f"--as-of {version}: no such store version (the store is at version {newest})"
                if newest is not None
                else f"--as-of {version}: the store is empty"
            )
        return times[version]

    def _check_kept(self, table: DeltaTable) -> None:
        """An old version whose files compaction has removed cannot be read: say so."""
        if "://" not in table.table_uri.removeprefix("file://"):
            missing = [f for f in table.file_uris() if not Path(f).exists()]
            if missing:
                raise StoreError(
                    f"version {table.version()} of {table.table_uri} was compacted away: "
                    f"--as-of reaches back {RETENTION.days} days (humstats compact --retain)"
                )

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
        if among is not None and not self._legacy():
            delta = self._open("sources")
            if not among or delta is None:
                return set()
            files = delta.file_uris(file_pruning_predicate=[("sha256", "in", sorted(among))])
            found = _scan(files, SOURCE_DTYPES).filter(pl.col("sha256").is_in(sorted(among)))
            return set(found.select("sha256").collect()["sha256"].to_list())
        return set(self.snapshot().sources().collect()["sha256"].to_list())

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

    # -- writing -----------------------------------------------------------------------

    def _append(self, table: str, frame: pl.DataFrame, properties: CommitProperties) -> int:
        """Append ``frame`` to ``table`` in one commit; returns the table's new version."""
        schema = _SCHEMAS[table]
        data = frame.select(pl.col(c).cast(t) for c, t in schema.items() if c in frame.columns)
        writer = WriterProperties(compression="ZSTD", compression_level=_ZSTD_LEVEL)
        attempt = 0
        while True:
            delta = self._open(table)
            failpoint(f"append:{table}")  # the table as loaded may be stale by the commit
            try:
                write_deltalake(
                    delta if delta is not None else str(self.table_path(table)),
                    data,  # handed over through the Arrow C stream, no copy
                    mode="append",
                    schema_mode="merge",
                    partition_by=list(PARTITION_BY.get(table, ())) or None,
                    writer_properties=writer,
                    commit_properties=properties,
                    storage_options=self.storage_options if delta is None else None,
                )
            except CommitFailedError:
                # Two first commits raced to create the table; appends themselves are
                # retried by delta-rs. Try again on the table as the other writer left it.
                attempt += 1
                if attempt == _COMMIT_ATTEMPTS:
                    raise
                log.info("commit to %s conflicted, retrying", table)
                continue
            return delta.version() if delta is not None else 0

    def commit(
        self,
        batch_id: str,
        figures: pl.DataFrame,
        quarantine: pl.DataFrame,
        sources: pl.DataFrame,
        *,
        metadata: Mapping[str, str] | None = None,
    ) -> int:
        """Make a batch visible, all at once (see the module docstring); returns the store
        version it became. Call with the lock held when on one machine."""
        custom = {"humstats.batch_id": batch_id, **(metadata or {})}
        if batch_id != _MIGRATED_BATCH:  # a migration keeps the batch ids it carries over
            stamp = pl.lit(batch_id).alias("batch_id")
            figures, quarantine, sources = (
                f.with_columns(stamp) for f in (figures, quarantine, sources)
            )
        for table, frame in (("figures", figures), ("quarantine", quarantine)):
            if frame.height:
                failpoint(f"commit:{table}")
                self._append(table, frame, CommitProperties(custom_metadata=custom))
        failpoint("commit:sources")
        transactions = [Transaction(_MIGRATED, 1)] if metadata and _MIGRATED in metadata else []
        version = self._append(
            "sources",
            sources,
            CommitProperties(custom_metadata=custom, app_transactions=transactions or None),
        )
        failpoint("commit:done")
        return version

    # -- housekeeping ------------------------------------------------------------------

    def compact(
        self, *, retention: dt.timedelta = RETENTION, lock_timeout: float = 60.0
    ) -> Compaction:
        """Merge small files, then delete files no version within ``retention`` needs.

        Compaction rewrites files without changing a row (Delta's optimize), so every
        version stays readable until ``retention`` has passed. What a killed writer left
        goes too once it is older than ``retention``: files outside any commit, and rows
        of batches whose sources commit never came (rows no reader was ever shown, so
        other engines reading the tables directly do not see them either).
        """
        with self.lock(lock_timeout):
            before = self.data_files()
            removed = 0
            hours = max(0, int(retention.total_seconds() // 3600))
            snapshot = self.snapshot()
            cutoff = dt.datetime.now(dt.UTC) - retention
            for table in TABLES:
                delta = self._open(table)
                if delta is None:
                    continue
                failpoint(f"compact:{table}")
                if table != "sources":
                    self._drop_hidden(delta, table, snapshot, cutoff)
                properties = CommitProperties(custom_metadata={"humstats.operation": "compact"})
                partitions = set(delta.metadata().partition_columns)
                order = [c for c in ZORDER[table] if c not in partitions]
                if order:
                    delta.optimize.z_order(order, commit_properties=properties)
                else:
                    delta.optimize.compact(commit_properties=properties)
                failpoint(f"vacuum:{table}")
                removed += len(
                    delta.vacuum(
                        retention_hours=hours,
                        dry_run=False,
                        enforce_retention_duration=False,
                        full=True,
                    )
                )
            return Compaction(before, self.data_files(), removed)

    def _drop_hidden(
        self, delta: DeltaTable, table: str, snapshot: Snapshot, cutoff: dt.datetime
    ) -> None:
        """Delete ``table``'s rows that no reader shows, of batches started before
        ``cutoff`` (a writer on another machine may still be committing a newer one)."""
        visible = snapshot.visible_keys(table)
        if visible is None:
            return
        keys = ["batch_id", "source_file"]
        started = (
            pl.col("batch_id")
            .str.slice(0, 15)
            .str.strptime(pl.Datetime("us", "UTC"), "%Y%m%dT%H%M%S", strict=False)
        )
        hidden = (
            _scan(snapshot.files(table), _SCHEMAS[table])
            .select(keys)
            .unique()
            .join(visible.lazy(), on=keys, how="anti", nulls_equal=True)
            .filter(started.is_null() | (started < cutoff))
            .collect()
        )
        if hidden.height:
            delta.delete(
                " OR ".join(
                    f"(batch_id = {_sql(batch)} AND "
                    + (f"source_file = {_sql(source)})" if source else "source_file IS NULL)")
                    for batch, source in hidden.iter_rows()
                ),
                commit_properties=CommitProperties(
                    custom_metadata={"humstats.operation": "drop-uncommitted"}
                ),
            )
            log.info("compaction: dropped rows of %s uncommitted inputs", hidden.height)

    def compact_if_needed(
        self, threshold: int = COMPACT_THRESHOLD, retention: dt.timedelta = RETENTION
    ) -> Compaction | None:
        """Compact when the tables hold more than ``threshold`` data files."""
        if self.data_files() <= threshold:
            return None
        return self.compact(retention=retention)

    # -- migration ---------------------------------------------------------------------

    def migrate(self) -> dict[str, tuple[int, str]]:
        """Convert a batch-folder store into Delta tables, in place; verified before the
        batch folders are deleted. Returns each table's row count and content digest.

        The migrated rows are one commit per table (their ``batch_id`` and ``ingested_at``
        kept); the sources commit is marked, so readers ignore the batch folders from then
        on, and a migration killed at any step is finished or redone by the next one.
        """
        with self.lock():
            legacy = self._legacy()
            if not legacy:
                return {}
            before = Snapshot(self._open, legacy)
            old = {
                table: _scan(legacy[table], _SCHEMAS[table]).collect() if legacy[table] else None
                for table in TABLES
            }
            expected = {t: _digest(before.read(t).collect()) for t in TABLES}
            frames = {
                t: frame if frame is not None else pl.DataFrame(schema=_SCHEMAS[t])
                for t, frame in old.items()
            }
            delta = Snapshot(self._open, {})  # what the Delta tables hold already
            stored = delta.all_sources()["sha256"].unique().sort()
            fresh = pl.col("sha256").is_in(stored.implode()).not_()
            sources = frames["sources"].filter(fresh)
            keys = ["batch_id", "source_file"]

            def missing(table: str) -> pl.DataFrame:
                # Rows a killed migration already appended (invisible, as its sources
                # commit never landed) are not appended twice.
                held = _scan(delta.files(table), _SCHEMAS[table]).select(keys).unique()
                frame = frames[table].join(sources.select(keys), on=keys, how="semi")
                return frame.join(held.collect(), on=keys, how="anti")

            self.commit(
                _MIGRATED_BATCH,
                missing("figures"),
                missing("quarantine"),
                sources,
                metadata={_MIGRATED: "1"},
            )
            after = self.snapshot()
            got = {t: _digest(after.read(t).collect()) for t in TABLES}
            if got != expected:
                raise StoreError(
                    f"migration check failed (expected {expected}, got {got}): "
                    "the batch folders are kept"
                )
            self._finish_migration()
            return got

    def _finish_migration(self) -> None:
        """Delete migrated batch folders (and a killed writer's staging folder)."""
        shutil.rmtree(self.processed_dir / "tmp", ignore_errors=True)
        if not self.batches_dir.is_dir():
            return
        sources = self._open("sources")
        if sources is not None and sources.transaction_version(_MIGRATED) is not None:
            doomed = self.processed_dir / f".batches-migrated-{uuid.uuid4().hex[:8]}"
            os.replace(self.batches_dir, doomed)
            shutil.rmtree(doomed)

    # -- run log -----------------------------------------------------------------------

    def log_run(self, record: dict[str, object]) -> None:
        """Append one JSON line; a line is written whole or, after a crash, not at all."""
        self.processed_dir.mkdir(parents=True, exist_ok=True)
        line = json.dumps(record, default=str, ensure_ascii=False) + "\n"
        fd = os.open(self.runs_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line.encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)

    def runs(self, last: int | None = None) -> list[dict[str, object]]:
        """The run log, oldest first (only the ``last`` lines, read from the end of the file,
        when given); a torn line (a crash mid-write) is skipped."""
        if not self.runs_path.exists():
            return []
        lines = _tail(self.runs_path, last) if last is not None else None
        if lines is None:
            lines = self.runs_path.read_text(encoding="utf-8").splitlines()
        records = []
        for line in lines:
            with contextlib.suppress(json.JSONDecodeError):
                records.append(json.loads(line))
        return records[-last:] if last is not None else records


def _sql(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _digest(frame: pl.DataFrame) -> tuple[int, str]:
    """Row count and a hash of the rows whatever their order: what migration must keep."""
    rows = frame.sort(frame.columns, nulls_last=True).hash_rows(seed=0)
    return frame.height, hashlib.sha256(rows.to_numpy().tobytes()).hexdigest()[:16]


def _tail(path: Path, count: int) -> list[str]:
    """The last ``count`` (+1, a torn one may be skipped) lines, reading back from the end."""
    with path.open("rb") as handle:
        handle.seek(0, os.SEEK_END)
        size = handle.tell()
        block = 64 * 1024
        while True:
            start = max(0, size - block)
            handle.seek(start)
            chunk = handle.read(size - start)
            lines = chunk.splitlines()
            if start == 0 or len(lines) > count + 1:
                kept = lines if start == 0 else lines[1:]
                return [line.decode("utf-8", "replace") for line in kept[-(count + 1) :]]
            block *= 4


def _stat(path: Path) -> os.stat_result | None:
    try:
        return path.stat()
    except FileNotFoundError:
        return None
