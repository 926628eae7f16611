"""Who a figure is credited to when its own sentence names no one: the source lent to it by
the sentence after, the sentence before, or the citation closing its paragraph."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from humstats.extract import extract_figures
from humstats.readers import Document
from humstats.schema import SourceMeta


def sources(text: str) -> list[str | None]:
    meta = SourceMeta(publisher="Test", published_date=dt.date(2025, 5, 6))
    frame = extract_figures(Document(text, Path("t.txt"), meta), parse=False)
    return frame["attributed_to"].to_list()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a sentence counting nothing credits the figures just before it
        (
            "Mudslides buried a hamlet overnight, killing at least 19 people. Roads were cut, "
            "according to the provincial governor.",
            ["provincial governor"],
        ),
        # an opening "According to X," lends X to the next sentence's figures
        (
            "According to the civil protection agency, the river rose two metres overnight. "
            "About 3,400 people were evacuated from low-lying streets.",
            ["civil protection agency"],
        ),
        # a citation closing the paragraph, with or without its year, either order of date
        (
            "Cholera has spread to two more districts.\n1,240 cases have been recorded since "
            "January. (Health Cluster, 3 March)\n",
            ["Health Cluster"],
        ),
        (
            "Cholera has spread to two more districts.\n1,240 cases have been recorded since "
            "January. (Health Cluster, March 3, 2025)\n",
            ["Health Cluster"],
        ),
    ],
)
def test_source_lent(text: str, expected: list[str]) -> None:
    assert sources(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        # a sentence that counts something is about its own figures: it lends nothing back
        "Mudslides killed at least 19 people. Another 40 were hurt, according to the governor.",
        # "According to" inside a sentence lends nothing to the next one
        "Rain fell, according to the weather office. About 3,400 people were evacuated.",
        # a citation in another paragraph is not the figure's
        "1,240 cases have been recorded since January.\n\nRains continue. (Health Cluster, "
        "3 March)\n",
    ],
)
def test_source_not_lent(text: str) -> None:
    assert sources(text)[0] is None
