"""Where a figure is: the place its words name, else the place the text is about.

A figure takes the most specific place named in its own clause, then in its sentence (not one
in a source's aside or a sub-total's clause; the first of a list); people who fled are placed
where they went when the text says so ("crossed into Chad"), else where they fled from
(refugees at country level, the border crossed being unknown). A definite noun ("in the
state", "across the country") points back to a place named before. A figure naming no place
takes the previous figure's place when the text has been about one place, else its country;
then the last place named before it, the first after it, and last the dateline's country.
"""

from __future__ import annotations

import re
from itertools import pairwise

import pycountry

from humstats.extract.classification import FLED
from humstats.extract.context import Candidate, Context, dateline_places, places_in
from humstats.extract.numbers import Quantity
from humstats.extract.places import (
    ADMIN1,
    CITY,
    COUNTRY,
    DEMONYM,
    NOWHERE,
    Place,
    capitals,
    fold,
)
from humstats.schema import Indicator

_MOVEMENT = {Indicator.DISPLACED, Indicator.REFUGEES, Indicator.RETURNEES}

_WORLD = re.compile(r"world|global", re.I)

_ORIGIN_BEFORE = re.compile(
    r"\b(?:from|fled|out of|left)\s+(?:the\s+)?(?:occupied\s+)?"
    r"(?:[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)*(?:,\s*|\s+and\s+|\s+or\s+))*$"
)

_HOST_BEFORE = re.compile(r"\b(?:into|to|reached|entered)\s+(?:the\s+)?(?:neighbouring\s+)?$", re.I)


def country_name(iso3: str) -> str:
    """The name readers know a country by ("Syria", not "Syrian Arab Republic")."""
    country = pycountry.countries.get(alpha_3=iso3)
    if country is None:
        return iso3
    return getattr(country, "common_name", None) or country.name


_OTHER_CLAUSE = re.compile(
    r",\s+(?:warning|adding|saying|noting|stressing|urging|calling|explaining|as|while|amid)\b"
    r"|\b(?:\d[\d,.]*|many|most|some|half|all|several)\s+of\s+(?:them|those|whom|these)\b"
)
"""What lies after the figure in another clause: a source's aside (", warning that the disease
spreads fastest in Baidoa"), a sub-total of its own ("52 died ..., 18 of them in Feni")."""


def _choose_place(
    places: list[Place], q: Quantity, indicator: Indicator, text: str
) -> Place | None:
    """The most specific place, nearest first; for refugees the host, never the origin."""
    usable = []
    aside = []
    for place in places:
        if place.start > q.end and _OTHER_CLAUSE.search(text, q.end, place.start):
            aside.append(place)
            continue
        before = text[max(0, place.start - 45) : place.start]
        if indicator in _MOVEMENT and _ORIGIN_BEFORE.search(before):
            continue
        if indicator is Indicator.REFUGEES and place.level == DEMONYM:
            continue
        host = indicator is Indicator.REFUGEES and bool(_HOST_BEFORE.search(before))
        usable.append((place, host))
    named = [(p, h) for p, h in usable if p.level != DEMONYM]
    pool = named or usable
    inner = _within(pool, text)
    pool = [item for item in pool if item[0] not in inner] or pool
    if not pool:
        # only another clause names a place: its country, at most
        return _country_level(aside[0]) if aside and aside[0].iso3 else None

    def rank(item: tuple[Place, bool]) -> tuple[int, int, int]:
        place, host = item
        specificity = {CITY: 3, ADMIN1: 2, COUNTRY: 1, NOWHERE: 0}.get(place.level, 0)
        distance = min(abs(place.start - q.end), abs(q.hedge_start - place.end))
        return (int(host), specificity, -distance)

    best = max(pool, key=rank)[0]
    if best.end + 2 >= q.hedge_start > best.end or best.start - 2 <= q.end < best.start:
        return best  # "Goma, Bukavu 12 and Uvira 9": a place beside its own number
    return _first_listed(best, [p for p, _ in pool], text)


_AREA_OF = re.compile(
    r"\s+(?:region|area|zone|district|county|province|state|department|valley)\s+of\s+"
    r"(?:the\s+)?(?:[\w-]+ern\s+)?$",
    re.I,
)
_LEVELS = {CITY: 3, ADMIN1: 2, COUNTRY: 1}


def _within(pool: list[tuple[Place, bool]], text: str) -> set[Place]:
    """The places the prose names only as the area around another ("the Catatumbo region of
    Norte de Santander", "Beledweyne, Hiraan region"): the figure is in the finer one."""
    ordered = sorted((p for p, _ in pool), key=lambda p: p.start)
    outer = set()
    for a, b in pairwise(ordered):
        gap = text[a.end : b.start]
        finer = _LEVELS.get(a.level, 0) > _LEVELS.get(b.level, 0)
        if (
            a.iso3
            and a.iso3 == b.iso3
            and (_AREA_OF.fullmatch(gap) or (finer and _APPOSED.fullmatch(gap)))
        ):
            outer.add(b)
    return outer


