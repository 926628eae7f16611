"""humstats.periods: the one Period type, its labels and calendar arithmetic."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from humstats.periods import Period, containing, last_weekday, on_or_before, parse_label
from humstats.schema import DatePrecision

D = dt.date
DAY, WEEK, MONTH, YEAR = (
    DatePrecision.DAY,
    DatePrecision.WEEK,
    DatePrecision.MONTH,
    DatePrecision.YEAR,
)
days = st.dates(min_value=D(1950, 1, 1), max_value=D(2090, 12, 31))
units = st.sampled_from([WEEK, MONTH, YEAR])


@st.composite
def spans(draw: st.DrawFn) -> Period:
    start = draw(days)
    return Period(start, start + dt.timedelta(days=draw(st.integers(0, 400))))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024", Period(D(2024, 1, 1), D(2024, 12, 31), YEAR)),
        ("2024-02", Period(D(2024, 2, 1), D(2024, 2, 29), MONTH)),
        ("2024-W49", Period(D(2024, 12, 2), D(2024, 12, 8), WEEK)),
        ("2025-w01", Period(D(2024, 12, 30), D(2025, 1, 5), WEEK)),
        ("2024-12-03", Period(D(2024, 12, 3), D(2024, 12, 3))),
        (" 2024-11-01_2024-12-15 ", Period(D(2024, 11, 1), D(2024, 12, 15))),
    ],
)
def test_labels_name_whole_units_and_spans_of_days(text: str, expected: Period) -> None:
    assert parse_label(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "2024-13",
        "2024-W54",
        "2023-02-29",
        "2024/12",
        "2024-5",
        "December",
        "",
        "2024-12-15_2024-12-01",
    ],
)
def test_what_is_no_label_or_no_such_period_is_none(text: str) -> None:
    assert parse_label(text) is None


@given(day=days, unit=units)
def test_a_whole_unit_holds_its_day_and_round_trips_through_its_label(
    day: dt.date, unit: DatePrecision
) -> None:
    period = containing(day, unit)
    assert period.start <= day <= period.end and period.whole
    assert parse_label(period.label) == period
    assert containing(period.end, unit) == period  # the last day is in the same unit


@given(day=days, unit=units)
def test_whole_units_tile_the_calendar(day: dt.date, unit: DatePrecision) -> None:
    period = containing(day, unit)
    before, after = period.previous(), period.next()
    assert before.end + dt.timedelta(days=1) == period.start and before.whole
    assert period.end + dt.timedelta(days=1) == after.start and after.whole
    assert before.next() == period == after.previous()


@given(span=spans())
def test_a_span_of_days_is_compared_with_the_same_length_just_before(span: Period) -> None:
    before = span.previous()
    assert before.days == span.days and before.end + dt.timedelta(days=1) == span.start
    assert before.next() == span and not span.whole
    assert parse_label(span.label) == span


def test_weeks_are_iso_weeks_across_the_year_end() -> None:
    assert containing(D(2024, 12, 31), WEEK).label == "2025-W01"
    assert containing(D(2025, 1, 6), WEEK).previous().label == "2025-W01"
    assert containing(D(2021, 1, 3), WEEK).label == "2020-W53"


def test_a_span_within_a_unit_is_not_the_unit() -> None:
    so_far = Period(D(2024, 1, 1), D(2024, 12, 3), YEAR)  # "so far this year"
    assert not so_far.whole and so_far.label == "2024-01-01_2024-12-03"
    month_of_days = Period(D(2024, 12, 1), D(2024, 12, 31))  # --from/--to, not --period
    assert not month_of_days.whole and month_of_days.previous().days == 31


def test_through_joins_periods_keeping_a_shared_precision() -> None:
    march, may = parse_label("2022-03"), parse_label("2022-05")
    assert march.through(may) == Period(D(2022, 3, 1), D(2022, 5, 31), MONTH)
    assert march.through(containing(D(2022, 5, 9), DAY)) == Period(D(2022, 3, 1), D(2022, 5, 9))


@given(anchor=days, month=st.integers(1, 12), day=st.none() | st.integers(1, 31))
def test_a_date_without_its_year_is_the_latest_on_or_before_the_anchor(
    anchor: dt.date, month: int, day: int | None
) -> None:
    found = on_or_before(anchor, month, day, None)
    assert found <= anchor and found.month == month
    assert found.year >= anchor.year - 1
    later = on_or_before(D(found.year + 1, 12, 31), month, day, found.year + 1)
    assert later > anchor  # the same date a year on would be after the anchor


def test_a_stated_year_is_kept_and_a_short_month_clips_the_day() -> None:
    assert on_or_before(D(2024, 12, 3), 11, 30, None) == D(2024, 11, 30)
    assert on_or_before(D(2024, 12, 3), 12, None, None) == D(2023, 12, 31)
    assert on_or_before(D(2024, 12, 3), 2, 30, 2025) == D(2025, 2, 28)


@given(anchor=days, weekday=st.integers(0, 6))
def test_last_weekday_is_within_the_week_before(anchor: dt.date, weekday: int) -> None:
    found = last_weekday(anchor, weekday)
    assert found.weekday() == weekday and 0 <= (anchor - found).days < 7


@pytest.mark.parametrize(
    ("period", "title"),
    [
        (containing(D(2024, 12, 9), MONTH), "December 2024"),
        (containing(D(2024, 12, 4), WEEK), "Week 49 of 2024 (2 Dec 2024 – 8 Dec 2024)"),
        (Period(D(2024, 11, 1), D(2024, 12, 15)), "1 Nov 2024 – 15 Dec 2024"),
        (Period(D(2024, 12, 1), D(2024, 12, 15), MONTH), "1 Dec 2024 – 15 Dec 2024"),
    ],
)
def test_a_title_names_a_whole_month_or_week_and_spells_out_any_other_span(
    period: Period, title: str
) -> None:
    assert period.title == title
