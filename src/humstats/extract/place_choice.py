"""Where a figure is: the place its words name, else the place the text is about.

A figure takes the most specific place named in its own clause, then in its sentence (not one
in a source's aside or a sub-total's clause; the first of a list); people who fled are placed
where they went when the text says so ("crossed into Chad"), else where they fled from
(refugees at country level, the border crossed being unknown). A definite noun ("in the
state", "across the country", "the city" of a dateline) points back to a place named before.
A figure naming no place takes the heading's area, or the previous figure's place when the
text has been about one place, else its country; then the last place named before it (the
town, not the area it is set beside), the dateline's town (not a capital), the country of
the first place named after it, and last the dateline's country.
"""

from __future__ import annotations

import re
from dataclasses import replace
from itertools import pairwise

import pycountry

from humstats.extract.classification import FLED
from humstats.extract.context import (
    Candidate,
    Context,
    dateline_places,
    places_before,
    places_in,
)
from humstats.extract.indicators import Folded
from humstats.extract.movement import group_of
from humstats.extract.numbers import Quantity
from humstats.extract.places import (
    ADMIN1,
    CITY,
    COUNTRY,
    DEMONYM,
    NOWHERE,
    Place,
    capital_of,
    capitals,
    fold,
)
from humstats.schema import Indicator

_MOVEMENT = {Indicator.DISPLACED, Indicator.REFUGEES, Indicator.RETURNEES}

_WORLD = re.compile(r"world|global", re.I)

_ORIGIN_BEFORE = re.compile(
    r"\b(?:from|fled|out of|left"
    # what people fled, and where: "who fled attacks around Dedougou have arrived in Tougan"
    r"|(?:fled|fleeing)\s+(?:(?!to\b|into\b|towards?\b)[a-z]+\s+){1,3}(?:in|around|near|across))"
    r"\s+(?:the\s+)?(?:occupied\s+|neighbou?ring\s+)?"
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
    r",\s+(?:warning|adding|saying|noting|stressing|urging|calling|explaining|as|while|amid|"
    r"with)\b"
    r"|\b(?:\d[\d,.]*|many|most|some|half|several)\s+of\s+(?:them|those|whom|these)\b"
)
"""What lies after the figure in another clause: a source's aside (", warning that the disease
spreads fastest in Baidoa"), a sub-total of its own ("52 died ..., 18 of them in Feni"), a part
set beside the count (", with Kenya and Tanzania hardest hit"); not the whole ("Eleven deaths
were reported, all of them in Mocuba district")."""


def _choose_place(
    places: list[Place], q: Quantity, indicator: Indicator, text: str
) -> Place | None:
    """The most specific place, nearest first; for refugees the host, never the origin."""
    usable = []
    aside = []
    sources = []
    bounds = _extent(places, text) if indicator not in _MOVEMENT else set()
    for place in places:
        if place.modifier:
            sources.append(place)
            continue
        if place in bounds:
            continue
        if place.start > q.end and _OTHER_CLAUSE.search(text, q.end, place.start):
            aside.append(place)
            continue
        before = text[max(0, place.start - 45) : place.start]
        if indicator in _MOVEMENT and _ORIGIN_BEFORE.search(before):
            continue
        if _refers(text, place.start, 45):
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
        if places := [replace(p, modifier=False) for p in sources if p.level != COUNTRY]:
            # only a source is placed ("police in Goma said"): the figure is there; a
            # country's agency ("Nigeria's NEMA said") leaves the place to the text before
            return _choose_place(places, q, indicator, text)
        agency = next((p for p in sources if p.level == COUNTRY), None)
        if aside and agency is not None and agency.iso3 != aside[0].iso3:
            # "Malawi's government said 190 ..., while authorities in neighbouring Mozambique
            # reported 20": the source's country, not the other clause's
            return replace(agency, modifier=False)
        # only another clause names a place: its country, at most
        return _country_level(aside[0]) if aside and aside[0].iso3 else None

    def rank(item: tuple[Place, bool]) -> tuple[int, int, int, int]:
        place, host = item
        specificity = {CITY: 3, ADMIN1: 2, COUNTRY: 1 + bool(place.admin), NOWHERE: 0}.get(
            place.level, 0
        )  # an area named like a country ("Idlib", "North Darfur") ranks as an area
        distance = min(abs(place.start - q.end), abs(q.hedge_start - place.end))
        # "killed in Khan Younis, and 150 others in Rafah": a place before the clause the
        # count opens is the clause before's
        own = place.end > q.hedge_start or not _CLAUSE_CUT.search(text, place.end, q.hedge_start)
        return (int(host), int(own), specificity, -distance)

    best, host = max(pool, key=rank)
    if best.level == COUNTRY and (finer := [p for p in sources if p.iso3 == best.iso3]):
        # "Thailand's Bangkok city administration said 19 ...": finer than its country
        return replace(finer[0], modifier=False)
    if host and best.level == COUNTRY:
        # "crossed into Uganda through the Bunagana border post": where in the host
        finer = [
            p for p, _ in pool if p.iso3 == best.iso3 and p.start > best.end and p.level == CITY
        ]
        if finer:
            best = finer[0]
    if best.end + 2 >= q.hedge_start > best.end or best.start - 2 <= q.end < best.start:
        return best  # "Goma, Bukavu 12 and Uvira 9": a place beside its own number
    return _first_listed(best, [p for p, _ in pool], text)


