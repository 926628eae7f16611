"""What the rules know around a number: its sentence window, and the document read so far.

Figures are read in order, and a bare count ("Another 22 were hospitalised"), a pronoun
source ("the agency said") or a figure that names no place takes what earlier sentences said.
One ``Context`` per document carries the previous figure, place, measure, period and source,
and the places found in each span (looked up once, and only when a figure needs one). Texts
are read with curly quotes and non-breaking spaces made plain (``TYPOGRAPHY``), one character
for one, so offsets still point into the document.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field, replace
from typing import Any

from humstats.extract.attribution import ShortNames
from humstats.extract.dates import TextPeriod
from humstats.extract.indicators import Cue, Patterns
from humstats.extract.numbers import Quantity
from humstats.extract.places import (
    ACTOR,
    ADMIN1,
    ADMINISTERED,
    CITY,
    COUNTRY,
    DEMONYM,
    NOWHERE,
    Gazetteer,
    Place,
    default_gazetteer,
    find_places,
    fold,
    incidental,
    venue_cities,
)
from humstats.schema import Indicator, Measure

TYPOGRAPHY = str.maketrans(
    {
        "“": '"',
        "”": '"',
        "„": '"',
        "‘": "'",
        "’": "'",
        "\u00a0": " ",
        "\u202f": " ",
        "\u2009": " ",
        "\u2007": " ",
    }
)
"""Curly quotes and non-breaking, thin and figure spaces ("78\u2007784") read as their plain
forms, one character for one so every offset still points into the document ('reported 800
deaths, “including 300 children”')."""

_MARKS = tuple(chr(code) for code in TYPOGRAPHY)
_ASCII_AS_IS = not any(mark.isascii() for mark in _MARKS)
"""Whether ``TYPOGRAPHY`` leaves every ASCII text as it is (it maps non-ASCII marks only)."""


def plain(text: str) -> str:
    """``text`` read through ``TYPOGRAPHY``: ``text`` itself (the same object) when it holds
    none of its marks, as most texts do. ``str.isascii`` answers at once for ASCII texts, and
    a substring test per mark scans at C speed; ``str.translate`` with a mapping looks every
    character up in a dictionary (ten times the cost)."""
    if (_ASCII_AS_IS and text.isascii()) or not any(mark in text for mark in _MARKS):
        return text
    return text.translate(TYPOGRAPHY)


LABEL_END = re.compile(r":\s*$")
"""The colon that ends a fact-sheet label ("Rohingya in Cox's Bazar camps: 1,004,000")."""

DATELINE = re.compile(
    r"^\s*(?:[A-Z][A-Z .'-]{2,}(?:,\s*[A-Z][\w .'-]+)?\s*(?:\([^)]*\))?\s*[—–-]"
    # in title case, before a long dash only: "Adré (Ouaddaï) – Le flux continue."
    r"|[A-Z][\w'.-]+(?:\s+[A-Z][\w'.-]+){0,2}(?:,\s*[A-Z][\w .'-]+)?\s*(?:\([^)]*\))?\s+[—–])\s"
)

_CLAUSE_BREAK = re.compile(r"[;:]\s|\s[—–]\s")
_BREAK_MARKS = (";", ":", "—", "–")
"""What every ``_CLAUSE_BREAK`` holds."""


def endings(*phrases: str) -> tuple[str, ...]:
    """Phrases as " phrase" suffixes: ``tail(text).endswith(...)`` tests them at a word start."""
    return tuple(f" {phrase}" for phrase in phrases)


_TAIL_WORDS = 6


def tail(text: str, start: int, end: int) -> str:
    """The last words before ``end``, lower-cased, space-separated, with a leading space."""
    # quotes are no words: 'reported 800 deaths, "including 300 children"'
    return " " + " ".join(text[start:end].replace('"', " ").split()[-_TAIL_WORDS:]).lower()


@dataclass
class Candidate:
    """A count the rules took for a figure: its indicator, and why (the cue, or the figure
    before it that it continues)."""

    quantity: Quantity
    indicator: Indicator
    cue: Cue | None
    sentence: tuple[int, int]
    inherited: bool = False
    people: bool = False
    place: Place | None = None
    """Where the words around the number put it (the host a group moved to), if they do."""
    revises: Candidate | None = None
    """The earlier figure this one replaces ("It has since raised the figure to 3,400")."""


@dataclass
class Context:
    """What the rules remember while reading one document, sentence after sentence."""

    text: str
    published: dt.date
    gazetteer: Gazetteer
    patterns: Patterns
    short_names: ShortNames = field(default_factory=ShortNames)
    dateline: int = 0
    """Where a dateline ("GENEVA (wire) —") ends: where the reporter was is no figure's place."""
    places: dict[tuple[int, int], list[Place]] = field(default_factory=dict)
    mentioned: set[str] = field(default_factory=set)
    elsewhere: frozenset[str] | None = None
    """The countries of every place the document names (cities included), read the first time
    a district or town is met: one in none of them lies abroad."""
    previous: Candidate | None = None
    previous_place: Place | None = None
    previous_measure: Measure | None = None
    previous_period: TextPeriod | None = None
    toll_measure: Measure | None = None
    """The measure of the last toll its own sentence told (not an increment on top of it): what
    a bare toll later in the passage takes (RULES.md, an incident's toll, step 6)."""
    previous_source: str | None = None
    group: Place | None = None
    """The last people named by their country next to a count ("3,400 Sudanese"): who the
    later bare counts that move ("600,000 people who have entered Chad") are."""
    named_source: str | None = None
    """The last source the document named, in any sentence: what "the agency" or "it" means
    even where sentences without figures came between."""
    unread: list[tuple[int, int]] = field(default_factory=list)
    """Sentences without numbers since ``named_source`` was set, read for a name only when a
    stand-in source needs one (most articles never do; reading each costs a fifth of the speed)."""
    heading_period: TextPeriod | None = None
    """An "as of <date>" stated for a block ("Flash Update (as of 9 February)", a line
    "As of 20 November:"): the date of every later figure that states none of its own."""
    parsed: dict[tuple[int, int], Any] = field(default_factory=dict)
    """The dependency parse of each sentence with several counts (when the parse is on)."""
    prefixes: dict[int, list[Place]] = field(default_factory=dict)
    """The places named before each sentence start read so far (``places_before``)."""
    headed: Place | None = None
    """The place a heading line names ("Cholera in Sofala (as of 31 March)"), once read."""
    document: list[Place] | None = None
    """Every place the document names, read alone (``_document``), when a span needs them."""
    labels: dict[int, tuple[int, int]] = field(default_factory=dict)
    """The label line of each key figure of a fact sheet, by the start of its count
    (``tables.key_figure_labels``)."""
    uncounted: list[tuple[int, int]] = field(default_factory=list)
    """The sentences that state no count, in order: one right after a figure's may name where
    the event it counts happened ("... were killed. The attack on the village of X ...")."""
    opening: tuple[int, int] | None = None
    """The sentence without numbers last read, until a sentence with numbers follows: the
    source it opens with is read then (``source_choice.opened``)."""
    unsourced: list[tuple[Candidate, dict]] = field(default_factory=list)
    """The figure rows of the sentence just before that named no source: a sentence counting
    nothing may yet credit them ("..., according to the government")."""
    citations: list[tuple[int, str]] | None = None
    """Where each bracketed citation ending a paragraph starts, and its source ("(Govt. India,
    12 Jun 2019)"), read the first time a figure names no source."""
    issuer: list[str] | None = None
    """The agency a heading line says issued the text ("OCHA Flash Update #3: ..."), as a list
    of none or one, read the first time a figure names no source."""
    datelined: list[Place] | None = None
    """The places the dateline names ("BENI, Democratic Republic of Congo (Reuters) -"), read
    the first time a place is needed (``dateline_places``)."""

    def places_gazetteer(self) -> Gazetteer:
        """The gazetteer, built now if it was left lazy: a place is needed."""
        if isinstance(self.gazetteer, LazyGazetteer):
            self.gazetteer = default_gazetteer()
        return self.gazetteer


def bounds(
    sentence: tuple[int, int],
    masked: str,
    quantities: list[Quantity],
    q: Quantity,
    aside: tuple[int, int] | None,
) -> tuple[int, int]:
    """The window around ``q``: from the previous count or clause break to the next.

    ``quantities`` are the sentence's other counts of people (not "140 trucks"). A count inside
    a dash aside ("Returnees — more than 1.5 million this year — are ...") may look past the
    dash that opens it.
    """
    lower, upper = sentence
    for other in quantities:
        if other.end <= q.hedge_start:
            lower = max(lower, other.end)
        elif other.hedge_start >= q.end:
            upper = min(upper, other.hedge_start)
    # an aside that restates a count of things in people ("7,500 families – roughly 40,000
    # people – fled"): the count in it reads the predicate past the closing dash too
    restates = aside is not None and not any(o.end <= aside[0] for o in quantities)
    if not any(masked.find(mark, lower, upper) >= 0 for mark in _BREAK_MARKS):
        return lower, upper  # most windows: no break (str.find outruns the regex's scan)
    for match in _CLAUSE_BREAK.finditer(masked, lower, upper):
        if aside is not None and match.start() in (aside[0], aside[0] + 1):
            continue
        if restates and aside is not None and aside[1] - 2 <= match.start() < aside[1]:
            continue
        if masked[match.start()] == ":" and q.hedge_start - match.end() <= 1:
            continue  # "Death toll: 1,234" labels the number after it
        if match.end() <= q.hedge_start:
            lower = match.end()
        elif match.start() >= q.end:
            upper = min(upper, match.start())
            break
    return lower, upper


def dateline_places(context: Context) -> list[Place]:
    """The places a dateline names, less a city where agencies brief the press ("GENEVA -"),
    each named as prose would ("Beni", not "BENI"). Their countries are known to every later
    lookup: "Dikwa" after "DIKWA, Nigeria (AFP) -" is the Nigerian town."""
    if context.datelined is None:
        context.datelined = []
        if context.dateline:
            context.datelined = [
                replace(p, name=_as_prose(p.name)) if p.name.isupper() else p
                for p in find_places(
                    context.text,
                    context.places_gazetteer(),
                    frozenset(),
                    0,
                    context.dateline,
                    capitals=True,
                )
                if p.iso3 and p.level != DEMONYM and p.name.title() not in venue_cities()
            ]
            # a country it names, not one read from its town alone ("VALENCIA -" is no
            # reason to read the Venezuelan Valencia in a text about Spain)
            context.mentioned |= {
                p.iso3 for p in context.datelined if p.level in (COUNTRY, ADMIN1) and not p.minor
            }
    return context.datelined


def _as_prose(name: str) -> str:
    """A dateline's capitals as prose writes the name: "PORT-AU-PRINCE" → "Port-Au-Prince"."""
    return re.sub(r"(?<![\w'])(\w)(\w*)", lambda m: m[1].upper() + m[2], name.lower())


def places_before(context: Context, s0: int) -> list[Place]:
    """Places named before the sentence that starts at ``s0`` (dateline excepted), read span
    by span from where the last such reading stopped: a long report is not read again from
    its start for each figure."""
    done = max((e for e in context.prefixes if e <= s0), default=context.dateline)
    found = context.prefixes.get(done, [])
    if done < s0:
        found = context.prefixes[s0] = found + places_in(context, done, s0)
    return found


def places_in(context: Context, start: int, end: int) -> list[Place]:
    """Places named in ``text[start:end]`` (memoised per span), with "worldwide" and the like."""
    if context.datelined is None:
        dateline_places(context)
    start = max(start, context.dateline)
    key = (start, end)
    found = context.places.get(key)
    if found is None:
        unresolved: list[Place] = []
        ambiguous: list[Place] = []
        unplaced: list[tuple[int, int]] = []
        found = _read_places(context, start, end, unresolved, ambiguous, unplaced)
        if context.elsewhere is None and (unresolved or any(p.minor for p in found)):
            # a district or town: checked against the countries of every place the document
            # names (cities included), read once, only for documents that name one
            context.elsewhere = frozenset(
                p.iso3 for p in _document(context) if p.iso3 and not p.minor
            ) | {p.iso3 for p in dateline_places(context) if p.iso3}
            ambiguous = []
            unplaced = []
            found = _read_places(context, start, end, ambiguous=ambiguous, unplaced=unplaced)
        if unplaced:
            found = _recalled(context, found, unplaced)
        if ambiguous and (prefer := _country_before(context, start)) is not None:
            # a town named as one in a span naming several countries: the country the text
            # was about just before ("They were taken to the Nyakabande transit centre")
            found = sorted(found + [replace(p, iso3=prefer) for p in ambiguous], key=_start)
        if any(p.level in (CITY, ADMIN1) and p.iso3 not in context.mentioned for p in found):
            # a city (or a province that is a city abroad) of a shared name, in a country
            # neither the text so far nor its own span names ("Valencia, Spain" is read so
            # within its span)
            here = {p.iso3 for p in found if p.level != CITY and not _shared(context, p)}
            if any(p.iso3 not in here and _shared(context, p) for p in found):
                found = _read_in_document(context, found)
        claimants = getattr(context.gazetteer, "claimants", None)
        if claimants is not None and any(claimants(p.name) for p in found):
            found = _claimed(context, found, claimants)
        found.extend(
            Place(context.text[m.start() : m.end()], None, NOWHERE, 0, m.start(), m.end())
            for m in context.patterns.nowhere.finditer(context.text, start, end)
        )
        found = [
            p for p in found if p.level != NOWHERE or not _COUNTRY_NOUN.match(context.text, p.end)
        ]
        found.sort(key=lambda p: p.start)
        context.places[key] = found
        context.mentioned |= {p.iso3 for p in found if p.iso3 and p.level != CITY}
    return found


_COUNTRY_NOUN = re.compile(r"\s+(?:island\s+)?(?:country|nation|state|archipelago)\b(?!-)")
"""A region's word that qualifies one country ("this poor Caribbean country", "a Sahel
nation"): that country, named by the text before, not the region."""


def _claimed(
    context: Context, found: list[Place], claimants: Callable[[str], tuple[str, ...]]
) -> list[Place]:
    """A disputed area named bare ("reported in Kashmir") in the claimant the document first
    names it under ("Pakistan-controlled Kashmir", or beside Pakistan alone)."""
    first: dict[str, str | None] = {}
    for place in _document(context):
        if claimants(place.name):
            first.setdefault(fold(place.name), place.iso3)
    return [
        replace(p, iso3=first.get(fold(p.name), p.iso3))
        if claimants(p.name)
        and not ADMINISTERED.search(context.text, max(0, p.start - 40), p.start)
        else p
        for p in found
    ]


def _document(context: Context) -> list[Place]:
    """Every place the document names, read once and only for a document that needs them."""
    if context.document is None:
        context.document = find_places(
            context.text, context.places_gazetteer(), frozenset(), context.dateline
        )
    return context.document


def _shared(context: Context, place: Place) -> frozenset[str]:
    """The countries a city's name is shared by, for a city read in a country the text has
    not named so far ("Tripoli", "Pokrovsk", "Bor"); empty for any other place."""
    if place.level not in (CITY, ADMIN1) or place.minor or place.iso3 in context.mentioned:
        return frozenset()
    shared = getattr(context.gazetteer, "shared", None)
    return shared(place.name) if shared is not None else frozenset()


def _read_in_document(context: Context, found: list[Place]) -> list[Place]:
    """Cities of a shared name read again in the countries the rest of the document names
    ("Tripoli" in a text that names Baalbek and the Bekaa is Lebanon's; "Pokrovsk" before
    "Ukraine's emergency service" Ukraine's), else outside the country whose forces attack
    ("Pokrovsk ... as Russian forces advance"): the text's context before the bigger city."""
    countries = {
        p.iso3
        for p in [*_document(context), *dateline_places(context)]
        if p.iso3 and p.level != DEMONYM and not _shared(context, p)
    }
    read = []
    for place in found:
        if (shared := _shared(context, place)) and place.iso3 not in countries:
            wanted = shared & countries or shared - _attackers(context)
            if wanted and place.iso3 not in wanted:
                better = context.gazetteer.lookup(place.name, context.mentioned | wanted)
                if better is not None and better.iso3 in wanted:
                    place = replace(better, name=place.name, start=place.start, end=place.end)
        read.append(place)
    return read


_ACTOR_WORD = re.compile(r"\b([A-Z][a-z]+)(?=" + ACTOR.pattern + ")")


def _attackers(context: Context) -> set[str]:
    """The countries whose forces, strikes or weapons the text names ("Russian forces")."""
    found = set()
    for match in _ACTOR_WORD.finditer(context.text):
        place = context.gazetteer.lookup(match[1], frozenset())
        if place is not None and place.iso3 and place.level in (COUNTRY, DEMONYM):
            found.add(place.iso3)
    return found


def _start(place: Place) -> int:
    return place.start


def _country_before(context: Context, start: int) -> str | None:
    """The previous figure's country, else that of the last country or area named before."""
    if context.previous_place is not None and context.previous_place.iso3:
        return context.previous_place.iso3
    prior = [p for p in places_before(context, start) if p.iso3 and p.level in (COUNTRY, ADMIN1)]
    return prior[-1].iso3 if prior else None


def _read_places(
    context: Context,
    start: int,
    end: int,
    unresolved: list[Place] | None = None,
    ambiguous: list[Place] | None = None,
    unplaced: list[tuple[int, int]] | None = None,
) -> list[Place]:
    return [
        p
        for p in find_places(
            context.text,
            context.places_gazetteer(),
            context.mentioned,
            start,
            max(start, end),
            context.elsewhere or frozenset(),
            unresolved=unresolved,
            ambiguous=ambiguous,
            unplaced=unplaced,
        )
        if not incidental(context.text, p)
    ]


def _recalled(context: Context, found: list[Place], unplaced: list[tuple[int, int]]) -> list[Place]:
    """Names a span uses as places but cannot read ("sought refuge around Birak"), read as
    the document reads them: a town or area it names as one elsewhere ("to Figeira, in the
    Birak area"), in that place's country."""
    starts = {start for start, _ in unplaced}
    again = [
        p
        for p in _document(context)
        if p.start in starts and p.iso3 and p.level != DEMONYM and not incidental(context.text, p)
    ]
    return sorted(found + again, key=_start) if again else found


class LazyGazetteer:
    """Builds the packaged gazetteer only when a figure needs a place."""

    def lookup(self, name: str, mentioned: AbstractSet[str]) -> Place | None:
        return default_gazetteer().lookup(name, mentioned)


def lazy_gazetteer() -> Gazetteer:
    """The packaged gazetteer, loaded on the first place lookup (most texts never need it)."""
    return _LAZY


_LAZY = LazyGazetteer()
