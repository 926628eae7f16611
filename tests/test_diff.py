"""What changed between two moments of a store built across several batches."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from conftest import make_figures, make_sources
from humstats.diff import diff
from humstats.store import Store, new_batch_id
from humstats.validate import empty_quarantine


def _batch(
    store: Store,
    sha: str,
    figures: pl.DataFrame,
    quarantined: int = 0,
    at: dt.datetime | None = None,
) -> int:
    source_file = f"raw/{sha[:2]}/{sha}.csv"
    figures = figures.with_columns(source_file=pl.lit(source_file))
    quarantine = pl.DataFrame(
        [
            {
                "check": "negative-value",
                "reason": "value -4",
                "input_row": i,
                "source_file": source_file,
            }
            for i in range(quarantined)
        ],
        schema=empty_quarantine().schema,
    )
    sources = make_sources(figures, sha).with_columns(quarantined=pl.lit(quarantined, pl.Int64))
    if at is not None:  # when the ingest began (a fixed day by default)
        sources = sources.with_columns(ingested_at=pl.lit(at, pl.Datetime("us", "UTC")))
    with store.lock():
        return store.commit(new_batch_id(), figures, quarantine, sources)


def _stock(figure_id: str, value: int, day: int, **fields: object) -> dict[str, object]:
    date = dt.date(2024, 11, day)
    return {
        "figure_id": figure_id,
        "value": value,
        "period_start": date,
        "period_end": date,
        "published_date": date,
        **fields,
    }


def test_added_superseded_and_quarantined_between_versions(data_dir: Path) -> None:
    store = Store(data_dir)
    first = _batch(
        store,
        "a" * 64,
        make_figures(_stock("syr-1", 100, 10), _stock("sdn-1", 5, 10, country_iso3="SDN")),
    )
    second = _batch(store, "b" * 64, make_figures(_stock("syr-2", 150, 20)), quarantined=2)
    third = _batch(store, "c" * 64, make_figures(_stock("syr-old", 90, 1)))

    changes = diff(data_dir, first, second)
    assert changes.added["figure_id"].to_list() == ["syr-2"]
    assert changes.superseded["figure_id"].to_list() == ["syr-1"]
    assert changes.superseded["superseded_by"].to_list() == ["syr-2"]
    assert changes.quarantined["input_row"].to_list() == [0, 1]
    assert changes.counts() == {"added": 1, "superseded": 1, "quarantined": 2}

    # An older figure arriving later is added but supersedes nothing.
    later = diff(data_dir, second, third)
    assert later.added["figure_id"].to_list() == ["syr-old"]
    assert later.superseded.is_empty() and later.quarantined.is_empty()

    whole = diff(data_dir, dt.date(2000, 1, 1))  # from before the store existed to now
    assert sorted(whole.added["figure_id"]) == ["sdn-1", "syr-1", "syr-2", "syr-old"]
    assert whole.superseded.is_empty()


def test_no_change_between_the_same_moment(data_dir: Path) -> None:
    store = Store(data_dir)
    version = _batch(store, "a" * 64, make_figures(_stock("syr-1", 100, 10)), quarantined=1)
    changes = diff(data_dir, version, version)
    assert changes.counts() == {"added": 0, "superseded": 0, "quarantined": 0}
    assert changes.to_frame().columns[0] == "change"


def test_one_table_lists_every_change(data_dir: Path) -> None:
    store = Store(data_dir)
    first = _batch(store, "a" * 64, make_figures(_stock("syr-1", 100, 10)))
    _batch(store, "b" * 64, make_figures(_stock("syr-2", 150, 20)), quarantined=1)
    table = diff(data_dir, first).to_frame()
    assert table["change"].to_list() == ["added", "superseded", "quarantined"]
    assert table["figure_id"].to_list()[:2] == ["syr-2", "syr-1"]
    assert table["check"].to_list()[2] == "negative-value"


def test_dates_older_than_the_log_are_compared_by_ingest_time(data_dir: Path) -> None:
    store = Store(data_dir)
    moments = []
    for n in range(12):  # past a checkpoint, so compaction can clean the log before it
        figures = make_figures(_stock(f"syr-{n}", 100 + n, 1 + n))
        _batch(store, f"{n:x}" * 64, figures, quarantined=n % 2, at=dt.datetime.now(dt.UTC))
        moments.append(dt.datetime.now(dt.UTC))
    store.compact(retention=dt.timedelta(0))  # old versions' log entries and files go
    assert store.snapshot(as_of=moments[1]).version is None  # the log no longer reaches
    changes = diff(data_dir, moments[1], moments[3])
    assert changes.added["figure_id"].to_list() == ["syr-2", "syr-3"]
    assert changes.superseded["figure_id"].to_list() == ["syr-1"]
    assert changes.superseded["superseded_by"].to_list() == ["syr-3"]
    assert changes.counts()["quarantined"] == 1  # batch 3's row
