"""``compact``, ``diff``, ``migrate`` and ``--as-of`` from the command line."""

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
from humstats.store import Store, new_batch_id
from humstats.validate import empty_quarantine


def _batch(store: Store, sha: str, value: int, day: int) -> int:
    date = dt.date(2024, 12, day)
    figures = make_figures(
        {
            "figure_id": f"{sha[:4]}-{value}",
            "value": value,
            "period_start": date,
            "period_end": date,
            "published_date": date,
        }
    ).with_columns(source_file=pl.lit(f"raw/{sha}.csv"))
    with store.lock():
        return store.commit(new_batch_id(), figures, empty_quarantine(), make_sources(figures, sha))


@pytest.fixture
def store(data_dir: Path) -> Store:
    store = Store(data_dir)
    for n, (sha, value) in enumerate((("a" * 64, 100), ("b" * 64, 150), ("c" * 64, 175))):
        assert _batch(store, sha, value, n + 1) == n
    return store


def _invoke(store: Store, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["--data", str(store.root), *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_figures_and_query_as_of_a_version(store: Store) -> None:
    code, stdout, _ = _invoke(store, "figures", "--as-of", "1", "--format", "json")
    assert code == 0
    assert sorted(f["value"] for f in json.loads(stdout)) == [100, 150]
    code, stdout, _ = _invoke(
        store, "query", "SELECT sum(value) AS total FROM figures", "--as-of", "0", "--format", "csv"
    )
    assert (code, stdout) == (0, "total\n100\n")


def test_as_of_a_date_before_the_store_shows_nothing(store: Store) -> None:
    code, stdout, _ = _invoke(store, "figures", "--as-of", "2001-01-01", "--format", "csv")
    assert code == 0 and stdout.splitlines()[1:] == []


def test_report_as_of_uses_what_was_known(store: Store, tmp_path: Path) -> None:
    out = tmp_path / "reports"
    args = ["report", "--period", "2024-12", "--country", "SYR", "--out", str(out)]
    assert _invoke(store, *args, "--as-of", "0")[0] == 0
    then = (out / "SYR" / "2024-12.html").read_text()
    assert _invoke(store, *args)[0] == 0
    now = (out / "SYR" / "2024-12.html").read_text()
    assert ">100<" in then and ">175<" not in then
    assert ">175<" in now


@pytest.mark.parametrize(
    ("as_of", "message"),
    [
        ("yesterday", "expected a date (2026-11-27), a timestamp"),
        ("42", "no such store version (the store is at version 2)"),
    ],
)
def test_bad_as_of_is_one_line(store: Store, as_of: str, message: str) -> None:
    code, _, stderr = _invoke(store, "figures", "--as-of", as_of)
    assert code == 2 if as_of == "yesterday" else code == 1
    assert message in stderr and "Traceback" not in stderr


def test_diff_lists_changes_between_versions(store: Store) -> None:
    code, stdout, stderr = _invoke(store, "diff", "--from", "0", "--to", "2", "--format", "csv")
    assert code == 0
    assert stderr == "2 added, 1 superseded, 0 quarantined\n"
    table = pl.read_csv(io.StringIO(stdout))
    assert table["change"].to_list() == ["added", "added", "superseded"]
    assert table["value"].to_list() == [150, 175, 100]


def test_compact_merges_files_and_keeps_every_row(store: Store) -> None:
    before = store.figures().collect().sort("figure_id")
    code, _, stderr = _invoke(store, "compact")
    assert code == 0
    assert stderr.startswith(f"compacted {store.root}: 6 data files -> 2,")
    assert store.data_files() == 2
    assert store.figures().collect().sort("figure_id").equals(before)
    assert _invoke(store, "figures", "--as-of", "0", "--format", "csv")[0] == 0


def test_compact_with_no_log_kept_keeps_rows_and_every_version(store: Store) -> None:
    before = store.figures().collect().sort("figure_id")
    code, _, _ = _invoke(store, "compact", "--log-retain", "0")
    assert code == 0
    assert not (store.table_path("sources") / "_delta_log" / f"{0:020d}.json").exists()
    assert store.figures().collect().sort("figure_id").equals(before)
    code, stdout, _ = _invoke(store, "figures", "--as-of", "0", "--format", "json")
    assert code == 0 and [f["value"] for f in json.loads(stdout)] == [100]
    assert _invoke(store, "compact", "--log-retain", "-1")[0] == 2


def test_migrate_on_a_delta_store_has_nothing_to_do(store: Store) -> None:
    code, _, stderr = _invoke(store, "migrate")
    assert code == 0 and "nothing to migrate" in stderr


def test_migrate_converts_batch_folders(data_dir: Path) -> None:
    figures = make_figures({"figure_id": "old-1"}).with_columns(batch_id=pl.lit("b1"))
    folder = data_dir / "processed" / "batches" / "b1"
    folder.mkdir(parents=True)
    figures.write_parquet(folder / "figures.parquet")
    empty_quarantine().write_parquet(folder / "quarantine.parquet")
    make_sources(figures).with_columns(batch_id=pl.lit("b1")).write_parquet(
        folder / "sources.parquet"
    )
    store = Store(data_dir)
    code, _, stderr = _invoke(store, "migrate")
    assert code == 0
    assert "figures: 1 rows, content hash" in stderr and "(checked)" in stderr
    assert not folder.exists()
    assert store.figures().collect()["figure_id"].to_list() == ["old-1"]


def test_diff_table_shows_the_change(store: Store) -> None:
    code, stdout, _ = _invoke(store, "diff", "--from", "1")
    assert code == 0
    header = stdout.splitlines()[1]
    assert header.split()[1:3] == ["change", "┆"] and "superseded_by" in header
    assert "added" in stdout and "superseded" in stdout
