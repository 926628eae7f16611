"""A batch made visible all at once: one data file and one Delta commit per table, the
sources commit last (``humstats.store`` says why).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import re
import uuid
from collections.abc import Mapping

import polars as pl
from deltalake import (
    CommitProperties,
    DeltaTable,
    PostCommitHookProperties,
    Transaction,
    WriterProperties,
    write_deltalake,
)
from deltalake.exceptions import CommitFailedError, DeltaError
from deltalake.schema import Schema as DeltaSchema
from deltalake.transaction import AddAction, create_table_with_add_actions

import humstats.store
from humstats.store.files import _writing
from humstats.store.layout import (
    _MIGRATED,
    _MIGRATED_BATCH,
    _SCHEMAS,
    STATS_COLUMNS,
    TABLES,
    _table_properties,
)
from humstats.store.snapshot import _FILES, _base, _files_of

log = logging.getLogger(__package__)  # "humstats.store", whichever module speaks


_ZSTD_LEVEL = 1
"""zstd's fastest level: on a million figures it writes faster than the default level and
the file comes out no larger (quotes and ids compress about as well at either)."""

_AFTER_APPEND = PostCommitHookProperties(create_checkpoint=True, cleanup_expired_logs=False)
"""Checkpoint after an append when the interval says so, but leave the expired log entries
to compaction: delta-rs' cleanup lists the whole log on every commit (at 3,000 commits that
tripled an append: 85 ms, against 28 without it)."""

_COMMIT_ATTEMPTS = 20


class Committing:
    """``Store``'s part that appends a batch to the tables."""

    def commit(
        self,
        batch_id: str,
        figures: pl.DataFrame,
        quarantine: pl.DataFrame,
        sources: pl.DataFrame,
        *,
        metadata: Mapping[str, str] | None = None,
    ) -> int:
        """Make a batch visible, all at once (see ``humstats.store``); returns the store
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
                humstats.store.failpoint(f"commit:{table}")
                self._append(table, frame, CommitProperties(custom_metadata=custom))
        humstats.store.failpoint("commit:sources")
        transactions = [Transaction(_MIGRATED, 1)] if metadata and _MIGRATED in metadata else []
        version = self._append(
            "sources",
            sources,
            CommitProperties(custom_metadata=custom, app_transactions=transactions or None),
        )
        humstats.store.failpoint("commit:done")
        assert version is not None  # the sources table always gives its version
        return version

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
        if remote or humstats.store.PARTITION_BY.get(table) or not _fits(delta, data):
            return self._append_through_delta(table, data, properties, delta)
        add = self._write_data_file(table, data)
        attempt = 0
        while True:
            # the table as loaded may be stale by the commit
            humstats.store.failpoint(f"append:{table}")
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
            # the table as loaded may be stale by the commit
            humstats.store.failpoint(f"append:{table}")
            try:
                write_deltalake(
                    delta if delta is not None else self.table_uri(table),
                    data,  # handed over through the Arrow C stream, no copy
                    mode="append",
                    schema_mode="merge",
                    partition_by=list(humstats.store.PARTITION_BY.get(table, ())) or None,
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
