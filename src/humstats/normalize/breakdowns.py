"""Breakdown cells: a row's sex, age group, cause or other part, as tables write them.

A long table splits its totals over rows: a "Sex" column of "Female"/"Male"/"Total", an age
column of "0-4", "5-17", "60 and over", a reason column of "Conflict"/"Natural disaster", an
origin column of country codes. Each reader here turns one such cell into the figure's
breakdown field (see the contract: ``sex``, ``age``, ``cause``, ``group``); a cell saying
"Total" or "All" makes the row a total.
"""

from __future__ import annotations

import re

from humstats.countries import ISO3, agency_iso3, country_iso3, no_country_label
from humstats.normalize.headers import fold, is_total_label, load_words
from humstats.schema import TOTAL, Sex

PLACE_GROUPS = frozenset({"origin", "destination", "asylum"})
"""Group keys whose values are countries, stored as ISO codes when they are one."""

_BOTH = frozenset({"total", "all", "both", "both sexes", "ensemble", "todos", "ambos"})
_UNSTATED = frozenset({"not available", "n a", "na", "unknown", "none", "nan", "not reported"})
"""Cells that state no part: the row's part is unknown, so that breakdown is left out."""


def sex_of(text: str) -> str | None:
    """ "Female", "F", "femmes" -> "f"; "Total" -> "all"; anything else -> "x"."""
    folded = fold(text)
    if not folded:
        return None
    if folded in _BOTH or is_total_label(text):
        return TOTAL
    if folded in ("f", "w"):
        return Sex.F.value
    if folded in ("m", "h"):
        return Sex.M.value
    for code, phrases in load_words().sex.items():
        if folded in phrases or any(folded.startswith(p) for p in phrases):
            return code
    return Sex.X.value


_RANGE = re.compile(r"^(\d{1,3})\s*(?:-|to|a|à|–)\s*(\d{1,3})")
_OVER = re.compile(r"^(\d{1,3})\s*(?:\+|and over|and above|or more|plus|et plus|y mas|ans et plus)")
_UNDER = re.compile(r"^(?:<|under|less than|moins de|menos de)\s*(\d{1,3})")


def age_of(text: str) -> str | None:
    """ "0-17", "0 - 4 years", "60+", "60 and over", "<5" -> the contract's ``min-max`` or
    ``min+``; "Total" -> "all"; a named group ("children") by the header words' ages."""
    folded = " ".join(text.strip().lower().split())
    if not folded:
        return None
    if fold(folded) in _BOTH or is_total_label(text):
        return TOTAL
    if match := _RANGE.match(folded):
        return f"{int(match[1])}-{int(match[2])}"
    if match := _OVER.match(folded):
        return f"{int(match[1])}+"
    if match := _UNDER.match(folded):
        return f"0-{int(match[1]) - 1}"
    for ages, phrases in load_words().age.items():
        if fold(folded) in phrases:
            return ages
    return None


_CAUSES = {
    "conflict": "conflict",
    "armed conflict": "conflict",
    "violence": "conflict",
    "conflit": "conflict",
    "conflicto": "conflict",
    "disaster": "disaster",
    "disasters": "disaster",
    "natural disaster": "disaster",
    "natural disasters": "disaster",
    "catastrophe naturelle": "disaster",
    "desastre": "disaster",
    "desastre natural": "disaster",
}


def cause_of(text: str) -> str | None:
    """ "Conflict", "Natural disaster" -> "conflict", "disaster"; "Total" -> "all"; any other
    cause as a lower-case slug ("Insecurity" -> "insecurity")."""
    folded = fold(text)
    if not folded:
        return None
    if folded in _BOTH or is_total_label(text):
        return TOTAL
    return _CAUSES.get(folded) or _slug(folded)


def group_value(key: str, text: str, scheme: str | None = ISO3) -> str | None:
    """A group cell as stored: a country of origin as its ISO code where it is one, a
    no-country label as its kind ("Various/Unknown" -> "various"), a "Total"/"All" cell as no
    group at all, other text as written (without ``;`` and ``=``)."""
    value = " ".join(text.split()).replace(";", ",").replace("=", "-")
    if key in PLACE_GROUPS and (kind := no_country_label(value)):
        # "Unknown", "Various", "Stateless" origins are parts of the host's total as stated
        return kind
    if not value or fold(value) in _BOTH | _UNSTATED or is_total_label(value):
        return None
    if key in PLACE_GROUPS:
        code = agency_iso3(value, scheme) if scheme and scheme != ISO3 else country_iso3(value)
        return code or value
    return value


def _slug(folded: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", folded).strip("_") or "other"
