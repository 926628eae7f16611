from __future__ import annotations

import datetime as dt
import multiprocessing
import time
from pathlib import Path

import polars as pl
import pytest

from conftest import make_figures
from humstats.errors import LockedError
from humstats.schema import COLUMNS
from humstats.store import SOURCE_DTYPES, Store, new_batch_id
from humstats.validate import empty_quarantine


def _sources(batch_id: str, sha: str = "a" * 64, figures: int = 1) -> pl.DataFrame:
    """The sources row of a batch of ``make_figures`` rows (their default ``source_file``)."""
    row = dict.fromkeys(SOURCE_DTYPES) | {
        "sha256": sha,
        "batch_id": batch_id,
        "source_file": "raw/ab/abc.csv",
        "figures": figures,
        "quarantined": 0,
        "ingested_at": dt.datetime.now(dt.UTC),
    }
    return pl.DataFrame([row], schema=SOURCE_DTYPES)


def test_archive_keeps_bytes_and_is_idempotent(data_dir: Path, tmp_path: Path) -> None:
    source = tmp_path / "Report.CSV"
    source.write_bytes(b"a,b\n1,2\n\xff")
    store = Store(data_dir)
    first = store.archive(source)
    second = store.archive(source)
    assert first == second
    assert first.source_file.startswith(f"raw/{first.sha256[:2]}/") and first.source_file.endswith(
        ".csv"
    )
    assert store.raw_path(first.source_file).read_bytes() == source.read_bytes()
    meta = store.raw_path(first.source_file).with_suffix(".json").read_text()
    assert '"original_name": "Report.CSV"' in meta
    assert len(list((data_dir / "raw").rglob("*"))) == 3  # one folder, the copy, its metadata


def test_empty_store_reads_as_empty_frames(data_dir: Path) -> None:
    store = Store(data_dir)
    assert store.figures().collect().columns == list(COLUMNS)
    assert store.quarantine().collect().is_empty()
    assert store.ingested_hashes() == set()
    assert store.runs() == []


def test_committed_batches_read_back_together(data_dir: Path) -> None:
    store = Store(data_dir)
    for sha, value in (("a" * 64, 1), ("b" * 64, 2)):
        batch = new_batch_id()
        figures = make_figures({"value": value, "figure_id": sha[:3], "batch_id": batch})
        with store.lock():
            store.commit(batch, figures, empty_quarantine(), _sources(batch, sha))
    assert sorted(store.figures().collect()["value"].to_list()) == [1, 2]
    assert store.ingested_hashes() == {"a" * 64, "b" * 64}
    assert not (data_dir / "processed" / "tmp").exists() or not any(
        (data_dir / "processed" / "tmp").iterdir()
    )


def test_half_written_batch_is_invisible_and_cleared(data_dir: Path) -> None:
    store = Store(data_dir)
    staging = data_dir / "processed" / "tmp" / "dead-batch"
    staging.mkdir(parents=True)
    make_figures({}).write_parquet(staging / "figures.parquet")
    assert store.figures().collect().is_empty()
    with store.lock():
        pass
    assert not staging.exists()


def _hold_lock(data_dir: str, ready: multiprocessing.Event, release: multiprocessing.Event) -> None:
    with Store(data_dir).lock():
        ready.set()
        release.wait(10)


def test_lock_held_elsewhere_fails_fast(data_dir: Path) -> None:
    ready, release = multiprocessing.Event(), multiprocessing.Event()
    holder = multiprocessing.Process(target=_hold_lock, args=(str(data_dir), ready, release))
    holder.start()
    try:
        assert ready.wait(10)
        started = time.monotonic()
        with pytest.raises(LockedError, match="holds the lock"), Store(data_dir).lock(timeout=0):
            pass
        assert time.monotonic() - started < 2
    finally:
        release.set()
        holder.join(10)
    with Store(data_dir).lock(timeout=0):
        pass


def test_run_log_skips_a_torn_last_line(data_dir: Path) -> None:
    store = Store(data_dir)
    store.log_run({"kind": "ingest", "figures": 3})
    with store.runs_path.open("a") as log:
        log.write('{"kind": "ing')
    assert store.runs() == [{"kind": "ingest", "figures": 3}]
