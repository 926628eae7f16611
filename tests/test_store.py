from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import os
import shutil
import signal
import time
from pathlib import Path
from typing import Any

import duckdb
import polars as pl
import pytest
from deltalake import DeltaTable, PostCommitHookProperties, write_deltalake

import humstats
import humstats.store
from conftest import make_figures, make_sources
from humstats.errors import ConfigError, HistoryError, LockedError
from humstats.query import query
from humstats.schema import COLUMNS
from humstats.store import SOURCE_DTYPES, TABLES, Store, new_batch_id, parse_as_of
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
    meta = store.meta_path(first.source_file).read_text()
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


def test_archive_keeps_a_json_input_apart_from_its_metadata(data_dir: Path, tmp_path: Path) -> None:
    source = tmp_path / "gaza.json"
    source.write_bytes(b'[{"#affected+killed": "12", "#date": "2024-01-01"}]')
    store = Store(data_dir)
    archived = store.archive(source)
    assert store.raw_path(archived.source_file).read_bytes() == source.read_bytes()
    assert store.meta_path(archived.source_file) != store.raw_path(archived.source_file)
    assert '"original_name": "gaza.json"' in store.meta_path(archived.source_file).read_text()
    assert store.check() == []


def test_archive_restores_a_json_input_an_old_store_overwrote(
    data_dir: Path, tmp_path: Path
) -> None:
    source = tmp_path / "gaza.json"
    source.write_bytes(b'[{"#affected+killed": "12"}]')
    store = Store(data_dir)
    archived = store.archive(source)
    raw = store.raw_path(archived.source_file)
    # what humstats wrote before the metadata had a name of its own
    raw.write_text(json.dumps({"sha256": archived.sha256, "original_path": str(source)}))
    store.meta_path(archived.source_file).unlink()
    (problem,) = store.check()
    assert problem.path == archived.source_file and "ingest" in problem.problem
    store.archive(source)
    assert raw.read_bytes() == source.read_bytes()
    assert store.check() == []


def test_old_metadata_next_to_its_input_is_no_problem(data_dir: Path, tmp_path: Path) -> None:
    source = tmp_path / "a.csv"
    source.write_bytes(b"a,b\n1,2\n")
    store = Store(data_dir)
    archived = store.archive(source)
    store.meta_path(archived.source_file).rename(
        store.raw_path(archived.source_file).with_suffix(".json")
    )
    assert store.check() == []


def test_check_names_tampered_inputs_and_unreadable_data_files(
    data_dir: Path, tmp_path: Path
) -> None:
    store = Store(data_dir)
    source = tmp_path / "a.csv"
    source.write_bytes(b"a,b\n1,2\n")
    archived = store.archive(source)
    batch = new_batch_id()
    figures = make_figures({"source_file": archived.source_file})
    sources = _sources(batch).with_columns(source_file=pl.lit(archived.source_file))
    with store.lock():
        store.commit(batch, figures, empty_quarantine(), sources)
    assert store.check() == []
    store.raw_path(archived.source_file).write_bytes(b"a,b\n1,3\n")
    data_file = next(
        p for p in (data_dir / "processed").rglob("*.parquet") if "_delta_log" not in p.parts
    )
    data_file.write_bytes(data_file.read_bytes()[:40])
    problems = {p.path: p.problem for p in store.check()}
    assert "does not match its hash" in problems[archived.source_file]
    assert str(data_file.relative_to(data_dir)) in problems
    assert len(problems) == 2


# -- Delta tables: commits, concurrency, crashes, compaction, time travel, migration ----

SPAWN = multiprocessing.get_context("spawn")
"""Writers in fresh interpreters: forking a process whose Delta (tokio) threads run can hang."""


def _batch(
    store: Store,
    sha: str,
    *rows: dict[str, object],
    quarantined: int = 0,
    at: dt.datetime | None = None,
) -> int:
    """Commit one batch of figures from one input (``sha``), ingested ``at`` (a fixed day
    by default); returns the store version."""
    batch = new_batch_id()
    source_file = f"raw/{sha[:2]}/{sha}.csv"
    figures = make_figures(*({"figure_id": f"{sha[:6]}:{i}", **r} for i, r in enumerate(rows)))
    figures = figures.with_columns(source_file=pl.lit(source_file))
    quarantine = pl.DataFrame(
        [
            {"check": "negative-value", "input_row": i, "source_file": source_file}
            for i in range(quarantined)
        ],
        schema=empty_quarantine().schema,
    )
    sources = make_sources(figures, sha).with_columns(
        source_file=pl.lit(source_file), quarantined=pl.lit(quarantined, pl.Int64)
    )
    if at is not None:
        sources = sources.with_columns(ingested_at=pl.lit(at, SOURCE_DTYPES["ingested_at"]))
    with store.lock():
        return store.commit(batch, figures, quarantine, sources)


