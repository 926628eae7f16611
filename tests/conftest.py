"""Shared fixtures: a fresh data directory and figure frames built from a few fields."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import polars as pl
import pytest
from hypothesis import settings

from humstats.schema import BREAKDOWN_DEFAULTS, COLUMNS, DTYPES, empty_figures, empty_quarantine

# Two shared cores and other processes make wall-clock deadlines flaky; correctness is what
# these properties check.
settings.register_profile("humstats", deadline=None)
settings.load_profile("humstats")

FIGURE_DEFAULTS: dict[str, object] = {
    "figure_id": None,
    "indicator": "killed",
    "measure": "stock",
    "value": 100,
    "value_low": None,
    "value_high": None,
    "qualifier": "exact",
    "unit": "people",
    "location_name": "Aleppo",
    "country_iso3": "SYR",
    "admin_level": 1,
    "pcode": "SY02",
    "period_start": dt.date(2024, 11, 30),
    "period_end": dt.date(2024, 11, 30),
    "date_precision": "day",
    "published_date": dt.date(2024, 12, 2),
    "publisher": "OCHA",
    "attributed_to": None,
    "source_url": "https://example.org/sitrep",
    "source_file": "raw/ab/abc.csv",
    "quote": "Aleppo: killed 100",
    "span_start": None,
    "span_end": None,
    **BREAKDOWN_DEFAULTS,
    "method": "table",
    "confidence": 1.0,
    "batch_id": "20241202T000000-test",
    "ingested_at": dt.datetime(2024, 12, 2, tzinfo=dt.UTC),
}


def make_figures(*rows: dict[str, object]) -> pl.DataFrame:
    """Valid figures unless a row says otherwise; ids are numbered when not given."""
    records = [{**FIGURE_DEFAULTS, "figure_id": f"f{i}", **row} for i, row in enumerate(rows)]
    return pl.DataFrame(records, schema=DTYPES)


KILL_AT = """
import os, signal, sys
import humstats.store
point, nth = sys.argv.pop(1), int(sys.argv.pop(1))
reached = 0
def failpoint(name):
    global reached
    if name == point:
        reached += 1
        if reached == nth:
            os.kill(os.getpid(), signal.SIGKILL)
humstats.store.failpoint = failpoint
"""
"""Prepended to a ``python -c`` script whose first two arguments are a failpoint and N:
SIGKILL the process the ``nth`` time it reaches that failpoint
(``humstats.store.failpoint``): a crash at an exact step, not after a guessed delay."""


def make_sources(figures: pl.DataFrame, sha: str = "a" * 64) -> pl.DataFrame:
    """The sources rows of a batch of ``figures``: one per input (``source_file``), with its
    count, as ingest writes them; the store shows a figure only with its input's row."""
    from humstats.store import SOURCE_DTYPES

    counts = figures.group_by("source_file", maintain_order=True).len("figures")
    rows = [
        dict.fromkeys(SOURCE_DTYPES)
        | {
            "sha256": sha if i == 0 else f"{sha[:-4]}{i:04d}",
            "source_file": source_file,
            "figures": n,
            "quarantined": 0,
            "ingested_at": dt.datetime(2024, 12, 2, tzinfo=dt.UTC),
        }
        for i, (source_file, n) in enumerate(counts.iter_rows())
    ]
    return pl.DataFrame(rows, schema=SOURCE_DTYPES)


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


_figure_numbers = itertools.count(1)


def figure(**fields: object) -> dict[str, object]:
    """One valid figure record for aggregation and report tests: a national stock by default,
    each with its own id, URL and quote; ``as_of`` sets a one-day reference period."""
    as_of = fields.pop("as_of", None)
    n = next(_figure_numbers)
    record: dict[str, object] = {
        **FIGURE_DEFAULTS,
        "figure_id": f"fig-{n:05d}",
        "location_name": None,
        "admin_level": 0,
        "pcode": None,
        "source_url": f"https://example.org/report/{n}",
        "source_file": f"raw/{n:05d}.csv",
        "quote": f"Row {n}: figure as stated by the source.",
    }
    if as_of is not None:
        record["period_start"] = record["period_end"] = as_of
    unknown = set(fields) - set(record)
    assert not unknown, f"not figure columns: {unknown}"
    return {**record, **fields}


def figures_frame(*records: dict[str, object]) -> pl.LazyFrame:
    """Records as a LazyFrame with exactly the schema's columns and dtypes."""
    if not records:
        return empty_figures().lazy()
    return pl.DataFrame(list(records), schema=DTYPES).select(COLUMNS).lazy()


def quarantine_frame(*records: dict[str, object]) -> pl.LazyFrame:
    """Quarantine rows: the given fields, every other quarantine column null."""
    empty = empty_quarantine()
    rows = [{column: record.get(column) for column in empty.columns} for record in records]
    return pl.DataFrame(rows, schema=empty.schema).lazy()