_CLAUSE_CUT = re.compile(r",\s*(?:and|while|whereas|but)\b|;")
_FROM = re.compile(r"\bfrom\s+(?:the\s+)?$", re.I)
_TO = re.compile(r"\s+to\s+(?:the\s+)?", re.I)


def _extent(places: list[Place], text: str) -> set[Place]:
    """The ends of an extent ("flooded homes from Panama to Guatemala"): what the event
    spanned, not where its count is (for people who moved they are origin and host)."""
    ends = set()
    for a, b in pairwise(sorted(places, key=lambda p: p.start)):
        if _TO.fullmatch(text, a.end, b.start) and _FROM.search(
            text, max(0, a.start - 10), a.start
        ):
            ends.update((a, b))
    return ends


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
    first = index
    while first > 0 and _LISTED.fullmatch(text, ordered[first - 1].end, ordered[first].start):
        first -= 1
    head = ordered[first].start
    if first < index and _KINDS_OF.search(text, max(0, head - 30), head):
        return ordered[first]  # "the districts of Sylhet, Sunamganj and Moulvibazar"
    while index > 0:
        before = ordered[index - 1]
        if before.level != place.level or not _LISTED.fullmatch(
            text, before.end, ordered[index].start
        ):
            break
        index -= 1
    return ordered[index]


_KINDS_OF = re.compile(
    r"\b(?:towns|villages|cities|camps|districts|counties|localities|settlements|communes|"
    r"islands|municipalities|territories|sub-?counties|townships|woredas|provinces|regions|"
    r"states|departments|governorates|oblasts|prefectures)\s+of\s+(?:the\s+)?$",
    re.I,
)
"""A plural type word before a list: its places are of one kind, whatever the gazetteer says."""


_NUMERAL = re.compile(r"\d[\d,.]*\d|\d")
_COUNTS_JOINED = re.compile(r"(?:\s+[a-z]+){0,2}?\s*(?:,\s*(?:and\s+)?|\s+and\s+)")
_BEFORE_RESPECTIVELY = re.compile(r"(?:\s+[a-z]+)?\s*,?\s*")


