"""Compaction and housekeeping: small files merged, files and log entries no version inside
the retention window needs deleted, rows no reader was ever shown dropped.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

import polars as pl
from deltalake import CommitProperties, DeltaTable
from deltalake.exceptions import DeltaError

import humstats.store
from humstats.errors import StoreError
from humstats.store.commit import _AFTER_APPEND
from humstats.store.files import _one_line
from humstats.store.layout import (
    _SCHEMAS,
    CHECKPOINT_INTERVAL,
    COMPACT_THRESHOLD,
    LOG_RETENTION,
    RETENTION,
    TABLES,
    ZORDER,
    _interval,
)
from humstats.store.snapshot import Snapshot, _scan

log = logging.getLogger(__package__)  # "humstats.store", whichever module speaks


@dataclass(frozen=True)
class Compaction:
    """What ``Store.compact`` did: data files before and after, files it deleted."""

    files_before: int
    files_after: int
    removed: int


_CLUSTERED_ROWS = "humstats.clusteredRows"
"""Table property: how many rows the table held when it was last clustered by ``ZORDER``."""


class Housekeeping:
    """``Store``'s part that compacts."""

    def compact(
        self,
        *,
        retention: dt.timedelta = RETENTION,
        lock_timeout: float = 60.0,
        zorder: bool | None = None,
        log_retention: dt.timedelta | None = None,
    ) -> Compaction:
        """Merge small files, then delete files no version within ``retention`` needs.

        Compaction rewrites files without changing a row (Delta's optimize), so every
        version stays readable until ``retention`` has passed. What a killed writer left
        goes too once it is older than ``retention``: files outside any commit, and rows
        of batches whose sources commit never came (rows no reader was ever shown, so
        other engines reading the tables directly do not see them either). ``zorder``
        forces or forbids clustering by ``ZORDER``; by default it happens when worthwhile
        (``_optimize``).

        ``log_retention`` is how long the tables' logs are kept (by default ``LOG_RETENTION``,
        a minute, on a local store; as long as the files on object storage): the log entries
        before a fresh checkpoint that are older than it go, so a store that took many
        batches inside one window (a backfill) stops paying for them at every open and
        commit, which list the whole log. First the store's version record takes every
        version the sources log holds, so ``--as-of VERSION`` still names each one, and a
        date is answered from the rows' ingest times (``Store.snapshot``). Entries younger
        than ``log_retention`` stay: a reader or a writer on another machine that listed the
        log just before may still need them (zero is for a store nothing else uses
        meanwhile).
        """
        with self.lock(lock_timeout):
            try:
                return self._compact(retention, zorder, log_retention)
            except DeltaError as error:
                problem = f"compaction failed: {_one_line(error)} (run humstats check)"
                raise StoreError(self.root, problem) from error

    def compact_if_needed(
        self,
        threshold: int = COMPACT_THRESHOLD,
        retention: dt.timedelta = RETENTION,
        log_retention: dt.timedelta | None = None,
    ) -> Compaction | None:
        """Compact when the tables hold more than ``threshold`` data files."""
        if self.data_files() <= threshold:
            return None
        return self.compact(retention=retention, log_retention=log_retention)

    def _compact(
        self, retention: dt.timedelta, zorder: bool | None, log_retention: dt.timedelta | None
    ) -> Compaction:
        if log_retention is None:  # no version record on object storage: keep the log
            log_retention = retention if self.url is not None else min(LOG_RETENTION, retention)
        before = self.data_files()
        removed = 0
        hours = max(0, int(retention.total_seconds() // 3600))
        snapshot = self.snapshot()
        cutoff = dt.datetime.now(dt.UTC) - retention
        for table in TABLES:
            delta = self._open(table)
            if delta is None:
                continue
            humstats.store.failpoint(f"compact:{table}")
            _upgrade(delta, log_retention)
            if table != "sources":
                self._drop_hidden(delta, table, snapshot, cutoff)
            self._optimize(delta, table, zorder)
            humstats.store.failpoint(f"vacuum:{table}")
            removed += len(
                delta.vacuum(
                    retention_hours=hours,
                    dry_run=False,
                    enforce_retention_duration=False,
                    full=True,
                )
            )
            if table == TABLES[-1] and self.url is None:
                self._record_versions()  # the sources log names the store's versions
                humstats.store.failpoint("compact:recorded")
            if log_retention < retention:
                delta.create_checkpoint()  # so that the entries before it may go now
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
            size = files["size_bytes"].sum()
            zorder = size > humstats.store.TARGET_FILE_SIZE and rows >= 2 * clustered
        properties = CommitProperties(custom_metadata={"humstats.operation": "compact"})
        if order and zorder:
            delta.optimize.z_order(
                order, target_size=humstats.store.TARGET_FILE_SIZE, commit_properties=properties
            )
            # a property, not the optimize commit's metadata: reading it needs no history
            delta.alter.set_table_properties(
                {_CLUSTERED_ROWS: str(rows)},
                raise_if_not_exists=False,
                commit_properties=properties,
            )
        elif files.height > 1:
            delta.optimize.compact(
                target_size=humstats.store.TARGET_FILE_SIZE, commit_properties=properties
            )

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


def _upgrade(delta: DeltaTable, retention: dt.timedelta) -> None:
    """Give a table made by an older humstats the properties new tables get, and a log kept
    as long as ``retention`` (the log's) and no longer (Delta's default is 30 days).

    Delta's time travel needs a version's log entry and its files; humstats answers a
    version or a date older than the log from its version record and the rows' ingest
    times (``Store.snapshot``). Every open of a table lists the whole log folder, about
    1.4 us an entry: 10,000 batches of a backfill kept a week made each later ingest list
    22,000 entries six times.
    """
    wanted = {
        "delta.checkpointInterval": str(CHECKPOINT_INTERVAL),
        "delta.logRetentionDuration": _interval(retention),
        "delta.enableExpiredLogCleanup": "false",
    }
    configuration = delta.metadata().configuration
    missing = {k: v for k, v in wanted.items() if configuration.get(k) != v}
    if missing:
        delta.alter.set_table_properties(
            missing,
            commit_properties=CommitProperties(custom_metadata={"humstats.operation": "upgrade"}),
            post_commithook_properties=_AFTER_APPEND,  # compaction cleans the log itself
        )


def _sql(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
