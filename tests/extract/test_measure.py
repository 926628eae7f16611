"""Stock or flow: windows and events make flows; running counts since a crisis make stocks."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from humstats.extract import extract_figures
from humstats.readers import Document
from humstats.schema import SourceMeta

PUBLISHED = dt.date(2025, 9, 12)


def figures(text: str) -> list[tuple[str, int, str, dt.date]]:
    meta = SourceMeta(publisher="Test", published_date=PUBLISHED)
    frame = extract_figures(Document(text, Path("t.txt"), meta))
    return frame.select("indicator", "value", "measure", "period_end").rows()


@pytest.mark.parametrize(
    ("text", "measure"),
    [
        ("Landslides in Kalehe have killed 41 people since last Tuesday.", "flow"),
        ("Some 640 civilians were killed during the army's offensive on Jenin.", "flow"),
        ("At least 85 people were wounded during an assault on the camp.", "flow"),
        ("The toll has risen to 2,300 dead since the war began.", "stock"),
        ("Some 44 miners died in the landslide at the Kamituga pit.", "flow"),
        ("Health teams logged 96 new measles cases in Mopti.", "flow"),
        ("The toll from the storm rose on Friday, with at least 56 people dead.", "stock"),
        ("The agency said today that 3,200 people in Tete remain without shelter.", "stock"),
        ("Today, 14 people were killed when a bus overturned near Tete.", "flow"),
        ("Some 9,000 people affected by cyclones since 12 September need shelter.", "stock"),
    ],
)
def test_windows_and_events(text: str, measure: str) -> None:
    assert figures(text)[0][2] == measure


def test_a_date_after_since_starts_a_running_count() -> None:
    # "on 3 June" dates the onset, not the count: a stock to publication
    ((_, _, measure, end),) = figures(
        "A total of 212 people have died since the onset of the monsoon rains on 3 June."
    )
    assert (measure, end) == ("stock", PUBLISHED)


def test_also_continues_the_window_of_the_figure_before() -> None:
    rows = figures(
        "At least 75 protesters were killed in Bamako since Friday, the group said. "
        "It said 19 police officers had also died."
    )
    assert [r[2] for r in rows] == ["flow", "flow"]
