"""Article feeds: NDJSON with one article per line.

Each object carries ``text`` or ``html`` plus ``title``, ``publisher``, ``url`` and
``published``; each becomes a ``Document`` whose ``index`` is its line number (0-based), so
every figure keeps its own article's URL, publisher and date. A file whose objects carry
neither ``text`` nor ``html`` is a table written as NDJSON: it is returned as a ``Table`` of
text cells instead, so ``.ndjson`` tables still ingest.

Spans point into the raw file when an article's text appears in its line verbatim (no JSON
escapes); otherwise, as for HTML, the offset is 0 and spans count within the article text.
"""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from humstats.config import DEFAULT_LIMITS, Limits
from humstats.errors import InputError
from humstats.readers import Document, Table
from humstats.readers.csv import check_cell_length
from humstats.readers.json import loads
from humstats.readers.text import blank_markup, decode, html_document, meta_from


def _objects(text: str, path: Path, limits: Limits) -> list[tuple[int, int, dict]]:
    """(line index, character offset of the line, object) for every non-blank line."""
    objects = []
    offset = 0
    for number, line in enumerate(text.splitlines(keepends=True)):
        if line.strip():
            try:
                value = loads(line, path, limits, f"line {number + 1}: ")
            except json.JSONDecodeError as error:
                raise InputError(path, f"line {number + 1} is not JSON: {error.msg}") from error
            if not isinstance(value, dict):
                raise InputError(path, f"line {number + 1} is not a JSON object")
            objects.append((number, offset, value))
        offset += len(line)
    return objects


def _cell(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _table(objects: list[tuple[int, int, dict]], path: Path, limits: Limits) -> Table:
    columns: dict[str, None] = {}
    for _, _, value in objects:
        columns.update(dict.fromkeys(value))
    frame = pl.DataFrame(
        {name: [_cell(value.get(name)) for _, _, value in objects] for name in columns},
        schema=dict.fromkeys(columns, pl.String()),
    )
    check_cell_length(frame, path, 1, limits.max_cell_chars)
    return Table(frame, path, first_row=1)


def read(path: Path, limits: Limits = DEFAULT_LIMITS) -> list[Document] | Table:
    """The articles of a feed, or the rows of an NDJSON table."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise InputError(path, error.strerror or str(error)) from error
    text = decode(raw, path)
    objects = _objects(text, path, limits)
    if not any("text" in value or "html" in value for _, _, value in objects):
        return _table(objects, path, limits)
    documents = []
    for index, line_offset, value in objects:
        if isinstance(value.get("text"), str):
            body = blank_markup(value["text"])
            line_end = text.find("\n", line_offset)
            at = text.find(body, line_offset, len(text) if line_end < 0 else line_end)
            offset = at if body and at >= 0 else 0
            document = Document(body, path, index=index, offset=offset)
        elif isinstance(value.get("html"), str):
            document = html_document(value["html"], path, index)
        else:
            raise InputError(path, f"line {index + 1} has neither text nor html")
        document.meta = document.meta.overridden_by(meta_from(value, path))
        documents.append(document)
    return documents
