from __future__ import annotations

import datetime as dt
from html.parser import HTMLParser
from pathlib import Path

import polars as pl

from conftest import figure, figures_frame, quarantine_frame
from humstats.report import render_report

D = dt.date
SCRIPT_QUOTE = 'Officials said <script>alert("x")</script> that 560,000 had died.'


def sample_figures() -> pl.LazyFrame:
    """A small store: Syria and Lebanon, November and December 2024."""
    records = [
        figure(indicator="killed", as_of=D(2024, 11, 20), value=490_000),
        figure(
            indicator="killed",
            as_of=D(2024, 12, 20),
            value=503_000,
            published_date=D(2024, 12, 22),
        ),
        figure(
            indicator="killed",
            as_of=D(2024, 12, 20),
            value=560_000,
            publisher="The Caspian Post",
            attributed_to="the Syrian Observatory",
            published_date=D(2024, 12, 21),
            quote=SCRIPT_QUOTE,
            source_url="https://caspian.example/syria",
        ),
        figure(
            indicator="refugees",
            country_iso3="LBN",
            as_of=D(2024, 12, 31),
            value=774_000,
            publisher="UNHCR",
            published_date=D(2025, 1, 2),
        ),
        figure(
            indicator="in_need",
            as_of=D(2024, 12, 15),
            value=16_700_000,
            qualifier="approx",
            published_date=D(2024, 12, 16),
        ),
    ]
    for month, values in ((11, (90, 95, 100)), (12, (110, 120, 130))):
        for day, value in enumerate(values, start=1):
            records.append(
                figure(
                    indicator="injured",
                    measure="flow",
                    value=value,
                    period_start=D(2024, month, day),
                    period_end=D(2024, month, day),
                    published_date=D(2025, 1, 1),
                )
            )
    for code, name, value in (
        ("SY02", "Aleppo", 40_000),
        ("SY07", "Idlib", 25_000),
        ("SY05", "Hama", 5_000),
    ):
        for as_of, growth in ((D(2024, 11, 30), 1.0), (D(2024, 12, 31), 1.5)):
            records.append(
                figure(
                    indicator="displaced",
                    admin_level=1,
                    location_name=name,
                    pcode=code,
                    as_of=as_of,
                    value=int(value * growth),
                    publisher="IOM",
                    published_date=D(2025, 1, 3),
                )
            )
    return figures_frame(*records)


def sample_quarantine() -> pl.LazyFrame:
    return quarantine_frame(
        {
            "check": "unparseable-number",
            "reason": "value 'many' is not a number",
            "country_iso3": "SYR",
        },
        {
            "check": "unparseable-number",
            "reason": "value 'n/a' is not a number",
            "country_iso3": "SYR",
        },
        {"check": "unknown-country", "reason": "no country matches 'Atlantis'"},
    )


class Cards(HTMLParser):
    """Collects the text of each headline card, by the class of its paragraphs."""

    def __init__(self) -> None:
        super().__init__()
        self.cards: list[dict[str, str]] = []
        self._depth = 0
        self._field: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = (dict(attrs).get("class") or "").split()
        if tag == "div" and "card" in classes:
            self.cards.append({})
            self._depth = 1
        elif self._depth and tag == "div":
            self._depth += 1
        elif self._depth and tag == "p":
            self._field = classes[0] if classes else "p"

    def handle_endtag(self, tag: str) -> None:
        if self._depth and tag == "div":
            self._depth -= 1
        elif tag == "p":
            self._field = None

    def handle_data(self, data: str) -> None:
        if self._depth and self._field:
            card = self.cards[-1]
            card[self._field] = " ".join((card.get(self._field, "") + " " + data).split())


def cards_of(html: str) -> list[dict[str, str]]:
    parser = Cards()
    parser.feed(html)
    return parser.cards


def render_december(out: Path, formats: tuple[str, ...] = ("html", "pdf")) -> dict[str, Path]:
    """The December 2024 report of the sample, in ``formats``."""
    paths = render_report(
        sample_figures(), sample_quarantine(), period="2024-12", formats=formats, out_dir=out
    )
    return {"out": out, **{path.suffix[1:]: path for path in paths}}
