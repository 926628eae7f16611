"""HXL, the Humanitarian Exchange Language, as its dictionary defines it.

A hashtag names what a column holds (``#affected``, ``#inneed``, ``#adm1``) and attributes
refine it (``+f`` female, ``+children``, ``+hh`` households, ``+pct`` a percentage, ``+min``
a lower bound). This module is the one place that knows what hashtags and attributes mean
for a figure: readers find the hashtag row, normalisation asks ``figure_meaning`` what a
column counts, export writes the hashtags back. The meanings follow the HXL dictionary
(hxlstandard.org) and the HXL hashtag chooser's knowledge base, plus the conventions of the
HXL 0.x files still on HDX (``#idp_num``, ``#inneed_num``, ``#period_date``), which
``modernize`` rewrites into HXL 1.x first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from humstats.schema import Indicator, Measure, Sex, Unit

HASHTAG = re.compile(r"^#[A-Za-z][\w-]*(\s*\+\s*[A-Za-z][\w-]*)*$")
"""A hashtag with optional ``+attributes``; a lone ``#`` (a row-number header) is not one."""


@dataclass(frozen=True)
class Hashtag:
    """A parsed hashtag: ``#affected+killed+min`` is tag ``affected``, attributes
    ``{killed, min}``. Case and attribute order do not matter in HXL, so neither matters here.
    ``legacy`` marks a hashtag written in the HXL 0.x conventions (rewritten by ``modernize``).
    """

    tag: str
    attributes: frozenset[str]
    legacy: bool = False

    def __str__(self) -> str:
        return "#" + "+".join([self.tag, *sorted(self.attributes)])


def is_hashtag(cell: str | None) -> bool:
    return cell is not None and HASHTAG.match(cell.strip()) is not None


def parse_hashtag(cell: str) -> Hashtag:
    """Split ``cell`` (which :func:`is_hashtag` accepted) into tag and attributes, in HXL 1.x
    terms (see ``modernize``)."""
    parts = [part.strip().lower() for part in cell.strip().lstrip("#").split("+")]
    return modernize(Hashtag(parts[0], frozenset(parts[1:])))


# -- HXL 0.x ----------------------------------------------------------------------------------

LEGACY_TAGS: dict[str, tuple[str, frozenset[str]]] = {
    "aff": ("affected", frozenset()),
    "affected": ("affected", frozenset()),
    "idp": ("affected", frozenset({"idps"})),
    "idps": ("affected", frozenset({"idps"})),
    "refugee": ("affected", frozenset({"refugees"})),
    "refugees": ("affected", frozenset({"refugees"})),
    "returnee": ("affected", frozenset({"returnees"})),
    "returnees": ("affected", frozenset({"returnees"})),
    "killed": ("affected", frozenset({"killed"})),
    "deaths": ("affected", frozenset({"killed"})),
    "dead": ("affected", frozenset({"killed"})),
    "injured": ("affected", frozenset({"injured"})),
    "missing": ("affected", frozenset({"missing"})),
    "inneed": ("inneed", frozenset()),
    "targeted": ("targeted", frozenset()),
    "reached": ("reached", frozenset()),
    "beneficiary": ("reached", frozenset()),
    "people": ("affected", frozenset()),
    "persons": ("affected", frozenset()),
    "population": ("population", frozenset()),
    "households": ("affected", frozenset({"hh"})),
    "females": ("affected", frozenset({"f"})),
    "males": ("affected", frozenset({"m"})),
}
"""HXL 0.x count hashtags (``#<name>_num``) as HXL 1.x tag and attributes."""

LEGACY_SUFFIXES: dict[str, tuple[str, frozenset[str]]] = {
    "date": ("date", frozenset()),
    "id": ("", frozenset({"code"})),
    "deg": ("geo", frozenset()),
    "lnk": ("meta", frozenset({"url"})),
}
LEGACY_DATES: dict[str, frozenset[str]] = {
    "period": frozenset(),
    "report": frozenset({"reported"}),
    "from": frozenset({"start"}),
    "start": frozenset({"start"}),
    "to": frozenset({"end"}),
    "end": frozenset({"end"}),
}


