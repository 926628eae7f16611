"""What one command keeps for the next in ``data/.cache/``: each table's data files at its
newest version, and each data file's row counts. Never the only copy of anything.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Sequence
from pathlib import Path

import polars as pl

from humstats.store.files import _write_atomic
from humstats.store.layout import _SCHEMAS
from humstats.store.snapshot import _FILES

_KEPT_VERSION = "humstats.version"
_KEPT_BASE = "humstats.base"


class Kept:
    """``Store``'s part that keeps file lists and counts beside the tables."""

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
