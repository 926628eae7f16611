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