def _pause_at(point: str, ready: Any, release: Any) -> None:
    def failpoint(name: str) -> None:
        if name == point:
            ready.set()
            release.wait(30)

    humstats.store.failpoint = failpoint


def _commit_paused(data_dir: str, sha: str, point: str, ready: Any, release: Any) -> None:
    """A writer that stops at ``point`` until released, without the lock (as on another
    machine): its view of the table is stale by the time it commits."""
    _pause_at(point, ready, release)
    store = Store(data_dir)
    batch = new_batch_id()
    figures = make_figures({"figure_id": f"{sha[:6]}:0"}).with_columns(
        source_file=pl.lit(f"raw/{sha}.csv")
    )
    store.commit(batch, figures, empty_quarantine(), make_sources(figures, sha))


@pytest.mark.parametrize("first", ["empty store", "one batch stored"])
@pytest.mark.parametrize("point", ["append:figures", "append:sources"])
def test_two_writers_on_stale_tables_both_land(data_dir: Path, first: str, point: str) -> None:
    store = Store(data_dir)
    if first == "one batch stored":
        _batch(store, "0" * 64, {})
    ready, release = SPAWN.Event(), SPAWN.Event()
    writer = SPAWN.Process(
        target=_commit_paused, args=(str(data_dir), "a" * 64, point, ready, release)
    )
    writer.start()
    try:
        assert ready.wait(30)
        _batch(store, "b" * 64, {"value": 2})  # commits while the other holds a stale table
    finally:
        release.set()
        writer.join(60)
    assert writer.exitcode == 0
    hashes = {"a" * 64, "b" * 64} | ({"0" * 64} if first != "empty store" else set())
    assert store.ingested_hashes() == hashes
    assert store.figures().collect().height == len(hashes)


def test_same_input_from_two_writers_shows_once(data_dir: Path) -> None:
    store = Store(data_dir)
    ready, release = SPAWN.Event(), SPAWN.Event()
    writer = SPAWN.Process(
        target=_commit_paused, args=(str(data_dir), "a" * 64, "commit:sources", ready, release)
    )
    writer.start()
    try:
        assert ready.wait(30)
        figures = make_figures({"figure_id": "aaaaaa:0"}).with_columns(
            source_file=pl.lit(f"raw/{'a' * 64}.csv")
        )
        with store.lock():
            store.commit(new_batch_id(), figures, empty_quarantine(), make_sources(figures))
    finally:
        release.set()
        writer.join(60)
    assert writer.exitcode == 0
    assert Store(data_dir).snapshot().all_sources().height == 2  # both committed...
    assert store.sources().collect().height == 1  # ...one is shown
    assert store.figures().collect()["figure_id"].to_list() == ["aaaaaa:0"]
    assert query(data_dir, "SELECT count(*) AS n FROM figures")["n"].item() == 1


def _kill_at(point: str) -> None:
    def failpoint(name: str) -> None:
        if name == point:
            os.kill(os.getpid(), signal.SIGKILL)

    humstats.store.failpoint = failpoint


def _compact_killed_at(data_dir: str, point: str) -> None:
    _kill_at(point)
    Store(data_dir).compact(retention=dt.timedelta(0))


def _migrate_killed_at(data_dir: str, point: str) -> None:
    _kill_at(point)
    Store(data_dir).migrate()


def _contents(store: Store) -> tuple[pl.DataFrame, ...]:
    return tuple(getattr(store, table)().collect().sort(pl.all()) for table in TABLES)


@pytest.mark.parametrize(
    "point", ["compact:quarantine", "vacuum:figures", "vacuum:sources", "compact:recorded"]
)
def test_compaction_killed_midway_loses_and_doubles_nothing(data_dir: Path, point: str) -> None:
    store = Store(data_dir)
    for n in range(6):
        _batch(store, f"{n}" * 64, {"value": n}, {"value": n + 10}, quarantined=1)
    before = _contents(store)
    files = store.data_files()
    killed = SPAWN.Process(target=_compact_killed_at, args=(str(data_dir), point))
    killed.start()
    killed.join(60)
    assert killed.exitcode == -signal.SIGKILL
    for got, expected in zip(_contents(store), before, strict=True):
        assert got.equals(expected)
    done = store.compact(retention=dt.timedelta(0))
    assert done.files_before <= files and done.files_after == 3  # one file per table
    for got, expected in zip(_contents(store), before, strict=True):
        assert got.equals(expected)
    assert store.ingested_hashes({"0" * 64, "f" * 64}) == {"0" * 64}


