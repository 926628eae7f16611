"""The exception tree of humstats.

Bad *values* are never exceptions: they become quarantine rows. An exception means the work
cannot continue, and its ``exit_code`` tells the command line what to return::

    HumstatsError                 exit 1
    ├── InputError                an input cannot be read at all (unknown format, garbage)
    ├── ConfigError               exit 2: bad humstats.toml, bad --mapping, bad option value
    ├── LockedError               exit 3: another run holds the store's lock (transient)
    ├── QueryError                a query is refused or fails
    ├── StoreError                the store cannot answer (a version compacted away, a failed check)
    └── MissingDependencyError    an optional engine is not installed; says how to install it
"""

from __future__ import annotations


class HumstatsError(Exception):
    """Root of every error humstats raises on purpose."""

    exit_code = 1
    transient = False


class InputError(HumstatsError):
    """An input cannot be read at all; the message names the file and the problem."""

    def __init__(self, path: object, problem: str) -> None:
        self.path, self.problem = str(path), problem
        super().__init__(f"cannot read {path}: {problem}")


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
    """The store cannot do what was asked: an ``--as-of`` it no longer keeps, a migration
    whose check failed. The store itself is left as it was."""


class MissingDependencyError(HumstatsError):
    """An optional dependency is missing; the message carries the install command."""

    def __init__(self, feature: str, package: str) -> None:
        self.feature, self.package = feature, package
        super().__init__(f'{feature} needs {package}: pip install "{package}"')
