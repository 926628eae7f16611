"""``humstats query``: output formats, --param, refusals and one-line errors."""

from __future__ import annotations

import io
import json
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from conftest import make_figures, make_sources
from humstats.cli import cli
from humstats.store import Store
from humstats.validate import empty_quarantine


@pytest.fixture
def data(data_dir: Path) -> Path:
    store = Store(data_dir)
    figures = make_figures(
        {"country_iso3": "SDN", "value": 42, "indicator": "displaced"},
        {"country_iso3": "SDN", "value": 9},
        {"country_iso3": "SYR", "value": 7},
    )
    sources = make_sources(figures)
    with store.lock():
        store.commit("b1", figures, empty_quarantine(), sources)
    return data_dir


def _query(data: Path, *args: str) -> object:
    return CliRunner().invoke(cli, ["--data", str(data), "query", *args])


def test_json_output_is_the_result(data: Path) -> None:
    result = _query(data, "SELECT * FROM figures ORDER BY value", "--format", "json")
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)
    expected = Store(data).figures().sort("value").collect()
    assert [r["figure_id"] for r in rows] == expected["figure_id"].to_list()
    assert rows[0]["period_end"] == expected["period_end"][0].isoformat()


def test_param_is_bound(data: Path) -> None:
    result = _query(
        data,
        "SELECT figure_id, value FROM figures WHERE country_iso3 = $c AND value > $v",
        "--param",
        "c=SDN",
        "--param",
        "v=10",
        "--format",
        "csv",
    )
    assert result.exit_code == 0, result.stderr
    assert pl.read_csv(io.StringIO(result.stdout))["value"].to_list() == [42]


def test_table_shows_every_selected_column(data: Path) -> None:
    result = _query(
        data, "SELECT country_iso3, count(*) AS n_figures FROM figures GROUP BY 1 ORDER BY 1"
    )
    assert result.exit_code == 0, result.stderr
    assert "n_figures" in result.stdout and "SDN" in result.stdout and "SYR" in result.stdout
    year = _query(data, "SELECT 2024 AS year")
    assert "2024" in year.stdout and "2,024" not in year.stdout


def test_hxl_output_of_figures(data: Path) -> None:
    result = _query(data, "SELECT * FROM figures", "--format", "hxl")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[1].startswith("#")


def test_writing_sql_is_refused(data: Path) -> None:
    result = _query(data, "DELETE FROM figures")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: refused DELETE statement: queries are read-only "
        "(SELECT, DESCRIBE, SUMMARIZE, SHOW)\n"
    )
    assert Store(data).figures().collect().height == 3


def test_bad_query_is_one_line(data: Path) -> None:
    result = _query(data, "SELECT nope FROM figures")
    assert result.exit_code == 1
    assert result.stderr.startswith("Error: Binder Error: ")
    assert result.stderr.count("\n") == 1 and result.stdout == ""


def test_missing_param_names_it(data: Path) -> None:
    result = _query(data, "SELECT * FROM figures WHERE country_iso3 = $country")
    assert result.exit_code == 1
    assert result.stderr == "Error: no value for parameter $country: pass country=VALUE\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["SELECT 1 AS x", "--param", "novalue"], "expected NAME=VALUE"),
        (["SELECT 1 AS x", "--format", "hxl"], "--format hxl needs the columns"),
    ],
)
def test_usage_errors_exit_2(data: Path, args: list[str], message: str) -> None:
    result = _query(data, *args)
    assert result.exit_code == 2 and message in result.stderr


def test_csv_of_the_runs_view_writes_lists_as_json(data: Path) -> None:
    Store(data).log_run({"kind": "run", "errors": ["a, b", "c"], "reports": ["r.html"]})
    result = _query(data, "SELECT errors, reports FROM runs", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert pl.read_csv(io.StringIO(result.stdout)).rows() == [('["a, b", "c"]', '["r.html"]')]


HOSTILE = ('=HYPERLINK("http://x")', "+1", "-2+3", "@SUM(A1)", "\tx", "\rx", "ok", "a=b")


@pytest.mark.parametrize("fmt", ["csv", "hxl"])
def test_formula_cells_are_escaped_in_exports(data_dir: Path, fmt: str) -> None:
    store = Store(data_dir)
    figures = make_figures(*({"location_name": text, "value": n} for n, text in enumerate(HOSTILE)))
    sources = make_sources(figures)
    with store.lock():
        store.commit("b1", figures, empty_quarantine(), sources)
    sql = "SELECT indicator, value, location_name FROM figures ORDER BY value"
    runner = CliRunner()
    for command in (["query", sql], ["figures"]):
        result = runner.invoke(cli, ["--data", str(data_dir), *command, "--format", fmt])
        assert result.exit_code == 0, result.output
        frame = pl.read_csv(io.StringIO(result.stdout), infer_schema=False)
        value, place = ("value" if fmt == "csv" else "killed"), "location_name"
        rows = frame.filter(pl.col(value).str.contains(r"^\d+$"))
        places = rows.sort(pl.col(value).cast(pl.Int64))[place].to_list()
        assert places == [*(f"'{text}" for text in HOSTILE[:6]), "ok", "a=b"]
        plain = runner.invoke(
            cli, ["--data", str(data_dir), *command, "--format", fmt, "--no-escape-formulas"]
        )
        assert "'=HYPERLINK" not in plain.stdout and "=HYPERLINK" in plain.stdout