def test_compaction_keeps_rows_and_every_version_readable(data_dir: Path) -> None:
    """Inside the retention window a version is read through Delta's time travel; once its
    replaced files are gone, from the rows of the batches committed up to it."""
    store = Store(data_dir)
    versions = [_batch(store, f"{n}" * 64, {"value": n}) for n in range(5)]
    before = _contents(store)
    assert store.data_files() == 10
    done = store.compact()
    assert done.files_after == 2 and done.removed == 0  # replaced files kept for --as-of
    for got, expected in zip(_contents(store), before, strict=True):
        assert got.equals(expected)
    assert store.figures(as_of=versions[1]).collect()["value"].sort().to_list() == [0, 1]
    store.compact(retention=dt.timedelta(0))
    assert store.figures(as_of=versions[1]).collect()["value"].sort().to_list() == [0, 1]
    assert store.snapshot(as_of=versions[1]).version == versions[1]


def _optimizations(store: Store, table: str) -> list[dict[str, Any]]:
    history = DeltaTable(str(store.table_path(table))).history()
    return [h for h in history if h.get("operation") == "OPTIMIZE"]  # newest first


def _strategy(store: Store) -> str:
    return _optimizations(store, "figures")[0]["operationMetrics"]["plannerStrategy"]


def test_compaction_packs_only_files_below_the_target_size(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Store(data_dir)
    for n in range(4):  # large batches make a file much larger than a one-row batch's
        _batch(store, f"{n}" * 64, *({"value": n * 10_000 + i} for i in range(3000)))
    store.compact(zorder=False)
    (packed,) = store.snapshot().files("figures")
    size = Path(packed.removeprefix("file://")).stat().st_size
    monkeypatch.setattr(humstats.store, "TARGET_FILE_SIZE", size - 1)  # the packed file is full
    for n in range(4, 7):
        _batch(store, f"{n}" * 64, {"value": n})
    before = _contents(store)
    store.compact(zorder=False)
    files = store.snapshot().files("figures")
    assert len(files) == 2 and packed in files  # the full file was not rewritten
    assert _optimizations(store, "figures")[0]["operationMetrics"]["numFilesRemoved"] == 3
    for got, expected in zip(_contents(store), before, strict=True):
        assert got.equals(expected)


def test_compaction_clusters_a_table_again_only_once_its_rows_doubled(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(humstats.store, "TARGET_FILE_SIZE", 1)  # every table outgrows a file
    store = Store(data_dir)

    def clustered() -> str | None:
        figures = DeltaTable(str(store.table_path("figures")))
        return figures.metadata().configuration.get("humstats.clusteredRows")

    _batch(store, "0" * 64, {"value": 0}, {"value": 1})
    _batch(store, "1" * 64, {"value": 2}, {"value": 3})
    store.compact()
    assert _strategy(store) == "zOrder" and clustered() == "4"
    _batch(store, "2" * 64, {"value": 4})
    _batch(store, "3" * 64, {"value": 5})
    store.compact()  # 6 rows: not yet twice the 4 clustered
    assert clustered() == "4"
    for n in range(4, 7):
        _batch(store, f"{n}" * 64, {"value": n + 2})
    before = _contents(store)
    store.compact()
    assert _strategy(store) == "zOrder" and clustered() == "9"
    for got, expected in zip(_contents(store), before, strict=True):
        assert got.equals(expected)
    store.compact(zorder=False)
    assert clustered() == "9"


def test_a_snapshot_keeps_its_version_while_the_same_store_commits(data_dir: Path) -> None:
    store = Store(data_dir)
    _batch(store, "a" * 64, {"value": 1})
    snapshot = store.snapshot()
    assert snapshot.read("figures").collect()["value"].to_list() == [1]
    _batch(store, "b" * 64, {"value": 2})
    store.compact(zorder=False)
    assert snapshot.version == 0
    assert snapshot.read("figures").collect()["value"].to_list() == [1]
    assert sorted(store.snapshot().read("figures").collect()["value"]) == [1, 2]


def test_tables_are_checkpointed_every_few_commits(data_dir: Path) -> None:
    store = Store(data_dir)
    for n in range(humstats.store.CHECKPOINT_INTERVAL + 1):
        _batch(store, f"{n:x}" * 64, {"value": n})
    log = store.table_path("figures") / "_delta_log"
    checkpoint = json.loads((log / "_last_checkpoint").read_text())
    assert checkpoint["version"] == humstats.store.CHECKPOINT_INTERVAL - 1  # versions from 0


def test_compaction_gives_an_older_table_the_checkpoint_interval(data_dir: Path) -> None:
    store = Store(data_dir)
    _batch(store, "a" * 64, {"value": 1})
    table = DeltaTable(str(store.table_path("figures")))
    table.alter.set_table_properties({"delta.checkpointInterval": "100"})
    store.compact()
    configuration = DeltaTable(str(store.table_path("figures"))).metadata().configuration
    assert configuration["delta.checkpointInterval"] == str(humstats.store.CHECKPOINT_INTERVAL)


def test_as_of_a_moment_finds_the_version_then_current(data_dir: Path) -> None:
    store = Store(data_dir)
    for n in range(12):
        _batch(store, f"{n:x}" * 64, {"value": n})
    sources = DeltaTable(str(store.table_path("sources")))
    times = {
        h["version"]: dt.datetime.fromtimestamp(h["timestamp"] / 1000, dt.UTC)
        for h in sources.history()
    }
    for version, at in times.items():
        assert store.snapshot(as_of=at).version == version
        assert store.snapshot(as_of=version).version == version
    assert store.snapshot(as_of=times[0] - dt.timedelta(seconds=1)).version is None
    # the log's oldest entries cleaned up (a checkpoint stands for them): later ones still read
    log = store.table_path("sources") / "_delta_log"
    for version in range(humstats.store.CHECKPOINT_INTERVAL - 1):
        (log / f"{version:020d}.json").unlink()
    assert store.snapshot(as_of=times[10]).version == 10
    assert len(store.figures(as_of=times[10]).collect()) == 11


def test_expired_log_entries_are_deleted_by_compaction_not_by_every_append(
    data_dir: Path,
) -> None:
    store = Store(data_dir)
    for n in range(12):
        _batch(store, f"{n:x}" * 64, {"value": n})
    log = store.table_path("figures") / "_delta_log"
    DeltaTable(str(store.table_path("figures"))).alter.set_table_properties(
        {"delta.logRetentionDuration": "interval 0 seconds"},
        post_commithook_properties=PostCommitHookProperties(cleanup_expired_logs=False),
    )
    _batch(store, "c" * 64, {"value": 12})
    assert (log / f"{0:020d}.json").exists()  # the append left the log as it was
    DeltaTable(str(store.table_path("figures"))).alter.set_table_properties(
        {"humstats.note": "1"}, raise_if_not_exists=False
    )
    assert (log / f"{0:020d}.json").exists()  # and so does a commit of another tool
    store.compact(retention=dt.timedelta(0))
    assert not (log / f"{0:020d}.json").exists()
    assert sorted(store.figures().collect()["value"]) == list(range(13))


@pytest.mark.parametrize(
    ("log_retention", "kept"),
    [
        (None, "interval 1 minutes"),  # humstats.store.LOG_RETENTION
        (dt.timedelta(days=45), "interval 45 days"),
        (dt.timedelta(hours=30), "interval 30 hours"),
        (dt.timedelta(minutes=90, seconds=1), "interval 91 minutes"),
    ],
)
def test_compaction_keeps_the_log_as_long_as_its_log_retention(
    data_dir: Path, log_retention: dt.timedelta | None, kept: str
) -> None:
    store = Store(data_dir)
    _batch(store, "a" * 64, {"value": 1})
    store.compact(retention=dt.timedelta(days=60), log_retention=log_retention)
    configuration = DeltaTable(str(store.table_path("figures"))).metadata().configuration
    assert configuration["delta.logRetentionDuration"] == kept
    assert configuration["delta.enableExpiredLogCleanup"] == "false"


def test_the_log_is_kept_no_longer_than_the_files(data_dir: Path) -> None:
    store = Store(data_dir)
    _batch(store, "a" * 64, {"value": 1})
    store.compact(retention=dt.timedelta(0))
    configuration = DeltaTable(str(store.table_path("figures"))).metadata().configuration
    assert configuration["delta.logRetentionDuration"] == "interval 0 days"


def _age_log(store: Store, hours: float) -> None:
    """Date every log entry ``hours`` back, as if the batches had come that long ago."""
    then = time.time() - hours * 3600
    for table in TABLES:
        for entry in os.scandir(store.table_path(table) / "_delta_log"):
            os.utime(entry.path, (then, then))


def test_compaction_deletes_log_entries_older_than_minutes_and_keeps_every_version(
    data_dir: Path,
) -> None:
    """A backfill's log goes at the next compaction (every open and commit lists it), and
    each version it named is still read exactly: through the version record."""
    store = Store(data_dir)
    versions = [_batch(store, f"{n:02x}" * 32, {"value": n}, quarantined=1) for n in range(23)]
    _age_log(store, 1)  # an hour old: older than LOG_RETENTION
    young = _batch(store, "f" * 64, {"value": 23})
    store.compact()
    log = store.table_path("sources") / "_delta_log"
    kept = sorted(int(p.name[:20]) for p in log.iterdir() if p.name.endswith(".json"))
    # back to the checkpoint before the young entry, which every version after it needs
    assert kept[0] == 2 * humstats.store.CHECKPOINT_INTERVAL - 1 and young in kept
    assert young == versions[-1] + 1
    for version in (0, 7, kept[0] - 1, kept[0], young):
        assert sorted(store.figures(as_of=version).collect()["value"]) == list(range(version + 1))
        assert store.snapshot(as_of=version).version == version


def test_a_version_older_than_the_log_hides_a_batch_ingested_before_it_and_committed_after(
    data_dir: Path,
) -> None:
    """A version is what its commit made visible: a batch whose ingest began before it but
    that committed after it (it waited for the lock) is not in it, though a date reads a
    batch from when its ingest began."""
    store = Store(data_dir)
    for n in range(3):
        _batch(store, f"{n}" * 64, {"value": n}, at=dt.datetime.now(dt.UTC))
    began = dt.datetime.now(dt.UTC)
    version = _batch(store, "3" * 64, {"value": 3}, at=dt.datetime.now(dt.UTC))
    committed = store._commit_time("sources", version)
    _batch(store, "4" * 64, {"value": 4}, at=began)  # began before, committed after
    store.compact(log_retention=dt.timedelta(0))
    assert not (store.table_path("sources") / "_delta_log" / f"{version:020d}.json").exists()
    assert sorted(store.figures(as_of=version).collect()["value"]) == [0, 1, 2, 3]
    assert committed is not None
    assert sorted(store.figures(as_of=committed).collect()["value"]) == [0, 1, 2, 3, 4]


def test_a_version_compacted_away_before_the_record_began_is_a_one_line_error(
    data_dir: Path,
) -> None:
    store = Store(data_dir)
    for n in range(12):
        _batch(store, f"{n:x}" * 64, {"value": n})
    log = store.table_path("sources") / "_delta_log"
    for version in range(humstats.store.CHECKPOINT_INTERVAL - 1):  # cleaned by another tool
        (log / f"{version:020d}.json").unlink()
    store.compact(log_retention=dt.timedelta(0))
    assert store._versions()["version"].min() == humstats.store.CHECKPOINT_INTERVAL - 1
    with pytest.raises(HistoryError, match="compacted away before the store began"):
        store.figures(as_of=3)
    assert store.figures(as_of=10).collect().height == 11
    with pytest.raises(HistoryError, match="no such store version"):
        store.figures(as_of=1000)


def test_a_damaged_version_record_stops_compaction_before_the_log_is_cleaned(
    data_dir: Path,
) -> None:
    store = Store(data_dir)
    for n in range(12):
        _batch(store, f"{n:x}" * 64, {"value": n})
    store.compact(log_retention=dt.timedelta(0))
    _batch(store, "c" * 64, {"value": 12})
    store.versions_path.write_bytes(b"not parquet")
    log = store.table_path("sources") / "_delta_log"
    kept = sorted(log.iterdir())
    with pytest.raises(HistoryError, match=r"version record .* is unreadable"):
        store.compact(log_retention=dt.timedelta(0))
    assert all(p.exists() for p in kept)
    with pytest.raises(HistoryError, match="unreadable"):
        store.figures(as_of=1)
    assert store.figures().collect().height == 13
    assert "processed/versions.parquet" in {problem.path for problem in store.check()}


def test_a_store_object_reads_on_after_another_compaction_cleaned_its_log(
    data_dir: Path,
) -> None:
    reader = Store(data_dir)
    _batch(reader, "0" * 64, {"value": 0})
    assert reader.figures().collect().height == 1
    writer = Store(data_dir)
    for n in range(1, 13):
        _batch(writer, f"{n:x}" * 64, {"value": n})
    writer.compact(log_retention=dt.timedelta(0))
    assert sorted(reader.figures().collect()["value"]) == list(range(13))
    _batch(reader, "f" * 64, {"value": 13})
    assert writer.figures().collect().height == 14


def test_a_log_kept_shorter_than_the_files_keeps_dates_and_version_numbers(
    data_dir: Path,
) -> None:
    """A burst of batches inside one retention window (a backfill) would leave its whole log
    to every later open and commit; compaction cleans it down to a checkpoint while the
    replaced files stay for the window, and the version record still names each version."""
    store = Store(data_dir)
    moments = []
    for n in range(12):
        started = dt.datetime.now(dt.UTC)
        _batch(store, f"{n:x}" * 64, {"value": n}, at=started)
        moments.append(dt.datetime.now(dt.UTC))
    done = store.compact(log_retention=dt.timedelta(0))
    assert done.removed == 0  # the replaced files are kept for --as-of
    log = store.table_path("sources") / "_delta_log"
    assert len([p for p in log.iterdir() if p.name.endswith(".json")]) == 1
    latest = store.snapshot().version
    assert latest is not None and store.figures(as_of=latest).collect().height == 12
    assert sorted(store.figures(as_of=1).collect()["value"]) == [0, 1]
    assert sorted(store.figures(as_of=moments[4]).collect()["value"]) == list(range(5))
    _batch(store, "c" * 64, {"value": 12})
    assert sorted(store.figures().collect()["value"]) == list(range(13))
    store.compact(log_retention=humstats.store.RETENTION)  # as long as the files again
    configuration = DeltaTable(str(store.table_path("figures"))).metadata().configuration
    kept = f"interval {humstats.store.RETENTION.days} days"
    assert configuration["delta.logRetentionDuration"] == kept
    assert sorted(store.figures(as_of=1).collect()["value"]) == [0, 1]


def test_a_date_older_than_the_log_is_answered_from_the_ingest_times(data_dir: Path) -> None:
    store = Store(data_dir)
    moments = []
    for n in range(12):
        started = dt.datetime.now(dt.UTC)
        _batch(store, f"{n:x}" * 64, {"value": n}, quarantined=n % 2, at=started)
        moments.append(dt.datetime.now(dt.UTC))
    store.compact(retention=dt.timedelta(0))  # the replaced files and the log before it go
    log = store.table_path("sources") / "_delta_log"
    assert not (log / f"{1:020d}.json").exists()
    assert sorted(store.figures(as_of=1).collect()["value"]) == [0, 1]  # the version record
    for n in (0, 4):
        assert sorted(store.figures(as_of=moments[n]).collect()["value"]) == list(range(n + 1))
        assert store.quarantine(as_of=moments[n]).collect().height == (n + 1) // 2
        assert store.sources(as_of=moments[n]).collect().height == n + 1
    assert store.snapshot(as_of=moments[0]).version is None  # the log no longer says
    assert store.figures(as_of=moments[0] - dt.timedelta(days=1)).collect().is_empty()
    assert store.figures(as_of=moments[11]).collect().height == 12  # its files are gone too
    now = store.snapshot(as_of=dt.datetime.now(dt.UTC))  # inside the log: Delta's time travel
    assert now.version == store.snapshot().version is not None


def test_as_of_reads_each_version_and_moment(data_dir: Path) -> None:
    store = Store(data_dir)
    assert store.figures(as_of=dt.date(2000, 1, 1)).collect().is_empty()
    versions = [
        _batch(store, "a" * 64, {"value": 1}),
        _batch(store, "b" * 64, {"value": 2}, quarantined=2),
        _batch(store, "c" * 64, {"value": 3}, {"value": 4}),
    ]
    assert versions == [0, 1, 2]
    values = [sorted(store.figures(as_of=v).collect()["value"]) for v in versions]
    assert values == [[1], [1, 2], [1, 2, 3, 4]]
    assert [store.quarantine(as_of=v).collect().height for v in versions] == [0, 2, 2]
    history = {
        e["version"]: e["timestamp"] for e in DeltaTable(store.table_path("sources")).history()
    }
    moment = dt.datetime.fromtimestamp(history[1] / 1000, dt.UTC)
    assert sorted(store.figures(as_of=moment).collect()["value"]) == [1, 2]
    assert store.figures(as_of=dt.date(2999, 1, 1)).collect().height == 4
    assert store.snapshot(as_of=moment).version == 1
    with pytest.raises(HistoryError, match="no such store version"):
        store.figures(as_of=7)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("12", 12),
        ("2026-11-27", dt.date(2026, 11, 27)),
        ("2026-11-27T14:05:00", dt.datetime(2026, 11, 27, 14, 5)),
        ("2026-11-27T14:05:00+01:00", dt.datetime(2026, 11, 27, 13, 5, tzinfo=dt.UTC)),
    ],
)
def test_as_of_text(text: str, expected: object) -> None:
    assert parse_as_of(text) == expected


