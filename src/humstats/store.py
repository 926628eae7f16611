"""The store: the only code that knows the layout of a data directory.

::

    data/
      raw/<sha[:2]>/<sha256><suffix>        every input, byte for byte
      raw/<sha[:2]>/<sha256>.json           what we knew of it when it arrived
      processed/batches/<batch_id>/
          figures.parquet                   validated figures (FigureSchema)
          quarantine.parquet                rows that failed, with their reasons
          sources.parquet                   one row per input the batch stored
      processed/runs.jsonl                  append-only log of ingests and runs
      .lock

A batch is written into ``processed/tmp/`` and renamed into ``batches/`` in one step, so a
reader sees all of a batch or none of it, whatever happens to the writer. Nothing under
``batches/`` is ever edited: a correction is a new figure in a later batch.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import filelock
import polars as pl

from humstats.errors import InputError, LockedError
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

_TABLES = ("figures", "quarantine", "sources")
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
        tmp.unlink(missing_ok=True)


class Store:
    """A data directory: raw archive, processed batches, run log and lock."""

    def __init__(self, data_dir: str | os.PathLike[str]) -> None:
        self.root = Path(data_dir)
        self.raw_dir = self.root / "raw"
        self.processed_dir = self.root / "processed"
        self.batches_dir = self.processed_dir / "batches"
        self.runs_path = self.processed_dir / "runs.jsonl"
        self.lock_path = self.root / ".lock"

    def __repr__(self) -> str:
        return f"Store({str(self.root)!r})"

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

        A batch left half-written by a killed process is cleared on entry, since only the
        lock holder writes. The lock is reentrant within a process: a scheduled run holds it
        from start to end and the ingest it calls takes it again.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        lock = filelock.FileLock(self.lock_path.resolve(), is_singleton=True)
        try:
            lock.acquire(timeout=timeout)
        except filelock.Timeout as error:
            raise LockedError(self.lock_path) from error
        try:
            shutil.rmtree(self.processed_dir / "tmp", ignore_errors=True)
            yield
        finally:
            lock.release()

    # -- batches -----------------------------------------------------------------------

    def ingested_hashes(self) -> set[str]:
        """Content hashes of every input a committed batch holds."""
        sources = self.sources().select("sha256").collect()
        return set(sources["sha256"].to_list())

    def commit(
        self,
        batch_id: str,
        figures: pl.DataFrame,
        quarantine: pl.DataFrame,
        sources: pl.DataFrame,
    ) -> Path:
        """Make a batch visible, all at once. Call with the lock held."""
        staging = self.processed_dir / "tmp" / batch_id
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
        return final

    def _scan(self, table: str, schema: dict[str, pl.DataType]) -> pl.LazyFrame:
        files = sorted(self.batches_dir.glob(f"*/{table}.parquet"))
        if not files:
            return pl.LazyFrame(schema=schema)
        return pl.scan_parquet(files, schema=schema, missing_columns="insert")

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
        """Append one JSON line; a line is written whole or, after a crash, not at all."""
        self.processed_dir.mkdir(parents=True, exist_ok=True)
        line = json.dumps(record, default=str, ensure_ascii=False) + "\n"
        fd = os.open(self.runs_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line.encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)

    def runs(self) -> list[dict[str, object]]:
        """The run log, oldest first; a torn last line (a crash mid-write) is skipped."""
        if not self.runs_path.exists():
            return []
        records = []
        for line in self.runs_path.read_text(encoding="utf-8").splitlines():
            with contextlib.suppress(json.JSONDecodeError):
                records.append(json.loads(line))
        return records


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
