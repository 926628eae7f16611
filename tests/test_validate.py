from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import make_figures
from humstats.schema import COLUMNS, MAX_VALUE, QUARANTINE_COLUMNS
from humstats.validate import validate_figures


def _with_rows(figures: pl.DataFrame) -> pl.DataFrame:
    return figures.with_columns(input_row=pl.int_range(2, figures.height + 2, dtype=pl.Int64))


def test_valid_figures_pass_untouched() -> None:
    figures = make_figures({}, {"value": 5, "indicator": "injured"})
    validation = validate_figures(_with_rows(figures))
    assert validation.valid
    assert validation.figures.equals(figures)
    assert validation.quarantine.columns == list(QUARANTINE_COLUMNS)


@pytest.mark.parametrize(
    ("row", "check", "column"),
    [
        ({"value": -5}, "negative-value", "value"),
        ({"value": MAX_VALUE}, "implausible-value", "value"),
        ({"country_iso3": "XXX"}, "unknown-country", "country_iso3"),
        ({"country_iso3": None}, "missing-country-iso3", "country_iso3"),
        ({"indicator": "bored"}, "unknown-indicator", "indicator"),
        ({"qualifier": "maybe"}, "unknown-qualifier", "qualifier"),
        ({"publisher": "  "}, "blank-text", "publisher"),
        ({"quote": ""}, "blank-text", "quote"),
        ({"period_start": dt.date(1850, 1, 1)}, "date-before-1900", "period_start"),
        (
            {
                "published_date": dt.date.today() + dt.timedelta(days=30),
                "period_end": dt.date.today() + dt.timedelta(days=30),
                "period_start": dt.date.today() + dt.timedelta(days=30),
            },
            "future-date",
            "period_end",
        ),
        ({"period_start": dt.date(2024, 12, 1)}, "period-reversed", None),
        ({"published_date": dt.date(2024, 11, 1)}, "published-before-period", None),
        ({"qualifier": "range"}, "range-without-bounds", None),
        ({"value_low": 200}, "value-outside-bounds", None),
        ({"confidence": 1.5}, "out-of-range-confidence", "confidence"),
        ({"sex": "female"}, "unknown-sex", "sex"),
        ({"age": "children"}, "malformed-breakdown", "age"),
        ({"cause": "Armed conflict"}, "malformed-breakdown", "cause"),
        ({"group": "SDN"}, "malformed-breakdown", "group"),
    ],
)
def test_each_check_quarantines_with_its_name(
    row: dict[str, object], check: str, column: str | None
) -> None:
    figures = make_figures({}, row)
    validation = validate_figures(_with_rows(figures))
    assert validation.figures["figure_id"].to_list() == ["f0"]
    (bad,) = validation.quarantine.to_dicts()
    assert check in bad["check"].split("; ")
    assert bad["input_row"] == 3
    assert bad["figure_id"] == "f1"
    if column is not None:
        assert column in bad["column"].split("; ")
        assert f"{check}: {column}=" in bad["reason"]


def test_one_day_past_publication_is_tolerated() -> None:
    figures = make_figures(
        {"period_end": dt.date(2024, 12, 3), "period_start": dt.date(2024, 12, 3)}
    )
    assert validate_figures(_with_rows(figures)).valid


def test_every_failure_of_a_row_is_reported_in_one_pass() -> None:
    figures = make_figures({"value": -1, "country_iso3": "ZZZ", "indicator": "x"})
    (bad,) = validate_figures(_with_rows(figures)).quarantine.to_dicts()
    assert set(bad["check"].split("; ")) == {
        "negative-value",
        "unknown-country",
        "unknown-indicator",
    }


def test_duplicate_ids_are_both_quarantined() -> None:
    figures = make_figures({"figure_id": "same"}, {"figure_id": "same", "value": 3})
    validation = validate_figures(_with_rows(figures))
    assert validation.figures.is_empty()
    assert validation.quarantine["check"].to_list() == ["duplicate-figure-id"] * 2


def test_quarantine_keeps_the_failing_row_as_json() -> None:
    figures = make_figures({"value": -9, "location_name": "Idlib"})
    (bad,) = validate_figures(_with_rows(figures)).quarantine.to_dicts()
    assert '"location_name":"Idlib"' in bad["raw"]
    assert bad["value"] == "-9"
    assert bad["failing_value"] == "-9"


def test_wrong_shape_is_a_bug_not_quarantine() -> None:
    figures = make_figures({}).with_columns(pl.col("value").cast(pl.String))
    with pytest.raises(ValueError, match="does not fit"):
        validate_figures(_with_rows(figures))


@given(st.lists(st.integers(min_value=-(10**12), max_value=10**12), min_size=1, max_size=30))
def test_nothing_is_lost(values: list[int]) -> None:
    figures = make_figures(*({"value": v, "location_name": f"p{i}"} for i, v in enumerate(values)))
    validation = validate_figures(_with_rows(figures))
    assert validation.figures.height + validation.quarantine.height == len(values)
    assert validation.figures["value"].is_between(0, MAX_VALUE - 1).all()
    assert validation.figures.columns == list(COLUMNS)
    bad = [v for v in values if not 0 <= v < MAX_VALUE]
    assert sorted(int(v) for v in validation.quarantine["value"]) == sorted(bad)


def test_row_check_reason_shows_the_fields_it_compared() -> None:
    figures = make_figures({"published_date": dt.date(2024, 11, 1)})
    (bad,) = validate_figures(_with_rows(figures)).quarantine.to_dicts()
    assert bad["reason"] == (
        "published-before-period: period_end=2024-11-30, published_date=2024-11-01"
    )
    assert bad["column"] == "period_end, published_date"


def test_a_projection_may_describe_a_period_after_its_publication() -> None:
    ahead = {
        "period_start": dt.date(2025, 3, 1),
        "period_end": dt.date(2025, 5, 31),
        "date_precision": "month",
        "published_date": dt.date(2024, 12, 2),
    }
    figures = make_figures({**ahead, "projected": True}, ahead)
    validation = validate_figures(_with_rows(figures))
    assert validation.figures["figure_id"].to_list() == ["f0"]
    assert validation.quarantine["check"].to_list() == ["published-before-period"]


def test_a_projection_may_lie_in_the_future_but_its_publication_may_not() -> None:
    ahead = dt.date.today() + dt.timedelta(days=400)
    plan = {"period_start": ahead, "period_end": ahead, "projected": True}
    figures = make_figures(plan, {**plan, "published_date": ahead})
    validation = validate_figures(_with_rows(figures))
    assert validation.figures["figure_id"].to_list() == ["f0"]
    (bad,) = validation.quarantine.to_dicts()
    assert bad["check"] == "future-date" and bad["column"] == "published_date"


@pytest.mark.parametrize(
    "row",
    [
        {"sex": "f"},
        {"sex": "x", "age": "60+"},
        {"age": "0-17", "cause": "conflict"},
        {"group": "origin=SDN;phase=3"},
    ],
)
def test_well_written_breakdowns_pass(row: dict[str, object]) -> None:
    assert validate_figures(_with_rows(make_figures(row))).valid
