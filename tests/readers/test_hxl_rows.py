"""Finding the hashtag row."""

from __future__ import annotations

import pytest

from humstats.readers.hxl import find_hashtag_row, is_hashtag


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
