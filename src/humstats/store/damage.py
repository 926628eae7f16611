"""What is wrong with a store, and reading around it: a damaged data file is left out with
one warning, ``check`` lists everything.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import polars as pl
import pyarrow.parquet as pq
from deltalake.exceptions import DeltaError

from humstats.store.files import _json_object, _one_line, _sha256, _stat
from humstats.store.layout import _LEGACY_META_SUFFIX, _SHA, META_SUFFIX, TABLES
from humstats.store.snapshot import Snapshot

log = logging.getLogger(__package__)  # "humstats.store", whichever module speaks
T = TypeVar("T")


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


class Checks:
    """``Store``'s part that finds damage and reads around it."""

    def check(self) -> list[Damage]:
        """Everything wrong with the store, one ``Damage`` each: archived inputs whose bytes
        do not match their hash (or that are missing), metadata records, data files and the
        version record that cannot be read, run-log lines that are not JSON."""
        problems = self._check_archive()
        record = [str(self.versions_path)] if self.versions_path.exists() else []
        for uri in [*self._data_files(), *record]:
            if problem := _read_whole(uri):
                problems.append(Damage(self._relative(uri), problem))
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

    def damaged_files(self) -> list[Damage]:
        """Data files that cannot be used, found cheaply (sizes, footers of batch folders);
        ``check`` reads every file whole."""
        snapshot = Snapshot(self, self._fresh, {})
        damaged = [Damage(self._relative(uri), problem) for uri, problem in snapshot.damaged()]
        if self.batches_dir.is_dir():
            for path in sorted(self.batches_dir.glob("*/*.parquet")):
                if problem := parquet_damage(path):
                    damaged.append(Damage(self._relative(str(path)), problem))
        return damaged

    def find_unreadable(self) -> dict[str, str]:
        """Read every data file whole; the damaged ones not known yet are returned and left
        out of every later read of this ``Store``. On object storage nothing is: a failed read
        there is more likely the network or the credentials, and is reported as it is."""
        if self.url is not None:
            return {}
        found = {
            uri: problem
            for uri in self._data_files()
            if uri not in self._unreadable and (problem := _read_whole(uri))
        }
        self._unreadable.update(found)
        return found

    def _data_files(self) -> list[str]:
        """Every data file of the latest version, Delta tables and batch folders alike."""
        snapshot = Snapshot(self, self._fresh, {})
        files = [uri for table in TABLES for uri in snapshot._files(table)["uri"].to_list()]
        if self.batches_dir.is_dir():
            files += sorted(str(p) for p in self.batches_dir.glob("*/*.parquet"))
        return files

    def read(self, build: Callable[[], T]) -> T:
        """``build()`` (which reads this store's frames), leaving out a file whose data turns
        out damaged behind a sound size and footer: such a file is found only by reading it,
        so on a read error every data file is read whole once, the damaged ones are left out
        (with the usual warning) and ``build()`` runs again."""
        try:
            return build()
        except (pl.exceptions.PolarsError, OSError, DeltaError):
            if not self.find_unreadable():
                raise  # not the store's data files: the caller's own error
            return self.read(build)

    def file_problem(self, uri: str, size: int) -> str | None:
        """Why a data file the log lists cannot be used, as far as its size tells (a ``stat``,
        on local stores), or what a failed read found; None when it looks sound."""
        if uri in self._unreadable:
            return self._unreadable[uri]
        if "://" in uri.removeprefix("file://"):
            return None
        stat = _stat(Path(uri.removeprefix("file://")))
        if stat is None:
            return "missing"
        if stat.st_size != size:
            return f"truncated or overwritten ({stat.st_size} bytes, {size} committed)"
        return None

    def warn(self, uri: str, problem: str) -> bool:
        """Say once per ``Store`` that a damaged file is left out; True, for filters."""
        if uri not in self._warned:
            self._warned.add(uri)
            log.warning(
                "skipping %s (run humstats check; ingest its inputs again to restore them)",
                Damage(self._relative(uri), problem),
            )
        return True

    def _relative(self, path: str | Path) -> str:
        try:
            return str(Path(str(path).removeprefix("file://")).relative_to(self.root.resolve()))
        except ValueError:
            try:
                return str(Path(path).relative_to(self.root))
            except ValueError:
                return str(path)


def _read_whole(uri: str) -> str | None:
    """Why a Parquet file cannot be read to its end, or None."""
    path = uri.removeprefix("file://")
    try:
        pq.read_table(path)
        pl.scan_parquet(path, glob=False).collect()
    except (OSError, ValueError, pl.exceptions.PolarsError) as error:
        return _one_line(error)
    return None
