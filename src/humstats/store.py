"""The store: the only code that knows the layout of a data directory.

::

    data/
      raw/<sha[:2]>/<sha256><suffix>        every input, byte for byte
      raw/<sha[:2]>/<sha256>.meta.json      what we knew of it when it arrived
      processed/figures/                    Delta Lake table: validated figures (FigureSchema)
      processed/quarantine/                 Delta Lake table: rows that failed, with reasons
      processed/sources/                    Delta Lake table: one row per stored input
      processed/runs.jsonl                  append-only log of ingests and runs
      processed/batches/<batch_id>/         the layout before Delta Lake, read until migrated
      .lock
      .cache/                               what readers keep for the next one (file lists, counts)

Each table is a folder of Parquet files and a ``_delta_log/`` of numbered commits, so polars,
DuckDB, Spark or Trino read it as it is, and any earlier version can be read again.

A batch is three commits: its figures, its quarantine, then its sources. The sources commit
is the batch's commit point: a figure is visible only when the sources table holds the row of
its input (``batch_id`` and ``source_file``), so a writer killed between the commits leaves
rows nobody sees, and ingesting that input again stores it once. When two writers store the
same content at once, the first sources row for that content hash (by ``ingested_at``, then
``batch_id``) wins and the other's rows stay invisible. The store's version is the sources
table's: one per batch (and one per compaction).

A damaged store degrades, it never bricks: a data file that cannot be read (truncated,
overwritten, missing) is left out of every read with one warning naming it, together with
the batches its statistics say it holds, so their inputs read as not stored and ingesting
them again restores their figures. ``check`` lists such files, and archived inputs whose
bytes no longer match their hash.

The metadata record was once written as ``<sha256>.json``, which for a JSON input is the
input's own name: it replaced the input. Archiving the same input again restores it, and
``check`` names the inputs still in that state.
"""

from __future__ import annotations

import bisect
import contextlib
import datetime as dt
import errno
import hashlib
import json
import logging
import os
import re
import shutil
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import filelock
import polars as pl
import pyarrow.parquet as pq
from deltalake import (
    CommitProperties,
    DeltaTable,
    PostCommitHookProperties,
    Transaction,
    WriterProperties,
    write_deltalake,
)
from deltalake.exceptions import CommitFailedError, DeltaError, TableNotFoundError
from deltalake.schema import Schema as DeltaSchema
from deltalake.transaction import AddAction, create_table_with_add_actions

from humstats.errors import ConfigError, HistoryError, InputError, LockedError, StoreError, shown
from humstats.schema import DTYPES, QUARANTINE_COLUMNS, QUARANTINE_EXTRA

log = logging.getLogger(__name__)
T = TypeVar("T")

META_SUFFIX = ".meta.json"
"""The archived input's metadata record: no input's archive name ends so (only an input's
last suffix is kept), so the record can never take an input's place."""
_LEGACY_META_SUFFIX = ".json"
_SUFFIX = re.compile(r"\.[a-z0-9_-]{1,16}")
_SHA = re.compile(r"[0-9a-f]{64}")
_COMMIT = re.compile(r"[0-9]{20}\.json")

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
"""How compaction lays rows out when it clusters a table (once the table outgrows one file:
``Store._optimize``). Figures are clustered by country, indicator and date (what
filters name), so each file's min/max statistics rule most files out of a filtered read;
sources by content hash, so "is this input stored?" opens one file. No Hive partitioning:
measured in bench/store.py, a partition per country multiplies the small files of every
hourly batch, and statistics on clustered files skip as well once compacted."""

STATS_COLUMNS: dict[str, tuple[str, ...]] = {
    "figures": (
        "batch_id",
        "source_file",
        "country_iso3",
        "indicator",
        "period_start",
        "period_end",
        "published_date",
        "publisher",
        "value",
        "ingested_at",
    ),
    "quarantine": ("batch_id", "source_file", "check", "ingested_at"),
    "sources": ("sha256", "batch_id", "source_file", "ingested_at"),
}
"""Columns whose min/max each data file records in the log: what filters name, and
``batch_id``, which says what batches a damaged file held (text columns such as quotes
would only slow every commit)."""

CHECKPOINT_INTERVAL = 10
"""Commits between two checkpoints of a table's log. Opening a table reads its last
checkpoint and replays every JSON commit since, about half a millisecond each: at Delta's
default of 100 an open costs up to 50 ms more than just after a checkpoint, on every read of
every table. A checkpoint of a compacted table is small (one row per file, and per file
removed inside the retention window), so writing one every 10 commits costs less."""


def _table_properties(table: str) -> dict[str, str]:
    """What a table is created with (``compact`` sets them on tables made before)."""
    return {
        "delta.dataSkippingStatsColumns": ",".join(STATS_COLUMNS[table]),
        "delta.checkpointInterval": str(CHECKPOINT_INTERVAL),
        "delta.logRetentionDuration": _interval(RETENTION),
    }


def _interval(span: dt.timedelta) -> str:
    """A Delta table property's duration: whole days when it is, else hours (rounded up)."""
    hours = -(-span // dt.timedelta(hours=1))
    return f"interval {hours // 24} days" if hours % 24 == 0 else f"interval {hours} hours"


PARTITION_BY: dict[str, tuple[str, ...]] = {}
"""Hive partition columns of a table, used when the table is created (none: see ``ZORDER``;
``bench/store.py --partition`` measures the alternative)."""

COMPACT_THRESHOLD = 200
"""Data files (all tables) past which ``humstats run`` compacts the store."""
RETENTION = dt.timedelta(days=7)
"""How long compaction keeps replaced files, so ``--as-of`` reaches back at least this far."""

TARGET_FILE_SIZE = 32 << 20
"""Bytes compaction packs small files into (a million or so figures); larger files are left
as they are, so compaction stays incremental."""
_KEPT_VERSION = "humstats.version"
_KEPT_BASE = "humstats.base"
_CLUSTERED_ROWS = "humstats.clusteredRows"
"""Table property: how many rows the table held when it was last clustered by ``ZORDER``."""

_ZSTD_LEVEL = 1
"""zstd's fastest level: on a million figures it writes faster than the default level and
the file comes out no larger (quotes and ids compress about as well at either)."""
_AFTER_APPEND = PostCommitHookProperties(create_checkpoint=True, cleanup_expired_logs=False)
"""Checkpoint after an append when the interval says so, but leave the expired log entries
to compaction: delta-rs' cleanup lists the whole log on every commit (at 3,000 commits that
tripled an append: 85 ms, against 28 without it)."""
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
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)


def _archive_suffix(path: Path) -> str:
    """The input's last suffix, lower-cased, when it is a plain one (``.csv``); a name like
    ``x.c*v`` or ``a.b c`` is archived without a suffix rather than with odd characters."""
    suffix = path.suffix.lower()
    return suffix if _SUFFIX.fullmatch(suffix) else ""


