"""``store_status``: counts, and the versions and file counts of the store's tables."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

import humstats.store
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


def _counted(data_dir: Path) -> tuple[dict[str, int], dict[str, int]]:
    """Figures by indicator and by country, as status counts them."""
    status = store_status(data_dir)
    assert status.figures == status.by_country["figures"].sum()
    return dict(status.by_indicator.iter_rows()), dict(status.by_country.iter_rows())


def test_counts_are_kept_per_data_file_and_stay_right_as_files_come_and_go(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Store(data_dir)
    _batch(store, "a" * 64, [1, 2])
    assert sum(_counted(data_dir)[1].values()) == 2
    kept = pl.read_parquet(store.counts_path("figures"))
    assert kept["file"].n_unique() == 1 and kept["rows"].sum() == 2
    _batch(store, "b" * 64, [3])
    second = _counted(data_dir)  # the new file is counted, the first one's count reused
    assert sum(second[1].values()) == 3
    assert pl.read_parquet(store.counts_path("figures"))["file"].n_unique() == 2
    store.compact()
    assert _counted(data_dir) == second  # the compacted file counted once, the old ones gone
    (packed,) = store.snapshot().files("figures")
    kept = pl.read_parquet(store.counts_path("figures"))
    assert kept["file"].unique().to_list() == [packed.rsplit("/", 1)[-1]]
    # rows nobody may see (a writer stopped before its sources commit) are not counted

    def crash(point: str) -> None:
        if point == "commit:sources":
            raise RuntimeError("killed")

    monkeypatch.setattr(humstats.store, "failpoint", crash)
    with pytest.raises(RuntimeError):
        _batch(store, "c" * 64, [4, 5])
    assert len(store.snapshot().files("figures")) == 2
    assert _counted(data_dir) == second