def _respective(text: str, q: Quantity, sentence: list[Place], s0: int, s1: int) -> Place | None:
    """The place a list closed by "respectively" pairs with a count of a list of as many
    ("11 and 7 people died in Sofala and Zambezia provinces respectively"): the one in the
    count's position."""
    at = text.find("respectively", q.end, s1)
    places = [p for p in sentence if q.end <= p.start and p.end <= at and p.level != DEMONYM]
    if len(places) < 2 or not _BEFORE_RESPECTIVELY.fullmatch(text, places[-1].end, at):
        return None
    listed = [places[-1]]
    for place in reversed(places[:-1]):
        if not _LISTED.fullmatch(text, place.end, listed[0].start):
            break
        listed.insert(0, place)
    numerals = list(_NUMERAL.finditer(text, s0, listed[0].start))
    own = next((i for i, m in enumerate(numerals) if m.start() <= q.start < m.end()), None)
    if own is None:
        own = next((i for i, m in enumerate(numerals) if q.start <= m.start() < q.end), None)
    if own is None:
        return None
    first = last = own
    while first > 0 and _COUNTS_JOINED.fullmatch(
        text, numerals[first - 1].end(), numerals[first].start()
    ):
        first -= 1
    while last + 1 < len(numerals) and _COUNTS_JOINED.fullmatch(
        text, numerals[last].end(), numerals[last + 1].start()
    ):
        last += 1
    if last - first + 1 != len(listed):
        return None
    return listed[own - first]


def _outside(context: Context, sentence: tuple[int, int]) -> tuple[list[Place], list[Place]]:
    """Places named before the sentence (dateline excepted) and after it."""
    return (
        places_before(context, sentence[0]),
        places_in(context, sentence[1], len(context.text)),
    )


