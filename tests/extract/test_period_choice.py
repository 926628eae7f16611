"""extract.period_choice: which of a sentence's periods its figures may take."""

from __future__ import annotations

import datetime as dt

from humstats.extract.indicators import load_vocabulary
from humstats.extract.numbers import find_quantities
from humstats.extract.period_choice import own_periods, period_for

PUBLISHED = dt.date(2024, 7, 10)


def periods_of(text: str):
    quantities = find_quantities(text, load_vocabulary())
    return quantities, own_periods(text, text, PUBLISHED, (0, len(text)), quantities)


def test_a_period_dating_an_earlier_value_is_not_the_sentences() -> None:
    _, periods = periods_of("Floods displaced 8,000 people on Monday, up from 3,000 in June.")
    assert [(p.start, p.end) for p in periods] == [(dt.date(2024, 7, 8), dt.date(2024, 7, 8))]


def test_a_date_after_since_starts_a_count_running_to_publication() -> None:
    _, periods = periods_of("Some 2,000 people have died since the outbreak began on 28 May.")
    (since,) = periods
    assert (since.start, since.end, since.as_of) == (dt.date(2024, 5, 28), PUBLISHED, False)


def test_an_as_of_opening_the_sentence_dates_every_count() -> None:
    text = "As of 30 June, 12,000 people were displaced and 300 killed on Monday."
    quantities, periods = periods_of(text)
    counts = [q for q in quantities if q.is_count]
    first = min(q.hedge_start for q in counts)
    chosen = {period_for(q, periods, q.hedge_start, q.end, 0, first).end for q in counts}
    assert chosen == {dt.date(2024, 6, 30)}
