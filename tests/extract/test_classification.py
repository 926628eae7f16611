"""extract.classification: what a count counts, read from the words around it."""

from __future__ import annotations

import pytest

from humstats.extract.classification import ambiguous, column_indicator, head_of
from humstats.extract.indicators import compile_patterns, load_vocabulary
from humstats.extract.numbers import find_quantities
from humstats.schema import Indicator

PATTERNS = compile_patterns(load_vocabulary())


@pytest.mark.parametrize(
    ("text", "head"),
    [
        ("They sent 140 trucks.", "thing"),
        ("About 3,500 staff positions were cut.", "thing"),
        ("Some 500 people fled.", "people"),
        ("Roughly 500 of them fled.", "partitive"),
        ("Newly displaced: 210,000\nAid trucks: 40", "bare"),
    ],
)
def test_the_head_after_a_number(text: str, head: str) -> None:
    q = next(q for q in find_quantities(text, load_vocabulary()) if q.is_count)
    assert head_of(PATTERNS, text, q.end) == head


@pytest.mark.parametrize(
    ("text", "needs_parse"),
    [
        ("Storms displaced 8,000 people and 46 people died.", True),
        ("There were 12 deaths and 40 injuries.", False),  # each named by the noun after it
        ("Some 500 people fled.", False),
        ("They sent 140 trucks and 12 buses.", False),
    ],
)
def test_only_sentences_whose_counts_may_belong_to_other_words_need_the_parse(
    text: str, needs_parse: bool
) -> None:
    assert ambiguous(PATTERNS, text, find_quantities(text, load_vocabulary())) is needs_parse


@pytest.mark.parametrize(
    ("header", "indicator"),
    [
        ("Deaths", Indicator.KILLED),
        ("People displaced", Indicator.DISPLACED),
        ("Houses damaged", None),
        ("Province", None),
    ],
)
def test_a_column_name_gives_its_cells_an_indicator(
    header: str, indicator: Indicator | None
) -> None:
    assert column_indicator(PATTERNS, header) is indicator
