"""Numbers, hedges and labels as a reader sees them.

A headline keeps the source's own hedge: "nearly 1.9 million" stays "nearly 1.9 million",
never "up to 1,900,000" (a different claim), and a zero is never "at least 0".
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

import pycountry

from humstats.schema import Indicator, Measure, Qualifier

HEADLINE_INDICATORS: tuple[Indicator, ...] = (
    Indicator.KILLED,
    Indicator.INJURED,
    Indicator.DISPLACED,
    Indicator.REFUGEES,
    Indicator.IN_NEED,
    Indicator.POPULATION,
)
"""Shown first, in this order; other indicators present follow."""

_LABELS: dict[Indicator, str] = {
    Indicator.DISPLACED: "Internally displaced",
    Indicator.IN_NEED: "People in need",
    Indicator.FOOD_INSECURE: "Food insecure",
}

HEDGES: dict[Qualifier, tuple[str, ...]] = {
    Qualifier.AT_MOST: ("nearly", "almost", "up to", "close to", "just under", "at most"),
    Qualifier.AT_LEAST: (
        "more than",
        "at least",
        "over",
        "upwards of",
        "in excess of",
        "exceeding",
    ),
    Qualifier.APPROX: (
        "about",
        "around",
        "approximately",
        "roughly",
        "an estimated",
        "estimated",
        "some",
    ),
}
"""Hedge words a source may use, per qualifier (see ``hedge``)."""
_DEFAULT_HEDGE = {
    Qualifier.AT_MOST: "at most",
    Qualifier.AT_LEAST: "at least",
    Qualifier.APPROX: "about",
}


def indicator_label(indicator: str) -> str:
    try:
        return _LABELS.get(Indicator(indicator), indicator.replace("_", " ").capitalize())
    except ValueError:
        return indicator.replace("_", " ").capitalize()


def order(indicator: str) -> int:
    names = [i.value for i in HEADLINE_INDICATORS]
    return names.index(indicator) if indicator in names else len(names)


def country_name(iso3: str | None) -> str:
    if not iso3:
        return "Unknown country"
    country = pycountry.countries.get(alpha_3=iso3)
    if country is None:
        return iso3
    return getattr(country, "common_name", None) or country.name


def number(value: int | float | None) -> str:
    return "–" if value is None else f"{value:,.0f}"


def compact(value: int | None) -> str:
    """``1.9 million`` for a round figure of a million or more (as sources write it),
    else the digits with separators."""
    if value is None:
        return "–"
    if value >= 1_000_000 and value % 100_000 == 0:
        return f"{value / 1_000_000:,.1f}".removesuffix(".0") + " million"
    return number(value)


def hedge(qualifier: str, quotes: Iterable[str | None]) -> str | None:
    """The hedge word to print before a figure: the one its source used where the quote
    holds one of the qualifier's words, else a neutral one ("at most", "at least", "about")."""
    try:
        kind = Qualifier(qualifier)
    except ValueError:
        return None
    words = HEDGES.get(kind)
    if not words:
        return None
    for quote in quotes:
        found = _first_word(quote or "", words)
        if found:
            return found
    return _DEFAULT_HEDGE[kind]


def _first_word(quote: str, words: tuple[str, ...]) -> str | None:
    pattern = r"\b(" + "|".join(re.escape(w) for w in words) + r")\s+[\d.,]+"
    match = re.search(pattern, quote, flags=re.IGNORECASE)
    return match[1].lower() if match else None


def value_text(
    value: int,
    qualifiers: Iterable[str],
    quotes: Iterable[str | None] = (),
    *,
    low: int | None = None,
    high: int | None = None,
) -> str:
    """A figure as a headline prints it: its hedge kept, a range as a range, zero as 0.

    ``qualifiers`` are those of the figures behind the value: one figure keeps its own
    hedge; a sum is "at least" where one of its parts is and none is an upper bound.
    """
    kinds = set(qualifiers)
    if value == 0 and not (kinds & {Qualifier.AT_MOST.value, Qualifier.RANGE.value}):
        return "0"
    if kinds == {Qualifier.RANGE.value} and low is not None and high is not None and low != high:
        return f"{compact(low)}–{compact(high)}"
    if len(kinds) == 1:
        word = hedge(kinds.pop(), quotes)
    elif Qualifier.AT_LEAST.value in kinds and Qualifier.AT_MOST.value not in kinds:
        word = _DEFAULT_HEDGE[Qualifier.AT_LEAST]
    else:
        word = _DEFAULT_HEDGE[Qualifier.APPROX] if kinds - {Qualifier.EXACT.value} else None
    return f"{word} {compact(value)}" if word else compact(value)


def what(indicator: str, measure: str, unit: str) -> str:
    """``Killed``, ``Internally displaced (households)``: a card's or chart's subject."""
    label = indicator_label(indicator)
    if unit != "people":
        label = f"{label} ({unit})"
    if measure == Measure.FLOW.value:
        label = f"{label}, new"
    return label


def day_span(start: dt.date, end: dt.date) -> str:
    """``3 Dec``, ``1–5 Dec``, ``28 Nov – 5 Dec``, with the year where the two differ."""
    if start == end:
        return f"{start.day} {start:%b}"
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{end.day} {end:%b}"
    if start.year == end.year:
        return f"{start.day} {start:%b} – {end.day} {end:%b}"
    return f"{start.day} {start:%b %Y} – {end.day} {end:%b %Y}"


def plural(count: int, word: str) -> str:
    return f"{count:,} {word}" if count == 1 else f"{count:,} {word}s"
