"""``store_status``: counts, and the versions and file counts of the store's tables."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl

from conftest import make_figures, make_sources
from humstats.status import store_status
from humstats.store import Store, new_batch_id
from humstats.validate import empty_quarantine


def _batch(store: Store, sha: str, values: list[int]) -> None:
    figures = make_figures(*({"figure_id": f"{sha[:6]}:{v}", "value": v} for v in values))
    figures = figures.with_columns(source_file=pl.lit(f"raw/{sha[:2]}/{sha}.csv"))
    with store.lock():
        store.commit(new_batch_id(), figures, empty_quarantine(), make_sources(figures, sha))


def test_status_shows_each_tables_version_and_files(data_dir: Path) -> None:
    store = Store(data_dir)
    for n in range(3):
        _batch(store, f"{n}" * 64, [n, n + 10])
    status = store_status(data_dir)
    assert status.version == 2 and status.figures == 6
    tables = {row["table"]: row for row in status.tables.to_dicts()}
    assert set(tables) == {"figures", "sources"}  # no quarantined row, no quarantine table
    assert tables["figures"] == {"table": "figures", "version": 2, "files": 3, "damaged": 0}
    assert "version 2: figures v2 (3 files), sources v2 (3 files)" in status.render()
    assert json.loads(status.to_json())["tables"][0]["files"] == 3

    store.compact()
    tables = {row["table"]: row for row in store_status(data_dir).tables.to_dicts()}
    assert tables["figures"]["files"] == 1 and tables["figures"]["version"] > 2
    assert f"figures v{tables['figures']['version']} (1 file)," in store_status(data_dir).render()


def test_status_counts_a_damaged_file(data_dir: Path) -> None:
    store = Store(data_dir)
    _batch(store, "a" * 64, [1])
    _batch(store, "b" * 64, [2])
    first = store.snapshot().files("figures")[0]
    Path(first.removeprefix("file://")).write_bytes(b"not parquet")
    status = store_status(data_dir)
    tables = {row["table"]: row for row in status.tables.to_dicts()}
    assert tables["figures"]["damaged"] == 1 and status.figures == 1
    assert "figures v1 (2 files, 1 damaged)" in status.render()
