"""Reference periods from phrases, anchored on the publication date."""

from __future__ import annotations

import datetime as dt

import pytest

from humstats.extract.dates import find_periods
from humstats.schema import DatePrecision

PUBLISHED = dt.date(2024, 12, 3)  # a Tuesday


@pytest.mark.parametrize(
    ("phrase", "start", "end", "as_of"),
    [
        ("as of the end of November", "2024-11-30", "2024-11-30", True),
        ("as of 30 November", "2024-11-30", "2024-11-30", True),
        ("as at 31 May", "2024-05-31", "2024-05-31", True),
        ("as of 31 March 2023", "2023-03-31", "2023-03-31", True),
        ("by the end of 2023", "2023-12-31", "2023-12-31", True),
        ("at the end of last year", "2023-12-31", "2023-12-31", True),
        ("still missing by Sunday", "2024-12-01", "2024-12-01", True),
        ("killed on Monday", "2024-12-02", "2024-12-02", False),
        ("in Saturday's earthquake", "2024-11-30", "2024-11-30", False),
        ("since 27 November", "2024-11-27", "2024-12-03", False),
        ("since Friday", "2024-11-29", "2024-12-03", False),
        ("in the past two weeks", "2024-11-19", "2024-12-03", False),
        ("last week", "2024-11-25", "2024-12-01", False),
        ("this week", "2024-12-02", "2024-12-03", False),
        ("so far this year", "2024-01-01", "2024-12-03", False),
        ("since the start of the month", "2024-12-01", "2024-12-03", False),
        ("between 1 July and 30 September", "2024-07-01", "2024-09-30", False),
        ("between 8 October 2023 and 23 October 2024", "2023-10-08", "2024-10-23", False),
        ("in October", "2024-10-01", "2024-10-31", False),
        ("in 2023", "2023-01-01", "2023-12-31", False),
        ("during the reporting period (9–15 November)", "2024-11-09", "2024-11-15", False),
        ("1 January – 3 March 2024", "2024-01-01", "2024-03-03", False),
        ("since August", "2024-08-01", "2024-12-03", False),
        ("since the beginning of the year", "2024-01-01", "2024-12-03", False),
        ("since the start of 2023", "2023-01-01", "2024-12-03", False),
        ("in the previous 24 hours", "2024-12-02", "2024-12-03", False),
        ("fled over the weekend", "2024-11-30", "2024-12-01", False),
        ("heavy rain on Sept. 10-11", "2024-09-10", "2024-09-11", False),
        ("between Oct 3–5", "2024-10-03", "2024-10-05", False),
        ("clashes on Feb. 6–8, 2023", "2023-02-06", "2023-02-08", False),
        ("May to September 2024", "2024-05-01", "2024-09-30", False),
        ("from January to the end of July", "2024-01-01", "2024-07-31", False),
        ("over the period April–June 2024", "2024-04-01", "2024-06-30", False),
        ("from November 2023 to February 2024", "2023-11-01", "2024-02-29", False),
        ("from 1 to 15 October", "2024-10-01", "2024-10-15", False),
        ("in the week to 24 November", "2024-11-18", "2024-11-24", False),
        ("in the first seven months of the year", "2024-01-01", "2024-07-31", False),
        ("during the first half of 2023", "2023-01-01", "2023-06-30", False),
        ("killed 40 people (health ministry, 28 November)", "2024-11-28", "2024-11-28", True),
        ("the fortnight ending 30 November", "2024-11-17", "2024-11-30", False),
        ("during the month of July 2024", "2024-07-01", "2024-07-31", False),
        ("data collected August–September 2024", "2024-08-01", "2024-09-30", True),
    ],
)
def test_phrases(phrase: str, start: str, end: str, as_of: bool) -> None:
    [period] = find_periods(phrase, PUBLISHED)
    assert (period.start.isoformat(), period.end.isoformat()) == (start, end)
    assert period.as_of is as_of


def test_month_later_than_publication_is_last_year() -> None:
    [period] = find_periods("as of 31 December", dt.date(2025, 1, 10))
    assert period.end == dt.date(2024, 12, 31)


def test_precision() -> None:
    assert find_periods("last week", PUBLISHED)[0].precision is DatePrecision.WEEK
    assert find_periods("in 2023", PUBLISHED)[0].precision is DatePrecision.YEAR
    assert find_periods("on Monday", PUBLISHED)[0].precision is DatePrecision.DAY


def test_when_a_source_spoke_is_not_a_period() -> None:
    assert find_periods("UNHCR said on Friday", PUBLISHED) == []
    assert find_periods("the agency said in its annual report on Thursday", PUBLISHED) == []


def test_no_period_in_plain_prose() -> None:
    assert find_periods("Aid agencies say access remains difficult.", PUBLISHED) == []


def test_absurd_windows_are_ignored() -> None:
    assert find_periods("in the past 99999999999 days", PUBLISHED) == []
    assert find_periods("in the past 300 years", PUBLISHED) == []


@pytest.mark.parametrize(
    ("phrase", "window"),
    [
        ("since Friday", True),
        ("since 27 November", True),
        ("since January", True),
        ("since 1 January", True),
        ("since the start of the year", True),
        ("since the start of 2024", True),
        ("since 7 October", False),
        ("since 7 October 2023", False),
        ("since mid-June", False),
        ("since August", False),
        ("since January 2022", False),
        # the words around the date say more than its age
        ("including 450,000 since 1 June alone", True),
        ("Flash floods since 27 November", False),
        ("Fighting in the Wad Madani area since 20 November", False),
        ("Fighting in the area since the start of the year", True),
        ("Heavy rain since Friday", True),
    ],
)
def test_since_opens_a_window_or_names_a_crisis_start(phrase: str, window: bool) -> None:
    """A recent date or the start of the publication's year opens a reporting window (a
    flow); an older date is when the crisis being counted began (a running total), and so is
    any date that follows the event it dates; "alone" marks a window at any age."""
    [period] = find_periods(phrase, PUBLISHED)
    assert period.flow is window
    assert period.end == PUBLISHED


def test_a_month_name_used_as_a_verb_opens_no_window() -> None:
    assert find_periods("Crowds march to May Square every week.", PUBLISHED) == []


def test_a_window_that_runs_past_publication_is_not_its_period() -> None:
    assert find_periods("for the period May to September 2025", PUBLISHED) == []


def test_a_date_after_a_comma_outside_brackets_is_no_citation() -> None:
    assert find_periods("Clashes in Goma, 28 November) resumed", PUBLISHED) == []


def test_the_year_a_when_clause_names() -> None:
    text = "Fewer fled than in 2022, when 9,000 fled in the first four months of the year."
    *_, period = find_periods(text, PUBLISHED)
    assert (period.start, period.end) == (dt.date(2022, 1, 1), dt.date(2022, 4, 30))
