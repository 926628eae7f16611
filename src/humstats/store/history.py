"""``--as-of``: what the store held at a version or a moment, through Delta's time travel
inside the log and through the rows' ingest times before it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import polars as pl
from deltalake import DeltaTable

from humstats.errors import ConfigError, HistoryError, shown
from humstats.store.files import _one_line, _write_atomic
from humstats.store.layout import _COMMIT, RETENTION, TABLES
from humstats.store.snapshot import Snapshot

AsOf = int | dt.date | dt.datetime

_VERSIONS: dict[str, pl.DataType] = {
    "version": pl.Int64(),
    "committed_at": pl.Datetime("us", "UTC"),
    "batch_id": pl.String(),
}
"""The version record (``Store.versions_path``): each version of the sources table (the
store's), when it was committed, and the batch it made visible (null: a compaction's)."""


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


class History:
    """``Store``'s part that finds the version a moment or a version number names."""

    @property
    def versions_path(self) -> Path:
        """The store's version record: each version's commit time and batch, kept by
        compaction before it deletes their log entries, so ``--as-of VERSION`` still names
        them (the log is kept only a minute: ``LOG_RETENTION``)."""
        return self.processed_dir / "versions.parquet"

    def snapshot(self, as_of: AsOf | None = None) -> Snapshot:
        """Every table at one moment: now, or what the store held at ``as_of`` (a version
        number of the store, a date meaning the end of that day in UTC, or a datetime).

        A version or a moment is read through Delta's time travel while the tables' logs
        and files still hold it. Older, the store is read as it is now (append-only: the
        rows of then are all still there), showing only the inputs it held then: for a
        version, the batches committed up to it (the version record and the log say which
        came after); for a moment, the inputs ingested by then (a batch counts from when
        its ingest began), however far back it lies."""
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
        if self.url is not None:
            return self._remote_version(as_of)
        moment = self._recorded_time(as_of)
        if not self._before_log(moment):
            tables = {name: self._as_of(name, moment) for name in TABLES}
            if all(t is None or not self._missing_files(t) for t in tables.values()):
                return Snapshot(self, tables.__getitem__, legacy)
        later = self._later_batches(as_of)
        return Snapshot(
            self, self._fresh, legacy, known_at=moment, hidden=later, version=as_of, latest=True
        )

    def _remote_version(self, version: int) -> Snapshot:
        """A version of a store on object storage, through Delta's time travel alone (no
        version record is kept there: compaction keeps its log as long as its files)."""
        moment = self._version_time(version)

        def open_as_of(name: str) -> DeltaTable | None:
            table = self._as_of(name, moment)
            if table is not None:
                self._check_kept(table)
            return table

        return Snapshot(self, open_as_of, {})

    def _recorded_time(self, version: int) -> dt.datetime:
        """When ``version`` was committed: from its log entry, or from the version record
        once the log no longer holds it; a version neither names is a one-line error."""
        at = self._commit_time("sources", version) if version >= 0 else None
        if at is not None:
            return at
        record = self._versions()
        times = record.filter(pl.col("version") == version)["committed_at"]
        if not times.is_empty():
            return times[0]
        kept = _kept_versions(self.table_path("sources") / "_delta_log")
        newest = max([*kept, *record["version"].to_list()], default=None)
        if newest is not None and 0 <= version <= newest:
            raise HistoryError(
                f"--as-of {version}: that version was compacted away before the store "
                "began to record its versions; a date reaches back to the first batch"
            )
        raise HistoryError(
            f"--as-of {version}: no such store version (the store is at version {newest})"
            if newest is not None
            else f"--as-of {version}: the store is empty"
        )

    def _later_batches(self, version: int) -> frozenset[str]:
        """The batches committed after ``version``, from the version record and the log
        entries it does not hold yet; an error when some commit after it is known to
        neither (its entry deleted by another tool before it was recorded)."""
        record = self._versions()
        later = set(record.filter(pl.col("version") > version)["batch_id"].drop_nulls())
        known = set(record["version"].to_list())
        for v in _kept_versions(self.table_path("sources") / "_delta_log"):
            if v > version and v not in known:
                info = self._commit_info("sources", v)
                if info is None:  # deleted since it was listed: recorded first
                    record = self._versions()
                    info = _row(record, v)
                if info is not None:
                    known.add(v)
                    if info[1] is not None:
                        later.add(info[1])
        newest = max(known, default=version)
        if not known.issuperset(range(version + 1, newest + 1)):
            raise HistoryError(
                f"--as-of {version}: the store no longer knows every commit after that "
                "version (its log entries were deleted before it recorded them); a date "
                "reaches back to the first batch"
            )
        return frozenset(later)

    def _versions(self) -> pl.DataFrame:
        """The version record (empty when there is none yet). A damaged one is an error, not
        an empty record: compaction would otherwise delete log entries no record holds."""
        try:
            return pl.read_parquet(self.versions_path, schema=_VERSIONS)
        except FileNotFoundError:
            return pl.DataFrame(schema=_VERSIONS)
        except (OSError, pl.exceptions.PolarsError) as error:
            raise HistoryError(
                f"the store's version record {shown(self.versions_path)} is unreadable "
                f"({_one_line(error)}): restore it from a backup; until then compaction "
                "cannot clean the log and --as-of VERSION cannot read before the log"
            ) from error

    def _record_versions(self) -> None:
        """Add every sources commit the log holds and the record lacks to the version
        record (before compaction deletes log entries: the record must already name them)."""
        record = self._versions()
        last = record["version"].max() if record.height else -1
        log_dir = self.table_path("sources") / "_delta_log"
        rows = [
            {"version": v, "committed_at": info[0], "batch_id": info[1]}
            for v in _kept_versions(log_dir)
            if v > last and (info := self._commit_info("sources", v)) is not None
        ]
        if rows:
            frame = pl.concat([record, pl.DataFrame(rows, schema=_VERSIONS)])
            _write_atomic(self.versions_path, frame.write_parquet)

    def _before_log(self, moment: dt.datetime) -> bool:
        """Whether ``moment`` is older than some table's oldest kept commit, where
        compaction has cleaned its log (so time travel cannot say what was current then)."""
        if self.url is not None:
            sources = self._open("sources")
            if sources is None:
                return False
            times = self._commit_times(sources)
            oldest = min(times, default=0)
            first = times.get(oldest)
            return oldest > 0 and first is not None and moment < first
        for table in TABLES:
            kept = _kept_versions(self.table_path(table) / "_delta_log")
            if kept and kept[0] > 0:
                first = self._commit_time(table, kept[0])
                if first is not None and moment < first:
                    return True
        return False

    def _version_time(self, version: int) -> dt.datetime:
        sources = self._open("sources")
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

    def _version_at(self, table: str, delta: DeltaTable, moment: dt.datetime) -> int | None:
        """``table``'s last version committed at or before ``moment`` (None: none was).

        On a local store a binary search reads about 14 log entries of 10,000, where the
        table's history reads them all; commits are timestamped in order, as Delta's
        time travel assumes. On object storage, and wherever an entry is missing, the
        history answers."""
        if self.url is None:
            kept = _kept_versions(self.table_path(table) / "_delta_log")
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

    def _commit_time(self, table: str, version: int) -> dt.datetime | None:
        """When ``version`` of ``table`` was committed (its commit's own timestamp, which a
        copy of the store keeps), read from that one log entry; None when it is gone."""
        info = self._commit_info(table, version)
        return None if info is None else info[0]

    def _commit_info(self, table: str, version: int) -> tuple[dt.datetime, str | None] | None:
        """When ``version`` of ``table`` was committed, and the batch it holds (None for a
        commit of no batch), from that one log entry; None when it is gone."""
        path = self.table_path(table) / "_delta_log" / f"{version:020d}.json"
        try:
            with path.open("rb") as handle:
                for line in handle:
                    info = json.loads(line).get("commitInfo")
                    if isinstance(info, dict) and "timestamp" in info:
                        at = dt.datetime.fromtimestamp(info["timestamp"] / 1000, dt.UTC)
                        batch = info.get("humstats.batch_id")
                        return at, batch if isinstance(batch, str) else None
        except (OSError, ValueError):
            return None
        return None

    def _commit_times(self, table: DeltaTable) -> dict[int, dt.datetime]:
        return {
            int(entry["version"]): dt.datetime.fromtimestamp(entry["timestamp"] / 1000, dt.UTC)
            for entry in table.history()
            if "version" in entry
        }

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


def _row(record: pl.DataFrame, version: int) -> tuple[dt.datetime, str | None] | None:
    rows = record.filter(pl.col("version") == version).rows()
    return (rows[0][1], rows[0][2]) if rows else None


def _kept_versions(log_dir: Path) -> list[int]:
    """The versions whose commits a local table's log still holds, oldest first."""
    try:
        return sorted(int(p.name[:20]) for p in os.scandir(log_dir) if _COMMIT.fullmatch(p.name))
    except FileNotFoundError:
        return []