def _environment(root: Path, error: OSError) -> StoreError:
    """An OS error while writing the store, as one line saying what to fix."""
    hints = {
        errno.ENOSPC: "the disk is full",
        errno.EDQUOT: "the disk quota is exhausted",
        errno.EROFS: "the file system is read-only",
        errno.EACCES: "permission denied",
        errno.EPERM: "permission denied",
        errno.ENOTDIR: "a path in it is a file, not a folder",
        errno.EEXIST: "a path in it is a file, not a folder",
    }
    return StoreError(root, hints.get(error.errno or 0, error.strerror or str(error)))


@contextlib.contextmanager
def _writing(root: Path) -> Iterator[None]:
    try:
        yield
    except OSError as error:
        raise _environment(root, error) from error
    except DeltaError as error:  # delta-rs reports I/O failures (a full disk) as its own
        raise StoreError(root, _one_line(error)) from error


@dataclass(frozen=True)
class Damage:
    """One thing wrong in a store, for ``humstats check`` and the read warnings."""

    path: str
    """Relative to the data directory."""
    problem: str

    def __str__(self) -> str:
        return f"{self.path}: {self.problem}"


def parquet_damage(path: Path) -> str | None:
    """Why a Parquet file cannot be read, from its footer (cheap: a few KB), or None."""
    try:
        pq.read_metadata(path)
    except (OSError, ValueError) as error:
        return _one_line(error)
    return None


def _one_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else type(error).__name__


def _winners(sources: pl.LazyFrame) -> pl.LazyFrame:
    """The first stored row of each content hash: the inputs whose rows are visible."""
    return sources.sort("sha256", "ingested_at", "batch_id").unique(
        "sha256", keep="first", maintain_order=True
    )


def _scan(
    files: list[str],
    schema: Mapping[str, pl.DataType],
    storage_options: Mapping[str, str] | None = None,
) -> pl.LazyFrame:
    if not files:
        return pl.LazyFrame(schema=dict(schema))
    # paths are never patterns: a data folder named "data[1]" is read as it is
    return pl.scan_parquet(
        files,
        schema=dict(schema),
        missing_columns="insert",
        glob=False,
        storage_options=dict(storage_options) if storage_options else None,
    )


_SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    "figures": DTYPES,
    "quarantine": QUARANTINE_DTYPES,
    "sources": SOURCE_DTYPES,
}


