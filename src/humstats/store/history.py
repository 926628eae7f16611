"""``--as-of``: what the store held at a version or a moment, through Delta's time travel
inside the log and through the rows' ingest times before it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

from deltalake import DeltaTable

from humstats.errors import ConfigError, HistoryError
from humstats.store.layout import _COMMIT, RETENTION, TABLES
from humstats.store.snapshot import Snapshot

AsOf = int | dt.date | dt.datetime


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
