"""The store: the only code that knows the layout of a data directory.

::

    data/
      raw/<sha[:2]>/<sha256><suffix>        every input, byte for byte
      raw/<sha[:2]>/<sha256>.meta.json      what we knew of it when it arrived
      processed/batches/<batch_id>/
          figures.parquet                   validated figures (FigureSchema)
          quarantine.parquet                rows that failed, with their reasons
          sources.parquet                   one row per input the batch stored
      processed/runs.jsonl                  append-only log of ingests and runs
      .lock

A batch is written into ``processed/tmp/`` and renamed into ``batches/`` in one step, so a
reader sees all of a batch or none of it, whatever happens to the writer. Nothing under
``batches/`` is ever edited: a correction is a new figure in a later batch.

A damaged store degrades, it never bricks: a batch with a data file that cannot be read
(truncated, overwritten) is left out of every read with one warning naming the file, so its
inputs read as not stored and ingesting them again restores their figures. ``check`` lists
such files, and archived inputs whose bytes no longer match their hash.

The metadata record was once written as ``<sha256>.json``, which for a JSON input is the
input's own name: it replaced the input. Archiving the same input again restores it, and
``check`` names the inputs still in that state.
"""

from __future__ import annotations

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
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import filelock
import polars as pl
import pyarrow.parquet as pq

from humstats.errors import ConfigError, InputError, LockedError, StoreError, shown
from humstats.schema import DTYPES, QUARANTINE_COLUMNS

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

log = logging.getLogger(__name__)
T = TypeVar("T")

_TABLES = ("figures", "quarantine", "sources")
META_SUFFIX = ".meta.json"
"""The archived input's metadata record: no input's archive name ends so (only an input's
last suffix is kept), so the record can never take an input's place."""
_LEGACY_META_SUFFIX = ".json"
_SUFFIX = re.compile(r"\.[a-z0-9_-]{1,16}")
_SHA = re.compile(r"[0-9a-f]{64}")
_ZSTD_LEVEL = 1
"""zstd's fastest level: on a million figures it writes faster than polars' default level
and the file comes out no larger (quotes and ids compress about as well at either)."""
_CHUNK = 1 << 20


def new_batch_id(now: dt.datetime | None = None) -> str:
    """Sortable by time, unique across concurrent runs."""
    now = now or dt.datetime.now(dt.UTC)
    return f"{now:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"


@dataclass(frozen=True)
class Archived:
    """An input as the archive holds it."""

    sha256: str
    source_file: str
    """Path of the archived copy relative to the data directory: ``raw/ab/ab…ef.csv``."""
    original: Path
    size: int


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


