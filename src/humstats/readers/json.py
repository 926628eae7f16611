"""JSON tables: an array of objects, a wrapper object holding one, NDJSON, or HXL JSON.

Keys may be missing from some records (the Gaza daily series only carries a figure on the days
it was reported): a missing key is a null cell, never a zero. Values become text, as in every
other reader, so normalisation parses numbers and dates the same way for all formats.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl

from humstats.config import DEFAULT_LIMITS, Limits
from humstats.errors import InputError
from humstats.readers import Table
from humstats.readers.csv import check_cell_length, table_from_grid
from humstats.readers.hxl import is_hashtag

WRAPPER_KEYS = ("data", "records", "rows", "items", "results", "features")
"""Keys under which APIs commonly nest the records; tried first, then any list of objects."""


def loads(text: str, path: Path, limits: Limits = DEFAULT_LIMITS, where: str = "") -> Any:
    """``json.loads`` within ``limits``: a number longer than ``max_number_chars`` or
    nesting deeper than ``max_json_depth`` refuses the input with one line, where Python's
    parser would raise ValueError or RecursionError (or spend the CPU on a huge integer)."""

    def number(convert: type) -> Any:
        def parse(literal: str) -> Any:
            if len(literal) > limits.max_number_chars:
                raise InputError(
                    path,
                    f"{where}a number of {len(literal):,} characters is over the limit of "
                    f"{limits.max_number_chars:,} (limits.max_number_chars)",
                )
            return convert(literal)

        return parse

    too_deep = InputError(
        path,
        f"{where}nested deeper than {limits.max_json_depth} levels (limits.max_json_depth)",
    )
    try:
        value = json.loads(text, parse_int=number(int), parse_float=number(float))
    except RecursionError as error:
        raise too_deep from error
    if _deeper_than(value, limits.max_json_depth):
        raise too_deep
    return value


def _deeper_than(value: Any, limit: int) -> bool:
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > limit:
                return True
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def read(path: Path, limits: Limits = DEFAULT_LIMITS) -> Table:
    """Read a JSON or NDJSON table; every cell becomes text (null when absent)."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except OSError as e:
        raise InputError(path, e.strerror or str(e)) from e
    except UnicodeDecodeError as e:
        raise InputError(path, f"not UTF-8 text (byte {e.start})") from e
    if not text.strip():
        raise InputError(path, "the file is empty")
    try:
        document: Any = loads(text, path, limits)
    except json.JSONDecodeError as e:
        document = _ndjson(path, text, e, limits)
    records = _records(document)
    if records is None:
        raise InputError(path, "no table found: expected an array of objects or of arrays")
    if records and all(isinstance(record, list) for record in records):
        grid = pl.DataFrame(
            [[_text(cell) for cell in row] for row in records], orient="row", schema=None
        )
        return table_from_grid(grid.select(pl.all().cast(pl.String)), path, limits=limits)
    if not records or not all(isinstance(record, dict) for record in records):
        raise InputError(path, "no table found: expected an array of objects or of arrays")
    columns = list(dict.fromkeys(key for record in records for key in record))
    frame = pl.DataFrame(
        {column: [_text(record.get(column)) for record in records] for column in columns},
        schema=dict.fromkeys(columns, pl.String),
    )
    check_cell_length(frame, path, 1, limits.max_cell_chars)
    # HXL's JSON object style: the keys are the hashtags themselves
    tags = {column: column for column in columns if is_hashtag(column)}
    return Table(frame=frame, path=path, first_row=1, hxl=tags or None)


def _ndjson(path: Path, text: str, error: json.JSONDecodeError, limits: Limits) -> list[Any]:
    records = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            records.append(loads(line, path, limits, f"line {number}: "))
        except json.JSONDecodeError as e:
            where = f"line {number}" if number > 1 else f"line {error.lineno}"
            raise InputError(path, f"invalid JSON at {where}: {e.msg}") from e
    return records


def _records(document: Any) -> list[Any] | None:
    if isinstance(document, list):
        return document
    if isinstance(document, dict):
        for key in (*WRAPPER_KEYS, *document):
            value = document.get(key)
            if isinstance(value, list) and value and isinstance(value[0], dict | list):
                return value
    return None


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return repr(value)
    return json.dumps(value, ensure_ascii=False)
