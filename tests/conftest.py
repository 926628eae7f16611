from __future__ import annotations

import datetime as dt
import itertools

import polars as pl
import pytest

from humstats import schema

_ids = itertools.count(1)


def figure(**fields: object) -> dict[str, object]:
    """A valid figure record: sensible defaults, overridden by ``fields``.

    ``as_of`` is a shorthand for a stock dated one day (period_start = period_end).
    """
    as_of = fields.pop("as_of", None)
    n = next(_ids)
    record: dict[str, object] = {
        "figure_id": f"fig-{n:05d}",
        "indicator": "killed",
        "measure": "stock",
        "value": 100,
        "value_low": None,
        "value_high": None,
        "qualifier": "exact",
        "unit": "people",
        "location_name": None,
        "country_iso3": "SYR",
        "admin_level": 0,
        "pcode": None,
        "period_start": dt.date(2024, 11, 30),
        "period_end": dt.date(2024, 11, 30),
        "date_precision": "day",
        "published_date": dt.date(2024, 12, 2),
        "publisher": "OCHA",
        "attributed_to": None,
        "source_url": f"https://example.org/report/{n}",
        "source_file": f"raw/{n:05d}.csv",
        "quote": f"Row {n}: figure as stated by the source.",
        "span_start": None,
        "span_end": None,
        "method": "table",
        "confidence": 1.0,
        "batch_id": "batch-test",
        "ingested_at": dt.datetime(2024, 12, 3, tzinfo=dt.UTC),
    }
    if as_of is not None:
        record["period_start"] = record["period_end"] = as_of
    unknown = set(fields) - set(record)
    assert not unknown, f"not figure columns: {unknown}"
    record.update(fields)
    return record


def figures_frame(*records: dict[str, object]) -> pl.LazyFrame:
    """A LazyFrame with exactly the schema's columns and dtypes."""
    if not records:
        return schema.empty_figures().lazy()
    frame = pl.DataFrame(list(records), schema=schema.DTYPES)
    return frame.select(schema.COLUMNS).lazy()


def quarantine_frame(*records: dict[str, object]) -> pl.LazyFrame:
    empty = schema.empty_quarantine()
    if not records:
        return empty.lazy()
    rows = [{c: r.get(c) for c in empty.columns} for r in records]
    return pl.DataFrame(rows, schema=empty.schema).lazy()


@pytest.fixture
def make_figures():
    return lambda *records: figures_frame(*(figure(**r) for r in records))
