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


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[" * 10_000 + "]" * 10_000, "nested deeper than 64 levels (limits.max_json_depth)"),
        ('{"data": ' + "[" * 70 + "]" * 70 + "}", "nested deeper than 64 levels"),
        ('[{"#affected+killed": ' + "9" * 5_000 + "}]", "a number of 5,000 characters"),
        ('[{"a": 1e' + "9" * 400 + "}]", "over the limit of 100 (limits.max_number_chars)"),
        ('{"a": 1}\n{"b": ' + "7" * 200 + "}\n", "line 2: a number of 200 characters"),
    ],
)
def test_hostile_json_is_refused_in_one_line(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "hostile.json"
    path.write_text(text)
    with pytest.raises(InputError) as raised:
        read(path)
    assert message in str(raised.value) and "\n" not in str(raised.value)


def test_json_limits_are_settings(tmp_path: Path) -> None:
    from humstats.config import Limits

    path = tmp_path / "deep.json"
    path.write_text('[{"b": "' + "x" * 50 + '", "a": ' + "[" * 70 + "1" + "]" * 70 + "}]")
    table = read(path, Limits(max_json_depth=100))
    assert table.frame.columns == ["b", "a"]
    with pytest.raises(InputError, match="row 1, column 'b': a cell of 50 characters"):
        read(path, Limits(max_json_depth=100, max_cell_chars=40))