def place_for(context: Context, figure: Candidate, lower: int, upper: int) -> Place | None:
    """The place of a figure whose window is ``text[lower:upper]`` (see the module doc)."""
    if figure.place is not None:
        return figure.place
    q = figure.quantity
    s0, s1 = figure.sentence
    sentence = places_in(context, s0, s1)
    if any(p.level == NOWHERE and _REGION.search(p.name) for p in sentence) and _one_country(
        context, s0
    ):
        # "across the region" in a text about one country is its region, not the world's
        sentence = [p for p in sentence if not (p.level == NOWHERE and _REGION.search(p.name))]
    if context.text.find("respectively", q.end, s1) >= 0 and (
        paired := _respective(context.text, q, sentence, s0, s1)
    ):
        return paired  # "killed 11 and 7 people in Sofala and Zambezia respectively"
    if "countries" in context.text[s0:s1] and (
        (counted := _AREAS_COUNTED.search(context.text, s0, s1)) is not None
        and counted["kind"].lower() == "countries"
    ):
        # "723 deaths ... in 14 countries of the African Region": no one country's; the region
        # the sentence names, if it names one
        return next((p for p in sentence if p.level == NOWHERE and not _WORLD.search(p.name)), None)
    running = figure.inherited and _RUNNING.search(context.text, lower, q.hedge_start)
    if running:
        # "... into Renk county, bringing the number of arrivals in South Sudan to 620,000":
        # the place its own clause names, else that of the count it adds to
        own = [p for p in sentence if running.start() <= p.start < upper]
        return _choose_place(own, q, figure.indicator, context.text) or context.previous_place
    definite = _nearest_definite(context, figure, lower, upper)
    segment = [p for p in sentence if lower <= p.start < upper]
    segment += _definite_town(context, figure, definite, segment)
    segment += _short_named(context, s0, sentence, lower, upper)
    place = _choose_place(segment, q, figure.indicator, context.text)
    if place is None:
        place = _choose_place(sentence, q, figure.indicator, context.text)
    elif place.level == COUNTRY and figure.indicator is not Indicator.REFUGEES:
        # "33 civilians in Yemen were killed and 25 injured in the air strike ... on a hotel
        # in Sana'a": a place of that country the sentence names for both counts, not one
        # set beside a count of its own ("and 300 in Kano")
        finer = [
            p
            for p in sentence
            if p.start > q.end
            and p not in segment
            and p.iso3 == place.iso3
            and (p.level in (CITY, ADMIN1) or p.admin)  # "Idlib" reads as a country of admin 1
            and not _BESIDE_COUNT.search(context.text, max(0, p.start - 30), p.start)
            and not _SOURCE_AFTER.match(context.text, p.end)
        ]
        place = _choose_place(finer, q, figure.indicator, context.text) or place
    group = group_of(q, sentence) if figure.indicator is Indicator.RETURNEES else None
    if group is not None and (place is None or place.iso3 != group.iso3):
        # people who went home are in their own country ("1,200 Filipino workers stranded in
        # Kuwait have returned home"), at the place named there if one is
        home = [p for p in sentence if p.iso3 == group.iso3 and p.level != DEMONYM]
        place = _choose_place(home, q, figure.indicator, context.text) or _country_level(group)
    if figure.indicator in (Indicator.REFUGEES, Indicator.RETURNEES):
        origins = _origins(sentence, figure, context.text)
        if origins and (place is None or place.iso3 in origins):
            place = _destination(context, figure, origins) or place
    if (
        figure.indicator is Indicator.REFUGEES
        and place is not None
        and place.iso3 is None
        and not _WORLD.search(place.name)
        and (fled := [p for p in segment if p.iso3 and _origins([p], figure, context.text)])
    ):
        # "refugees from Ukraine recorded across Europe": no host country is named, so the
        # country they fled (RULES.md), the region staying where they are counted
        place = replace(place, iso3=fled[-1].iso3)
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
        # a definite noun in the window ("in the state") refers back to the last place of
        # its kind named before, or to that place's country ("the country")
        place = _referent(context, definite, figure.sentence) if definite is not None else None
    if (
        place is not None
        and place.level in (COUNTRY, ADMIN1)
        and figure.indicator is not Indicator.REFUGEES
    ):
        place = _told_next(context, figure, place) or place
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
    if context.previous is None and (
        agency := next((p for p in sentence if p.modifier and p.level == COUNTRY), None)
    ):
        return replace(agency, modifier=False)  # "Nigeria's NEMA said 3,018 were displaced"
    if context.previous is not None:
        if _TOTAL.search(context.text, lower, upper):
            return _country_level(context.previous_place)
        previous = context.previous_place
        if context.previous.sentence == figure.sentence and previous and previous.start < s1:
            # "Over 165,000 people have been affected, with 76 deaths reported": one clause
            # places both, even where the text named several areas before (not a place read
            # ahead from a later sentence: that one is a guess for the first figure only)
            return previous
        return _carried(context, s0, figure.inherited)
    before, after = _outside(context, figure.sentence)
    earlier = [p for p in before if p.level != DEMONYM and not _refers(context.text, p.start)]
    if earlier:
        last = _contained(earlier, context.text)
        if _WORST_AFTER.match(context.text, last.end):
            # "... Nippes and Ouest departments are the most affected. • 300 people have been
            # reported dead": the parts hardest hit, not where the whole count is
            return _country_level(last)
        return _choose_place([last], q, figure.indicator, context.text) or last
    if people := [p for p in before if p.level == DEMONYM and p.iso3]:
        # "The disaster continued to shock Ecuadorians ...": the people the text named are
        # of the country it is about, before a country a later sentence names in passing
        return _country_level(people[-1])
    later = [p for p in after if p.level != DEMONYM]
    if (town := _dateline_town(context, later)) is not None:
        return town
    # a place first named after the figure, in a sentence of its own, tells the country the
    # text is about ("... 2,710 people killed. ... a convoy reached Saida"), not where
    return _country_level(later[0]) if later else _dateline_place(context)


def _origins(places: list[Place], figure: Candidate, text: str) -> set[str]:
    """The countries the sentence says the people counted came from ("refugees from
    Cibitoke", "returns from Iran and Pakistan")."""
    found = {
        p.iso3
        for p in places
        if p.iso3 and _ORIGIN_BEFORE.search(text, max(0, p.start - 45), p.start)
    }
    if figure.indicator is Indicator.REFUGEES:
        found |= {p.iso3 for p in places if p.level == DEMONYM and p.iso3}
    return found


