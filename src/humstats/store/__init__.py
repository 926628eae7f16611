"""The store: the only code that knows the layout of a data directory.

::

    data/
      raw/<sha[:2]>/<sha256><suffix>        every input, byte for byte
      raw/<sha[:2]>/<sha256>.meta.json      what we knew of it when it arrived
      processed/figures/                    Delta Lake table: validated figures (FigureSchema)
      processed/quarantine/                 Delta Lake table: rows that failed, with reasons
      processed/sources/                    Delta Lake table: one row per stored input
      processed/runs.jsonl                  append-only log of ingests and runs
      processed/versions.parquet            each store version's commit time and batch
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
table's: one per batch (and a few per compaction). Compaction keeps the tables' logs only
a minute (every open and commit lists the whole log), so ``versions.parquet`` records each
version's commit time and batch before its log entry goes: ``--as-of VERSION`` reads the
batches committed up to it from the rows, which the store never changes.

A damaged store degrades, it never bricks: a data file that cannot be read (truncated,
overwritten, missing) is left out of every read with one warning naming it, together with
the batches its statistics say it holds, so their inputs read as not stored and ingesting
them again restores their figures. ``check`` lists such files, and archived inputs whose
bytes no longer match their hash.

The metadata record was once written as ``<sha256>.json``, which for a JSON input is the
input's own name: it replaced the input. Archiving the same input again restores it, and
``check`` names the inputs still in that state.

The package is the store; each module decides one thing: ``layout`` (the tables, their
schemas, statistics and properties), ``archive`` (the raw archive), ``snapshot`` (what one
reader sees), ``kept`` (what one command keeps for the next), ``history`` (``--as-of``),
``commit`` (a batch made visible), ``housekeeping`` (compaction), ``migration`` (the
batch-folder layout), ``damage`` (checks, and reading around damage), ``runlog`` (the run
log) and ``core`` (``Store``: paths, lock, opening tables), which puts them together.
Everything else imports from ``humstats.store`` itself, never from a module of it.
"""

from __future__ import annotations

# Tests reach the archive's copy and the files' names through here (``humstats.store.shutil``).
import shutil  # noqa: F401
import uuid  # noqa: F401
from collections.abc import Callable

from humstats.store.archive import Archived
from humstats.store.core import Store
from humstats.store.damage import Damage, parquet_damage
from humstats.store.history import AsOf, parse_as_of
from humstats.store.housekeeping import Compaction
from humstats.store.layout import (
    CHECKPOINT_INTERVAL,
    COMPACT_THRESHOLD,
    LOG_RETENTION,
    META_SUFFIX,
    PARTITION_BY,
    QUARANTINE_DTYPES,
    RETENTION,
    SOURCE_DTYPES,
    STATS_COLUMNS,
    TABLES,
    TARGET_FILE_SIZE,
    ZORDER,
    new_batch_id,
)
from humstats.store.snapshot import Snapshot

__all__ = [
    "CHECKPOINT_INTERVAL",
    "COMPACT_THRESHOLD",
    "LOG_RETENTION",
    "META_SUFFIX",
    "PARTITION_BY",
    "QUARANTINE_DTYPES",
    "RETENTION",
    "SOURCE_DTYPES",
    "STATS_COLUMNS",
    "TABLES",
    "TARGET_FILE_SIZE",
    "ZORDER",
    "Archived",
    "AsOf",
    "Compaction",
    "Damage",
    "Snapshot",
    "Store",
    "failpoint",
    "new_batch_id",
    "parquet_damage",
    "parse_as_of",
]


def _no_failpoint(point: str) -> None:
    """Crash and concurrency tests replace ``failpoint`` to kill or pause the process at a
    named step (``commit:sources``, ``compact:figures``…); it does nothing otherwise."""


failpoint: Callable[[str], None] = _no_failpoint
"""Read from here at each step, as are ``TARGET_FILE_SIZE`` and ``PARTITION_BY``: a test or a
benchmark that sets ``humstats.store.X`` changes what every module of the store does."""
