"""Refugees from context: a people of one country moving into another.

Prose rarely says "refugees". "Some 12,000 Burundians streamed into Rwanda", "2,300 Malians
sought safety in Mauritania", "Cox's Bazar has taken in 742,000 Rohingya" all count refugees:
a group named by its country (a demonym) or by where it came from, a movement or hosting
verb, and a host in another country. The same words with a host in the group's own country
("10.5 million Sudanese ... fled to Port Sudan") count displaced people. The verbs are
lemma frames (``indicators.expand_lemmas``), so any inflection and inserted words read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from humstats.extract.context import LABEL_END
from humstats.extract.indicators import Folded, alternation, expand_lemmas
from humstats.extract.numbers import Quantity
from humstats.extract.places import ADMIN1, CITY, COUNTRY, DEMONYM, Place
from humstats.schema import Indicator

_MOVES = (
    "arrive+",
    "reach+",
    "enter+",
    "stream+ into",
    "pour+ into",
    "flood+ into",
    "cross+ into",
    "cross+ over",
    "cross+",
    "escape+ to",
    "escape+ into",
    "flee+/fled to",
    "flee+/fled into",
    "flee+/fled across",
    # a count moved "into" a place: "sent a further 25,000 people into Sudan"
    "into",
    "make+/made ~ way",
    "seek+/sought ~ safety",
    "seek+/sought ~ refuge",
    "seek+/sought ~ protection",
    "seek+/sought ~ asylum",
    "find+/found ~ refuge",
    "find+/found ~ safety",
    "find+/found ~ shelter",
    "take+/took/taken refuge",
    "settle+ in",
    "head+ to",
    # arrival: "landed on the Italian island of Lampedusa", "came ashore in Aceh"
    "land+",
    "come/came ashore",
    "go/went/gone ashore",
    "trek+",
    "flock+",
    "spill+ over",
    "walk+ to",
    "travel+ to",
    "move+ to",
    "seek+/sought ~ sanctuary",
    "find+/found ~ sanctuary",
    "take+/took/taken ~ refuge",
    # staying somewhere is where the move ended: "2,000 Malians sheltering in Mbera"
    "shelter+ in",
    "leave+/left for",
)
_HOSTS = (
    "host+",
    # the verbs, not the nouns "shelters", "houses" ("destroying 500 shelters and leaving")
    "shelter/sheltered/sheltering",
    "now shelters",
    "house/housed/housing",
    "accommodate+",
    "harbou?r+",
    "take+/took/taken in",
    "receive+",
    "welcome+",
    "register+",
    "record+",
)
_MOVE = Folded.compile(rf"\b(?:{alternation(expand_lemmas(f) for f in _MOVES)})\b")
_HOSTING = re.compile(
    rf"\b(?:{alternation(expand_lemmas(f) for f in _HOSTS)})\b[^.;]{{0,25}}$", re.I
)
_GROUP_GAP = 25
"""How far after a number its group may be named ("12,000 new Burundian arrivals")."""
_ABROAD = re.compile(
    r"\b(?:abroad|across the (?:border|frontier)|overseas"
    # a border crossed is a border crossed, whoever crossed it: "crossed borders into ..."
    r"|cross(?:ed|es|ing)? (?:the |an? |international )?(?:borders?|frontiers?)"
    r"|(?:neighbou?ring|other|host|nearby) (?:countr(?:y|ies)|states|nations))\b",
    re.I,
)
_INTENT = re.compile(r"\bto\s+$", re.I)
_CAUSED = re.compile(
    r"\b(?:forc|driv|drove|push|compel|caus|prompt|oblig|spurr?|sen[dt]|le[ad])\w*"
    r"(?:\s+[\w'’,-]+){0,4}\s+$",
    re.I,
)
"""Before a count: a verb that made the people move ("has driven some 48,000 Sudanese to
seek refuge", "forced 15,000 to find shelter"): its "to" states a move made, not an intent."""
_ABROAD_AFTER = re.compile(
    r"\s+(?:(?:the|an?|international)\s+)?(?:borders?|frontiers?)\b"
    r"|\s+(?:(?:to|in|into|for|across)\s+)?(?:the\s+)?(?:abroad|overseas"
    r"|(?:neighbou?ring|other|nearby) (?:countr(?:y|ies)|states|nations))\b",
    re.I,
)
"""Right after a movement verb: the move ended in another country, whoever moved ("2
million more have fled to neighbouring countries", "taking refuge in neighbouring states")."""
_NEW_CLAUSE = re.compile(r"[,;]|\b(?:and|but|while|whereas)\b", re.I)
"""Between a count and a movement verb: the verb is another clause's ("2.6 million are
displaced, and 1.3 million more have fled abroad")."""
_HOST_NOUN = re.compile(
    r"\s+(?:[\w'’-]+\s+)?(?:island|coast|shores?|border|borders|towns?|city|region|province|"
    r"capital|port|waters|camps?|side|territory|soil|mainland|village|district|authorities)\b",
    re.I,
)
"""After a demonym that is not the counted group, a host named by its adjective: "the
Italian island of Lampedusa", "on the Chadian side"."""
_SPECIFIC = {CITY: 3, ADMIN1: 2, COUNTRY: 1}
_ORIGIN = Folded.compile(
    r"\b(?:(?:from|fled|out of|left|fleeing)"
    # where the violence that drove them is: "fleeing renewed attacks in West Darfur",
    # "Fighting in Tigray's Western zone has sent ..."
    r"|(?:(?:fleeing|escaping|fled)\s+(?:[\w'’-]+\s+){0,3}?)?"
    r"(?:fighting|clashes|violence|insecurity|attacks|conflict|war|shelling|bombardment|"
    r"offensive|hostilities)\s+(?:in|around|across))\s+(?:the\s+)?$"
)


_ABROAD_FOR_OTHER_REASONS = re.compile(
    r"\s+(?:migrants?|(?:migrant |guest |foreign )?workers|labou?rers|troops|soldiers|"
    r"peacekeepers|forces|nationals|citizens|tourists|students|pilgrims|officials|diplomats|"
    r"fishermen|crew|sailors|seafarers|traders|businessmen|police|employees|staff|expatriates)\b",
    re.I,
)
"""After a demonym: people abroad for another reason than flight ("Ethiopian migrants in
Yemen", "Kenyan troops in Somalia"); their being there says nothing of refuge."""
_NOT_THERE = re.compile(r"\b(?:from|back|return\w*|home)\b", re.I)
"""Words that send a group away from the place named rather than keep it there."""


@dataclass(frozen=True)
class Crossing:
    """What the movement words say of a count: refugees (or displaced) and where they are."""

    indicator: Indicator
    host: Place | None
    """None where no place says where: the figure's place is chosen as for any other."""


def group_of(q: Quantity, places: list[Place]) -> Place | None:
    """The people a count names by their country ("3,400 Sudanese", "12,000 new Burundian
    arrivals"), if it does."""
    return next(
        (p for p in places if p.level == DEMONYM and p.iso3 and 0 <= p.start - q.end <= _GROUP_GAP),
        None,
    )


def moves(text: str, start: int, end: int) -> bool:
    """Whether a movement verb stands in ``text[start:end]`` ("12,800 people crossed")."""
    return _MOVE.search(text, start, end) is not None


def crossing(
    text: str,
    q: Quantity,
    lower: int,
    upper: int,
    places: list[Place],
    carried: Place | None = None,
) -> Crossing | None:
    """Refugees where a group from one country moves to (or is hosted in) another; displaced
    where the place they reach is in their own country; None where the words say neither.

    ``carried`` is the group the document is about, named in an earlier sentence: "They join
    more than 600,000 people who have entered eastern Chad" after "3,400 Sudanese reached..."."""
    direct = group_of(q, places)
    label = LABEL_END.search(text, lower, q.hedge_start) is not None
    if label and direct is None:
        # "Rohingya in Cox's Bazar camps (as of 31 March): 1,004,000": a fact-sheet line
        # whose label names the group and where it is
        direct = next(
            (p for p in places if p.level == DEMONYM and p.iso3 and lower <= p.start < q.start),
            None,
        )
    group = direct or carried
    origins = {group.iso3} if group else set()
    origins |= {
        p.iso3
        for p in places
        if p.iso3 and p.level != DEMONYM and _ORIGIN.search(text, max(0, p.start - 12), p.start)
    }
    move = _MOVE.search(text, q.end, upper)
    intended = (
        move is not None
        and _INTENT.search(text, max(0, move.start() - 12), move.start()) is not None
        and not _CAUSED.search(text, max(0, q.hedge_start - 50), q.hedge_start)
    )
    if not origins:
        over = _ABROAD.search(text, q.end, upper) if move is not None and not intended else None
        if over is not None and not _NEW_CLAUSE.search(text, q.end, over.start()):
            # "14,000 people streamed across the frontier into Chad": over a border, so
            # refugees, in the country named after the move
            after = [p for p in places if p.iso3 and p.level != DEMONYM and p.start >= move.start()]
            return Crossing(Indicator.REFUGEES, after[0] if after else None)
        if (
            move is not None
            and not intended
            and _ABROAD_AFTER.match(text, move.end())
            and not _NEW_CLAUSE.search(text, q.end, move.start())
        ):
            return Crossing(Indicator.REFUGEES, None)
        return None
    if intended:
        move = None  # "hoping to cross into Bangladesh": not (yet) a crossing
    named = [
        p
        for p in places
        if p.iso3
        and (p.level != DEMONYM or (p is not group and _HOST_NOUN.match(text, p.end)))
        and not _ORIGIN.search(text, max(0, p.start - 12), p.start)
    ]
    if (
        direct is not None
        and direct.iso3
        and not intended
        and not _ABROAD_FOR_OTHER_REASONS.match(text, direct.end)
    ):
        # a people of one country where a place of another is named in the count's own clause
        # (or label): "310,000 Sudanese now live in camps in Chad's Ouaddaï province",
        # "1,100 Eritreans landed on the Italian island of Lampedusa": refugees there
        stay = (lower, q.hedge_start) if label else (q.end, upper)
        abroad = [p for p in named if stay[0] <= p.start < stay[1] and p.iso3 not in origins]
        if abroad and (label or move is not None or not _NOT_THERE.search(text, q.end, upper)):
            same = [p for p in abroad if p.iso3 == abroad[0].iso3]
            return Crossing(Indicator.REFUGEES, max(same, key=lambda p: _SPECIFIC.get(p.level, 0)))
    hosts = [p for p in named if p.start >= move.end()] if move is not None else []
    if not hosts and _HOSTING.search(text, max(lower, q.hedge_start - 60), q.hedge_start):
        # "Rwanda's ministry registered 1,150 Congolese arriving at ...": the host is named
        # before the count, whether or not a movement verb follows it
        hosts = [p for p in named if p.end <= q.hedge_start][-1:]
        if not hosts or hosts[0].iso3 in origins:
            return None
    elif move is None:
        return _left_country(text, q, upper, places)
    if not hosts:
        if (
            move is not None
            and _ABROAD.search(text, move.start(), upper)
            and (group is not None or not _NEW_CLAUSE.search(text, q.end, move.start()))
        ):
            return Crossing(Indicator.REFUGEES, group)  # no host named: the country left
        return None
    abroad = [p for p in hosts if p.iso3 not in origins]
    if abroad:
        # the most specific place named in the host country ("Mauritania's Hodh Ech Chargui")
        same = [p for p in abroad if p.iso3 == abroad[0].iso3]
        return Crossing(Indicator.REFUGEES, max(same, key=lambda p: _SPECIFIC.get(p.level, 0)))
    return Crossing(Indicator.DISPLACED, hosts[0])


_LEFT = re.compile(
    r"\b(?:left|leave|leaves|leaving|fled|flee|flees|fleeing|escaped|quit)\s+"
    r"(?:(?:east|west|north|south|eastern|western|northern|southern|central)\s+)?$",
    re.I,
)
_OWNS = re.compile(r"['’]s?\b")


def _left_country(text: str, q: Quantity, upper: int, places: list[Place]) -> Crossing | None:
    """ "More than 4 million people have left Venezuela": a country left is a border
    crossed, so refugees, placed where they fled from (RULES.md: no host named). A part of the
    country ("fled Sudan's capital", "left east Ghouta") is no crossing: the people who left
    it are displaced."""
    for p in places:
        if (
            p.iso3
            and q.end <= p.start < upper
            and _LEFT.search(text, max(q.end, p.start - 20), p.start)
            and not _NEW_CLAUSE.search(text, q.end, p.start)
        ):
            if p.level == COUNTRY and not _OWNS.match(text, p.end):
                return Crossing(Indicator.REFUGEES, p)
            if p.level != COUNTRY:
                return Crossing(Indicator.DISPLACED, p)
    return None
