"""JSON tables: arrays of objects with optional keys, wrappers, NDJSON and HXL JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from humstats.errors import InputError
from humstats.readers.json import read

ROOT = Path(__file__).resolve().parents[2]
GAZA = ROOT / "examples" / "tables" / "gaza-casualties-daily.json"


def test_optional_keys_become_nulls() -> None:
    table = read(GAZA)
    assert table.frame.height == 1051
    # counted with jq-style python over the file: killed_cum in 1033 records, injured in 985
    assert table.frame["killed_cum"].null_count() == 1051 - 1033
    assert table.frame["injured"].null_count() == 1051 - 985
    first = table.frame.row(0, named=True)
    assert (first["report_date"], first["killed"], first["injured_cum"]) == (
        "2023-10-07",
        "232",
        "1610",
    )


def test_wrapper_object(tmp_path: Path) -> None:
    path = tmp_path / "wrapped.json"
    path.write_text(json.dumps({"meta": {"n": 2}, "data": [{"a": 1}, {"a": 2.5, "b": True}]}))
    table = read(path)
    assert table.frame.columns == ["a", "b"]
    assert table.frame.rows() == [("1", None), ("2.5", "true")]


def test_ndjson(tmp_path: Path) -> None:
    path = tmp_path / "rows.ndjson"
    path.write_text('{"country": "SYR", "killed": 3}\n\n{"country": "YEM"}\n')
    assert read(path).frame.rows() == [("SYR", "3"), ("YEM", None)]


def test_hxl_json_rows(tmp_path: Path) -> None:
    path = tmp_path / "hxl.json"
    path.write_text(
        json.dumps([["Country", "Killed"], ["#country+code", "#affected+killed"], ["SYR", 3]])
    )
    table = read(path)
    assert table.hxl == {"Country": "#country+code", "Killed": "#affected+killed"}
    assert table.frame.rows() == [("SYR", "3")]
    assert table.first_row == 3


def test_broken_json_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "broken.jsonl"
    path.write_text('{"a": 1}\n{"a": \n')
    with pytest.raises(InputError, match=r"broken\.jsonl: invalid JSON at line 2"):
        read(path)


def test_json_without_a_table(tmp_path: Path) -> None:
    path = tmp_path / "scalar.json"
    path.write_text('{"a": 1}')
    with pytest.raises(InputError, match="no table found"):
        read(path)


def test_hxl_json_objects(tmp_path: Path) -> None:
    path = tmp_path / "objects.json"
    path.write_text(json.dumps([{"#country+code": "SYR", "#affected+killed": 3, "note": "x"}]))
    table = read(path)
    assert table.hxl == {"#country+code": "#country+code", "#affected+killed": "#affected+killed"}