def modernize(hashtag: Hashtag) -> Hashtag:
    """An HXL 0.x hashtag in HXL 1.x terms: ``#idp_num`` is ``#affected+idps``,
    ``#period_date`` is ``#date``, ``#adm1_id`` is ``#adm1+code``, ``#origin`` is
    ``#country+origin``; a 1.x hashtag comes back unchanged."""
    tag, attributes = hashtag.tag, hashtag.attributes
    if tag == "origin":
        return Hashtag("country", attributes | {"origin"}, legacy=True)
    if "_" not in tag:
        return hashtag
    stem, _, suffix = tag.rpartition("_")
    if suffix == "num" and stem in LEGACY_TAGS:
        new_tag, extra = LEGACY_TAGS[stem]
        return Hashtag(new_tag, attributes | extra, legacy=True)
    if suffix == "date" and stem in LEGACY_DATES:
        return Hashtag("date", attributes | LEGACY_DATES[stem], legacy=True)
    if suffix in LEGACY_SUFFIXES and stem:
        new_tag, extra = LEGACY_SUFFIXES[suffix]
        return Hashtag(new_tag or stem, attributes | extra, legacy=True)
    return hashtag


# -- what a count column counts ---------------------------------------------------------------

PEOPLE_TAGS: dict[str, Indicator | None] = {
    "affected": Indicator.AFFECTED,
    "inneed": Indicator.IN_NEED,
    "population": Indicator.POPULATION,
    "targeted": None,
    "reached": None,
}
"""Hashtags that count people (the chooser's "numbers of people"); targeted and reached count
a response's reach, which no indicator of ours is."""

GROUP_ATTRIBUTES: dict[str, Indicator] = {
    "killed": Indicator.KILLED,
    "dead": Indicator.KILLED,
    "injured": Indicator.INJURED,
    "missing": Indicator.MISSING,
    "detained": Indicator.DETAINED,
    "idps": Indicator.DISPLACED,
    "idp": Indicator.DISPLACED,
    "displaced": Indicator.DISPLACED,
    "refugees": Indicator.REFUGEES,
    "returnees": Indicator.RETURNEES,
    "food_insecure": Indicator.FOOD_INSECURE,
}
"""Attributes naming the affected group counted (``#affected+killed``)."""

SEX_ATTRIBUTES: dict[str, Sex] = {
    "f": Sex.F,
    "female": Sex.F,
    "females": Sex.F,
    "women": Sex.F,
    "girls": Sex.F,
    "m": Sex.M,
    "male": Sex.M,
    "males": Sex.M,
    "men": Sex.M,
    "boys": Sex.M,
    "i": Sex.X,
    "x": Sex.X,
}
AGE_ATTRIBUTES: dict[str, str] = {
    "children": "0-17",
    "girls": "0-17",
    "boys": "0-17",
    "infants": "0-0",
    "adolescents": "10-19",
    "youth": "15-24",
    "adults": "18+",
    "women": "18+",
    "men": "18+",
    "elderly": "60+",
}
"""Age groups as the HXL dictionary names them, in the ranges agencies use (UNICEF, WHO)."""
_AGE = re.compile(r"^age_?(\d{1,3})(?:_(\d{1,3})|_?plus|_?over)?$")

CAUSE_ATTRIBUTES: dict[str, str] = {
    "conflict": "conflict",
    "violence": "conflict",
    "disaster": "disaster",
    "disasters": "disaster",
    "natural": "disaster",
    "other": "other",
}
FLOW_ATTRIBUTES = frozenset(
    {"new", "newdisp", "arrivals", "daily", "weekly", "monthly", "flow", "incident", "incidents"}
)
STOCK_ATTRIBUTES = frozenset({"stock", "cum", "cumulative"})
HOUSEHOLD_ATTRIBUTES = frozenset({"hh", "households", "household"})
COUNTING_ATTRIBUTES = frozenset(
    {"ind", "individuals", "persons", "people", "num", "total", "all", "value", "est", "i_en"}
)
"""Attributes saying how a column counts, not which part of the total it counts."""
SHARE_ATTRIBUTES = frozenset({"pct", "percentage", "percent", "ratio", "proportion", "share"})
MONEY_ATTRIBUTES = frozenset({"usd", "funding", "c_usd", "c_eur", "budget", "required"})
ROUNDING_ATTRIBUTES = frozenset({"rounded", "raw", "exact", "approx"})
PERIOD_ATTRIBUTES: dict[str, bool] = {
    "current": False,
    "first_projection": True,
    "second_projection": True,
    "projection": True,
    "projected": True,
    "planned": True,
    "plan": True,
}
"""Attributes naming which of a table's validity periods a column describes (IPC's current
and projection periods): a projection or plan is ``projected``."""
_PHASE = re.compile(r"^(?:phase|p)_?(\d)(plus|\+)?$")
IPC_TOTALS = frozenset({"p3plus", "phase3plus", "p3_plus", "phase3_plus"})

