"""What a data directory holds: its tables, their schemas, the statistics and properties
they are written with, and how names in it are formed (the package docstring draws it).
"""

from __future__ import annotations

import datetime as dt
import re
import uuid

import polars as pl

from humstats.schema import DTYPES, QUARANTINE_COLUMNS, QUARANTINE_EXTRA

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

_SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    "figures": DTYPES,
    "quarantine": QUARANTINE_DTYPES,
    "sources": SOURCE_DTYPES,
}
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
    """What a table is created with (``compact`` sets them on tables made before). No
    commit deletes expired log entries by itself, not even another engine's: only
    compaction does, once the store's version record holds them (``Store.compact``)."""
    return {
        "delta.dataSkippingStatsColumns": ",".join(STATS_COLUMNS[table]),
        "delta.checkpointInterval": str(CHECKPOINT_INTERVAL),
        "delta.logRetentionDuration": _interval(RETENTION),
        "delta.enableExpiredLogCleanup": "false",
    }


def _interval(span: dt.timedelta) -> str:
    """A Delta table property's duration: whole days or hours when it is, else minutes
    (rounded up)."""
    minutes = -(-span // dt.timedelta(minutes=1))
    if minutes % (24 * 60) == 0:
        return f"interval {minutes // (24 * 60)} days"
    if minutes % 60 == 0:
        return f"interval {minutes // 60} hours"
    return f"interval {minutes} minutes"


PARTITION_BY: dict[str, tuple[str, ...]] = {}
"""Hive partition columns of a table, used when the table is created (none: see ``ZORDER``;
``bench/store.py --partition`` measures the alternative)."""

COMPACT_THRESHOLD = 200
"""Data files (all tables) past which ``humstats run`` compacts the store."""

RETENTION = dt.timedelta(days=7)
"""How long compaction keeps replaced files, so ``--as-of`` reaches back at least this far."""

LOG_RETENTION = dt.timedelta(minutes=1)
"""How long compaction keeps a local table's log entries (those before a checkpoint).

Every open of a table and every commit lists the whole log folder (about 1.4 us an entry):
a backfill of 10,000 batches kept for the week of ``RETENTION`` made each later ingest cost
2.5 times as much. ``--as-of`` does not need the entries: the store's version record
(``Store.versions_path``) keeps each version's time and batch, and the rows keep their
ingest times. An entry young enough that a process may have listed it and not yet read
it stays: humstats reads a log within a second of listing it, and a minute is what another
engine's writer may take between reading a table and committing to it (one that takes
longer fails its commit and retries; nothing is lost). ``--log-retain`` keeps more for other
engines' time travel and change feeds."""

TARGET_FILE_SIZE = 32 << 20
"""Bytes compaction packs small files into (a million or so figures); larger files are left
as they are, so compaction stays incremental."""

_MIGRATED = "humstats-migrate"
_MIGRATED_BATCH = "migrated"
"""Application id of the commit that carries a migrated batch-folder store."""


def new_batch_id(now: dt.datetime | None = None) -> str:
    """Sortable by time, unique across concurrent runs."""
    now = now or dt.datetime.now(dt.UTC)
    return f"{now:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"


def _is_remote(location: str) -> bool:
    """Whether ``location`` is a URL of object storage rather than a path or ``file://``."""
    scheme, found, _ = location.partition("://")
    return bool(found) and scheme.lower() != "file" and len(scheme) > 1