class Store:
    """A data directory: raw archive, processed batches, run log and lock."""

    def __init__(self, data_dir: str | os.PathLike[str]) -> None:
        self.root = Path(data_dir)
        self.raw_dir = self.root / "raw"
        self.processed_dir = self.root / "processed"
        self.batches_dir = self.processed_dir / "batches"
        self.runs_path = self.processed_dir / "runs.jsonl"
        self.lock_path = self.root / ".lock"
        self._warned: set[Path] = set()
        self._unreadable: dict[Path, str] = {}
        """Files whose footer is sound but whose data is not, found by ``read``."""
        if self.root.exists() and not self.root.is_dir():
            raise ConfigError(f"the data folder {shown(self.root)} is a file, not a folder")

    def __repr__(self) -> str:
        return f"Store({str(self.root)!r})"

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

        A batch left half-written by a killed process is cleared on entry, since only the
        lock holder writes. The lock is reentrant within a process: a scheduled run holds it
        from start to end and the ingest it calls takes it again.
        """
        lock = filelock.FileLock(self.lock_path.resolve(), is_singleton=True)
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            lock.acquire(timeout=timeout)
        except filelock.Timeout as error:  # a TimeoutError, so an OSError: first
            raise LockedError(self.lock_path) from error
        except OSError as error:
            raise _environment(self.root, error) from error
        try:
            shutil.rmtree(self.processed_dir / "tmp", ignore_errors=True)
            yield
        finally:
            lock.release()

    # -- batches -----------------------------------------------------------------------

    def ingested_hashes(self) -> set[str]:
        """Content hashes of every input a committed batch holds."""
        sources = self.read(lambda: self.sources().select("sha256").collect())
        return set(sources["sha256"].to_list())

    def commit(
        self,
        batch_id: str,
        figures: pl.DataFrame,
        quarantine: pl.DataFrame,
        sources: pl.DataFrame,
    ) -> Path:
        """Make a batch visible, all at once. Call with the lock held.

        Raises ``StoreError`` (the disk is full, the folder read-only) with nothing committed:
        the staging folder is removed and no batch appears.
        """
        staging = self.processed_dir / "tmp" / batch_id
        try:
            staging.mkdir(parents=True, exist_ok=False)
            for name, frame in zip(_TABLES, (figures, quarantine, sources), strict=True):
                frame.write_parquet(
                    staging / f"{name}.parquet", compression="zstd", compression_level=_ZSTD_LEVEL
                )
            for name in _TABLES:
                with (staging / f"{name}.parquet").open("rb") as handle:
                    os.fsync(handle.fileno())
            final = self.batches_dir / batch_id
            self.batches_dir.mkdir(parents=True, exist_ok=True)
            os.replace(staging, final)
            _fsync_dir(self.batches_dir)
        except OSError as error:
            shutil.rmtree(staging, ignore_errors=True)
            raise _environment(self.root, error) from error
        return final

    def _batch_files(self) -> dict[str, dict[str, Path]]:
        """Committed batches and their data files by table (the one place that lists them)."""
        if not self.batches_dir.is_dir():
            return {}
        batches: dict[str, dict[str, Path]] = {}
        for folder in sorted(self.batches_dir.iterdir()):
            if folder.is_dir():
                batches[folder.name] = {
                    name: folder / f"{name}.parquet"
                    for name in _TABLES
                    if (folder / f"{name}.parquet").exists()
                }
        return batches

    def damaged_files(self) -> list[Damage]:
        """Data files that cannot be read, found cheaply (their footers); ``check`` reads
        every file whole."""
        damaged = []
        for files in self._batch_files().values():
            for path in files.values():
                if problem := parquet_damage(path):
                    damaged.append(Damage(self._relative(path), problem))
        return damaged

    def table_files(self, table: str) -> list[Path]:
        """The readable data files of ``table``: a batch with any damaged file is left out
        whole (one warning per damaged file), so figures and sources stay in step."""
        files = []
        for batch, paths in self._batch_files().items():
            problems = {
                path: self._unreadable.get(path) or parquet_damage(path) for path in paths.values()
            }
            damaged = {path: problem for path, problem in problems.items() if problem}
            for path, problem in damaged.items():
                if path not in self._warned:
                    self._warned.add(path)
                    log.warning(
                        "skipping batch %s: %s (run humstats check; ingest its inputs again "
                        "to restore them)",
                        batch,
                        Damage(self._relative(path), problem),
                    )
            if not damaged and table in paths:
                files.append(paths[table])
        return files

    def read(self, build: Callable[[], T]) -> T:
        """``build()`` (which reads this store's frames), skipping a batch whose data turns
        out damaged inside a file with a sound footer: such a file is found only by reading
        it, so on a read error every data file is read whole once, the damaged ones are left
        out (with the usual warning) and ``build()`` runs again."""
        try:
            return build()
        except (pl.exceptions.PolarsError, OSError):
            if not self.find_unreadable():
                raise  # not the store's data files: the caller's own error
            return self.read(build)

    def find_unreadable(self) -> dict[Path, str]:
        """Read every data file whole; the damaged ones not known yet are returned and left
        out of every later read of this ``Store``."""
        found = {
            path: problem
            for files in self._batch_files().values()
            for path in files.values()
            if path not in self._unreadable and (problem := _read_whole(path))
        }
        self._unreadable.update(found)
        return found

    def _relative(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.root))
        except ValueError:
            return str(path)

    def _scan(self, table: str, schema: dict[str, pl.DataType]) -> pl.LazyFrame:
        files = self.table_files(table)
        if not files:
            return pl.LazyFrame(schema=schema)
        # paths are never patterns: a data folder named "data[1]" is read as it is
        return pl.scan_parquet(files, schema=schema, missing_columns="insert", glob=False)

    def figures(self) -> pl.LazyFrame:
        """Every stored figure, as a lazy frame in ``FigureSchema``'s columns."""
        return self._scan("figures", DTYPES)

    def quarantine(self) -> pl.LazyFrame:
        schema = {c: pl.String() for c in QUARANTINE_COLUMNS} | {"input_row": pl.Int64()}
        return self._scan("quarantine", {c: schema[c] for c in QUARANTINE_COLUMNS})

    def sources(self) -> pl.LazyFrame:
        return self._scan("sources", SOURCE_DTYPES)

    # -- run log -----------------------------------------------------------------------

    def log_run(self, record: dict[str, object]) -> None:
        """Append one JSON line; a line is written whole or, after a crash, not at all.

        A torn last line (a crash or a full disk mid-write) is ended first, so it never
        swallows the record appended after it.
        """
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

    def runs(self) -> list[dict[str, object]]:
        """The run log, oldest first; a torn last line (a crash mid-write) is skipped."""
        if not self.runs_path.exists():
            return []
        records = []
        for line in self.runs_path.read_text(encoding="utf-8", errors="replace").splitlines():
            with contextlib.suppress(json.JSONDecodeError):
                record = json.loads(line)
                if isinstance(record, dict):
                    records.append(record)
        return records

    # -- check -------------------------------------------------------------------------

    def check(self) -> list[Damage]:
        """Everything wrong with the store, one ``Damage`` each: archived inputs whose bytes
        do not match their hash (or that are missing), metadata records and data files that
        cannot be read, run-log lines that are not JSON."""
        problems = self._check_archive()
        for files in self._batch_files().values():
            for path in files.values():
                if problem := _read_whole(path):
                    problems.append(Damage(self._relative(path), problem))
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


def _read_whole(path: Path) -> str | None:
    """Why a Parquet file cannot be read to its end, or None."""
    try:
        pq.read_table(path)
        pl.scan_parquet(path, glob=False).collect()
    except (OSError, ValueError, pl.exceptions.PolarsError) as error:
        return _one_line(error)
    return None


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