def test_as_of_text_that_is_no_moment_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="expected a date"):
        parse_as_of("last tuesday")


def test_other_engines_read_the_tables(data_dir: Path) -> None:
    store = Store(data_dir)
    _batch(store, "a" * 64, {"value": 1, "country_iso3": "SDN"}, {"value": 2})
    _batch(store, "b" * 64, {"value": 3})
    expected = store.figures().collect().sort("figure_id")
    direct = pl.scan_delta(str(store.table_path("figures"))).collect().sort("figure_id")
    assert direct.select(expected.columns).equals(expected)
    by_uri = humstats.open(f"file://{data_dir}").figures().collect().sort("figure_id")
    assert by_uri.equals(expected)
    files = DeltaTable(str(store.table_path("figures"))).file_uris()
    count = duckdb.sql(f"SELECT count(*) FROM read_parquet({files!r})").fetchall()
    assert count == [(3,)]


def test_ingested_hashes_among_reads_only_what_it_needs(data_dir: Path) -> None:
    store = Store(data_dir)
    for sha in ("a" * 64, "b" * 64, "c" * 64):
        _batch(store, sha, {})
    assert store.ingested_hashes({"b" * 64, "d" * 64}) == {"b" * 64}
    assert store.ingested_hashes(set()) == set()
    assert Store(data_dir / "elsewhere").ingested_hashes({"a" * 64}) == set()


