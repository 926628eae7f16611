"""The batch-folder layout before Delta Lake: read until converted, and converted in place."""

from __future__ import annotations

import hashlib
import os
import shutil
import uuid
from pathlib import Path

import polars as pl

from humstats.errors import HistoryError
from humstats.store.damage import parquet_damage
from humstats.store.layout import _MIGRATED, _MIGRATED_BATCH, _SCHEMAS, TABLES
from humstats.store.snapshot import Snapshot, _scan


class Migration:
    """``Store``'s part that reads and converts batch folders."""

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


def _digest(frame: pl.DataFrame) -> tuple[int, str]:
    """Row count and a hash of the rows whatever their order: what migration must keep."""
    rows = frame.sort(frame.columns, nulls_last=True).hash_rows(seed=0)
    return frame.height, hashlib.sha256(rows.to_numpy().tobytes()).hexdigest()[:16]
