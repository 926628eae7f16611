"""``humstats.open``: the store from Python, as frames and as SQL."""

from __future__ import annotations

import builtins
from pathlib import Path

import polars as pl
import pytest

import humstats
from conftest import make_figures, make_sources
from humstats.store import Store, new_batch_id
from humstats.validate import empty_quarantine


@pytest.fixture
def stocked(data_dir: Path) -> Path:
    store = Store(data_dir)
    batch = new_batch_id()
    figures = make_figures(
        {"country_iso3": "SDN", "value": 42, "indicator": "displaced"},
        {"country_iso3": "SYR", "value": 7},
    ).with_columns(batch_id=pl.lit(batch))
    sources = make_sources(figures)
    with store.lock():
        store.commit(batch, figures, empty_quarantine(), sources)
    store.log_run({"kind": "ingest", "batch_id": batch, "figures": 2})
    return data_dir


def test_open_gives_frames_and_sql(stocked: Path) -> None:
    dataset = humstats.open(stocked)
    sudan = dataset.figures().filter(pl.col("country_iso3") == "SDN").collect()
    assert sudan["value"].to_list() == [42]
    by_sql = dataset.query("SELECT value FROM figures WHERE country_iso3 = $c", c="SDN")
    assert by_sql["value"].to_list() == [42]
    assert dataset.quarantine().collect().is_empty()
    assert dataset.sources().collect()["sha256"].to_list() == ["a" * 64]
    assert dataset.runs()["figures"].to_list() == [2]


def test_query_sees_batches_committed_after_open(data_dir: Path, stocked: Path) -> None:
    dataset = humstats.open(data_dir)
    before = dataset.query("SELECT count(*) AS n FROM figures")["n"].item()
    store = Store(data_dir)
    batch = new_batch_id()
    with store.lock():
        late = make_figures({"figure_id": "late", "source_file": "raw/cd/late.csv"})
        store.commit(batch, late, empty_quarantine(), make_sources(late, "c" * 64))
    assert dataset.query("SELECT count(*) AS n FROM figures")["n"].item() == before + 1


def test_open_a_config_file_uses_its_store_and_priority(stocked: Path, tmp_path: Path) -> None:
    config = tmp_path / "humstats.toml"
    config.write_text(
        f'[store]\ndata = "{stocked.relative_to(tmp_path)}"\n[priority]\npublishers = ["WHO"]\n'
    )
    dataset = humstats.open(config)
    assert dataset.store.root == stocked.resolve()
    assert dataset.priority == ("WHO",)
    assert dataset.figures().collect().height == 2


def test_latest_follows_aggregate(stocked: Path) -> None:
    aggregate = pytest.importorskip("humstats.aggregate", reason="aggregate not merged yet")
    dataset = humstats.open(stocked)
    expected = aggregate.latest(dataset.figures()).collect()
    assert sorted(dataset.latest().collect()["figure_id"]) == sorted(expected["figure_id"])


def test_open_is_exported_without_hiding_the_builtin() -> None:
    assert "open" in humstats.__all__ and humstats.open is humstats.api.open
    assert builtins.open is not humstats.open


def test_query_sees_runs_logged_after_the_first_query(stocked: Path) -> None:
    with humstats.open(stocked) as dataset:
        assert dataset.query("SELECT count(*) AS n FROM runs")["n"].item() == 1
        Store(stocked).log_run({"kind": "run", "figures": 0})
        assert dataset.query("SELECT count(*) AS n FROM runs")["n"].item() == 2
