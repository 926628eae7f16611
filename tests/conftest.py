"""Shared fixtures: a fresh data directory and figure frames built from a few fields."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from humstats.schema import DTYPES

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
