"""The exception tree of humstats.

Bad *values* are never exceptions: they become quarantine rows. An exception means the work
cannot continue, and its ``exit_code`` tells the command line what to return::

    HumstatsError                 exit 1
    ├── InputError                an input cannot be read at all (unknown format, garbage)
    ├── ConfigError               exit 2: bad humstats.toml, bad --mapping, bad option value
    ├── LockedError               exit 3: another run holds the store's lock (transient)
    ├── QueryError                a query is refused or fails
    ├── StoreError                the data directory cannot be written (read-only, disk full)
    ├── HistoryError              an --as-of the store does not have or no longer keeps
    └── MissingDependencyError    an optional engine is not installed; says how to install it
"""

from __future__ import annotations


def shown(path: object) -> str:
    """A path as text any output accepts: a file name's bytes that are not UTF-8 (a Latin-1
    name from an old share) become ``\\xNN`` escapes instead of failing every write."""
    text = str(path)
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


class HumstatsError(Exception):
    """Root of every error humstats raises on purpose."""

    exit_code = 1
    transient = False


class InputError(HumstatsError):
    """An input cannot be read at all; the message names the file and the problem."""

    def __init__(self, path: object, problem: str) -> None:
        self.path, self.problem = shown(path), problem
        super().__init__(f"cannot read {self.path}: {problem}")


class ConfigError(HumstatsError):
    """A configuration, mapping file or option is wrong; retrying cannot help."""

    exit_code = 2


class LockedError(HumstatsError):
    """Another process holds the store's lock; trying again later can help."""

    exit_code = 3
    transient = True

    def __init__(self, lock_path: object) -> None:
        self.lock_path = str(lock_path)
        super().__init__(f"another humstats run holds the lock {lock_path}")


class QueryError(HumstatsError):
    """A query was refused (it writes) or failed in the engine."""


class StoreError(HumstatsError):
    """The data directory cannot be read or written as a whole: it is read-only, the disk is
    full, or the path is not a folder. Nothing was committed; retrying after a fix helps."""

    def __init__(self, path: object, problem: str) -> None:
        self.path, self.problem = shown(path), problem
        super().__init__(f"cannot write to the store at {self.path}: {problem}")


class HistoryError(HumstatsError):
    """The store cannot answer for that moment: a version it never had, one whose files
    compaction has removed, or a migration whose check failed (the store is left as it was)."""


class MissingDependencyError(HumstatsError):
    """An optional dependency is missing; the message carries the install command."""

    def __init__(self, feature: str, package: str) -> None:
        self.feature, self.package = feature, package
        super().__init__(f'{feature} needs {package}: pip install "{package}"')
