from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from humstats.report.wording import compact, value_text


@pytest.mark.parametrize(
    "value, qualifier, quote, text",
    [
        (1_900_000, "at_most", "Nearly 1.9 million people remain displaced", "nearly 1.9 million"),
        (1_900_000, "at_most", "Up to 1.9 million could be displaced", "up to 1.9 million"),
        (1_900_000, "at_most", "no hedge word in this quote", "at most 1.9 million"),
        (12_000, "at_least", "More than 12,000 people have fled", "more than 12,000"),
        (16_700_000, "approx", "An estimated 16.7 million need aid", "an estimated 16.7 million"),
        (0, "at_least", "At least 0 were hurt", "0"),
        (1_232, "exact", "1,232 deaths", "1,232"),
    ],
)
def test_a_headline_keeps_the_source_hedge(value, qualifier, quote, text):
    assert value_text(value, [qualifier], [quote]) == text


def test_a_sum_is_at_least_where_a_part_is_and_a_range_stays_a_range():
    assert value_text(50, ["exact", "at_least"]) == "at least 50"
    assert value_text(50, ["at_least", "at_most"]) == "about 50"
    assert value_text(12_500, ["range"], low=10_000, high=15_000) == "10,000–15,000"


@given(st.integers(min_value=0, max_value=10**10))
def test_compact_numbers_read_back_to_the_value(value):
    text = compact(value)
    if text.endswith(" million"):
        assert round(float(text.removesuffix(" million").replace(",", "")) * 1_000_000) == value
    else:
        assert int(text.replace(",", "")) == value
