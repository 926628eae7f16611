"""humstats: humanitarian figures with their provenance.

The library is the product; the ``humstats`` command is a thin layer over these names.
"""

from humstats.errors import (
    ConfigError,
    HumstatsError,
    InputError,
    LockedError,
    MissingDependencyError,
    QueryError,
)
from humstats.run import IngestResult, ingest
from humstats.schema import COLUMNS, FigureSchema, SourceMeta
from humstats.store import Store
from humstats.validate import Validation, validate_figures

__all__ = [
    "COLUMNS",
    "ConfigError",
    "FigureSchema",
    "HumstatsError",
    "IngestResult",
    "InputError",
    "LockedError",
    "MissingDependencyError",
    "QueryError",
    "SourceMeta",
    "Store",
    "Validation",
    "ingest",
    "validate_figures",
]
