from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import polars as pl
import pytest
from click.testing import CliRunner

from conftest import make_figures, make_sources
from humstats.cli import cli
from humstats.hxl import INDICATOR_HXL
from humstats.schema import COLUMNS, Indicator
from humstats.store import Store
from humstats.validate import empty_quarantine


@pytest.fixture
def store(data_dir: Path) -> Store:
    store = Store(data_dir)
    figures = make_figures(
        {
            "indicator": "killed",
            "value": 500_000,
            "country_iso3": "SYR",
            "period_end": dt.date(2024, 12, 3),
            "period_start": dt.date(2024, 12, 3),
            "published_date": dt.date(2024, 12, 3),
        },
        {
            "indicator": "displaced",
            "value": 50_000,
            "qualifier": "range",
            "value_low": 40_000,
            "value_high": 60_000,
            "country_iso3": "SYR",
            "attributed_to": "UN OCHA",
        },
        {
            "indicator": "in_need",
            "value": 23_458_603,
            "country_iso3": "YEM",
            "period_start": dt.date(2022, 1, 1),
            "period_end": dt.date(2022, 12, 31),
            "date_precision": "year",
            "published_date": dt.date(2022, 1, 1),
        },
    )
    sources = make_sources(figures)
    with store.lock():
        store.commit("b1", figures, empty_quarantine(), sources)
    return store


def _invoke(data_dir: Path, *args: str) -> tuple[int, bytes, str]:
    result = CliRunner().invoke(cli, ["--data", str(data_dir), *args], catch_exceptions=False)
    return result.exit_code, result.stdout_bytes, result.stderr


def test_json_carries_every_field(store: Store) -> None:
    code, out, _ = _invoke(store.root, "figures", "--format", "json")
    assert code == 0
    rows = json.loads(out)
    assert len(rows) == 3
    assert all(list(row) == list(COLUMNS) for row in rows)
    assert {r["value"] for r in rows} == {500_000, 50_000, 23_458_603}


def test_filters_combine(store: Store) -> None:
    code, out, _ = _invoke(
        store.root, "figures", "--country", "syr", "--since", "2024-12-01", "--format", "csv"
    )
    assert code == 0
    frame = pl.read_csv(io.BytesIO(out))
    assert frame["indicator"].to_list() == ["killed"]
    code, out, _ = _invoke(store.root, "figures", "--indicator", "in_need", "--format", "csv")
    assert pl.read_csv(io.BytesIO(out))["value"].to_list() == [23_458_603]


def test_parquet_to_file_round_trips(store: Store, tmp_path: Path) -> None:
    target = tmp_path / "out.parquet"
    code, _, _ = _invoke(store.root, "figures", "--format", "parquet", "--output", str(target))
    assert code == 0
    written = pl.read_parquet(target)
    stored = store.figures().collect()
    assert written.schema == stored.schema
    assert written.sort("figure_id").equals(stored.sort("figure_id"))


def test_hxl_puts_values_under_indicator_hashtags(store: Store) -> None:
    code, out, _ = _invoke(store.root, "figures", "--format", "hxl")
    assert code == 0
    frame = pl.read_csv(io.BytesIO(out), infer_schema=False)
    tags = frame.row(0)
    displaced_tag = INDICATOR_HXL[Indicator.DISPLACED]
    assert displaced_tag in tags and f"{displaced_tag}+min" in tags and "#meta+source" in tags
    column = frame.columns[tags.index(displaced_tag)]
    low = frame.columns[tags.index(f"{displaced_tag}+min")]
    assert frame[column].drop_nulls().to_list()[1:] == ["50000"]
    assert frame[low].drop_nulls().to_list()[1:] == ["40000"]


def test_table_is_readable(store: Store) -> None:
    code, out, _ = _invoke(store.root, "figures")
    assert code == 0
    assert "23,458,603" in out.decode()


def test_status_summarises(store: Store) -> None:
    code, out, _ = _invoke(store.root, "status", "--format", "json")
    assert code == 0
    status = json.loads(out)
    assert status["figures"] == 3 and status["sources"] == 1
    assert {r["country_iso3"]: r["figures"] for r in status["by_country"]} == {"SYR": 2, "YEM": 1}


def test_unknown_indicator_is_a_usage_error(store: Store) -> None:
    code, _, err = _invoke(store.root, "figures", "--indicator", "bored")
    assert code == 2
    assert "bored" in err


@pytest.fixture
def split_store(data_dir: Path) -> Store:
    """Killed in Syria: a total, its parts by sex and by age, and a projection."""
    store = Store(data_dir)
    figures = make_figures(
        {"value": 1_000, "location_name": None, "admin_level": 0, "pcode": None},
        *(
            {"value": value, "location_name": None, "admin_level": 0, "pcode": None, **part}
            for value, part in (
                (600, {"sex": "f"}),
                (400, {"sex": "m"}),
                (250, {"sex": "f", "age": "0-17"}),
                (90, {"group": "origin=SDN;phase=3"}),
                (2_000, {"projected": True, "period_end": dt.date(2024, 12, 1)}),
            )
        ),
    )
    sources = make_sources(figures, "b" * 64)
    with store.lock():
        store.commit("b2", figures, empty_quarantine(), sources)
    return store


def _values(data_dir: Path, *args: str) -> list[int]:
    code, out, err = _invoke(data_dir, "figures", "--format", "csv", *args)
    assert code == 0, err
    return sorted(pl.read_csv(io.BytesIO(out))["value"].to_list())


def test_latest_is_the_total_unless_breakdowns_are_asked_for(split_store: Store) -> None:
    assert _values(split_store.root, "--latest") == [1_000]
    assert _values(split_store.root, "--latest", "--breakdowns") == [
        90,
        250,
        400,
        600,
        1_000,
        2_000,
    ]
    assert _values(split_store.root, "--totals") == [1_000]
    assert len(_values(split_store.root)) == 6


def test_breakdown_filters_pick_parts(split_store: Store) -> None:
    assert _values(split_store.root, "--sex", "f") == [250, 600]
    assert _values(split_store.root, "--sex", "f", "--age", "all") == [600]
    assert _values(split_store.root, "--latest", "--sex", "m") == [400]
    assert _values(split_store.root, "--group", "phase=3") == [90]
    assert _values(split_store.root, "--group", "phase=3", "--group", "origin=HTI") == []


def test_table_shows_breakdowns_when_a_figure_is_a_part(split_store: Store) -> None:
    code, out, _ = _invoke(split_store.root, "figures", "--sex", "f")
    assert code == 0
    header = out.decode().splitlines()[1]
    assert "sex" in header and "age" in header


def test_group_filter_needs_a_pair(split_store: Store) -> None:
    code, _, err = _invoke(split_store.root, "figures", "--group", "SDN")
    assert code == 2
    assert "KEY=VALUE" in err


def test_sql_sees_the_breakdowns(split_store: Store) -> None:
    code, out, err = _invoke(
        split_store.root,
        "query",
        "SELECT sex, sum(value) AS v FROM figures WHERE age = 'all' AND NOT projected "
        'AND "group" IS NULL GROUP BY sex ORDER BY sex',
        "--format",
        "csv",
    )
    assert code == 0, err
    assert pl.read_csv(io.BytesIO(out)).rows() == [("all", 1_000), ("f", 600), ("m", 400)]