_INTO = re.compile(
    r"\b(?:into|to|reached|reaching|entered|entering|arrived\s+in|arriving\s+in)\s+(?:the\s+)?"
    r"(?:(?:neighbou?ring|north|south|east|west|[\w-]+ern)\s+)?$",
    re.I,
)


def _destination(context: Context, figure: Candidate, origins: set[str]) -> Place | None:
    """Where refugees or returnees went when their sentence names only where they came from:
    the country the text said people moved into before ("... crossing the river into the
    Democratic Republic of Congo. About 2,100 refugees from Cibitoke ..."); for returnees
    (whose home the count is in), else the country of the people the text names ("25,009
    Afghans returned from Iran" under "584,249 total returns from Iran")."""
    text = context.text
    for p in reversed(places_before(context, figure.sentence[0])):
        if (
            p.iso3
            and p.iso3 not in origins
            and p.level not in (DEMONYM, NOWHERE)
            and _INTO.search(text, max(0, p.start - 40), p.start)
        ):
            return _country_level(p)
    if figure.indicator is Indicator.RETURNEES:
        people = [
            p
            for p in places_in(context, 0, len(text))
            if p.level == DEMONYM and p.iso3 and p.iso3 not in origins
        ]
        if people:
            return _country_level(people[0])
    return None


_THE_NAME = r"the\s+(?P<word>[A-Z][a-z]{2,})\b"
_SHORT_NAME = re.compile(rf"\b(?:in|across|throughout|inside|of|from|around)\s+{_THE_NAME}")
_SHORT_NAME_HINT = re.compile(_THE_NAME)
"""What every ``_SHORT_NAME`` match holds, found from its literal "the" at C speed (most
windows name nothing so)."""


def _short_named(
    context: Context, s0: int, sentence: list[Place], lower: int, upper: int
) -> list[Place]:
    """A place named before, called again by the last word of its name ("the Gaza Strip ...
    wounded in the Strip", "the Swat Valley ... across the Valley")."""
    text = context.text
    found: list[Place] = []
    if _SHORT_NAME_HINT.search(text, lower, upper) is None:
        return found
    for match in _SHORT_NAME.finditer(text, lower, upper):
        tail = " " + match["word"]
        earlier = [p for p in sentence if p.end <= match.start() and p.name.endswith(tail)]
        if not earlier and text.find(tail, 0, s0) >= 0:  # named in a sentence before
            earlier = [p for p in places_before(context, s0) if p.name.endswith(tail)]
        if earlier:
            found.append(replace(earlier[-1], start=match.start("word"), end=match.end("word")))
    return found


_REGION = re.compile(r"\bthe\s+region\b", re.I)
_SOURCE_AFTER = re.compile(
    r"(?:\s+[\w-]+){0,2}?\s+(?:said|says|say|estimated|estimates|reported|reports|told|stated)\b"
)
"""A place that ends a source's name ("a demographic institute in Kyiv estimated")."""
_BESIDE_COUNT = re.compile(r"\d[\d,.]*(?:\s+[a-z]+){0,2}\s+(?:in|at)\s+(?:the\s+)?$")

_REFERENCE_BEFORE = re.compile(r"\b(?:bordering|borders?\s+(?:with|of))\s+(?:the\s+)?$", re.I)
"""A place named as a point of reference ("a province bordering Niger", "near the border with
Sudan"), not where."""


def _refers(text: str, start: int, reach: int = 25) -> bool:
    """Whether the words just before a place name it as a reference ("bordering Sudan").
    An ASCII window without "border" cannot match, and most cannot, so the case-blind
    pattern runs only where it may."""
    lower = max(0, start - reach)
    window = text[lower:start]
    if window.isascii() and "border" not in window.lower():
        return False
    return _REFERENCE_BEFORE.search(text, lower, start) is not None


