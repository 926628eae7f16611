"""Tables typed into prose: a header line of column names, then rows of the same shape.

Situation reports paste small tables as text ("Province | Deaths | Injured", one line per
province, cells split by ``|`` or tabs). The sentence rules read no such row: a number in it
has no words around it. ``find_text_tables`` finds the header and its rows so that each cell
can be read with its column's name as the words around it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_SEPARATORS = ("|", "\t")
_RULE_CELL = re.compile(r"\s*:?-{2,}:?\s*")
"""A Markdown header rule cell ("---", ":--:")."""
_HAS_DIGIT = re.compile(r"\d")
_SOURCE = re.compile(r"\s*(?:Sources?|Data)\s*:\s*(?P<src>[^\n]{2,80}?)\s*\.?\s*$", re.I)


@dataclass(frozen=True)
class TextTable:
    """A header and its rows; every cell is a ``(start, end)`` span of the text."""

    header: tuple[tuple[int, int], ...]
    rows: tuple[tuple[tuple[int, int], ...], ...]
    start: int
    end: int
    source: str | None = None
    """The "Source: NDMA" line right under the table, if any."""


def _cells(text: str, start: int, end: int) -> tuple[tuple[int, int], ...] | None:
    """The cell spans of one line (outer pipes dropped, cells trimmed), None if not a row."""
    line = text[start:end]
    separator = next((s for s in _SEPARATORS if line.count(s) >= 1), None)
    if separator is None:
        return None
    cells = []
    at = start
    for part in line.split(separator):
        left = len(part) - len(part.lstrip())
        stripped = part.strip()
        cells.append((at + left, at + left + len(stripped)))
        at += len(part) + 1
    if line.strip().startswith(separator):
        cells = cells[1:]
    if line.strip().endswith(separator):
        cells = cells[:-1]
    return tuple(cells) if len(cells) >= 2 else None


def _lines(text: str) -> list[tuple[int, int]]:
    spans, at = [], 0
    for line in text.split("\n"):
        spans.append((at, at + len(line)))
        at += len(line) + 1
    return spans


def find_text_tables(text: str) -> list[TextTable]:
    """Header-and-rows blocks in ``text``: a line of named cells without digits, then the
    lines right below it with as many cells (a Markdown rule line between is skipped)."""
    if "|" not in text and "\t" not in text:
        return []
    lines = _lines(text)
    tables = []
    index = 0
    while index < len(lines):
        header = _cells(text, *lines[index])
        if header is None or any(_HAS_DIGIT.search(text[a:b]) for a, b in header[1:]):
            index += 1
            continue
        rows = []
        following = index + 1
        while following < len(lines):
            cells = _cells(text, *lines[following])
            if cells is None or len(cells) != len(header):
                break
            if all(_RULE_CELL.fullmatch(text[a:b]) for a, b in cells):
                following += 1
                continue
            rows.append(cells)
            following += 1
        if rows:
            source = None
            if following < len(lines):
                match = _SOURCE.fullmatch(text, *lines[following])
                source = match["src"] if match else None
            tables.append(
                TextTable(header, tuple(rows), lines[index][0], lines[following - 1][1], source)
            )
        index = max(following, index + 1)
    return tables
