"""Readers turn one input file into what the next stage needs: a ``Table`` of text cells for
normalisation, or ``Document``s of prose for extraction.

Each format has one module with a ``read(path)`` function; ``read`` here dispatches on the
file's suffix so callers never pick a reader themselves.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from humstats.config import DEFAULT_LIMITS, Limits
from humstats.errors import InputError
from humstats.schema import SourceMeta


@dataclass
class Table:
    """A table as read: every cell still text, so normalisation decides what a cell means.

    ``first_row`` is the input row number (1-based, counting header rows) of the frame's first
    row, so a quarantined row can be found again in the file. ``hxl`` maps column names to
    their HXL hashtag where the file carries a hashtag row.
    """

    frame: pl.DataFrame
    path: Path
    first_row: int = 2
    hxl: dict[str, str] | None = None
    sheet: str | None = None
    meta: SourceMeta = field(default_factory=SourceMeta)
    rejected: pl.DataFrame | None = None
    """Rows the reader could not take whole (``input_row``, ``failing_value``): ragged rows
    with cells past the header. They stay in ``frame`` (so row numbers hold) and
    normalisation quarantines them instead of reading them."""


@dataclass
class Document:
    """One text to extract figures from, with what its container said about it.

    ``index`` numbers the documents of a feed (0 for a single file); ``offset`` is where
    ``text`` starts in the archived raw file, so spans point into the raw bytes' text.
    """

    text: str
    path: Path
    meta: SourceMeta = field(default_factory=SourceMeta)
    index: int = 0
    offset: int = 0


TABLE_SUFFIXES: dict[str, str] = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt.csv": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".json": "json",
}
TEXT_SUFFIXES: dict[str, str] = {
    ".txt": "text",
    ".md": "text",
    ".markdown": "text",
    ".html": "text",
    ".htm": "text",
    ".ndjson": "feed",
    ".jsonl": "feed",
}


def read(path: Path, limits: Limits = DEFAULT_LIMITS) -> Table | list[Document]:
    """Read ``path`` with the reader its suffix names, within ``limits``."""
    suffix = path.suffix.lower()
    module = TABLE_SUFFIXES.get(suffix) or TEXT_SUFFIXES.get(suffix)
    if module is None:
        known = ", ".join(sorted({*TABLE_SUFFIXES, *TEXT_SUFFIXES}))
        raise InputError(path, f"unknown format {suffix or '(no suffix)'}; known: {known}")
    reader = importlib.import_module(f"humstats.readers.{module}")
    return reader.read(path, limits)
