"""Sentences to figure rows: the rules that decide which numbers in a text are figures.

``extract_figures(document)`` returns the candidate-figures frame every producer returns (the
schema's columns less the stamped ones, plus ``input_row`` and ``origin``). One pass finds
every number in the text (``numbers.find_quantities``); only sentences holding a count are
read further, so prose without figures costs one regular-expression scan.

For each count the rules ask, in order: is it a thing rather than people ("140 trucks")? a
forecast or target ("could rise to")? a breakdown of a figure just given ("including 4,800
children")? Which indicator do the nearest words name (``indicators.find_cue``)? Then measure
(stock or flow), reference period (``dates``), source (``attribution``) and place
(``places``) are read from the same sentence, falling back to what the text said before.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import polars as pl
import pycountry

from humstats.errors import InputError
from humstats.extract import syntax
from humstats.extract.attribution import (
    Attribution,
    find_attributions,
    named_subject,
    short_names,
    with_short_name,
)
from humstats.extract.dates import Period, find_periods, publication_period
from humstats.extract.indicators import (
    Cue,
    Patterns,
    Vocabulary,
    compile_patterns,
    find_cue,
    load_vocabulary,
)
from humstats.extract.measure import SINCE_EVENT, clause_start, measure_of
from humstats.extract.movement import crossing
from humstats.extract.numbers import Quantity, find_quantities
from humstats.extract.places import (
    ADMIN1,
    CITY,
    COUNTRY,
    DEMONYM,
    NOWHERE,
    Gazetteer,
    Place,
    default_gazetteer,
    find_places,
    incidental,
    venue_cities,
)
from humstats.extract.sentences import mask_asides, split_sentences, unmask
from humstats.extract.tables import TextTable, find_text_tables
from humstats.readers import Document
from humstats.schema import (
    BREAKDOWN_DEFAULTS,
    DTYPES,
    ORIGIN_COLUMNS,
    STAMPED,
    Indicator,
    Measure,
    Unit,
)

RULES_VERSION = "2"
METHOD = f"text-rules@{RULES_VERSION}"
PERIOD_DEFAULTED = ";period=published"
"""Appended to ``method`` when the text states no reference date for a figure and its period
is the publication date: reports can tell "as of 3 Dec (stated)" from "published 3 Dec"."""

CANDIDATE_SCHEMA: dict[str, pl.DataType] = {
    **{name: dtype for name, dtype in DTYPES.items() if name not in STAMPED},
    **ORIGIN_COLUMNS,
}
"""Columns of the frame ``extract_figures`` returns, in order."""
_EMPTY = pl.DataFrame(schema=CANDIDATE_SCHEMA)

_TYPOGRAPHY = str.maketrans(
    {"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "\u00a0": " ", "\u202f": " ", "\u2009": " "}
)
"""Curly quotes and non-breaking spaces read as their plain forms, one character for one so
every offset still points into the document ('reported 800 deaths, “including 300 children”')."""
_CLAUSE_BREAK = re.compile(r"[;:]\s|\s[—–]\s")


def _endings(*phrases: str) -> tuple[str, ...]:
    """Phrases as " phrase" suffixes: ``_tail(text).endswith(...)`` tests them at a word start."""
    return tuple(f" {phrase}" for phrase in phrases)


_BREAKDOWN_BEFORE = _endings(
    "including",
    "includes",
    "included",
    "of whom",
    "among whom",
    "among them",
    "among those",
    "of which",
    "among the dead",
    "among the victims",
)
_BREAKDOWN_PREDICATE = re.compile(
    r"\s+(?:were|are|was|is)\s+(?:children|women|girls|boys|minors|men|medics|civilians|"
    r"aged|under)\b",
    re.I,
)
_PARTITIVE_AFTER = re.compile(r"\s+of\s+(?:(?:them|those|whom|these)\b|(?:the|its|their)\s+)", re.I)
_PARTITIVE_PREDICATE = re.compile(
    r"\s+of\s+(?:them|those|these|whom)\s+(?:(?:have|has|had|were|was|are|is|been|being|now|"
    r"also|already)\s+)+$",
    re.I,
)
_ACCOUNTS_FOR = _endings("accounts for", "accounted for", "account for", "accounting for")
_COMPARED = _endings(
    *(
        f"{change} {link}{article}"
        for change in (
            "up",
            "down",
            "rising",
            "falling",
            "increase",
            "increased",
            "decrease",
            "decreased",
            "compared",
        )
        for link in ("from", "with", "to")
        for article in ("", " the", " about", " some", " around")
    )
)
_ALSO = re.compile(r"\b(?:also|too|as well)\b", re.I)
_INHERIT_BEFORE = _endings("another", "a further", "an additional", "a total of")
_TAIL_WORDS = 6


def _tail(text: str, start: int, end: int) -> str:
    """The last words before ``end``, lower-cased, space-separated, with a leading space."""
    # quotes are no words: 'reported 800 deaths, "including 300 children"'
    return " " + " ".join(text[start:end].replace('"', " ").split()[-_TAIL_WORDS:]).lower()


_INCREMENT_AFTER = re.compile(r"\bbringing\b[^.;]*\bto\b", re.I)
_INCREMENT_MARK = re.compile(r"\s+(?:more|further|additional|new)\b", re.I)
_MOVEMENT = {Indicator.DISPLACED, Indicator.REFUGEES, Indicator.RETURNEES}
_FLED = {Indicator.DISPLACED, Indicator.REFUGEES}
_WORLD = re.compile(r"world|global", re.I)
_ORIGIN_BEFORE = re.compile(
    r"\b(?:from|fled|out of|left)\s+(?:the\s+)?(?:occupied\s+)?"
    r"(?:[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)*(?:,\s*|\s+and\s+|\s+or\s+))*$"
)
_HOST_BEFORE = re.compile(r"\b(?:into|to|reached|entered)\s+(?:the\s+)?(?:neighbouring\s+)?$", re.I)
_DATELINE = re.compile(r"^\s*[A-Z][A-Z .'-]{2,}(?:,\s*[A-Z][\w .'-]+)?\s*(?:\([^)]*\))?\s*[—–-]\s")
_B_REACH_SHORT = 45
_B_REACH_LONG = 90
_F_REACH = 90
_BLANKS = re.compile(r" {4,}")
_ONE_SPEAKER = re.compile(
    r"\s+(?:source|official|witness|resident|diplomat|analyst|aide|observer|medic|doctor)s?\s+"
    r"(?:said|says|told|added|reported)\b",
    re.I,
)
""""one source said": a determiner, not a count of one."""


@dataclass
class _Figure:
    quantity: Quantity
    indicator: Indicator
    cue: Cue | None
    sentence: tuple[int, int]
    inherited: bool = False
    people: bool = False
    place: Place | None = None
    """Where the words around the number put it (the host a group moved to), if they do."""


@dataclass
class _Context:
    """What the rules remember while reading one document, sentence after sentence."""

    text: str
    published: dt.date
    gazetteer: Gazetteer
    patterns: Patterns
    short_names: list[tuple[str, re.Pattern[str]]] = field(default_factory=list)
    dateline: int = 0
    """Where a dateline ("GENEVA (wire) —") ends: where the reporter was is no figure's place."""
    places: dict[tuple[int, int], list[Place]] = field(default_factory=dict)
    mentioned: set[str] = field(default_factory=set)
    previous: _Figure | None = None
    previous_place: Place | None = None
    previous_measure: Measure | None = None
    previous_period: Period | None = None
    previous_source: str | None = None
    named_source: str | None = None
    """The last source the document named, in any sentence: what "the agency" or "it" means
    even where sentences without figures came between."""
    unread: list[tuple[int, int]] = field(default_factory=list)
    """Sentences without numbers since ``named_source`` was set, read for a name only when a
    stand-in source needs one (most articles never do; reading each costs a fifth of the speed)."""
    heading_period: Period | None = None
    parsed: dict[tuple[int, int], Any] = field(default_factory=dict)
    """The dependency parse of each sentence with several counts (when the parse is on)."""
    """An "as of <date>" stated for a block ("Flash Update (as of 9 February)", a line
    "As of 20 November:"): the date of every later figure that states none of its own."""