def test_run_log_tail_reads_the_last_lines(data_dir: Path) -> None:
    store = Store(data_dir)
    for n in range(2_000):
        store.log_run({"kind": "ingest", "n": n, "pad": "x" * 100})
    assert [r["n"] for r in store.runs(last=3)] == [1_997, 1_998, 1_999]
    assert store.runs(last=5) == store.runs()[-5:]


@pytest.mark.parametrize("block", [7, 64, 64 * 1024])
def test_run_log_read_from_its_end_gives_every_whole_record_newest_first(
    data_dir: Path, block: int
) -> None:
    store = Store(data_dir)
    for n in range(40):
        store.log_run({"kind": "run", "n": n, "note": "é" * (n % 5)})
    with store.runs_path.open("ab") as handle:
        handle.write(b'{"kind": "run", "n": 4')  # torn by a crash
    store.log_run({"kind": "run", "n": 40})
    newest_first = list(store.runs_newest_first(block=block))
    assert [r["n"] for r in newest_first] == list(range(40, -1, -1))
    assert newest_first[::-1] == store.runs()
    assert list(Store(data_dir / "elsewhere").runs_newest_first()) == []


def test_run_log_lines_not_containing_a_text_are_not_read(data_dir: Path) -> None:
    store = Store(data_dir)
    for n in range(6):
        store.log_run({"kind": "run", "inputs": [{"status": "unreadable" if n % 3 else "stored"}]})
    assert len(store.runs(containing='"unreadable"')) == 4