_LISTED = re.compile(r"\s*(?:,\s*(?:and\s+|or\s+)?|\s+and\s+|\s+or\s+|\s*/\s*)")


def _first_listed(place: Place, places: list[Place], text: str) -> Place:
    """The first of a list of places of one kind ("Borno, Adamawa and Yobe states"): the
    figure is about all of them, and a report names the first."""
    ordered = sorted(places, key=lambda p: p.start)
    index = ordered.index(place)
    while index > 0:
        before = ordered[index - 1]
        if before.level != place.level or not _LISTED.fullmatch(
            text, before.end, ordered[index].start
        ):
            break
        index -= 1
    return ordered[index]


def _outside(context: Context, sentence: tuple[int, int]) -> tuple[list[Place], list[Place]]:
    """Places named before the sentence (dateline excepted) and after it."""
    return (
        places_in(context, 0, sentence[0]),
        places_in(context, sentence[1], len(context.text)),
    )


def place_for(context: Context, figure: Candidate, lower: int, upper: int) -> Place | None:
    """The place of a figure whose window is ``text[lower:upper]`` (see the module doc)."""
    if figure.place is not None:
        return figure.place
    q = figure.quantity
    s0, s1 = figure.sentence
    sentence = places_in(context, s0, s1)
    segment = [p for p in sentence if lower <= p.start < upper]
    place = _choose_place(segment, q, figure.indicator, context.text)
    if place is None:
        place = _choose_place(sentence, q, figure.indicator, context.text)
    if figure.indicator in FLED and (
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
    if place is None:
        place = _definite(context, figure, lower, upper)
    if place is not None and place.level == DEMONYM and place.iso3:
        # "370 Palestinians were killed" in a text about the West Bank: the place named
        # in the sentence, else the one the text is about, when it is in that country
        named = _choose_place(
            [p for p in sentence if p.level != DEMONYM], q, figure.indicator, context.text
        )
        if named is None and context.previous is not None and figure.indicator not in FLED:
            named = _carried(context, s0)
        if named is not None and named.iso3 == place.iso3:
            place = named
    if place is not None:
        return place
    if context.previous is not None:
        if _TOTAL.search(context.text, lower, upper):
            return _country_level(context.previous_place)
        return _carried(context, s0, figure.inherited)
    before, after = _outside(context, figure.sentence)
    earlier = [p for p in before if p.level != DEMONYM]
    if earlier:
        last = _contained(earlier, context.text)
        return _choose_place([last], q, figure.indicator, context.text) or last
    later = [p for p in after if p.level != DEMONYM]
    if (town := _dateline_town(context, later)) is not None:
        return town
    return later[0] if later else _dateline_place(context)


def _contained(places: list[Place], text: str) -> Place:
    """The last place named, or the town before it where it names the town's area ("Floods
    in Beledweyne, Hiraan region", "El Fasher, North Darfur"): the finer of the two."""
    last = places[-1]
    if len(places) > 1:
        town = places[-2]
        finer = (town.level == CITY and last.level in (ADMIN1, COUNTRY)) or (
            town.level == ADMIN1 and last.level == COUNTRY
        )
        if finer and town.iso3 == last.iso3 and _APPOSED.fullmatch(text, town.end, last.start):
            return town
    return last


_APPOSED = re.compile(r",\s*(?:in\s+)?(?:the\s+)?")


def _dateline_town(context: Context, later: list[Place]) -> Place | None:
    """The town of a dateline ("BENI, Democratic Republic of Congo (Reuters) -", "GOMA -") for
    a figure the text places nowhere before it: where the news happened. A capital says only
    where the bureau sits ("NIAMEY (AFP) -"): its country, at most (``_dateline_place``). A
    town the dateline does not place in a country is read only where the text names no
    other country ("VALENCIA -" before "Spain" is no Venezuelan town)."""
    places = dateline_places(context)
    towns = [
        p for p in places if p.level not in (COUNTRY, NOWHERE) and fold(p.name) not in capitals()
    ]
    if not towns:
        return None
    if not any(p.level == COUNTRY for p in places) and any(
        p.iso3 and p.iso3 != towns[0].iso3 for p in later
    ):
        return None
    return towns[0]


_DEFINITE = re.compile(
    r"\b(?:(?:in|across|of|from|throughout|around|inside|within|outside)\s+the\s+"
    r"(?P<kind>country|nation|city|town|village|camp|settlement|state|province|region|"
    r"governorate|oblast|department|district|county|territory|locality|zone|area|division)"
    r"(?!\s+of\b)|(?P<nation>nationwide|countrywide|nationally))\b",
    re.I,
)
""""410,000 people in the state", "residents of the city", "across the country": a place the
text named before, by its kind."""
_TOTAL = re.compile(r"\b(?:a|the|in|overall)\s+total\b|\boverall\b|\baltogether\b", re.I)
""""A total of 3,260 people are in evacuation centres": a report's overall count, of its
country, not of the district the figure before it named."""
_KIND_LEVELS = {
    "city": (CITY,),
    "town": (CITY,),
    "village": (CITY,),
    "camp": (CITY,),
    "settlement": (CITY,),
    "state": (ADMIN1,),
    "province": (ADMIN1,),
    "region": (ADMIN1,),
    "governorate": (ADMIN1,),
    "oblast": (ADMIN1,),
    "department": (ADMIN1,),
    "division": (ADMIN1, CITY),
}


def _definite(context: Context, figure: Candidate, lower: int, upper: int) -> Place | None:
    """The place a definite noun in the figure's window refers back to ("in the state"): the
    last place of that kind named before, or its country for "the country"."""
    q = figure.quantity
    matches = list(_DEFINITE.finditer(context.text, lower, upper))
    if not matches:
        return None
    match = min(matches, key=lambda m: min(abs(m.start() - q.end), abs(q.hedge_start - m.end())))
    earlier = [
        p
        for p in [*dateline_places(context), *places_in(context, 0, match.start())]
        if p.iso3 and p.level not in (DEMONYM, NOWHERE)
    ]
    if not earlier:
        return None
    kind = (match["kind"] or "country").lower()
    if kind in ("country", "nation") or match["nation"]:
        last = earlier[-1]  # its country, even for an area named like one ("North Darfur")
        return Place(country_name(last.iso3 or ""), last.iso3, COUNTRY, 0, last.start, last.end)
    levels = _KIND_LEVELS.get(kind, (CITY, ADMIN1))
    # "North Darfur" is read as a name of Sudan's with an admin level of 1
    fits = [p for p in earlier if p.level in levels or (ADMIN1 in levels and p.admin == 1)]
    return fits[-1] if fits else None


_BULLET = re.compile(r"(?:^|\n)\s*[•▪◦*-]\s")


def _carried(context: Context, s0: int, inherited: bool = False) -> Place | None:
    """The previous figure's place for a figure naming none: itself where the text has been
    about one place below its country so far ("El Fasher, North Darfur ... The ministry
    confirmed 27 deaths"), else its country (a report naming several districts). Under a
    heading that names an area, a figure of its own (not "another 22") is the heading's."""
    place = context.previous_place
    if place is None or place.level in (COUNTRY, NOWHERE, DEMONYM) or place.start >= s0:
        return _country_level(place)
    heading = _heading_place(context)
    if heading is not None and not inherited and place.start > heading.end and place != heading:
        return heading  # "Cholera in Sofala\n2,300 cases in Beira. By 5 April, 61 had died."
    if _BULLET.search(context.text, max(0, s0 - 4), s0 + 2):
        return _country_level(place)  # each bullet of a list states a fact of its own
    named = {
        (p.name, p.level)
        for p in places_in(context, 0, s0)
        if p.iso3 and p.level not in (COUNTRY, DEMONYM, NOWHERE)
    } | {(place.name, place.level)}  # itself, where the dateline named it
    # one place, or a town and its region ("El Fasher, North Darfur"); not two districts
    one = len(named) == 1 or (len(named) == 2 and len({level for _, level in named}) == 2)
    return place if one else _country_level(place)


_HEADING = re.compile(r"\s*[^\n]{3,120}(?<![.!?:;,])\n")


def _heading_place(context: Context) -> Place | None:
    """The place below country level a heading line names ("Cholera in Sofala (as of 31
    March)", "Floods in Beledweyne, Hiraan region"): the finer of a town and its area."""
    if context.headed is None:
        heading = None if context.dateline else _HEADING.match(context.text)
        places = [
            p
            for p in (places_in(context, 0, heading.end()) if heading else [])
            if p.iso3 and p.level not in (DEMONYM, NOWHERE)
        ]
        found = _contained(places, context.text) if places else None
        nowhere = Place("", None, NOWHERE)
        context.headed = found if found is not None and found.level != COUNTRY else nowhere
    return context.headed if context.headed.level != NOWHERE else None


def _dateline_place(context: Context) -> Place | None:
    """The country of the dateline ("BUNIA, DR Congo (AFP) -", "SANAA (Saba) -") for a text
    that names no other place; a briefing city ("GENEVA -") says where the reporter was."""
    places = dateline_places(context)
    return _country_level(places[-1]) if places else None


def _country_level(place: Place | None) -> Place | None:
    """A figure that names no place of its own is placed in the country the text is about."""
    if place is None or place.iso3 is None or place.level in (COUNTRY, NOWHERE):
        return place
    return Place(country_name(place.iso3), place.iso3, COUNTRY, 0, place.start, place.end)