@cache
def _short_names(vocabulary: Vocabulary) -> list[tuple[str, re.Pattern[str]]]:
    return short_names(vocabulary.organisations)


def _head(patterns: Patterns, text: str, end: int) -> str:
    """What stands right after a number: ``people``, ``thing``, ``partitive`` or ``bare``."""
    if _PARTITIVE_AFTER.match(text, end):
        return "partitive"
    position = end
    for index in range(4):
        match = patterns.head.match(text, position)
        if match is None or "\n" in match.group():
            return "bare"  # a line ends the phrase ("Newly displaced: 210,000\nAid trucks")
        if match["people"]:
            following = patterns.head.match(text, match.end())
            if (
                following is not None
                and following["thing"]
                and following.start() + 2 >= (match.end())
            ):
                return "thing"  # "3,500 staff positions", "200 worker visas"
            return "people"
        if match["thing"]:
            return "thing"
        if match["function"]:
            return "bare"
        if match["word"]:
            if patterns.after.match(text, match.start("word")):
                return "bare"
            word = match["word"].lower()
            if index == 0 and word.endswith("s") and not word.endswith("ss") and len(word) > 3:
                return "thing"
        position = match.end()
    return "bare"


def _bounds(
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
    for match in _CLAUSE_BREAK.finditer(masked, lower, upper):
        if aside is not None and match.start() in (aside[0], aside[0] + 1):
            continue
        if masked[match.start()] == ":" and q.hedge_start - match.end() <= 1:
            continue  # "Death toll: 1,234" labels the number after it
        if match.end() <= q.hedge_start:
            lower = match.end()
        elif match.start() >= q.end:
            upper = min(upper, match.start())
            break
    return lower, upper


def _classify(
    patterns: Patterns, masked: str, q: Quantity, lower: int, upper: int, attach: str | None = None
) -> tuple[Cue | None, str]:
    """The indicator cue of one count, or why there is none.

    ``attach`` is ``masked`` with the words the parse gives to other numbers blanked: the cue
    and the head are read from it, the filters (forecast, increment, breakdown) from
    ``masked``, whose words they concern whichever number they belong to.
    """
    attach = masked if attach is None else attach
    before = _tail(masked, max(lower, q.hedge_start - 40), q.hedge_start)
    if before.endswith(patterns.not_before):
        return None, "not-a-count"
    if patterns.not_after.match(masked, q.end, min(q.end + 60, upper + 40)):
        return None, "not-a-count"
    head = _head(patterns, attach, q.end)
    if head == "thing":
        return None, "thing"
    if q.spelled and q.value == 1 and _ONE_SPEAKER.match(masked, q.end):
        return None, "not-a-count"
    incremental = _INCREMENT_MARK.match(masked, q.end) or before.endswith(_INHERIT_BEFORE)
    if incremental and _INCREMENT_AFTER.search(masked, q.end, q.end + 160):
        return None, "increment"
    # an aside masked out ("5.7 million people, or 51 percent of those analysed, are facing")
    # does not count against the reach
    reach = _F_REACH + sum(len(b) for b in _BLANKS.findall(attach, q.end, q.end + _F_REACH))
    cue = find_cue(patterns, attach, q.hedge_start, q.end, lower, min(upper, q.end + reach))
    if cue is not None and cue.kind in {"before", "near"} and before.endswith(_COMPARED):
        cue = None  # "up from 30,000 in June": an earlier value, unless its own words say more
    if cue is not None and cue.kind in {"before", "near"}:
        reach = _B_REACH_LONG if cue.kind == "before" else _B_REACH_SHORT
        if cue.distance - 2 > reach:
            cue = None
    if _BREAKDOWN_PREDICATE.match(masked, q.end):
        return None, "breakdown"
    if before.endswith(_BREAKDOWN_BEFORE):
        following = masked[q.end : q.end + 12]
        if re.match(r"\s+(?:who|that|of whom)\b", following):
            return cue, head
        including = before.rpartition(" ")[2].startswith("includ")
        if cue is not None and cue.kind == "noun" and cue.distance <= 2 and including:
            return cue, "included"  # "cases, including 812 deaths": a figure if another indicator
        if including or cue is None or cue.kind != "noun" or cue.distance > 25:
            return None, "breakdown"
    if head == "partitive":
        return cue, "partitive"
    return cue, head


def _own_periods(
    text: str,
    masked: str,
    published: dt.date,
    sentence: tuple[int, int],
    quantities: list[Quantity],
) -> list[Period]:
    """The sentence's periods, less those dating an earlier value ("up from 30,000 in June")."""
    s0, s1 = sentence
    compared = [
        o.end
        for o in quantities
        if o.is_count
        and _tail(masked, max(s0, o.hedge_start - 25), o.hedge_start).endswith(_COMPARED)
    ]
    return [
        _since(p, text, published, s0)
        for p in find_periods(text, published, s0, s1)
        if not any(0 <= p.span[0] - end <= 15 for end in compared)
    ]


def _since(period: Period, text: str, published: dt.date, s0: int) -> Period:
    """A date inside a "since ..." phrase ("since the onset of floods on 28 May") starts a
    count that runs to publication; it does not end one."""
    if period.as_of:
        return period
    if not SINCE_EVENT.search(text, max(s0, period.span[0] - 60), period.span[0]):
        return period
    return Period(
        period.start,
        max(period.start, published),
        period.precision,
        False,
        period.span,
        period.flow,
    )


def _period_for(
    q: Quantity,
    periods: list[Period],
    lower: int,
    upper: int,
    sentence_start: int,
    first_count: int,
) -> Period | None:
    for period in periods:
        if period.as_of and period.span[1] <= first_count and period.span[0] >= sentence_start:
            return period
    inside = [p for p in periods if lower <= p.span[0] and p.span[1] <= upper + 40]
    if not inside:
        # "27 people were killed and 64 injured ... on Tuesday": the event dates them all.
        inside = [p for p in periods if p.flow]
    if not inside:
        return None
    return min(inside, key=lambda p: min(abs(p.span[0] - q.end), abs(q.hedge_start - p.span[1])))


def _country_name(iso3: str) -> str:
    country = pycountry.countries.get(alpha_3=iso3)
    if country is None:
        return iso3
    return getattr(country, "common_name", None) or country.name


def _choose_place(
    places: list[Place], q: Quantity, indicator: Indicator, text: str
) -> Place | None:
    usable = []
    for place in places:
        before = text[max(0, place.start - 45) : place.start]
        if indicator in _MOVEMENT and _ORIGIN_BEFORE.search(before):
            continue
        if indicator is Indicator.REFUGEES and place.level == DEMONYM:
            continue
        host = indicator is Indicator.REFUGEES and bool(_HOST_BEFORE.search(before))
        usable.append((place, host))
    named = [(p, h) for p, h in usable if p.level != DEMONYM]
    pool = named or usable
    if not pool:
        return None

    def rank(item: tuple[Place, bool]) -> tuple[int, int, int]:
        place, host = item
        specificity = {CITY: 3, ADMIN1: 2, COUNTRY: 1, NOWHERE: 0}.get(place.level, 0)
        distance = min(abs(place.start - q.end), abs(q.hedge_start - place.end))
        return (int(host), specificity, -distance)

    return max(pool, key=rank)[0]


def _places_in(context: _Context, start: int, end: int) -> list[Place]:
    """Places named in ``text[start:end]`` (memoised per span), with "worldwide" and the like."""
    start = max(start, context.dateline)
    key = (start, end)
    found = context.places.get(key)
    if found is None:
        if isinstance(context.gazetteer, _LazyGazetteer):  # a place is needed: build it now
            context.gazetteer = default_gazetteer()
        found = [
            p
            for p in find_places(
                context.text, context.gazetteer, context.mentioned, start, max(start, end)
            )
            if not incidental(context.text, p)
        ]
        found.extend(
            Place(m.group(), None, NOWHERE, 0, m.start(), m.end())
            for m in context.patterns.nowhere.finditer(context.text, start, end)
        )
        found.sort(key=lambda p: p.start)
        context.places[key] = found
        context.mentioned |= {p.iso3 for p in found if p.iso3 and p.level != CITY}
    return found


def _outside(context: _Context, sentence: tuple[int, int]) -> tuple[list[Place], list[Place]]:
    """Places named before the sentence (dateline excepted) and after it."""
    return (
        _places_in(context, 0, sentence[0]),
        _places_in(context, sentence[1], len(context.text)),
    )


def _place_for(context: _Context, figure: _Figure, lower: int, upper: int) -> Place | None:
    if figure.place is not None:
        return figure.place
    q = figure.quantity
    s0, s1 = figure.sentence
    sentence = _places_in(context, s0, s1)
    segment = [p for p in sentence if lower <= p.start < upper]
    place = _choose_place(segment, q, figure.indicator, context.text)
    if place is None:
        place = _choose_place(sentence, q, figure.indicator, context.text)
    if figure.indicator in _FLED and (
        place is None or (place.iso3 is None and _WORLD.search(place.name))
    ):
        # no host named ("refugees from Ukraine ... globally", "fled El Fasher"): the place
        # they fled, a country for refugees (the border crossed is unknown); a region named
        # as host ("across Europe") stays the figure's place
        origins = [
            p
            for p in segment
            if p.iso3 and (p.level != DEMONYM or figure.indicator is Indicator.REFUGEES)
        ]
        if origins:
            place = origins[-1]
            if figure.indicator is Indicator.REFUGEES:
                place = _country_level(place)
    if place is not None:
        return place
    if context.previous is not None:
        return _country_level(context.previous_place)
    before, after = _outside(context, figure.sentence)
    earlier = [p for p in before if p.level != DEMONYM]
    if earlier:
        return _choose_place(earlier[-1:], q, figure.indicator, context.text) or earlier[-1]
    later = [p for p in after if p.level != DEMONYM]
    return later[0] if later else _dateline_place(context)


def _dateline_place(context: _Context) -> Place | None:
    """The country of the dateline ("BUNIA, DR Congo (AFP) -", "SANAA (Saba) -") for a text
    that names no other place; a briefing city ("GENEVA -") says where the reporter was."""
    if not context.dateline:
        return None
    if isinstance(context.gazetteer, _LazyGazetteer):
        context.gazetteer = default_gazetteer()
    places = [
        p
        for p in find_places(
            context.text, context.gazetteer, context.mentioned, 0, context.dateline
        )
        if p.iso3 and p.level != DEMONYM and p.name.title() not in venue_cities()
    ]
    return _country_level(places[-1]) if places else None


def _country_level(place: Place | None) -> Place | None:
    """A figure that names no place of its own is placed in the country the text is about."""
    if place is None or place.iso3 is None or place.level in (COUNTRY, NOWHERE):
        return place
    return Place(_country_name(place.iso3), place.iso3, COUNTRY, 0, place.start, place.end)


_STAND_IN = re.compile(
    r"\b(?:agency|organi[sz]ation|group|charity|monitor|mission|body|spokes(?:person|man|woman))\b",
    re.I,
)
""""The agency" stands in for a body named earlier; "the government" or "the ministry" is
usually a body of its own, so only these carry back past sentences without figures."""


def _named_source(context: _Context) -> str | None:
    """The last body the document named, reading the sentences without numbers not read yet."""
    for start, end in reversed(context.unread):
        found = find_attributions(context.text, start, end)
        named = [a.source for a in found if a.source != "it" and not a.generic]
        name = named[-1] if named else None if found else named_subject(context.text, start, end)
        if name:
            context.named_source = with_short_name(name, context.short_names)
            break
    context.unread.clear()
    return context.named_source


def _source_for(context: _Context, attributions: list[Attribution], figure: _Figure) -> str | None:
    """The nearest source in the sentence; else the one the text named before, except for a
    population, a background fact no report is carried into ("Gaza, home to 2.1 million")."""
    q = figure.quantity
    if not attributions:
        return None if figure.indicator is Indicator.POPULATION else context.previous_source
    strong = [a for a in attributions if not a.weak]
    attributions = strong or attributions
    nearest = min(attributions, key=lambda a: min(abs(a.start - q.end), abs(q.start - a.end)))
    if nearest.source == "it" or nearest.generic:
        # "OCHA said ... and it added": a name earlier in the sentence, else in the document
        before = [
            a for a in attributions if a.end <= nearest.start and a.source != "it" and not a.generic
        ]
        if before:
            return with_short_name(before[-1].source, context.short_names)
        named = context.previous_source
        if nearest.source == "it" or _STAND_IN.search(nearest.source):
            named = named or _named_source(context)
        if named or nearest.source == "it":
            return named
    return with_short_name(nearest.source, context.short_names)


def _rows(
    document: Document, vocabulary: Vocabulary, gazetteer: Gazetteer, parse: bool
) -> list[dict]:
    """Every figure row of a document, sentence by sentence, a restated figure once."""
    meta = document.meta
    if meta.published_date is None:
        raise InputError(document.path, "no publication date; pass --published YYYY-MM-DD")
    text = document.text.translate(_TYPOGRAPHY)
    quantities = find_quantities(text, vocabulary)
    if not any(q.is_count for q in quantities):
        return []
    patterns = compile_patterns(vocabulary)
    dateline = _DATELINE.match(text)
    context = _Context(
        text,
        meta.published_date,
        gazetteer,
        patterns,
        _short_names(vocabulary),
        dateline.end() if dateline else 0,
    )
    sentences = split_sentences(text)
    starts = [s for s, _ in sentences]
    by_sentence: dict[int, list[Quantity]] = {}
    tables = find_text_tables(text)
    lowered = text.lower()  # one scan for "as of", not one per sentence
    block_dates = "as of" in lowered or "as at" in lowered
    in_tables: list[Quantity] = []
    for q in quantities:
        if any(t.start <= q.start < t.end for t in tables):
            in_tables.append(q)  # read by column below, not as prose
            continue
        index = max(0, bisect.bisect_right(starts, q.start) - 1)
        by_sentence.setdefault(index, []).append(q)
    if parse:  # one batch for the sentences whose counts may belong to different words
        context.parsed = syntax.parse_sentences(
            text,
            [
                sentences[index]
                for index, found in by_sentence.items()
                if _ambiguous(patterns, text, found)
                and "\n" not in text[slice(*sentences[index])].strip()
            ],
        )
    rows: list[dict] = []
    seen: dict[tuple[str, int], int] = {}
    for index, sentence in enumerate(sentences):
        in_sentence = by_sentence.get(index)
        if in_sentence is None:  # most sentences: no number, no figure, no source lent onward
            context.previous_source = None
            context.unread.append(sentence)
            if block_dates:
                _remember_heading_period(context, sentence, [])
            continue
        attributions: list[Attribution] | None = None
        found = []
        if any(q.is_count for q in in_sentence):
            found, attributions = _sentence_figures(document, context, sentence, in_sentence)
            for figure, row in _without_mixed_totals(found, text, sentence[1]):
                key = (figure.indicator.value, figure.quantity.value)
                if key not in seen:
                    seen[key] = len(rows)
                    rows.append(row)
                elif _restates_better(row, rows[seen[key]]):
                    rows[seen[key]] = row
        if attributions is None:  # only a sentence with numbers may lend its source onward
            attributions = find_attributions(text, *sentence)
        _remember_source(context, attributions)
        if block_dates:
            _remember_heading_period(context, sentence, found)
    for table in tables:
        for figure, row in _table_figures(document, context, table, in_tables):
            key = (figure.indicator.value, figure.quantity.value)
            if key not in seen:
                seen[key] = len(rows)
                rows.append(row)
    return rows


def _ambiguous(patterns: Patterns, text: str, quantities: list[Quantity]) -> bool:
    """Whether a sentence's counts need the parse: two or more may count people, and one of
    them is not named by a cue noun right after it ("12 deaths and 40 injuries" is clear)."""
    people = [q for q in quantities if q.is_count and _head(patterns, text, q.end) != "thing"]
    return len(people) > 1 and not all(
        patterns.after.match(text, q.end + 1) is not None for q in people
    )


def _column_indicator(patterns: Patterns, header: str) -> Indicator | None:
    """The indicator a column's name gives its cells ("Deaths", "People displaced"); none
    for things ("Houses damaged") or names no cue word is in ("Province")."""
    head = patterns.head.match(header)
    if head is not None and head["thing"]:
        return None
    cue = patterns.after.search(header)
    return None if cue is None else patterns.classify(cue.group(), before=False)[0]


def _table_figures(
    document: Document, context: _Context, table: TextTable, quantities: list[Quantity]
) -> list[tuple[_Figure, dict]]:
    """One figure per count under a people column, placed by the row's first cell: running
    totals of a report, dated by its "as of" heading when it has one."""
    text = context.text
    columns = [_column_indicator(context.patterns, text[a:b]) for a, b in table.header]
    found = []
    for cells in table.rows:
        line = (cells[0][0], cells[-1][1])
        for (a, b), indicator in zip(cells, columns, strict=True):
            q = next((q for q in quantities if a <= q.start < b and q.is_count), None)
            if indicator is None or q is None:
                continue
            figure = _Figure(q, indicator, None, line, people=True)
            place = _place_for(context, figure, *line)
            context.previous, context.previous_place = figure, place
            found.append(
                (
                    figure,
                    _row(
                        document,
                        figure,
                        Measure.STOCK,
                        place,
                        context.heading_period,
                        table.source,
                        line,
                        context,
                    ),
                )
            )
    return found


_AS_OF = re.compile(r"\bas (?:of|at)\b", re.I)


def _remember_heading_period(
    context: _Context, sentence: tuple[int, int], found: list[tuple[_Figure, dict]]
) -> None:
    """An "as of" date in a heading (a sentence with no figure, or in brackets) dates the
    block below it; in a sentence of figures it dates those alone."""
    s0, s1 = sentence
    as_of = _AS_OF.search(context.text, s0, s1)
    if as_of is None:
        return
    if found and not context.text[s0 : as_of.start()].rstrip().endswith("("):
        return
    periods = find_periods(context.text, context.published, as_of.start(), s1)
    if periods and periods[0].as_of and periods[0].span[0] == as_of.start():
        context.heading_period = periods[0]


def _remember_source(context: _Context, attributions: list[Attribution]) -> None:
    """The source the next sentence's "it said" / unattributed figure refers to."""
    named = [a.source for a in attributions if a.source != "it" and not a.generic]
    if named:
        context.previous_source = with_short_name(named[-1], context.short_names)
        context.named_source = context.previous_source
        context.unread.clear()
    elif not any(a.source == "it" or a.generic for a in attributions):
        context.previous_source = None


def _sentence_figures(
    document: Document, context: _Context, sentence: tuple[int, int], in_sentence: list[Quantity]
) -> tuple[list[tuple[_Figure, dict]], list[Attribution] | None]:
    """The figures of one sentence with their rows, and the sentence's sources if read."""
    text, patterns = context.text, context.patterns
    s0, s1 = sentence
    full_mask, asides = mask_asides(text, s0, s1)
    periods: list[Period] | None = None
    attributions: list[Attribution] | None = None
    first_count = min(q.hedge_start for q in in_sentence if q.is_count)
    limits = [  # counts that may be people: each bounds its neighbours' windows
        o
        for o in in_sentence
        if o.is_count
        and _head(patterns, full_mask, o.end) != "thing"
        and not _tail(full_mask, max(s0, o.hedge_start - 40), o.hedge_start).endswith(
            patterns.not_before
        )
    ]
    found: list[tuple[_Figure, dict]] = []
    parsed = {}
    doc = context.parsed.get(sentence)
    if len(limits) > 1 and doc is not None:
        spans = [(o.start, o.end) for o in limits]
        parsed = dict(zip(limits, syntax.domains(doc, s0, spans), strict=True))
    for q in in_sentence:
        if not q.is_count:
            continue
        aside = next(((a, b) for a, b in asides if a <= q.start < b), None)
        masked = unmask(full_mask, text, aside) if aside else full_mask
        attach = masked
        if others := parsed.get(q):
            attach = syntax.blank(masked, others)
        visible = [o for o in limits if o is not q and attach[o.start] != " "]
        lower, upper = _bounds(sentence, attach, visible, q, aside)
        figure = _figure(context, patterns, masked, q, lower, upper, sentence, attach)
        if figure is None:
            continue
        if periods is None:
            periods = _own_periods(text, full_mask, context.published, sentence, in_sentence)
        if attributions is None:
            attributions = find_attributions(text, s0, s1)
        place = _place_for(context, figure, lower, upper)
        period = _period_for(q, periods, lower, upper, s0, first_count)
        if period is None and figure.inherited:
            period = context.previous_period
        if period is None:
            period = context.heading_period
        source = _source_for(context, attributions, figure)
        near = [p for p in periods if lower <= p.span[0] < upper + 40]
        measure = measure_of(
            text,
            masked,
            sentence,
            q,
            lower,
            upper,
            near or [p for p in periods if not p.as_of],
            figure.indicator,
        )
        # "Another 22 were hospitalised", "231 soldiers had also died": the same event as the
        # figure before.
        if (
            context.previous_measure is not None
            and not periods
            and (
                _tail(masked, max(s0, q.hedge_start - 20), q.hedge_start).endswith(_INHERIT_BEFORE)
                or _ALSO.search(masked, q.end, upper)
            )
        ):
            measure = context.previous_measure
            period = period or context.previous_period
        context.previous = figure
        context.previous_measure = measure
        context.previous_place = place
        context.previous_period = period
        found.append(
            (figure, _row(document, figure, measure, place, period, source, sentence, context))
        )
    return found, attributions


def _restates_better(new: dict, old: dict) -> bool:
    """A figure stated twice counts once; a later hedged or sourced restatement says more
    ("Floods displace 1.2 million" in a headline, "more than 1.2 million, the agency said")."""
    hedged = new["qualifier"] != "exact" and old["qualifier"] == "exact"
    sourced = new["attributed_to"] is not None and old["attributed_to"] is None
    return hedged or (sourced and new["qualifier"] == old["qualifier"])


_BREAKDOWN_LIST = re.compile(r",\s*(?:among them|among whom|including|of whom|of which)\b", re.I)


def _without_mixed_totals(
    found: list[tuple[_Figure, dict]], text: str, end: int
) -> list[tuple[_Figure, dict]]:
    """Drop a total that the sentence then splits into different indicators.

    "hosting 1 million people who crossed, among them 750,000 returnees and 250,000
    refugees": the million is neither returnees nor refugees, only its parts are figures.
    """
    kept = []
    for figure, row in found:
        split = _BREAKDOWN_LIST.search(text, figure.quantity.end, end)
        parts = {
            other.indicator
            for other, _ in found
            if split is not None and other.quantity.start > split.start()
        }
        if len(parts) < 2:
            kept.append((figure, row))
    return kept


def _figure(
    context: _Context,
    patterns: Patterns,
    masked: str,
    q: Quantity,
    lower: int,
    upper: int,
    sentence: tuple[int, int],
    attach: str | None = None,
) -> _Figure | None:
    cue, head = _classify(patterns, masked, q, lower, upper, attach)
    if head == "included":
        # "21,418 suspected cases, including 812 deaths": the part names another indicator
        # than the total it is part of, so it is a figure; "including 300 injured" after an
        # injured total is a breakdown
        total = context.previous
        if (
            cue is None
            or total is None
            or total.sentence != sentence
            or (total.indicator is cue.indicator)
        ):
            return None
        return _Figure(q, cue.indicator, cue, sentence, people=True)
    if head in {"thing", "not-a-count", "breakdown", "increment"}:
        return None
    if head != "partitive" and (cue is None or cue.indicator in _FLED):
        moved = crossing(context.text, q, lower, upper, _places_in(context, *sentence))
        if moved is not None and (
            cue is None or moved.indicator is cue.indicator or cue.indicator is Indicator.DISPLACED
        ):
            return _Figure(q, moved.indicator, cue, sentence, people=True, place=moved.host)
    if head == "partitive":
        if (
            context.previous is not None
            and cue is not None
            and cue.kind in {"noun", "verb"}
            and cue.distance < 30
            and cue.indicator is not context.previous.indicator
            and _PARTITIVE_PREDICATE.match(masked, q.end, cue.start)
        ):
            # "a community of 2,000 ... Roughly 500 of them have been displaced"
            return _Figure(q, cue.indicator, cue, sentence, inherited=True)
        if (
            context.previous is not None
            and cue is not None
            and cue.kind == "noun"
            and cue.distance < 25
            and _tail(masked, max(lower, q.hedge_start - 30), q.hedge_start).endswith(_ACCOUNTS_FOR)
        ):
            # "The Centre department accounts for 612 of the suspected cases": a sub-total
            # for the place that is the subject
            return _Figure(q, cue.indicator, cue, sentence, inherited=True)
        clause = clause_start(masked, lower, q.hedge_start)
        places = [p for p in _places_in(context, *sentence) if clause <= p.start < upper]
        if not places or context.previous is None:
            return None
        if cue is not None and cue.kind in {"noun", "verb"} and cue.distance < 20:
            return _Figure(q, cue.indicator, cue, sentence, inherited=True)
        if re.match(r"\s+of\s+(?:them|those|these)\b", masked[q.end : q.end + 20]):
            return _Figure(q, context.previous.indicator, None, sentence, inherited=True)
        return None
    if cue is None:
        if _tail(masked, max(0, q.hedge_start - 20), q.hedge_start).endswith(_INHERIT_BEFORE) and (
            context.previous is not None and head == "bare"
        ):
            return _Figure(q, context.previous.indicator, None, sentence, inherited=True)
        if head == "bare" and _listed_after_place(context, masked, q, lower, sentence):
            return _Figure(q, context.previous.indicator, None, sentence, inherited=True)
        return None
    return _Figure(q, cue.indicator, cue, sentence, people=head == "people")


_LISTED = re.compile(r"(?:,|\band|\bwhile)\s+(?:[A-Z][\w'’-]*\s+){1,3}$")


def _listed_after_place(
    context: _Context, masked: str, q: Quantity, lower: int, sentence: tuple[int, int]
) -> bool:
    """ "Colombia hosts 2.8M, Peru some 1.6M and Ecuador about 440K": a bare count right after
    a place in a list continues the sentence's figure before it, verb and indicator alike."""
    previous = context.previous
    if previous is None or previous.sentence != sentence:
        return False
    listed = _LISTED.search(masked, max(lower - 2, previous.quantity.end), q.hedge_start)
    if listed is None:
        return False
    return any(
        listed.start() < p.start and p.end <= q.hedge_start and p.level != DEMONYM
        for p in _places_in(context, *sentence)
    )


def _confidence(figure: _Figure, source: str | None) -> float:
    score = 0.55
    if figure.cue is not None and figure.cue.distance <= 20:
        score += 0.2
    if figure.people:
        score += 0.1
    if source:
        score += 0.1
    if figure.inherited:
        score -= 0.2
    if figure.quantity.spelled:
        score -= 0.05
    return round(min(max(score, 0.05), 0.99), 2)


def _row(
    document: Document,
    figure: _Figure,
    measure: Measure,
    place: Place | None,
    period: Period | None,
    source: str | None,
    sentence: tuple[int, int],
    context: _Context,
) -> dict:
    q = figure.quantity
    meta = document.meta
    method = METHOD if period is not None else METHOD + PERIOD_DEFAULTED
    period = period or publication_period(context.published)
    if measure is Measure.STOCK and not period.as_of and period.start != period.end:
        period = Period(period.end, period.end, period.precision, False, period.span)
    iso3 = place.iso3 if place is not None else None
    if place is None:
        location = None
    elif place.level == DEMONYM and iso3:
        location = _country_name(iso3)
    else:
        location = place.name
    admin_level = {COUNTRY: 0, ADMIN1: 1}.get(place.level) if place is not None else None
    if place is not None and place.level == DEMONYM:
        admin_level = 0
    s0, s1 = sentence
    return {
        "indicator": figure.indicator.value,
        "measure": measure.value,
        "value": q.value,
        "value_low": q.low,
        "value_high": q.high,
        "qualifier": q.qualifier.value,
        "unit": Unit.PEOPLE.value,
        "location_name": location,
        "country_iso3": iso3,
        "admin_level": admin_level,
        "pcode": None,
        "period_start": period.start,
        "period_end": period.end,
        "date_precision": period.precision.value,
        "published_date": context.published,
        "publisher": meta.publisher,
        "attributed_to": source,
        "source_url": meta.source_url,
        "quote": " ".join(document.text[s0:s1].split()),
        "span_start": document.offset + q.start,
        "span_end": document.offset + q.end,
        "method": method,
        "confidence": _confidence(figure, source),
        **BREAKDOWN_DEFAULTS,
        "input_row": document.index,
        "origin": f"{document.offset + q.start}:{figure.indicator.value}",
    }


def extract_figures(
    document: Document,
    vocabulary: Vocabulary | None = None,
    gazetteer: Gazetteer | None = None,
    parse: bool | None = None,
) -> pl.DataFrame:
    """The figures a document states, one row each, as candidate figures for validation.

    ``parse`` (default: when spaCy and its English model are installed) lets a dependency
    parse decide which words a number belongs to in sentences with several counts; False
    runs the rules alone. Raises ``InputError`` when the document has no publication date:
    without it neither the reference period nor the order of figures in the store can be
    known.
    """
    parse = syntax.available() if parse is None else parse and syntax.available()
    rows = _rows(document, vocabulary or load_vocabulary(), gazetteer or _lazy_gazetteer(), parse)
    if not rows:
        return _EMPTY.clear()
    return pl.DataFrame(rows, schema=CANDIDATE_SCHEMA)


class _LazyGazetteer:
    """Builds the packaged gazetteer only when a figure needs a place."""

    def lookup(self, name: str, mentioned: AbstractSet[str]) -> Place | None:
        return default_gazetteer().lookup(name, mentioned)


def _lazy_gazetteer() -> Gazetteer:
    return _LAZY


_LAZY = _LazyGazetteer()
