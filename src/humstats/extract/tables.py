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


_LABEL_WORDS = 10
"""The most words a key-figure label has ("People reached with humanitarian assistance")."""
_VALUE_MARKS = " \t*+~"
"""What may stand beside a key figure on its line: a footnote star, "+", "~"."""


def key_figure_labels(text: str, values: list[tuple[int, int]]) -> dict[int, tuple[int, int]]:
    """The label line of each key figure: a fact sheet's block of short lines where each count
    stands alone on its line and the words that name it on a line of their own.

    ``values`` are the spans of the text's counts. A count alone on its line is a value; a
    short line with no count and no closing full stop is a label. In a block of such lines
    (blank lines between them allowed) the labels follow their values when the block ends on
    a label ("30.4M / people in need") and precede them when it ends on a value ("People
    killed / 14"); a run of values followed by as many labels pairs them in order ("3.8
    million / 2.7 million / People to be assisted / People reached"). Returns {count start:
    label span}.
    """
    if "\n" not in text:
        return {}
    alone = {}
    for start, end in values:
        line_start = text.rfind("\n", 0, start) + 1
        line_end = text.find("\n", end)
        line_end = len(text) if line_end < 0 else line_end
        if not text[line_start:start].strip(_VALUE_MARKS) and not text[end:line_end].strip(
            _VALUE_MARKS
        ):
            alone[line_start] = start
    if not alone:
        return {}
    lines = []  # (kind, start, end) of the non-blank lines: "value", "label" or "prose"
    at = 0
    for line in text.split("\n"):
        start, end = at, at + len(line)
        at = end + 1
        if not line.strip():
            continue
        if start in alone:
            lines.append(("value", alone[start], end))
        elif (
            len(line.split()) <= _LABEL_WORDS
            and not line.rstrip().endswith((".", ":", ";", ","))
            and not any(start <= s < end for s, _ in values)
        ):
            lines.append(
                ("label", start + len(line) - len(line.lstrip()), start + len(line.rstrip()))
            )
        else:
            lines.append(("prose", start, end))
    labels: dict[int, tuple[int, int]] = {}
    block: list[tuple[str, int, int]] = []
    for line in [*lines, ("prose", len(text), len(text))]:
        if line[0] != "prose":
            block.append(line)
            continue
        labels.update(_pair(block))
        block = []
    return labels


def _pair(block: list[tuple[str, int, int]]) -> dict[int, tuple[int, int]]:
    kinds = [kind for kind, _, _ in block]
    if kinds.count("value") < 2 or "label" not in kinds:
        return {}
    pairs: dict[int, tuple[int, int]] = {}
    index = 0
    while index < len(block):  # runs of values followed by as many labels, paired in order
        run = index
        while run < len(block) and kinds[run] == "value":
            run += 1
        count = run - index
        if count >= 2 and kinds[run : run + count] == ["label"] * count:
            for value, label in zip(block[index:run], block[run : run + count], strict=True):
                pairs[value[1]] = (label[1], label[2])
            index = run + count
        else:
            index = max(run, index + 1)
    if pairs:
        return pairs
    step = 1 if kinds[-1] == "label" else -1  # the side a value's label stands on
    for at, (kind, start, _) in enumerate(block):
        near = at + step
        if kind == "value" and 0 <= near < len(block) and kinds[near] == "label":
            pairs[start] = (block[near][1], block[near][2])
    return pairs