_ACROSS = re.compile(r"\b(?:across|throughout|all\s+over)\s+(?:the\s+)?$", re.I)
_SHARE = Folded.compile(
    r"\b(?:most|majority|bulk|half|mainly|mostly|largely|chiefly|accounts?\s+for|thirds?|"
    r"worst|hardest)\b"
)
_WORST_AFTER = re.compile(
    r"(?:\s+[a-z]+){0,2}?\s+(?:are|is|were|was|remain|remains|have\s+been|has\s+been)\s+(?:the\s+)?"
    r"(?:most|worst|hardest|badly|severely)\b",
    re.I,
)
"""A place said to be the worst hit ("Colombo and Gampaha remain the worst affected")."""
_AREAS_COUNTED = re.compile(
    r"\b(?:in|across|of)\s+(?:[a-z-]+\s+){0,2}?(?:\d+|two|three|four|five|six|seven|eight|nine|"
    r"ten|eleven|twelve|[a-z]+teen|twenty)\s+(?:[a-z-]+\s+)?(?P<kind>districts|counties|regions|"
    r"provinces|states|departments|governorates|countries|municipalities|woredas|territories|"
    r"prefectures|oblasts|divisions|upazilas|islands)\b",
    re.I,
)
"""A count of areas in a figure's sentence ("in 22 districts", "across nine additional
counties"): the figure is their whole, not one of them named elsewhere."""


def _told_next(context: Context, figure: Candidate, country: Place) -> Place | None:
    """A place in the country (or the state) that the sentence right after the figure's names,
    where that sentence counts nothing itself: it tells where the event counted happened ("At
    least 132 civilians were killed in Burkina Faso ... The attackers struck the village of
    Solhan"; "... a village in Borno State. The attack happened in Huyum, in the Askira-Uba
    district of Borno State"). Several places must read as one ("X in Y province", a list of
    one area's districts)."""
    s1 = figure.sentence[1]
    following = next((s for s in context.uncounted if s[0] >= s1), None)
    text = context.text
    if following is None or text[s1 : following[0]].strip():
        return None  # the next sentence counts something: it is about its own figures
    if _ACROSS.search(text, max(0, country.start - 20), country.start):
        return None  # "Across Sudan, 755,000 people ...": the count is the country's
    if _SHARE.search(text, *following):
        return None  # "Most of the deaths were in Lao Cai": a part of the count, not where
    if _AREAS_COUNTED.search(text, *figure.sentence):
        return None  # "affected in 22 districts": the count spans areas, a later one is a part
    if country.level == ADMIN1 and text.find(country.name, *following) < 0:
        return None  # finer than a state only where the sentence says it is in that state
    named = places_in(context, *following)
    finer = [
        p
        for p in named
        if p.iso3 == country.iso3
        and p.level in ((CITY, ADMIN1) if country.level == COUNTRY else (CITY,))
        and not p.modifier
        and not _refers(text, p.start)
    ]
    if not finer or any(
        not (_INSIDE.fullmatch(text, a.end, b.start) or _LISTED.fullmatch(text, a.end, b.start))
        for a, b in pairwise(finer)
    ):
        return None
    return _contained(finer, text)


def _one_country(context: Context, s0: int) -> bool:
    """Whether the text so far (dateline included) is about one country."""
    named = {
        p.iso3
        for p in [*dateline_places(context), *places_before(context, s0)]
        if p.level != NOWHERE and p.iso3
    }
    return len(named) == 1


def _contained(places: list[Place], text: str) -> Place:
    """The last place named, or the finer place it names the area of ("Floods in Beledweyne,
    Hiraan region", "El Fasher, North Darfur", "Jalrez district of Maidan Wardak province"),
    down the chain; a list of places in one area ("Kilwa, Liwale and Ruangwa districts in
    Lindi region in south-eastern Tanzania") stops at the area: the figure is about all."""
    index = len(places) - 1
    while index > 0:
        inner, outer = places[index - 1], places[index]
        gap = _INSIDE.fullmatch(text, inner.end, outer.start)
        finer = _LEVELS.get(inner.level, 0) - _LEVELS.get(outer.level, 0)
        # two places of one level: "Solhan in Yagha province" says which is in which
        if not (gap and inner.iso3 == outer.iso3 and (finer > 0 or (finer == 0 and gap["in"]))):
            break
        if index > 1 and _LISTED.fullmatch(text, places[index - 2].end, inner.start):
            break
        index -= 1
    return places[index]


