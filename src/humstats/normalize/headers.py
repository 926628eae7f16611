"""What a column's header says it holds, read with the words of ``headers.toml``.

A table without usable HXL still names its columns: "Déplacés", "Muertos", "People in
Need(Flash Appeal)", "numPresentIdpInd", "Crisis / IPC 3". ``read_header`` turns such a name
into what ``humstats map`` needs to draft a mapping: the indicator counted and its breakdown,
or why the column is no figure (a target, a percentage, money), or which other field it fills
(a place, a date, a year). Month names for dates live in the same file.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from humstats.errors import ConfigError
from humstats.normalize.cells import parse_period
from humstats.schema import Indicator, Measure, Sex, Unit

HEADERS_PATH = Path(__file__).with_name("headers.toml")

SPECIFIC = (
    Indicator.KILLED,
    Indicator.INJURED,
    Indicator.MISSING,
    Indicator.DETAINED,
    Indicator.DISPLACED,
    Indicator.REFUGEES,
    Indicator.RETURNEES,
    Indicator.FOOD_INSECURE,
)
UMBRELLA = (Indicator.IN_NEED, Indicator.AFFECTED)
"""A header naming an umbrella and a specific group ("PiN - IDPs") counts that group's part of
the umbrella figure; naming a specific group and "people" counts the group."""


@dataclass(frozen=True)
class Words:
    indicators: dict[str, tuple[str, ...]]
    not_figures: dict[str, tuple[str, ...]]
    sex: dict[str, tuple[str, ...]]
    age: dict[str, tuple[str, ...]]
    measure: dict[str, tuple[str, ...]]
    unit: dict[str, tuple[str, ...]]
    roles: dict[str, tuple[str, ...]]
    totals: tuple[str, ...]
    months: dict[int, tuple[str, ...]]


@cache
def load_words(path: Path = HEADERS_PATH) -> Words:
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"cannot read header words {path}: {error}") from error

    def table(name: str) -> dict[str, tuple[str, ...]]:
        return {k: tuple(fold(p) for p in v) for k, v in data.get(name, {}).items()}

    unknown = set(data.get("indicators", {})) - {i.value for i in Indicator}
    if unknown:
        raise ConfigError(f"header words {path}: unknown indicators {', '.join(sorted(unknown))}")
    return Words(
        indicators=table("indicators"),
        not_figures=table("not_figures"),
        sex=table("sex"),
        age=table("age"),
        measure=table("measure"),
        unit=table("unit"),
        roles=table("roles"),
        totals=tuple(fold(p) for p in data.get("totals", {}).get("words", [])),
        months={int(k): tuple(fold(p) for p in v) for k, v in data.get("months", {}).items()},
    )


def fold(text: str) -> str:
    """Lower case, accents gone, camelCase and snake_case split, punctuation a space
    ("numPresentIdpInd" -> "num present idp ind"); ``%``, ``$`` and ``+`` are kept."""
    text = re.sub(r"(?<=[a-z])(?=[A-Z][a-z])|(?<=[A-Za-z])(?=\d)|(?<=\d)(?=[A-Za-z])", " ", text)
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(re.sub(r"[^a-z0-9%$+]+", " ", plain.lower()).split())


def _has(folded: str, phrases: tuple[str, ...]) -> str | None:
    """The longest phrase found on word boundaries, or None."""
    best = None
    for phrase in phrases:
        if not phrase:
            continue
        pattern = rf"(?<![a-z0-9]){re.escape(phrase)}(?![a-z0-9])"
        if re.search(pattern, folded) and (best is None or len(phrase) > len(best)):
            best = phrase
    return best


_PHASE = re.compile(r"\b(?:ipc|phase)\s*(\d)\s*(\+|plus)?")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})(?!\d)")
_AGENCY = re.compile(r"\(([A-Z][A-Za-z]{1,7})\)")
_DATE_RANGE = re.compile(
    r"([^\W\d_]{3,}\.?\s*[-–—/]+\s*[^\W\d_]{3,}\.?,?\s+\d{4})|([^\W\d_]{3,}\.?\s+\d{4})"
)


@dataclass(frozen=True)
class HeaderMeaning:
    """What a header names. ``indicator`` set: a figure column (with its breakdown);
    ``skip`` set: not a figure, and why; ``role`` set: the field it fills instead."""

    indicator: Indicator | None = None
    measure: Measure | None = None
    unit: Unit | None = None
    sex: Sex | None = None
    age: str | None = None
    group: str | None = None
    year: int | None = None
    attributed_to: str | None = None
    skip: str | None = None
    role: str | None = None


def read_header(header: str, words: Words | None = None) -> HeaderMeaning:
    """What ``header`` says its column holds (see ``HeaderMeaning``)."""
    words = words or load_words()
    folded = fold(header)
    if not folded:
        return HeaderMeaning()
    for reason, phrases in words.not_figures.items():
        if reason == "identifier":
            continue
        if _has(folded, phrases):
            return HeaderMeaning(skip=_SKIP_REASONS.get(reason, reason), role=reason)
    found = {
        Indicator(name): phrase
        for name, phrases in words.indicators.items()
        if (phrase := _has(folded, phrases))
    }
    phase = _PHASE.search(folded)
    group = None
    if phase:
        number = int(phase[1])
        if number >= 3:
            found = {Indicator.FOOD_INSECURE: "ipc"}
            group = None if phase[2] else f"phase={number}"
        else:
            found = {Indicator.POPULATION: "ipc"}
            group = f"phase={number}{'+' if phase[2] else ''}"
    sex = next((Sex(k) for k, v in words.sex.items() if _has(folded, v)), None)
    age = next((k for k, v in words.age.items() if _has(folded, v)), None)
    indicator = _choose(found)
    roles = {k: p for k, v in words.roles.items() if (p := _has(folded, v))}
    role = max(roles, key=lambda k: len(roles[k])) if roles else None
    if indicator is not None and role is not None and len(roles[role]) > len(found[indicator]):
        # "displacementReason" names a reason column, not displaced people
        return HeaderMeaning(role=role)
    if indicator in UMBRELLA:
        specific = [i for i in found if i in SPECIFIC]
        if specific:
            group = f"subset={specific[0].value}"
    if indicator is None and not (sex or age):
        if role is None and _has(folded, words.not_figures.get("identifier", ())):
            return HeaderMeaning(skip="an identifier, code or calendar field", role="identifier")
        return HeaderMeaning(role=role)
    measure = next((Measure(k) for k, v in words.measure.items() if _has(folded, v)), None)
    unit = next((Unit(k) for k, v in words.unit.items() if _has(folded, v)), None)
    year = _YEAR.search(header)
    agency = _AGENCY.search(header)
    return HeaderMeaning(
        indicator=indicator,
        measure=measure,
        unit=unit,
        sex=sex,
        age=age,
        group=group,
        year=int(year[1]) if year else None,
        attributed_to=agency[1] if agency and agency[1].isupper() else None,
    )


def _choose(found: dict[Indicator, str]) -> Indicator | None:
    if not found:
        return None
    for umbrella in UMBRELLA:
        if umbrella in found:
            return umbrella
    specific = [i for i in SPECIFIC if i in found]
    if specific:
        return max(specific, key=lambda i: len(found[i]))
    return next(iter(found))


_SKIP_REASONS = {
    "target": "a plan's target, not people affected or in need",
    "reached": "people reached by a response, not people affected or in need",
    "share": "a percentage or share, not a count of people",
    "money": "money, not people",
    "classification": "a classification or rank, not a count",
}


def header_period(name: str) -> tuple[str, dt.date] | None:
    """A period the header itself states ("Oct-Dec 2022", "March 2024", "(2022)"): its text
    as the mapping writes it, and its last day."""
    for match in _DATE_RANGE.finditer(name):
        text = " ".join(match[0].split())
        parsed = parse_period(text)
        if parsed is not None:
            return text, parsed.end
    years = sorted(set(_YEAR.findall(name)))
    if len(years) == 1:
        parsed = parse_period(years[0])
        return (years[0], parsed.end) if parsed else None
    return None


def is_total_label(text: str, words: Words | None = None) -> bool:
    """Whether a place cell says its row sums the others ("TOTAL", "Total général")."""
    words = words or load_words()
    folded = fold(text)
    return bool(folded) and any(folded == w or folded.startswith(w + " ") for w in words.totals)


def month_number(word: str, words: Words | None = None) -> int | None:
    """1-12 for a month name or abbreviation in English, French or Spanish."""
    words = words or load_words()
    folded = fold(word).rstrip(".")
    for number, names in words.months.items():
        if folded in names:
            return number
    return None