class Snapshot:
    """The store as one reader sees it: every table at one version (the latest, or the one
    ``as_of`` names), and the batch-folder files not yet migrated. Tables are opened when
    first read, so reading the figures does not pay for the quarantine's log.

    Damaged data files are left out, with the batches their statistics say they hold (see
    the module docstring), so figures and sources stay in step.

    With ``known_at`` the tables are read at their latest version and only the inputs
    ingested by then are shown: the store is append-only, so that is what it held then
    (``Store.snapshot`` uses it for moments older than the tables' log)."""

    def __init__(
        self,
        store: Store,
        open_table: Callable[[str], DeltaTable | None],
        legacy: Mapping[str, list[str]],
        known_at: dt.datetime | None = None,
        *,
        latest: bool = False,
    ) -> None:
        self._store = store
        self._known_at = known_at
        self._latest = latest
        """Whether the tables are read at their newest versions (so the kept file lists of
        ``Store._kept_files`` may stand in for opening them)."""
        self._file_versions: dict[str, int | None] = {}
        self._open_table = open_table
        self._tables: dict[str, DeltaTable | None] = {}
        self._versions: dict[str, int] = {}
        self._actions: dict[str, pl.DataFrame] = {}
        self._sources: pl.DataFrame | None = None
        self._winning: pl.DataFrame | None = None
        self._hidden: list[tuple[str, str]] | None = None
        self.legacy: dict[str, list[str]] = {}
        if any(legacy.values()):  # folders a migration has carried over only await deletion
            sources = self.table("sources")
            migrated = sources is not None and sources.transaction_version(_MIGRATED) is not None
            self.legacy = {} if migrated else dict(legacy)

    def table(self, name: str) -> DeltaTable | None:
        """``name``'s Delta table at this snapshot's version (None when it has none yet)."""
        if name not in self._tables:
            delta = self._tables[name] = self._open_table(name)
            if delta is not None:
                self._versions[name] = delta.version()
        delta = self._tables[name]
        if delta is not None and delta.version() != self._versions[name]:
            # the Store brought its shared copy up to date since: read our version apart
            delta = self._tables[name] = self._store._open(name, self._versions[name])
        return delta

    @property
    def version(self) -> int | None:
        """The sources table's version (the store's version); None for an empty store, and
        for a moment older than the log, which no longer says what the version was then."""
        return None if self._known_at is not None else self._version("sources")

    def _version(self, table: str) -> int | None:
        """``table``'s version in this snapshot (None: no such table)."""
        self._files(table)
        return self._file_versions[table]

    def _listing(self, table: str) -> tuple[int | None, pl.DataFrame]:
        """``table``'s version and data files (``_FILES`` and ``uri``): kept from the last
        reader when no commit came since, else from the table's log (and kept)."""
        if self._latest and (kept := self._store._kept_files(table)) is not None:
            return kept
        delta = self.table(table)
        if delta is None:
            return None, pl.DataFrame(schema={**_FILES, "uri": pl.String()})
        frame = _files_of(delta)
        if self._latest:
            self._store._keep_files(table, delta.version(), frame, _base(delta))
        return delta.version(), frame

    def _files(self, table: str) -> pl.DataFrame:
        """``table``'s data files: ``uri``, rows, the range of ``batch_id`` (``low``,
        ``high``) and of ``sha256`` they hold, and ``problem`` (null when the file is sound
        as far as a ``stat`` can tell)."""
        if table not in self._actions:
            version, frame = self._listing(table)
            self._file_versions[table] = version
            problems = [
                self._store.file_problem(uri, size)
                for uri, size in frame.select("uri", "size").iter_rows()
            ]
            self._actions[table] = frame.with_columns(pl.Series("problem", problems, pl.String()))
        return self._actions[table]

    def files(self, table: str) -> list[str]:
        """The sound Parquet files of ``table``'s Delta table in this snapshot (not the batch
        folders: ``read`` joins those in)."""
        return self._files(table).filter(pl.col("problem").is_null())["uri"].to_list()

    def tables(self) -> pl.DataFrame:
        """``table``, ``version``, ``files`` and ``damaged`` (data files left out) of each
        Delta table this snapshot holds, from the log alone."""
        rows = [
            {
                "table": name,
                "version": version,
                "files": self._files(name).height,
                "damaged": self._files(name)["problem"].drop_nulls().len(),
            }
            for name in TABLES
            if (version := self._version(name)) is not None
        ]
        schema = {"table": pl.String, "version": pl.Int64, "files": pl.Int64, "damaged": pl.Int64}
        return pl.DataFrame(rows, schema=schema)

    def damaged(self) -> list[tuple[str, str]]:
        """``(uri, problem)`` of every data file left out of this snapshot."""
        return [
            row
            for table in TABLES
            for row in self._files(table)
            .filter(pl.col("problem").is_not_null())
            .select("uri", "problem")
            .iter_rows()
        ]

    def _hidden_batches(self) -> pl.Expr | None:
        """True for a ``batch_id`` a damaged file may hold; None when no file is damaged."""
        if self._hidden is None:
            self._hidden = [
                (low, high)
                for table in TABLES
                for uri, low, high, problem in self._files(table)
                .select("uri", "low", "high", "problem")
                .iter_rows()
                if problem is not None and self._store.warn(uri, problem) and low and high
            ]
        if not self._hidden:
            return None
        hidden = pl.lit(False)
        for low, high in self._hidden:
            hidden = hidden | pl.col("batch_id").is_between(pl.lit(low), pl.lit(high))
        return hidden

    def sources_among(self, hashes: set[str]) -> set[str]:
        """Which of ``hashes`` the visible sources hold, reading only the files whose
        statistics may hold them."""
        if self._version("sources") is None or self.legacy or self._known_at is not None:
            return hashes & set(self.sources().collect()["sha256"].to_list())
        wanted = sorted(hashes)
        sound = self._files("sources").filter(pl.col("problem").is_null())
        files = [  # only the files whose range of hashes may hold one of them
            uri
            for uri, low, high in sound.select("uri", "sha_low", "sha_high").iter_rows()
            if low is None
            or high is None
            or bisect.bisect_left(wanted, low) < bisect.bisect_right(wanted, high)
        ]
        found = _scan(files, SOURCE_DTYPES, self._store.storage_options).filter(
            pl.col("sha256").is_in(wanted)
        )
        hidden = self._hidden_batches()
        if hidden is not None:
            found = found.filter(~hidden)
        return set(found.select("sha256").collect()["sha256"].to_list())

    def hashes(self) -> set[str]:
        """Content hashes of the visible inputs, reading only that column (and the batch, when
        a damaged file hides some): the inputs that won a race and those that lost it share
        their hash, so no winner need be chosen."""
        if self.legacy or self._sources is not None or self._known_at is not None:
            return set(self.sources().collect()["sha256"].to_list())
        found = _scan(self.files("sources"), SOURCE_DTYPES, self._store.storage_options)
        hidden = self._hidden_batches()
        if hidden is not None:
            found = found.filter(~hidden)
        return set(found.select(pl.col("sha256").unique()).collect()["sha256"].to_list())

    def _delta_sources(self) -> pl.DataFrame:
        if self._sources is None:
            sources = _scan(self.files("sources"), SOURCE_DTYPES, self._store.storage_options)
            hidden = self._hidden_batches()
            if hidden is not None:
                sources = sources.filter(~hidden)
            if self._known_at is not None:
                sources = sources.filter(pl.col("ingested_at") <= self._known_at)
            self._sources = sources.collect()
        return self._sources

    def _winning_sources(self) -> pl.DataFrame:
        """The visible rows of the Delta sources table: all of them unless two writers stored
        the same content (counting hashes is cheap; choosing winners sorts every row)."""
        if self._winning is None:
            sources = self._delta_sources()
            unique = sources["sha256"].n_unique() == sources.height
            self._winning = sources if unique else _winners(sources.lazy()).collect()
        return self._winning

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
        delta = self._winning_sources().lazy()
        return pl.concat([delta, self._legacy_sources()]) if self.legacy else delta

    def visible_keys(self, table: str) -> pl.DataFrame | None:
        """``(batch_id, source_file)`` of the inputs whose rows in ``table``'s Delta table are
        visible, or None when all are (the common case, which then needs no join).

        Rows are hidden when a writer was killed before its sources commit, lost a race to
        store the same content, or shares a batch with a damaged file; the first two are
        counted from the log, which costs no read of the data."""
        sources = self._delta_sources()
        winners = self._winning_sources()
        column = "figures" if table == "figures" else "quarantined"
        files = self._files(table)
        records = files.filter(pl.col("problem").is_null())["num_records"].sum()
        clean = files["problem"].null_count() == files.height
        if clean and winners.height == sources.height and records == sources[column].sum():
            return None
        return winners.select("batch_id", "source_file")

    def counts(self, table: str, keys: Sequence[str]) -> pl.DataFrame:
        """How many visible rows of ``table`` hold each combination of ``keys`` (``rows``).

        A data file never changes once written, so the counts of each file are kept beside
        the tables the first time they are read (``Store.counts_path``), and when every row
        is visible (the common case) their sum is the answer: a status reads only the files
        added since the last one, however large the table. Otherwise (rows of a killed or
        losing writer, a damaged file, batch folders, an object store) the rows are
        grouped."""
        keys = list(keys)
        files = self._files(table)
        everything = (
            self.visible_keys(table) is None
            and files["problem"].null_count() == files.height
            and not self.legacy
            and self._known_at is None
            and self._store.url is None
        )
        if not everything:
            return self.read(table).group_by(keys).agg(pl.len().alias("rows")).collect()
        uris = files["uri"].to_list()
        wanted = pl.DataFrame({"file": [u.rsplit("/", 1)[-1] for u in uris], "uri": uris})
        kept = self._store._file_counts(table, keys)
        known = kept.join(wanted.select("file"), on="file", how="semi")
        missing = wanted.join(known.select("file").unique(), on="file", how="anti")
        if missing.height:
            paths = missing["uri"].to_list()
            fresh = (
                pl.scan_parquet(paths, glob=False, include_file_paths="uri")
                .select("uri", *keys)
                .group_by("uri", *keys)
                .agg(pl.len().cast(pl.Int64).alias("rows"))
                .join(missing.lazy(), on="uri")
                .select("file", *keys, "rows")
                .collect()
            )
            known = pl.concat([known, fresh.cast(known.schema)])
            self._store._save_file_counts(table, known)
        return known.group_by(keys).agg(pl.col("rows").sum())

    def read(self, table: str) -> pl.LazyFrame:
        """``table``'s visible rows, in the store's schema."""
        if table == "sources":
            return self.sources()
        keys = ["batch_id", "source_file"]
        frame = _scan(self.files(table), _SCHEMAS[table], self._store.storage_options)
        visible = self.visible_keys(table)
        if visible is not None:
            frame = frame.join(visible.lazy(), on=keys, how="semi")
        if not self.legacy:
            return frame
        legacy = _scan(self.legacy.get(table, []), _SCHEMAS[table])
        legacy = legacy.join(self._legacy_sources().select(keys), on=keys, how="semi")
        return pl.concat([frame, legacy])


def _column(actions: pl.DataFrame, name: str) -> pl.Series:
    if name in actions.columns:
        return actions[name].cast(pl.String)
    return pl.Series(name, [None] * actions.height, pl.String())


_FILES: dict[str, pl.DataType] = {
    "path": pl.String(),
    "size": pl.Int64(),
    "num_records": pl.Int64(),
    "low": pl.String(),
    "high": pl.String(),
    "sha_low": pl.String(),
    "sha_high": pl.String(),
}
"""A table's data files as a reader needs them: the path in the table, size, rows, and the
range of ``batch_id`` (which batches a damaged file held) and of ``sha256`` (sources)."""