_INSIDE = re.compile(
    r"(?:\s+(?:district|county|region|province|state|governorate|department|prefecture|"
    r"territory|municipality|township|area)s?)?"
    r"(?:,\s*(?:an?\s+(?:[\w-]+\s+){0,2}?(?:town|village|city|camp|settlement|district|county"
    r"|locality|commune)\s+)?|\s+)"
    r"(?:(?P<in>in|of)\s+)?(?:the\s+)?(?:(?:north|south|east|west|central|[\w-]+ern)[\w-]*\s+)?",
    re.I,
)
"""What lies between a place and the area it is in: a type word, "in", "of", a direction,
an apposition ("Koboko, a town in northern Uganda")."""
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


_RUNNING = re.compile(r"\b(?:bring(?:s|ing)?|brought|push(?:es|ed|ing)?)\b", re.I)
"""The verb of a running total ("bringing the total ... to 912,000")."""

_KINDS = (
    r"country|nation|city|town|village|camp|settlement|capital|state|province|region|"
    r"governorate|oblast|department|district|county|territory|locality|zone|area|division"
)
_NATIONWIDE = r"nationwide|countrywide|nationally"
_DEFINITE = Folded.compile(
    r"\b(?:(?:in|across|of|from|throughout|around|inside|within|outside)\s+the\s+"
    rf"(?P<kind>{_KINDS})(?!\s+of\b)|(?P<nation>{_NATIONWIDE}))\b"
)
""""410,000 people in the state", "residents of the city", "across the country": a place the
text named before, by its kind."""
_DEFINITE_HINT = Folded.compile(rf"the\s+(?:{_KINDS})|{_NATIONWIDE}")
"""What every ``_DEFINITE`` match holds: a pattern opening with letters, which the regex engine
finds at C speed, where ``_DEFINITE`` (opening with a word boundary) is tried at every
position; most windows hold neither."""
_TOTAL = Folded.compile(
    r"\b(?:a|the|in|overall)\s+total\b|\boverall\b|\baltogether\b",
    ("total", "overall", "altogether"),
)
""""A total of 3,260 people are in evacuation centres": a report's overall count, of its
country, not of the district the figure before it named."""
_KIND_LEVELS = {
    "capital": (),
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


def _nearest_definite(
    context: Context, figure: Candidate, lower: int, upper: int
) -> re.Match[str] | None:
    """The definite noun in the window nearest the count, if one is there."""
    q = figure.quantity
    if _DEFINITE_HINT.search(context.text, lower, upper) is None:
        return None
    matches = [m for m in _DEFINITE.finditer(context.text, lower, upper) if not _beside(context, m)]
    if not matches:
        return None
    return min(matches, key=lambda m: min(abs(m.start() - q.end), abs(q.hedge_start - m.end())))


_TOWNS = frozenset({"city", "town", "village", "camp", "settlement", "capital"})
_DIRECTION_BEFORE = re.compile(
    r"\b(?:north|south|east|west|upstream|downstream)[\w-]*\s+$|\boutskirts\s+$", re.I
)


def _beside(context: Context, match: re.Match[str]) -> bool:
    """ "north of the capital", "the outskirts of the town": a point of reference, not where."""
    return bool(_DIRECTION_BEFORE.search(context.text, max(0, match.start() - 20), match.start()))


def _definite_town(
    context: Context, figure: Candidate, match: re.Match[str] | None, named: list[Place]
) -> list[Place]:
    """The town, village or camp a definite noun nearest the count (``match``) names ("died in
    the town"), as a place of the window where the noun stands: nearer the count than a place
    it names."""
    if match is None or not match["kind"] or match["kind"].lower() not in _TOWNS:
        return []
    q = figure.quantity
    near = min(abs(match.start() - q.end), abs(q.hedge_start - match.end()))
    if any(
        p.level == CITY and min(abs(p.start - q.end), abs(q.hedge_start - p.end)) < near
        for p in named
    ):
        return []  # a town named nearer the count than the noun wins anyway
    place = _referent(context, match, figure.sentence)
    if place is None or place.level != CITY:
        return []
    return [replace(place, start=match.start(), end=match.end(), modifier=False)]


def _referent(context: Context, match: re.Match[str], sentence: tuple[int, int]) -> Place | None:
    """The place a definite noun names: the last of its kind named before it (one the text
    calls by that kind first: "Mecufi, a coastal town south of Pemba ... in the town")."""
    text = context.text
    s0, s1 = sentence
    earlier = [
        p
        for p in [
            *dateline_places(context),
            *places_before(context, s0),  # read once per document, span by span
            *(p for p in places_in(context, s0, s1) if p.start < match.start()),
        ]
        if p.iso3 and p.level not in (DEMONYM, NOWHERE)
    ]
    if not earlier:
        return None
    kind = (match["kind"] or "country").lower()
    if kind in ("country", "nation") or match["nation"]:
        last = earlier[-1]  # its country, even for an area named like one ("North Darfur")
        return Place(country_name(last.iso3 or ""), last.iso3, COUNTRY, 0, last.start, last.end)
    if kind == "capital":
        iso3 = earlier[-1].iso3 or ""
        name = capital_of(iso3)
        return Place(name, iso3, CITY, 0, match.start(), match.end()) if name else None
    levels = _KIND_LEVELS.get(kind, (CITY, ADMIN1))
    # "North Darfur" is read as a name of Sudan's with an admin level of 1
    fits = [
        p
        for p in earlier
        if p.level in levels or (ADMIN1 in levels and p.admin == 1) or _named_as(text, p, kind)
    ]
    if kind in _TOWNS:
        called = [p for p in fits if _named_as(text, p, kind)]
        fits = called or fits
    return fits[-1] if fits else None


_SAME_KIND = {
    "camp": "camp|settlement|site",
    "settlement": "camp|settlement|site",
    "town": "town|city|village",
    "city": "city|town",
    "village": "village|town|hamlet",
}
_CALLED = {
    kind: (
        re.compile(
            rf"(?:\s+|,\s+an?\s+(?:[\w-]+\s+){{0,2}}?)(?:refugee\s+|IDP\s+)?(?:{words})\b", re.I
        ),
        re.compile(rf"\b(?:{words})\s+of\s+(?:the\s+)?$", re.I),
    )
    for kind, words in _SAME_KIND.items()
}


def _named_as(text: str, place: Place, kind: str) -> bool:
    """Whether the text calls a place by that kind ("the Kutupalong refugee settlement",
    "Mecufi, a coastal town", "the village of Kadisau")."""
    if kind not in _CALLED:
        return False
    after, before = _CALLED[kind]
    return bool(
        after.match(text, place.end) or before.search(text, max(0, place.start - 20), place.start)
    )


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
    before = [
        p
        for p in places_before(context, s0)
        if p.iso3 and p.level not in (COUNTRY, DEMONYM, NOWHERE) and not p.modifier
    ]
    named = {(p.name, p.level) for p in before} | {(place.name, place.level)}  # or datelined
    # one place, or a town and its region ("El Fasher, North Darfur", "the village of Solhan
    # in Yagha province"); not two districts
    one = (
        len(named) == 1
        or (len(named) == 2 and len({level for _, level in named}) == 2)
        or _nested(before, context.text)
    )
    return place if one else _country_level(place)


def _nested(places: list[Place], text: str) -> bool:
    """Whether the places are named each in the next ("Solhan in Yagha province")."""
    return len(places) > 1 and all(
        (gap := _INSIDE.fullmatch(text, a.end, b.start)) is not None and gap["in"]
        for a, b in pairwise(places)
    )


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