SECTOR_ATTRIBUTES = frozenset(
    {
        "food", "fsl", "fss", "agriculture", "livelihoods", "nutrition", "health", "wash",
        "education", "protection", "child", "cp", "gbv", "shelter", "nfi", "snfi", "cccm",
        "logistics", "mine", "hlp", "erl", "early_recovery", "telecom", "coordination",
    }
)  # fmt: skip
"""Humanitarian clusters and sectors as attributes (``#inneed+wash``): a sector's part."""


@dataclass(frozen=True)
class Meaning:
    """What one count column holds, as its hashtag says.

    ``skip`` says why the column is not a figure at all (a percentage, a target); otherwise
    the fields fill the figure (``None``: the hashtag does not say). ``group`` lists
    ``(key, value)`` breakdowns; ``period`` names the validity period the column belongs to
    (``current``, ``first_projection``) so its dates can be found in columns tagged alike;
    ``bound`` is ``low``/``high`` for ``+min``/``+max``.
    """

    indicator: Indicator | None = None
    measure: Measure | None = None
    unit: Unit = Unit.PEOPLE
    sex: Sex = Sex.ALL
    age: str = "all"
    cause: str = "all"
    group: tuple[tuple[str, str], ...] = ()
    projected: bool = False
    period: str | None = None
    bound: str | None = None
    rounded: bool = False
    skip: str | None = None

    @property
    def part(self) -> bool:
        """A breakdown of a total rather than the total itself."""
        return self.sex != Sex.ALL or self.age != "all" or self.cause != "all" or bool(self.group)

    def key(self) -> tuple[object, ...]:
        """What makes two columns the same figure (bounds and rounding aside)."""
        return (
            self.indicator,
            self.measure,
            self.unit,
            self.sex,
            self.age,
            self.cause,
            self.group,
            self.projected,
            self.period,
        )


def _age(attributes: frozenset[str]) -> str:
    for attribute in sorted(attributes):
        if attribute in AGE_ATTRIBUTES:
            return AGE_ATTRIBUTES[attribute]
        match = _AGE.match(attribute)
        if match:
            low, high = match[1], match[2]
            return f"{int(low)}-{int(high)}" if high else f"{int(low)}+"
    return "all"


def figure_meaning(hashtag: Hashtag) -> Meaning | None:
    """What a count column holds, or None when the hashtag counts no people (a place, a
    date, money, an indicator name).

    ``#affected+idps+f+children`` is IDPs, female, aged 0-17; ``+hh`` counts households;
    ``+pct``, ``#targeted`` and ``#reached`` are never figures; ``+new`` is a flow and
    ``+stock`` a stock; ``+conflict``/``+disaster`` the cause; IPC's ``+p3plus`` is the food
    insecure total and ``+phase4`` a phase's part; a sector attribute (``#inneed+wash``)
    makes a sector's part; any other unknown attribute makes a part named by it.
    """
    tag, attributes = hashtag.tag, set(hashtag.attributes)
    if tag not in PEOPLE_TAGS:
        return None
    if attributes & SHARE_ATTRIBUTES:
        return Meaning(skip="a percentage or share, not a count of people")
    if attributes & MONEY_ATTRIBUTES:
        return Meaning(skip="money, not people")
    indicator = PEOPLE_TAGS[tag]
    if indicator is None:
        return Meaning(skip=f"#{tag} counts a response's reach, not people affected or in need")
    meaning = Meaning(indicator=indicator)
    groups = [(a, GROUP_ATTRIBUTES[a]) for a in sorted(attributes) if a in GROUP_ATTRIBUTES]
    if groups:
        meaning = replace(meaning, indicator=groups[0][1])
        attributes -= {a for a, _ in groups}
    phases = [(a, _PHASE.match(a)) for a in sorted(attributes)]
    phases = [(a, m) for a, m in phases if m]
    if "ipc" in attributes or phases or attributes & IPC_TOTALS:
        attributes.discard("ipc")
        meaning = _ipc(meaning, attributes, phases)
        if meaning.skip:
            return meaning
    sex = [SEX_ATTRIBUTES[a] for a in sorted(attributes) if a in SEX_ATTRIBUTES]
    if sex:
        meaning = replace(meaning, sex=sex[0])
    age = _age(frozenset(attributes))
    attributes -= {a for a in attributes if a in SEX_ATTRIBUTES or a in AGE_ATTRIBUTES}
    attributes -= {a for a in attributes if _AGE.match(a)}
    causes = sorted({CAUSE_ATTRIBUTES[a] for a in attributes if a in CAUSE_ATTRIBUTES})
    attributes -= set(CAUSE_ATTRIBUTES)
    if attributes & FLOW_ATTRIBUTES:
        meaning = replace(meaning, measure=Measure.FLOW)
    elif attributes & STOCK_ATTRIBUTES:
        meaning = replace(meaning, measure=Measure.STOCK)
    if attributes & HOUSEHOLD_ATTRIBUTES:
        meaning = replace(meaning, unit=Unit.HOUSEHOLDS)
    periods = [a for a in sorted(attributes) if a in PERIOD_ATTRIBUTES]
    if periods:
        projected = any(PERIOD_ATTRIBUTES[a] for a in periods)
        meaning = replace(meaning, period=periods[0], projected=projected)
    bound = "low" if "min" in attributes else "high" if "max" in attributes else None
    rest = (
        attributes
        - FLOW_ATTRIBUTES
        - STOCK_ATTRIBUTES
        - HOUSEHOLD_ATTRIBUTES
        - COUNTING_ATTRIBUTES
        - ROUNDING_ATTRIBUTES
        - set(PERIOD_ATTRIBUTES)
        - {"min", "max"}
    )
    group = list(meaning.group)
    sectors = sorted(rest & SECTOR_ATTRIBUTES)
    if sectors:
        group.append(("sector", "_".join(sectors)))
    others = sorted(rest - SECTOR_ATTRIBUTES)
    if others:
        group.append(("subset", "_".join(others)))
    return replace(
        meaning,
        age=age,
        cause=causes[0] if len(causes) == 1 else "all",
        group=tuple(sorted(group)),
        bound=bound,
        rounded="rounded" in attributes or "approx" in attributes,
    )


