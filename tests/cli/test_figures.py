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
from humstats.schema import COLUMNS, INDICATOR_HXL, Indicator
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
