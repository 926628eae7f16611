"""extract.period_choice: which of a sentence's periods its figures may take."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from humstats.extract import extract_figures
from humstats.extract.indicators import load_vocabulary
from humstats.extract.numbers import find_quantities
from humstats.extract.period_choice import own_periods, period_for
from humstats.readers import Document
from humstats.schema import SourceMeta

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


def _rows(text: str) -> list[tuple]:
    meta = SourceMeta(publisher="Test", published_date=PUBLISHED)
    frame = extract_figures(Document(text, Path("t.txt"), meta))
    return frame.select("value", "period_end", "method").rows()


def test_a_data_as_of_note_dates_the_undated_stocks_above_it() -> None:
    rows = _rows(
        "Sudanese refugees hosted in Chad: 640,000\n"
        "Internally displaced people in Sudan: 7,100,000\n"
        "Data as of 30 June 2024. Source: UNHCR, IOM."
    )
    assert {(value, end) for value, end, _ in rows} == {
        (640_000, dt.date(2024, 6, 30)),
        (7_100_000, dt.date(2024, 6, 30)),
    }
    assert all(";period=" not in method for _, _, method in rows)


def test_an_earlier_value_takes_the_period_written_after_it() -> None:
    rows = _rows(
        "In June, 2,604 suspected dengue cases were reported in Dhaka, "
        "compared with 1,932 cases in May."
    )
    assert {(value, end) for value, end, _ in rows} == {
        (2604, dt.date(2024, 6, 30)),
        (1932, dt.date(2024, 5, 31)),
    }
