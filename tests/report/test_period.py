from __future__ import annotations

import datetime as dt

import pytest

from humstats.errors import ConfigError
from humstats.report.period import parse_period, period_between

D = dt.date


def test_month_covers_the_whole_month_and_knows_the_one_before():
    period = parse_period("2024-12")
    assert (period.start, period.end, period.label) == (D(2024, 12, 1), D(2024, 12, 31), "2024-12")
    before = parse_period("2024-03").previous()
    assert (before.start, before.end) == (D(2024, 2, 1), D(2024, 2, 29))
    assert parse_period("2025-01").previous().label == "2024-12"


def test_iso_week_runs_monday_to_sunday_across_the_year_end():
    period = parse_period("2024-W49")
    assert (period.start, period.end) == (D(2024, 12, 2), D(2024, 12, 8))
    assert period.label == "2024-W49"
    assert parse_period("2025-w01").previous().label == "2024-W52"
    assert parse_period("2025-W01").start == D(2024, 12, 30)


def test_range_has_a_previous_range_of_the_same_length():
    period = period_between(D(2024, 11, 1), D(2024, 12, 15))
    before = period.previous()
    assert before.end == D(2024, 10, 31)
    assert before.days == period.days
    assert period.label == "2024-11-01_2024-12-15"


@pytest.mark.parametrize("text", ["2024-13", "2024-W54", "December", "2024/12", ""])
def test_bad_periods_are_configuration_errors(text):
    with pytest.raises(ConfigError, match="invalid period"):
        parse_period(text)


def test_reversed_range_is_refused():
    with pytest.raises(ConfigError):
        period_between(D(2024, 12, 2), D(2024, 12, 1))