def _base(delta: DeltaTable) -> str:
    """The table's folder as delta-rs begins its files' uris (``/abs/path/figures/``)."""
    base = delta.table_uri.removeprefix("file://")
    return base if base.endswith("/") else base + "/"


def _files_of(delta: DeltaTable) -> pl.DataFrame:
    """``delta``'s data files (``_FILES``) and each one's ``uri`` as delta-rs gives it."""
    actions = pl.DataFrame(delta.get_add_actions(flatten=True))
    by_name = {uri.rsplit("/", 1)[-1]: uri for uri in delta.file_uris()}
    frame = pl.DataFrame(
        {
            "path": actions["path"],
            "size": actions["size_bytes"],
            "num_records": actions["num_records"],
            "low": _column(actions, "min.batch_id"),
            "high": _column(actions, "max.batch_id"),
            "sha_low": _column(actions, "min.sha256"),
            "sha_high": _column(actions, "max.sha256"),
        },
        schema=_FILES,
    )
    uris = [by_name.get(p.rsplit("/", 1)[-1], p) for p in frame["path"]]
    return frame.with_columns(pl.Series("uri", uris, pl.String()))


class Store:
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

    # -- raw archive -------------------------------------------------------------------

    def identify(self, path: Path) -> Archived:
        """Where ``path`` sits (or would sit) in the archive, without copying it."""
        sha, size = _sha256(path)
        source_file = f"raw/{sha[:2]}/{sha}{_archive_suffix(path)}"
        return Archived(sha256=sha, source_file=source_file, original=path, size=size)

    def archive(self, path: Path) -> Archived:
        """Keep ``path`` unchanged under ``raw/``, named by content; idempotent.

        A copy of another size (an old store's metadata written over a JSON input) is
        replaced by the input's bytes. Raises ``StoreError`` when the store cannot be written.
        """
        self._local("archiving an input")
        archived = self.identify(path)
        target = self.root / archived.source_file
        with _writing(self.root):
            if not (target.is_file() and target.stat().st_size == archived.size):
                _write_atomic(target, lambda tmp: shutil.copyfile(path, tmp))
            meta_path = self.meta_path(archived.source_file)
            if not meta_path.exists():
                meta = {
                    "sha256": archived.sha256,
                    "original_name": shown(path.name),
                    "original_path": shown(path.resolve()),
                    "size": archived.size,
                    "archived_at": dt.datetime.now(dt.UTC).isoformat(),
                }
                _write_atomic(
                    meta_path,
                    lambda tmp: tmp.write_text(
                        json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
                    ),
                )
        return archived

    def raw_path(self, source_file: str) -> Path:
        return self.root / source_file

    def meta_path(self, source_file: str) -> Path:
        """The metadata record of an archived input: ``raw/ab/ab…ef.meta.json``."""
        path = self.raw_path(source_file)
        return path.with_name(path.name.split(".", 1)[0] + META_SUFFIX)

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

    # -- reading -----------------------------------------------------------------------

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

    def counts_path(self, table: str) -> Path:
        """Where the row counts of ``table``'s data files are kept (``Snapshot.counts``): a
        cache beside the tables, which no other engine reads; deleting it costs one read."""
        return self.cache_dir / f"{table}.counts"

    def files_path(self, table: str) -> Path:
        """Where ``table``'s data files at its newest version are kept (``_kept_files``)."""
        return self.cache_dir / f"{table}.files"

    def _kept_files(self, table: str) -> tuple[int, pl.DataFrame] | None:
        """``table``'s version and data files as the last reader or writer kept them, when
        that version is still the newest; None otherwise.

        Opening a Delta table lists its whole log folder and replays its last checkpoint,
        tombstones of compacted files included: at 10,000 hourly batches in one burst that
        is 20 ms, however small the table. A Delta version is committed only by creating the
        next numbered log entry, so the kept list is current exactly while that entry does
        not exist: two ``stat`` calls instead (local stores only)."""
        if self.url is not None:
            return None
        path = self.files_path(table)
        try:
            meta = pl.read_parquet_metadata(path)
            version, base = int(meta[_KEPT_VERSION]), meta[_KEPT_BASE]
        except (OSError, KeyError, ValueError, pl.exceptions.PolarsError):
            return None
        log_dir = self.table_path(table) / "_delta_log"
        if (log_dir / f"{version + 1:020d}.json").exists():
            return None
        if not (log_dir / f"{version:020d}.json").exists():
            return None  # the table was made again, or the kept list was copied from elsewhere
        if os.path.realpath(base) != os.path.realpath(self.table_path(table)):
            return None  # the store was moved or copied: uris would name the old place
        try:
            frame = pl.read_parquet(path)
        except (OSError, pl.exceptions.PolarsError):
            return None
        if dict(frame.schema) != _FILES:
            return None
        return version, frame.with_columns(uri=pl.lit(base) + pl.col("path"))

    def _keep_files(self, table: str, version: int, frame: pl.DataFrame, base: str) -> None:
        """Keep ``table``'s data files at ``version`` for the next reader (best effort: a
        store this process cannot write is opened again next time). ``base`` is the
        table's folder as delta-rs spells the files' uris."""
        if self.url is not None:
            return
        if any(uri != base + path for uri, path in frame.select("uri", "path").iter_rows()):
            return  # a path delta-rs spells otherwise (escaped partition values)
        meta = {_KEPT_VERSION: str(version), _KEPT_BASE: base}
        with contextlib.suppress(OSError, pl.exceptions.PolarsError):
            _write_atomic(
                self.files_path(table),
                lambda tmp: frame.select(_FILES.keys()).write_parquet(tmp, metadata=meta),
            )

    def _file_counts(self, table: str, keys: Sequence[str]) -> pl.DataFrame:
        """The kept counts of ``table``'s files by ``keys`` (empty when there are none, or
        they were kept by other keys)."""
        schema = {"file": pl.String(), **{k: _SCHEMAS[table][k] for k in keys}, "rows": pl.Int64()}
        try:
            kept = pl.read_parquet(self.counts_path(table))
        except (OSError, pl.exceptions.PolarsError):
            return pl.DataFrame(schema=schema)
        if dict(kept.schema) != schema:
            return pl.DataFrame(schema=schema)
        return kept

    def _save_file_counts(self, table: str, counts: pl.DataFrame) -> None:
        """Keep ``counts`` for the next reader; a store this process cannot write (read-only,
        full) is simply read again next time."""
        with contextlib.suppress(OSError, pl.exceptions.PolarsError):
            _write_atomic(self.counts_path(table), counts.write_parquet)

    def _legacy(self) -> dict[str, list[str]]:
        """Batch folders not migrated yet; a folder with a damaged file is left out whole."""
        if not self.batches_dir.is_dir():
            return {}
        files: dict[str, list[str]] = {table: [] for table in TABLES}
        for folder in sorted(self.batches_dir.iterdir()):
            paths = {t: folder / f"{t}.parquet" for t in TABLES}
            paths = {t: str(p) for t, p in paths.items() if p.exists()}
            problems = {
                p: self._unreadable.get(p) or parquet_damage(Path(p)) for p in paths.values()
            }
            damaged = [self.warn(p, problem) for p, problem in problems.items() if problem]
            if not damaged:
                for table, path in paths.items():
                    files[table].append(path)
        return files

    def _commit_times(self, table: DeltaTable) -> dict[int, dt.datetime]:
        return {
            int(entry["version"]): dt.datetime.fromtimestamp(entry["timestamp"] / 1000, dt.UTC)
            for entry in table.history()
            if "version" in entry
        }

    def _commit_time(self, table: str, version: int) -> dt.datetime | None:
        """When ``version`` of ``table`` was committed (its commit's own timestamp, which a
        copy of the store keeps), read from that one log entry; None when it is gone."""
        path = self.table_path(table) / "_delta_log" / f"{version:020d}.json"
        try:
            with path.open("rb") as handle:
                for line in handle:
                    info = json.loads(line).get("commitInfo")
                    if isinstance(info, dict) and "timestamp" in info:
                        return dt.datetime.fromtimestamp(info["timestamp"] / 1000, dt.UTC)
        except (OSError, ValueError):
            return None
        return None

    def _version_at(self, table: str, delta: DeltaTable, moment: dt.datetime) -> int | None:
        """``table``'s last version committed at or before ``moment`` (None: none was).

        On a local store a binary search reads about 14 log entries of 10,000, where the
        table's history reads them all; commits are timestamped in order, as Delta's
        time travel assumes. On object storage, and wherever an entry is missing, the
        history answers."""
        if self.url is None:
            log_dir = self.table_path(table) / "_delta_log"
            kept = [int(p.name[:20]) for p in os.scandir(log_dir) if _COMMIT.fullmatch(p.name)]
            low, high = min(kept, default=0), delta.version()
            first, last = self._commit_time(table, low), self._commit_time(table, high)
            if first is not None and last is not None and len(kept) == high - low + 1:
                if first > moment:
                    return None
                while low < high:  # invariant: low was committed at or before moment
                    middle = (low + high + 1) // 2
                    at = self._commit_time(table, middle)
                    if at is None:
                        break
                    low, high = (middle, high) if at <= moment else (low, middle - 1)
                else:
                    return low
        versions = [v for v, at in self._commit_times(delta).items() if at <= moment]
        return max(versions) if versions else None

    def _as_of(self, table: str, moment: dt.datetime) -> DeltaTable | None:
        """``table`` as it was at ``moment``: its last commit at or before it, or None."""
        delta = self._open(table)
        if delta is None:
            return None
        version = self._version_at(table, delta, moment)
        if version is None:
            return None
        delta.load_as_version(version)
        return delta

    def snapshot(self, as_of: AsOf | None = None) -> Snapshot:
        """Every table at one moment: now, or what the store held at ``as_of`` (a version
        number of the store, a date meaning the end of that day in UTC, or a datetime).

        A version is read through Delta's time travel, so it must be inside the window
        compaction keeps (``--retain``). So is a moment inside that window; a moment older
        than the log is answered from the latest version, showing only the inputs ingested
        by then (append-only, so that is what the store held; a batch counts from when its
        ingest began), however far back it lies."""
        legacy = self._legacy()
        if as_of is None:
            return Snapshot(self, self._fresh, legacy, latest=True)
        if legacy:
            raise HistoryError(
                "--as-of needs the Delta layout: convert this store with humstats migrate"
            )
        if not isinstance(as_of, int) or isinstance(as_of, bool):
            moment = _moment(as_of)
            if not self._before_log(moment):
                tables = {name: self._as_of(name, moment) for name in TABLES}
                if all(t is None or not self._missing_files(t) for t in tables.values()):
                    return Snapshot(self, tables.__getitem__, legacy)
            # older than the log, or its files compacted away: the rows say what was known
            return Snapshot(self, self._fresh, legacy, known_at=moment, latest=True)
        moment = self._version_time(as_of)

        def open_as_of(name: str) -> DeltaTable | None:
            table = self._as_of(name, moment)
            if table is not None:
                self._check_kept(table)
            return table

        return Snapshot(self, open_as_of, legacy)

    def _before_log(self, moment: dt.datetime) -> bool:
        """Whether ``moment`` is older than the sources table's oldest kept commit, where
        compaction has cleaned the log (so time travel cannot say what was current then)."""
        sources = self._open("sources")
        if sources is None:
            return False
        if self.url is None:
            log_dir = self.table_path("sources") / "_delta_log"
            kept = [int(p.name[:20]) for p in os.scandir(log_dir) if _COMMIT.fullmatch(p.name)]
            oldest = min(kept, default=0)
            first = self._commit_time("sources", oldest)
        else:
            times = self._commit_times(sources)
            oldest = min(times, default=0)
            first = times.get(oldest)
        return oldest > 0 and first is not None and moment < first

    def _version_time(self, version: int) -> dt.datetime:
        sources = self._open("sources")
        if sources is not None and 0 <= version <= sources.version():
            at = self._commit_time("sources", version) if self.url is None else None
            if at is not None:
                return at
        times = self._commit_times(sources) if sources is not None else {}
        if version not in times:
            newest = max(times, default=None)
            if newest is not None and 0 <= version <= newest:
                raise HistoryError(
                    f"--as-of {version}: that version was compacted away: a version reaches "
                    f"back {RETENTION.days} days (humstats compact --retain); a date reaches "
                    "back to the first batch"
                )
            raise HistoryError(
                f"--as-of {version}: no such store version (the store is at version {newest})"
                if newest is not None
                else f"--as-of {version}: the store is empty"
            )
        return times[version]

    @staticmethod
    def _missing_files(table: DeltaTable) -> bool:
        """Whether compaction has removed files of this (old) version (local stores)."""
        if "://" in table.table_uri.removeprefix("file://"):
            return False
        return any(not Path(f).exists() for f in table.file_uris())

    def _check_kept(self, table: DeltaTable) -> None:
        """An old version whose files compaction has removed cannot be read: say so."""
        if self._missing_files(table):
            raise HistoryError(
                f"version {table.version()} of {table.table_uri} was compacted away: a "
                f"version reaches back {RETENTION.days} days (humstats compact --retain); "
                "a date reaches back to the first batch"
            )

    def file_problem(self, uri: str, size: int) -> str | None:
        """Why a data file the log lists cannot be used, as far as its size tells (a ``stat``,
        on local stores), or what a failed read found; None when it looks sound."""
        if uri in self._unreadable:
            return self._unreadable[uri]
        if "://" in uri.removeprefix("file://"):
            return None
        stat = _stat(Path(uri.removeprefix("file://")))
        if stat is None:
            return "missing"
        if stat.st_size != size:
            return f"truncated or overwritten ({stat.st_size} bytes, {size} committed)"
        return None

    def warn(self, uri: str, problem: str) -> bool:
        """Say once per ``Store`` that a damaged file is left out; True, for filters."""
        if uri not in self._warned:
            self._warned.add(uri)
            log.warning(
                "skipping %s (run humstats check; ingest its inputs again to restore them)",
                Damage(self._relative(uri), problem),
            )
        return True

    def read(self, build: Callable[[], T]) -> T:
        """``build()`` (which reads this store's frames), leaving out a file whose data turns
        out damaged behind a sound size and footer: such a file is found only by reading it,
        so on a read error every data file is read whole once, the damaged ones are left out
        (with the usual warning) and ``build()`` runs again."""
        try:
            return build()
        except (pl.exceptions.PolarsError, OSError, DeltaError):
            if not self.find_unreadable():
                raise  # not the store's data files: the caller's own error
            return self.read(build)

    def _data_files(self) -> list[str]:
        """Every data file of the latest version, Delta tables and batch folders alike."""
        snapshot = Snapshot(self, self._fresh, {})
        files = [uri for table in TABLES for uri in snapshot._files(table)["uri"].to_list()]
        if self.batches_dir.is_dir():
            files += sorted(str(p) for p in self.batches_dir.glob("*/*.parquet"))
        return files

    def find_unreadable(self) -> dict[str, str]:
        """Read every data file whole; the damaged ones not known yet are returned and left
        out of every later read of this ``Store``. On object storage nothing is: a failed read
        there is more likely the network or the credentials, and is reported as it is."""
        if self.url is not None:
            return {}
        found = {
            uri: problem
            for uri in self._data_files()
            if uri not in self._unreadable and (problem := _read_whole(uri))
        }
        self._unreadable.update(found)
        return found

    def damaged_files(self) -> list[Damage]:
        """Data files that cannot be used, found cheaply (sizes, footers of batch folders);
        ``check`` reads every file whole."""
        snapshot = Snapshot(self, self._fresh, {})
        damaged = [Damage(self._relative(uri), problem) for uri, problem in snapshot.damaged()]
        if self.batches_dir.is_dir():
            for path in sorted(self.batches_dir.glob("*/*.parquet")):
                if problem := parquet_damage(path):
                    damaged.append(Damage(self._relative(str(path)), problem))
        return damaged

    def _relative(self, path: str | Path) -> str:
        try:
            return str(Path(str(path).removeprefix("file://")).relative_to(self.root.resolve()))
        except ValueError:
            try:
                return str(Path(path).relative_to(self.root))
            except ValueError:
                return str(path)

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

    # -- writing -----------------------------------------------------------------------

    def _append(self, table: str, frame: pl.DataFrame, properties: CommitProperties) -> int | None:
        """Append ``frame`` to ``table`` in one commit; returns the table's new version (None
        for a table other than sources when polars wrote the file: nobody needs it).

        On a local store the Parquet file is written by polars, straight from its own
        memory (no copy into Arrow for delta-rs' writer, columns encoded in parallel), and
        added to the table by a Delta transaction carrying the file's statistics. A table
        whose schema differs from ours (an older store), a partitioned table and an object
        store take delta-rs' writer, which merges schemas and splits partitions.
        """
        schema = _SCHEMAS[table]
        data = frame.select(pl.col(c).cast(t) for c, t in schema.items() if c in frame.columns)
        delta = self._fresh(table)
        remote = self.url is not None or self.storage_options
        if remote or PARTITION_BY.get(table) or not _fits(delta, data):
            return self._append_through_delta(table, data, properties, delta)
        add = self._write_data_file(table, data)
        attempt = 0
        while True:
            failpoint(f"append:{table}")  # the table as loaded may be stale by the commit
            try:
                if delta is None:
                    create_table_with_add_actions(
                        self.table_uri(table),
                        _delta_schema(data),
                        [add],
                        mode="error",
                        configuration=_table_properties(table),
                        commit_properties=properties,
                    )
                    return 0
                delta.create_write_transaction(
                    [add],
                    "append",
                    _delta_schema(data),
                    commit_properties=properties,
                    post_commithook_properties=_AFTER_APPEND,
                )
                version = self._committed(table, delta, add)
                self._current.discard(table)  # the shared table is a commit behind now
                if version is not None or table != TABLES[-1]:
                    return version  # only the sources table's version is the store's
                delta.update_incremental()  # another commit came first: list the log
                return delta.version()
            except DeltaError:
                self._latest.pop(table, None)  # whatever the failed commit left, reopen
                # Another writer created the table first (appends to a table that exists
                # are retried by delta-rs): add the file to the table as it left it.
                attempt += 1
                if delta is not None or attempt == _COMMIT_ATTEMPTS:
                    raise
                delta = self._open(table)
                if delta is None:
                    raise
                log.info("%s was created by another writer meanwhile, retrying", table)
                if not _fits(delta, data):
                    (self.table_path(table) / add.path).unlink(missing_ok=True)
                    return self._append_through_delta(table, data, properties, delta)

    def _committed(self, table: str, delta: DeltaTable, add: AddAction) -> int | None:
        """The version an append of ``add`` to ``delta`` became, read from the one log entry
        after the version ``delta`` was loaded at (no listing of the log): it is ours unless
        another writer committed first (then None). The table's data files at that version
        are kept for the next reader (``_kept_files``)."""
        version = delta.version() + 1
        entry = self.table_path(table) / "_delta_log" / f"{version:020d}.json"
        try:
            actions = [json.loads(line) for line in entry.read_bytes().splitlines() if line]
        except (OSError, ValueError):
            return None
        added = [a["add"].get("path") for a in actions if isinstance(a.get("add"), dict)]
        if added != [add.path] or any("remove" in a for a in actions):
            return None
        stats = json.loads(add.stats)
        low, high = stats.get("minValues", {}), stats.get("maxValues", {})
        row = {
            "path": add.path,
            "size": add.size,
            "num_records": stats.get("numRecords"),
            "low": low.get("batch_id"),
            "high": high.get("batch_id"),
            "sha_low": low.get("sha256"),
            "sha_high": high.get("sha256"),
            "uri": _base(delta) + add.path,
        }
        files = pl.concat(
            [_files_of(delta), pl.DataFrame([row], schema={**_FILES, "uri": pl.String()})]
        )
        self._keep_files(table, version, files, _base(delta))
        return version

    def _write_data_file(self, table: str, data: pl.DataFrame) -> AddAction:
        """One Parquet file in ``table``'s folder, and the Delta action that adds it: size,
        time and the statistics of ``STATS_COLUMNS`` (rows, nulls, min and max)."""
        folder = self.table_path(table)
        folder.mkdir(parents=True, exist_ok=True)
        name = f"part-00000-{uuid.uuid4()}-c000.zstd.parquet"
        try:
            data.write_parquet(folder / name, compression="zstd", compression_level=_ZSTD_LEVEL)
        except pl.exceptions.ComputeError as error:
            # polars reports an I/O failure (a full disk) as its own error, naming the OS's
            (folder / name).unlink(missing_ok=True)
            code = re.search(r"os error (\d+)", str(error))
            if code is None:
                raise
            raise OSError(int(code[1]), os.strerror(int(code[1]))) from error
        columns = [c for c in STATS_COLUMNS[table] if c in data.columns]
        bounds = data.select(
            *(pl.col(c).min().alias(f"min:{c}") for c in columns),
            *(pl.col(c).max().alias(f"max:{c}") for c in columns),
            *(pl.col(c).null_count().alias(f"nulls:{c}") for c in columns),
        ).row(0, named=True)
        stats = {
            "numRecords": data.height,
            "minValues": {c: _stat_value(bounds[f"min:{c}"]) for c in columns},
            "maxValues": {c: _stat_value(bounds[f"max:{c}"]) for c in columns},
            "nullCount": {c: bounds[f"nulls:{c}"] for c in columns},
        }
        for kind in ("minValues", "maxValues"):  # an all-null column has no bounds
            stats[kind] = {c: v for c, v in stats[kind].items() if v is not None}
        written = (folder / name).stat()
        return AddAction(
            name, written.st_size, {}, written.st_mtime_ns // 1_000_000, True, json.dumps(stats)
        )

    def _append_through_delta(
        self,
        table: str,
        data: pl.DataFrame,
        properties: CommitProperties,
        delta: DeltaTable | None,
    ) -> int:
        writer = WriterProperties(compression="ZSTD", compression_level=_ZSTD_LEVEL)
        attempt = 0
        while True:
            failpoint(f"append:{table}")  # the table as loaded may be stale by the commit
            try:
                write_deltalake(
                    delta if delta is not None else self.table_uri(table),
                    data,  # handed over through the Arrow C stream, no copy
                    mode="append",
                    schema_mode="merge",
                    partition_by=list(PARTITION_BY.get(table, ())) or None,
                    configuration=None if delta is not None else _table_properties(table),
                    writer_properties=writer,
                    commit_properties=properties,
                    post_commithook_properties=_AFTER_APPEND,
                    storage_options=self.storage_options if delta is None else None,
                )
            except CommitFailedError:
                # Two first commits raced to create the table; appends themselves are
                # retried by delta-rs. Try again on the table as the other writer left it.
                attempt += 1
                if attempt == _COMMIT_ATTEMPTS:
                    raise
                log.info("commit to %s conflicted, retrying", table)
                delta = self._open(table)
                continue
            except BaseException:
                self._latest.pop(table, None)  # whatever the failed write left, reopen
                raise
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
        with _writing(self.root):
            return self._commit(batch_id, figures, quarantine, sources, metadata)

    def _commit(
        self,
        batch_id: str,
        figures: pl.DataFrame,
        quarantine: pl.DataFrame,
        sources: pl.DataFrame,
        metadata: Mapping[str, str] | None,
    ) -> int:
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
        assert version is not None  # the sources table always gives its version
        return version

    # -- housekeeping ------------------------------------------------------------------

    def compact(
        self,
        *,
        retention: dt.timedelta = RETENTION,
        lock_timeout: float = 60.0,
        zorder: bool | None = None,
    ) -> Compaction:
        """Merge small files, then delete files no version within ``retention`` needs.

        Compaction rewrites files without changing a row (Delta's optimize), so every
        version stays readable until ``retention`` has passed. What a killed writer left
        goes too once it is older than ``retention``: files outside any commit, and rows
        of batches whose sources commit never came (rows no reader was ever shown, so
        other engines reading the tables directly do not see them either). ``zorder``
        forces or forbids clustering by ``ZORDER``; by default it happens when worthwhile
        (``_optimize``).
        """
        with self.lock(lock_timeout):
            try:
                return self._compact(retention, zorder)
            except DeltaError as error:
                problem = f"compaction failed: {_one_line(error)} (run humstats check)"
                raise StoreError(self.root, problem) from error

    def _compact(self, retention: dt.timedelta, zorder: bool | None) -> Compaction:
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
            _upgrade(delta, retention)
            if table != "sources":
                self._drop_hidden(delta, table, snapshot, cutoff)
            self._optimize(delta, table, zorder)
            failpoint(f"vacuum:{table}")
            removed += len(
                delta.vacuum(
                    retention_hours=hours,
                    dry_run=False,
                    enforce_retention_duration=False,
                    full=True,
                )
            )
            delta.cleanup_metadata()  # log entries past the log retention (see _AFTER_APPEND)
        self._current.clear()  # committed to through other objects than the shared ones
        return Compaction(before, self.data_files(), removed)

    def _optimize(self, delta: DeltaTable, table: str, zorder: bool | None) -> None:
        """Bin-pack the small files, or cluster the whole table by ``ZORDER`` when that is
        worth its cost (``zorder=None``): the table spans more than one file of
        ``TARGET_FILE_SIZE`` and has doubled its rows since it was last clustered. Packing
        leaves full-size files alone, so a routine compaction rewrites at most one file's
        worth of rows however large the store grows; clustering rewrites every row, and
        doubling between clusterings keeps its total cost proportional to the rows stored."""
        partitions = set(delta.metadata().partition_columns)
        order = [c for c in ZORDER[table] if c not in partitions]
        files = pl.DataFrame(delta.get_add_actions(flatten=True)).select(
            "size_bytes", "num_records"
        )
        rows = int(files["num_records"].sum() or 0)
        if zorder is None:
            clustered = int(delta.metadata().configuration.get(_CLUSTERED_ROWS, 0))
            zorder = files["size_bytes"].sum() > TARGET_FILE_SIZE and rows >= 2 * clustered
        properties = CommitProperties(custom_metadata={"humstats.operation": "compact"})
        if order and zorder:
            delta.optimize.z_order(
                order, target_size=TARGET_FILE_SIZE, commit_properties=properties
            )
            # a property, not the optimize commit's metadata: reading it needs no history
            delta.alter.set_table_properties(
                {_CLUSTERED_ROWS: str(rows)},
                raise_if_not_exists=False,
                commit_properties=properties,
            )
        elif files.height > 1:
            delta.optimize.compact(target_size=TARGET_FILE_SIZE, commit_properties=properties)

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
            _scan(snapshot.files(table), _SCHEMAS[table], self.storage_options)
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
            before = Snapshot(self, self._open, legacy)
            old = {
                table: _scan(legacy[table], _SCHEMAS[table]).collect() if legacy[table] else None
                for table in TABLES
            }
            expected = {t: _digest(before.read(t).collect()) for t in TABLES}
            frames = {
                t: frame if frame is not None else pl.DataFrame(schema=_SCHEMAS[t])
                for t, frame in old.items()
            }
            delta = Snapshot(self, self._open, {})  # what the Delta tables hold already
            stored = delta.all_sources()["sha256"].unique().sort()
            fresh = pl.col("sha256").is_in(stored.implode()).not_()
            sources = frames["sources"].filter(fresh)
            keys = ["batch_id", "source_file"]

            def missing(table: str) -> pl.DataFrame:
                # Rows a killed migration already appended (invisible, as its sources
                # commit never landed) are not appended twice.
                held = (
                    _scan(delta.files(table), _SCHEMAS[table], self.storage_options)
                    .select(keys)
                    .unique()
                )
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
                raise HistoryError(
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
        """Append one JSON line; a line is written whole or, after a crash, not at all.

        A torn last line (a crash or a full disk mid-write) is ended first, so it never
        swallows the record appended after it.
        """
        self._local("the run log")
        line = (json.dumps(record, default=str, ensure_ascii=False) + "\n").encode("utf-8")
        with _writing(self.root):
            self.processed_dir.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.runs_path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
            try:
                size = os.fstat(fd).st_size
                if size and os.pread(fd, 1, size - 1) != b"\n":
                    line = b"\n" + line
                os.write(fd, line)
                os.fsync(fd)
            finally:
                os.close(fd)

    def runs(
        self, last: int | None = None, *, containing: str | None = None
    ) -> list[dict[str, object]]:
        """The run log, oldest first (only the ``last`` lines, read from the end of the file,
        when given); a torn line (a crash mid-write) is skipped. With ``containing``, only
        lines holding that text are parsed: a scan of years of hourly runs for the few that
        matter (failed inputs) reads the file but decodes almost none of it."""
        if not self.runs_path.exists():
            return []
        lines = _tail(self.runs_path, last) if last is not None else None
        if lines is None:
            text = self.runs_path.read_text(encoding="utf-8", errors="replace")
            lines = text.splitlines()
        records = [
            record
            for line in lines
            if containing is None or containing in line
            if (record := _record(line)) is not None
        ]
        return records[-last:] if last is not None else records

    def runs_newest_first(self, block: int = 64 * 1024) -> Iterator[dict[str, object]]:
        """The run log from its end, one record at a time, so a caller that needs only the
        recent past (the last rendered period) stops early; a torn line is skipped."""
        try:
            handle = self.runs_path.open("rb")
        except FileNotFoundError:
            return
        with handle:
            end = handle.seek(0, os.SEEK_END)
            rest = b""
            while end > 0:
                start = max(0, end - block)
                handle.seek(start)
                lines = (handle.read(end - start) + rest).split(b"\n")
                end = start
                rest = lines.pop(0) if start > 0 else b""  # may start mid-line
                for line in reversed(lines):
                    if (record := _record(line.decode("utf-8", "replace"))) is not None:
                        yield record

    # -- check -------------------------------------------------------------------------

    def check(self) -> list[Damage]:
        """Everything wrong with the store, one ``Damage`` each: archived inputs whose bytes
        do not match their hash (or that are missing), metadata records and data files that
        cannot be read, run-log lines that are not JSON."""
        problems = self._check_archive()
        for uri in self._data_files():
            if problem := _read_whole(uri):
                problems.append(Damage(self._relative(uri), problem))
        named = self.sources().select("source_file").collect()["source_file"]
        for source_file in named.drop_nulls().unique().sort():
            if not self.raw_path(source_file).is_file():
                problems.append(Damage(source_file, "missing from the raw archive"))
        if self.runs_path.exists():
            text = self.runs_path.read_text(encoding="utf-8", errors="replace")
            for number, line in enumerate(text.splitlines(), start=1):
                try:
                    json.loads(line)
                except json.JSONDecodeError:
                    where = self._relative(self.runs_path)
                    problems.append(Damage(f"{where}:{number}", "not a JSON record"))
        return problems

    def _check_archive(self) -> list[Damage]:
        problems: list[Damage] = []
        if not self.raw_dir.is_dir():
            return problems
        files = sorted(p for p in self.raw_dir.glob("*/*") if not p.name.startswith("."))
        names = {p.name for p in files}
        for path in files:
            name, relative = path.name, self._relative(path)
            sha = name.split(".", 1)[0]
            if name.endswith(META_SUFFIX):
                if _json_object(path) is None:
                    problems.append(Damage(relative, "metadata record is not readable JSON"))
                continue
            if not _SHA.fullmatch(sha):
                problems.append(Damage(relative, "not named by a content hash"))
                continue
            digest, _ = _sha256(path)
            if digest == sha:
                continue
            legacy = _json_object(path) if name == sha + _LEGACY_META_SUFFIX else None
            if legacy is not None and legacy.get("sha256") == sha:
                inputs = [n for n in names if n.startswith(sha) and n != name]
                if any(not n.endswith(META_SUFFIX) for n in inputs):
                    continue  # an old store's metadata record next to its input
                problems.append(
                    Damage(
                        relative,
                        "holds the metadata an older humstats wrote over this JSON input, not "
                        f"its bytes; ingest {legacy.get('original_path', 'the original')} again "
                        "to restore it",
                    )
                )
                continue
            problems.append(Damage(relative, f"content does not match its hash (sha256 {digest})"))
        return problems


def _upgrade(delta: DeltaTable, retention: dt.timedelta) -> None:
    """Give a table made by an older humstats the properties new tables get, and a log kept
    as long as ``retention`` reaches back and no longer (Delta's default is 30 days).

    Time travel to a version needs its log entry and its files, so the log need not outlive
    the files; a date older than the log is answered from the rows' ingest times
    (``Store.snapshot``). Every open of a table lists the whole log folder, about 1.3 us an
    entry: hourly batches kept 30 days leave about 800 entries a table, kept 7 days about 190.
    """
    wanted = {
        "delta.checkpointInterval": str(CHECKPOINT_INTERVAL),
        "delta.logRetentionDuration": _interval(retention),
    }
    configuration = delta.metadata().configuration
    missing = {k: v for k, v in wanted.items() if configuration.get(k) != v}
    if missing:
        delta.alter.set_table_properties(
            missing,
            commit_properties=CommitProperties(custom_metadata={"humstats.operation": "upgrade"}),
            post_commithook_properties=_AFTER_APPEND,  # compaction cleans the log itself
        )


def _is_remote(location: str) -> bool:
    """Whether ``location`` is a URL of object storage rather than a path or ``file://``."""
    scheme, found, _ = location.partition("://")
    return bool(found) and scheme.lower() != "file" and len(scheme) > 1


def _read_whole(uri: str) -> str | None:
    """Why a Parquet file cannot be read to its end, or None."""
    path = uri.removeprefix("file://")
    try:
        pq.read_table(path)
        pl.scan_parquet(path, glob=False).collect()
    except (OSError, ValueError, pl.exceptions.PolarsError) as error:
        return _one_line(error)
    return None


def _record(line: str) -> dict[str, object] | None:
    """One run-log line as its record; None for a torn or foreign line."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError:
        return None
    return record if isinstance(record, dict) else None


def _json_object(path: Path) -> dict[str, object] | None:
    try:
        value = json.loads(path.read_bytes())
    except (OSError, ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fits(delta: DeltaTable | None, data: pl.DataFrame) -> bool:
    """Whether ``data``'s files can be added to ``delta`` as they are: same columns, same
    types (a table not created yet fits anything)."""
    if delta is None:
        return True
    return [(f.name, f.type) for f in delta.schema().fields] == [
        (f.name, f.type) for f in _delta_schema(data).fields
    ]


def _delta_schema(data: pl.DataFrame) -> DeltaSchema:
    arrow = data.head(0).to_arrow(compat_level=pl.CompatLevel.oldest())
    return DeltaSchema.from_arrow(arrow.schema)


def _stat_value(value: object) -> object:
    """A min or max as the Delta log writes it: dates and UTC times in ISO 8601."""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


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