def _ipc(meaning: Meaning, attributes: set[str], phases: list) -> Meaning:
    """IPC's counts: phase 3 or worse is the food insecure total, phases 3-5 its parts, phases
    1-2 people not in acute food insecurity, and ``+total`` the population analysed."""
    if attributes & IPC_TOTALS:
        attributes -= IPC_TOTALS
        return replace(meaning, indicator=Indicator.FOOD_INSECURE)
    if phases:
        attribute, match = phases[0]
        attributes.discard(attribute)
        phase = int(match[1])
        if match[2]:
            if phase == 3:
                return replace(meaning, indicator=Indicator.FOOD_INSECURE)
            return replace(meaning, indicator=Indicator.POPULATION, group=(("phase", f"{phase}+"),))
        indicator = Indicator.FOOD_INSECURE if phase >= 3 else Indicator.POPULATION
        return replace(meaning, indicator=indicator, group=(("phase", str(phase)),))
    if "total" in attributes:
        return Meaning(skip="the population an IPC analysis covered, not people affected")
    return replace(meaning, indicator=Indicator.FOOD_INSECURE)


def admin_level(hashtag: Hashtag) -> int | None:
    """The admin level a place hashtag names: ``#adm2`` is 2, ``#country`` 0, ``#loc+level1``
    (as IPC exports write it) 1."""
    if hashtag.tag == "country":
        return 0
    match = re.fullmatch(r"adm(\d)", hashtag.tag)
    if match:
        return int(match[1])
    for attribute in hashtag.attributes:
        found = re.fullmatch(r"(?:level|adm)(\d)", attribute)
        if found:
            return int(found[1])
    return None


# -- export -----------------------------------------------------------------------------------

INDICATOR_HXL: dict[Indicator, str] = {
    Indicator.KILLED: "#affected+killed",
    Indicator.INJURED: "#affected+injured",
    Indicator.MISSING: "#affected+missing",
    Indicator.DETAINED: "#affected+detained",
    Indicator.DISPLACED: "#affected+idps",
    Indicator.REFUGEES: "#affected+refugees",
    Indicator.RETURNEES: "#affected+returnees",
    Indicator.AFFECTED: "#affected",
    Indicator.IN_NEED: "#inneed",
    Indicator.FOOD_INSECURE: "#affected+food_insecure",
    Indicator.POPULATION: "#population",
}
"""Indicator → HXL hashtag, for reading HXL tables and for ``--format hxl``."""


def indicator_of(hashtag: Hashtag) -> Indicator | None:
    """The indicator a count hashtag names, whatever its breakdown (None: not a figure)."""
    meaning = figure_meaning(hashtag)
    return meaning.indicator if meaning is not None and meaning.skip is None else None