def _write_legacy_batch(data_dir: Path, sha: str, value: int) -> pl.DataFrame:
    """A batch as stores before Delta Lake kept it: three Parquet files in a folder."""
    batch = f"20241201T00000{value}-{sha[:8]}"
    figures = make_figures({"figure_id": f"{sha[:6]}:0", "value": value}).with_columns(
        batch_id=pl.lit(batch), source_file=pl.lit(f"raw/{sha}.csv")
    )
    folder = data_dir / "processed" / "batches" / batch
    folder.mkdir(parents=True)
    figures.write_parquet(folder / "figures.parquet")
    empty_quarantine().write_parquet(folder / "quarantine.parquet")
    make_sources(figures, sha).with_columns(batch_id=pl.lit(batch)).write_parquet(
        folder / "sources.parquet"
    )
    return figures


def test_old_layout_is_read_then_migrated_with_counts_and_hashes(data_dir: Path) -> None:
    for n, sha in enumerate(("a" * 64, "b" * 64)):
        _write_legacy_batch(data_dir, sha, n)
    store = Store(data_dir)
    _batch(store, "c" * 64, {"value": 9})  # ingested after upgrading, before migrating
    before = _contents(store)
    assert sorted(before[0]["value"]) == [0, 1, 9]
    assert store.ingested_hashes() == {"a" * 64, "b" * 64, "c" * 64}
    checked = store.migrate()
    assert {table: rows for table, (rows, _) in checked.items()} == {
        "figures": 3,
        "quarantine": 0,
        "sources": 3,
    }
    assert not store.batches_dir.exists()
    for got, expected in zip(_contents(store), before, strict=True):
        assert got.equals(expected)
    assert store.migrate() == {}


