"""Hashtag rows and what hashtags mean."""

from __future__ import annotations

import pytest

from humstats.readers.hxl import find_hashtag_row, indicator_of, is_hashtag, parse_hashtag
from humstats.schema import INDICATOR_HXL, Indicator


def test_hashtag_row_found_despite_literal_hash_header() -> None:
    rows = [
        ["#", "Interagency Response Plans", "ISO alpha-3 codes", "In Need"],
        [None, "#country+name", "#country+code", "#inneed"],
        ["1", "Afghanistan", "AFG", "24380455"],
    ]
    assert find_hashtag_row(rows) == 1


def test_stray_label_in_hashtag_row_is_tolerated() -> None:
    rows = [["DoA", "IND", "Link"], ["#date+assessment", "#affected+idps+ind", "Show location"]]
    assert find_hashtag_row(rows) == 1


def test_no_hashtag_row() -> None:
    assert find_hashtag_row([["a", "b"], ["1", "2"]]) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("#affected+killed", True),
        ("#adm1 +name", True),
        ("#", False),
        ("# 12", False),
        ("#IDP Households", False),
        (None, False),
    ],
)
def test_is_hashtag(text: str | None, expected: bool) -> None:
    assert is_hashtag(text) is expected


def test_attributes_are_a_set() -> None:
    assert parse_hashtag("#Affected +Min+killed") == parse_hashtag("#affected+killed+min")


@pytest.mark.parametrize("indicator", list(Indicator))
def test_every_indicator_hashtag_maps_back(indicator: Indicator) -> None:
    found = indicator_of(parse_hashtag(INDICATOR_HXL[indicator]))
    assert found == (indicator, frozenset())


def test_most_specific_indicator_wins_and_leaves_extra_attributes() -> None:
    assert indicator_of(parse_hashtag("#affected+idps+hh")) == (
        Indicator.DISPLACED,
        frozenset({"hh"}),
    )
    assert indicator_of(parse_hashtag("#population+total")) == (
        Indicator.POPULATION,
        frozenset({"total"}),
    )
    assert indicator_of(parse_hashtag("#org+name")) is None


def test_population_of_a_group_counts_that_group() -> None:
    assert indicator_of(parse_hashtag("#population+idps+ind")) == (
        Indicator.DISPLACED,
        frozenset({"ind"}),
    )
    assert indicator_of(parse_hashtag("#population+refugees")) == (Indicator.REFUGEES, frozenset())
    assert indicator_of(parse_hashtag("#population+f")) == (Indicator.POPULATION, frozenset({"f"}))
