"""humstats: humanitarian figures with their provenance.

The library is the product; the ``humstats`` command is a thin layer over these names.

>>> import humstats                                                       # doctest: +SKIP
>>> humstats.open("data").figures().collect()
"""

from humstats.api import Dataset, open
from humstats.errors import (
    ConfigError,
    HistoryError,
    HumstatsError,
    InputError,
    LockedError,
    MissingDependencyError,
    QueryError,
    StoreError,
)
from humstats.run import IngestResult, ingest
from humstats.schema import COLUMNS, FigureSchema, SourceMeta
from humstats.store import Store
from humstats.validate import Validation, validate_figures

__all__ = [
    "COLUMNS",
    "ConfigError",
    "Dataset",
    "FigureSchema",
    "HistoryError",
    "HumstatsError",
    "IngestResult",
    "InputError",
    "LockedError",
    "MissingDependencyError",
    "QueryError",
    "SourceMeta",
    "Store",
    "StoreError",
    "Validation",
    "ingest",
    "open",
    "validate_figures",
]