@pytest.mark.parametrize(("point", "left"), [("commit:sources", True), ("commit:done", False)])
def test_migration_killed_midway_is_finished_by_the_next(
    data_dir: Path, point: str, left: bool
) -> None:
    for n, sha in enumerate(("a" * 64, "b" * 64)):
        _write_legacy_batch(data_dir, sha, n)
    store = Store(data_dir)
    before = _contents(store)

    killed = SPAWN.Process(target=_migrate_killed_at, args=(str(data_dir), point))
    killed.start()
    killed.join(60)
    assert killed.exitcode == -signal.SIGKILL
    assert store.batches_dir.exists()
    for got, expected in zip(_contents(store), before, strict=True):
        assert got.equals(expected)  # neither lost nor shown twice
    assert bool(store.migrate()) == left
    assert not store.batches_dir.exists()
    for got, expected in zip(_contents(store), before, strict=True):
        assert got.equals(expected)


def test_compaction_drops_rows_no_reader_was_shown(data_dir: Path) -> None:
    store = Store(data_dir)
    _batch(store, "a" * 64, {"value": 1})
    killed = SPAWN.Process(target=_commit_killed_at, args=(str(data_dir), "commit:sources"))
    killed.start()
    killed.join(60)
    assert killed.exitcode == -signal.SIGKILL
    table = str(store.table_path("figures"))
    assert pl.scan_delta(table).collect().height == 2  # the killed batch's row, unseen
    assert store.figures().collect().height == 1
    store.compact()  # inside the retention window: a writer might still be committing
    assert pl.scan_delta(table).collect().height == 2
    store.compact(retention=dt.timedelta(0))
    assert pl.scan_delta(table).collect()["value"].to_list() == [1]
    assert store.figures().collect()["value"].to_list() == [1]


def _commit_killed_at(data_dir: str, point: str) -> None:
    _kill_at(point)
    store = Store(data_dir)
    figures = make_figures({"figure_id": "b:0", "value": 2}).with_columns(
        source_file=pl.lit("raw/b.csv")
    )
    store.commit(new_batch_id(), figures, empty_quarantine(), make_sources(figures, "b" * 64))


def test_each_commit_records_the_statistics_of_its_data(data_dir: Path) -> None:
    """The statistics a batch's log entry carries (what reads skip files by, and what tells
    which batches a damaged file held) are those of the rows its file holds."""
    store = Store(data_dir)
    rows = [
        {"value": 7, "country_iso3": "SDN", "period_end": dt.date(2024, 11, 30)},
        {"value": 3, "country_iso3": "YEM", "publisher": None},
    ]
    _batch(store, "a" * 64, *rows)
    _batch(store, "b" * 64, {"value": 11, "country_iso3": "AFG"})
    actions = pl.DataFrame(
        DeltaTable(str(store.table_path("figures"))).get_add_actions(flatten=True)
    )
    stored = store.figures().collect()
    assert actions.height == 2
    for action in actions.iter_rows(named=True):
        rows = stored.filter(pl.col("batch_id") == action["min.batch_id"])
        assert action["num_records"] == rows.height
        assert action["max.batch_id"] == action["min.batch_id"]
        for column in humstats.store.STATS_COLUMNS["figures"]:
            assert action[f"null_count.{column}"] == rows[column].null_count()
            assert action.get(f"min.{column}") == rows[column].min(), column
            assert action.get(f"max.{column}") == rows[column].max(), column


def test_a_table_of_an_older_schema_takes_new_batches(data_dir: Path) -> None:
    """A figures table written before a column existed gains it on the next commit; its
    old rows read the new column as null."""
    store = Store(data_dir)
    old = make_figures({"figure_id": "old", "value": 1}).drop("projected")
    write_deltalake(str(store.table_path("figures")), old.to_arrow(), mode="append")
    _batch(store, "a" * 64, {"figure_id": "new", "value": 2})
    table = DeltaTable(str(store.table_path("figures")))
    assert "projected" in [f.name for f in table.schema().fields]
    got = pl.read_delta(str(store.table_path("figures"))).sort("value")
    assert got["figure_id"].to_list() == ["old", "new"]
    assert got["projected"].to_list() == [None, False]


def test_readers_after_a_commit_take_the_kept_file_list_while_it_is_current(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    store = Store(data_dir)
    _batch(store, "a" * 64, {"value": 1})
    _batch(store, "b" * 64, {"value": 2})
    opened: list[str] = []
    real_open = Store._open

    def counting_open(self: Store, table: str, version: int | None = None) -> Any:
        opened.append(table)
        return real_open(self, table, version)

    monkeypatch.setattr(Store, "_open", counting_open)
    snapshot = Store(data_dir).snapshot()
    assert sorted(snapshot.read("figures").collect()["value"]) == [1, 2]
    tables = {"figures", "sources"}  # (no quarantine table: nothing to keep)
    assert snapshot.version == 1 and not tables & set(opened)  # the writer kept both lists
    # a commit by another engine, which keeps nothing: the kept list is no longer current
    extra = make_figures({"figure_id": "x:1", "value": 3}).with_columns(
        source_file=pl.lit("raw/cc/c.csv")
    )
    extra_file = tmp_path / "extra.parquet"
    extra.write_parquet(extra_file)
    write_deltalake(str(store.table_path("figures")), pl.read_parquet(extra_file), mode="append")
    files = Store(data_dir).snapshot().files("figures")
    assert len(files) == 3 and "figures" in opened
    opened.clear()
    assert len(Store(data_dir).snapshot().files("figures")) == 3  # kept again
    assert not tables & set(opened)
    # a copy of the store elsewhere names its own files, not the original's
    copy = tmp_path / "copy"
    shutil.copytree(data_dir, copy)
    copied = Store(copy).snapshot().files("figures")
    assert len(copied) == 3 and all(str(copy.resolve()) in f for f in copied)
