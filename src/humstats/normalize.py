"""Table columns → candidate figures, using the table's HXL hashtags or a mapping file.

A table says what it counts in its own words: a hashtag row (``#affected+killed``), or column
names only its publisher understands ("Civilian casualities(OHCHR) - Killed"). A
:class:`Mapping` (HXL-derived, loaded from TOML, or both merged) names the columns that hold
figures and the columns or constants that fill the other fields. :func:`normalize_table` turns
each figure cell into one row of the candidate frame (wide tables are unpivoted) and every cell
it cannot read into a quarantine candidate with a reason.

Speed: tables reach millions of rows, so everything is a polars expression. Country names and
date strings repeat, so each DISTINCT value is resolved once in Python and joined back; number
cells are cast natively, and only the cells that fail the plain cast (thousands separators,
notes, formulas) go through the slower cleaning expressions.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import tomllib
import unicodedata
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

import polars as pl
import pycountry

from humstats.errors import ConfigError, InputError
from humstats.readers import Table
from humstats.readers.hxl import indicator_of, parse_hashtag
from humstats.schema import (
    COLUMNS,
    DTYPES,
    ORIGIN_COLUMNS,
    QUARANTINE_EXTRA,
    STAMPED,
    DatePrecision,
    Indicator,
    Measure,
    Qualifier,
    SourceMeta,
    Unit,
)

log = logging.getLogger(__name__)

MISSING = ("", "NA", "N/A", "N.A.", "#N/A", "-", "–", "—", "..", "...", "NULL", "NONE", "NAN")
"""Cell texts that mean "no value" (compared upper-cased); an empty cell is no figure."""

MAX_DIGITS = 18
"""Integer digits that always fit an Int64; longer numbers are implausible as counts."""

FLOW_BY_DEFAULT = frozenset(
    {Indicator.KILLED, Indicator.INJURED, Indicator.MISSING, Indicator.DETAINED}
)
"""Casualty columns count events (new deaths in a row's period) unless a mapping says stock;
people displaced, in need or living somewhere are counted as of a date."""

QUALIFIER_WORDS: dict[str, Qualifier] = {
    "exact": Qualifier.EXACT,
    "total": Qualifier.EXACT,
    "approx": Qualifier.APPROX,
    "approximately": Qualifier.APPROX,
    "about": Qualifier.APPROX,
    "around": Qualifier.APPROX,
    "estimated": Qualifier.APPROX,
    "more than": Qualifier.AT_LEAST,
    "at least": Qualifier.AT_LEAST,
    "over": Qualifier.AT_LEAST,
    "less than": Qualifier.AT_MOST,
    "up to": Qualifier.AT_MOST,
    "nearly": Qualifier.AT_MOST,
    "almost": Qualifier.AT_MOST,
    "range": Qualifier.RANGE,
}
"""Qualifier cells as agencies write them (IDMC: "total", "approximately", "more than")."""

INDICATOR_WORDS: dict[str, Indicator] = {
    "deaths": Indicator.KILLED,
    "dead": Indicator.KILLED,
    "fatalities": Indicator.KILLED,
    "wounded": Indicator.INJURED,
    "idps": Indicator.DISPLACED,
    "pin": Indicator.IN_NEED,
    "people in need": Indicator.IN_NEED,
}
"""Indicator cells of long tables beyond the vocabulary's own names and HXL hashtags."""

STOCK_ATTRIBUTES = frozenset({"cum", "cumulative", "total", "stock"})
FLOW_ATTRIBUTES = frozenset({"new", "daily", "weekly", "monthly", "flow", "incident"})
HOUSEHOLD_ATTRIBUTES = frozenset({"hh", "households", "household"})
PEOPLE_ATTRIBUTES = frozenset({"ind", "individuals", "persons", "people", "num"})
BREAKDOWN_ATTRIBUTES = frozenset(
    {"f", "m", "female", "male", "women", "men", "girls", "boys", "children", "adults",
     "adolescents", "youth", "elderly", "infants", "disabled", "urban", "rural"}
)
"""HXL attributes of a disaggregated column (a part of a total): never a figure of its own."""
AGE_ATTRIBUTE = re.compile(r"^age\d")


# ---------------------------------------------------------------------------------------------
# The mapping


@dataclass(frozen=True)
class FigureColumn:
    """A column whose cells are figures, and what they count."""

    column: str
    indicator: str | None = None
    measure: str | None = None
    unit: str | None = None
    qualifier: str | None = None
    low: str | None = None
    high: str | None = None
    attributed_to: str | None = None
    """Who this column's figures are credited to, when columns quote different agencies."""


@dataclass(frozen=True)
class Place:
    """One level of a row's place: the name column, its admin level and p-code column."""

    name: str
    admin_level: int | None = None
    pcode: str | None = None


FIELD_COLUMNS = (
    "admin_level", "pcode", "date", "period_start", "period_end", "date_precision",
    "published_date", "publisher", "attributed_to", "source_url", "qualifier", "unit",
    "indicator", "measure", "record_id",
)
"""Figure fields a mapping's [columns] may fill from one column each (besides places and
countries, which take a list of columns, most specific or most reliable first).
``record_id`` names the column identifying a record (an event id): it goes into the quote, so
two events alike in every figure field still read as two statements of the source."""

CONSTANTS = (
    "publisher", "published_date", "source_url", "attributed_to", "country", "location_name",
    "admin_level", "measure", "unit", "qualifier", "period",
)


@dataclass(frozen=True)
class Mapping:
    """How a table's columns become figure fields; see ``examples/mappings/`` for the TOML.

    ``figures`` replace the HXL-tagged figure columns when given; ``columns`` and ``places``
    override what the hashtags say field by field; ``ignore`` drops columns from both.
    """

    figures: tuple[FigureColumn, ...] = ()
    places: tuple[Place, ...] = ()
    country: tuple[str, ...] = ()
    columns: dict[str, str] = field(default_factory=dict)
    constants: dict[str, Any] = field(default_factory=dict)
    date_formats: tuple[str, ...] = ()
    timezone: str | None = None
    decimal: str = "."
    qualifiers: dict[str, str] = field(default_factory=dict)
    precisions: dict[str, str] = field(default_factory=dict)
    ignore: frozenset[str] = frozenset()
    method: str = "table"

    def merged_over(self, base: Mapping) -> Mapping:
        """This mapping's settings win; ``base`` (the hashtags) fills what it leaves out."""
        keep = lambda column: column not in self.ignore  # noqa: E731
        return replace(
            self,
            figures=self.figures or tuple(f for f in base.figures if keep(f.column)),
            places=self.places or tuple(
                replace(p, pcode=p.pcode if p.pcode and keep(p.pcode) else None)
                for p in base.places if keep(p.name)
            ),
            country=self.country or tuple(filter(keep, base.country)),
            columns={**{k: v for k, v in base.columns.items() if keep(v)}, **self.columns},
            method=base.method if not self.figures else self.method,
        )

    def referenced(self) -> list[str]:
        """Every table column this mapping reads, in a stable order."""
        names = [*self.country, *self.columns.values()]
        for figure in self.figures:
            names += [c for c in (figure.column, figure.low, figure.high) if c]
        for place in self.places:
            names += [c for c in (place.name, place.pcode) if c]
        return list(dict.fromkeys(names))


def load_mapping(path: Path) -> Mapping:
    """Read a mapping TOML file; a wrong key or value raises ``ConfigError`` naming it."""
    try:
        document = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as e:
        raise ConfigError(f"cannot read mapping {path}: {e.strerror or e}") from e
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"mapping {path} is not valid TOML: {e}") from e
    return _mapping_from(document, str(path))


def _mapping_from(document: dict[str, Any], where: str) -> Mapping:
    known = ("ignore", "constants", "columns", "figures", "dates", "numbers", "qualifiers",
             "precisions")
    _known_keys(document, known, where, "")
    columns_table = _table(document, "columns", where)
    _known_keys(columns_table, ("country", "location_name", *FIELD_COLUMNS), where, "columns.")
    country = _names(columns_table.pop("country", ()), where, "columns.country")
    places = tuple(
        Place(name) for name in _names(columns_table.pop("location_name", ()), where,
                                       "columns.location_name")
    )
    columns = {key: _string(value, where, f"columns.{key}") for key, value in columns_table.items()}

    constants = _table(document, "constants", where)
    _known_keys(constants, CONSTANTS, where, "constants.")
    for key, enum in (("measure", Measure), ("unit", Unit), ("qualifier", Qualifier)):
        if key in constants:
            _member(constants[key], enum, where, f"constants.{key}")
    if "published_date" in constants:
        constants["published_date"] = _date(constants["published_date"], where,
                                            "constants.published_date")
    if "period" in constants:
        period = constants["period"]
        parsed = parse_period(str(period), (), None) if not isinstance(period, dt.date) else (
            period, period, DatePrecision.DAY.value)
        if parsed is None:
            raise ConfigError(f"{where}: constants.period {period!r} is not a date, month or year")
        constants["period"] = parsed
    if "admin_level" in constants and not isinstance(constants["admin_level"], int):
        raise ConfigError(f"{where}: constants.admin_level must be an integer")
    if "country" in constants:
        iso3 = country_iso3(str(constants["country"]))
        if iso3 is None:
            raise ConfigError(f"{where}: constants.country {constants['country']!r} is no country")
        constants["country"] = iso3

    figures = []
    raw_figures = document.get("figures", [])
    if not isinstance(raw_figures, list):
        raise ConfigError(f"{where}: figures must be an array of tables ([[figures]])")
    for number, entry in enumerate(raw_figures, start=1):
        key = f"figures[{number}]"
        if not isinstance(entry, dict) or "column" not in entry:
            raise ConfigError(f"{where}: {key} needs a column")
        _known_keys(entry, ("column", "indicator", "measure", "unit", "qualifier", "low", "high",
                            "attributed_to"), where, f"{key}.")
        if "indicator" in entry:
            _member(entry["indicator"], Indicator, where, f"{key}.indicator")
        elif "indicator" not in columns:
            raise ConfigError(f"{where}: {key} needs an indicator (or set columns.indicator)")
        for name, enum in (("measure", Measure), ("unit", Unit), ("qualifier", Qualifier)):
            if name in entry:
                _member(entry[name], enum, where, f"{key}.{name}")
        figures.append(
            FigureColumn(**{k: _string(v, where, f"{key}.{k}") for k, v in entry.items()})
        )

    dates = _table(document, "dates", where)
    _known_keys(dates, ("formats", "timezone"), where, "dates.")
    timezone = dates.get("timezone")
    if timezone is not None:
        try:
            zoneinfo.ZoneInfo(timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as e:
            raise ConfigError(f"{where}: dates.timezone {timezone!r} is not a time zone") from e
    numbers = _table(document, "numbers", where)
    _known_keys(numbers, ("decimal",), where, "numbers.")
    decimal = numbers.get("decimal", ".")
    if decimal not in (".", ","):
        raise ConfigError(f"{where}: numbers.decimal must be \".\" or \",\", not {decimal!r}")
    qualifiers = _table(document, "qualifiers", where)
    for key, value in qualifiers.items():
        _member(value, Qualifier, where, f"qualifiers.{key}")
    precisions = _table(document, "precisions", where)
    for key, value in precisions.items():
        _member(value, DatePrecision, where, f"precisions.{key}")
    return Mapping(
        figures=tuple(figures),
        places=places,
        country=country,
        columns=columns,
        constants=constants,
        date_formats=_names(dates.get("formats", ()), where, "dates.formats"),
        timezone=timezone,
        decimal=decimal,
        qualifiers={k.strip().lower(): v for k, v in qualifiers.items()},
        precisions={k.strip().lower(): v for k, v in precisions.items()},
        ignore=frozenset(_names(document.get("ignore", ()), where, "ignore")),
    )


def _known_keys(table: dict[str, Any], known: Iterable[str], where: str, prefix: str) -> None:
    known = tuple(known)
    for key in table:
        if key not in known:
            raise ConfigError(
                f"{where}: unknown key {prefix}{key!r}; known keys: {', '.join(known)}"
            )


def _table(document: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    value = document.get(key, {})
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: {key} must be a table ([{key}])")
    return dict(value)


def _names(value: Any, where: str, key: str) -> tuple[str, ...]:
    values = [value] if isinstance(value, str) else value
    if not isinstance(values, list | tuple) or not all(isinstance(v, str) for v in values):
        raise ConfigError(f"{where}: {key} must be a column name or a list of them")
    return tuple(values)


def _string(value: Any, where: str, key: str) -> str:
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{where}: {key} must be a non-empty string, not {value!r}")
    return value


def _member(value: Any, enum: type, where: str, key: str) -> None:
    allowed = [member.value for member in enum]
    if value not in allowed:
        raise ConfigError(f"{where}: {key} {value!r} is not one of {', '.join(allowed)}")


def _date(value: Any, where: str, key: str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as e:
        raise ConfigError(f"{where}: {key} {value!r} is not a YYYY-MM-DD date") from e


def mapping_from_hxl(hxl: dict[str, str]) -> Mapping:
    """What a table's hashtags alone say: figure columns, places, country, dates, sources.

    Disaggregated columns (``+f``, ``+children``, ``+age0_4``...) are parts of a total, never
    figures; a second column with the same hashtag repeats a figure (rounded and raw, say),
    so only the first counts. ``+min``/``+max`` columns bound the figure column they match.
    """
    figures: dict[tuple[str, str, frozenset[str]], FigureColumn] = {}
    bounds: dict[tuple[str, frozenset[str]], dict[str, str]] = {}
    names: dict[int | None, str] = {}
    codes: dict[int | None, str] = {}
    columns: dict[str, str] = {}
    country_codes: list[str] = []
    country_names: list[str] = []
    for column, text in hxl.items():
        tag = parse_hashtag(text)
        found = indicator_of(tag)
        if found is not None:
            indicator, extra = found
            if extra & BREAKDOWN_ATTRIBUTES or any(AGE_ATTRIBUTE.match(a) for a in extra):
                log.info("column %r (%s) is a breakdown, not a figure", column, text)
                continue
            role = "low" if "min" in extra else "high" if "max" in extra else "value"
            unit = Unit.HOUSEHOLDS if extra & HOUSEHOLD_ATTRIBUTES else Unit.PEOPLE
            measure = (Measure.STOCK if extra & STOCK_ATTRIBUTES else
                       Measure.FLOW if extra & FLOW_ATTRIBUTES else None)
            key = (indicator.value, unit.value, extra - {"min", "max"})
            if role != "value":
                bounds.setdefault((indicator.value, key[2]), {}).setdefault(role, column)
            elif key in figures:
                log.info("column %r repeats the figure of %r; not counted twice",
                         column, figures[key].column)
            else:
                figures[key] = FigureColumn(
                    column, indicator.value, measure and measure.value, unit.value
                )
            continue
        level = _admin_level(tag.tag)
        if tag.tag == "country":
            (country_codes if "code" in tag.attributes else country_names).append(column)
        elif (level is not None or tag.tag == "loc") and "name" in tag.attributes:
            names.setdefault(level, column)
        elif level is not None and "code" in tag.attributes:
            codes.setdefault(level, column)
        elif tag.tag == "date":
            role = ("published_date" if tag.attributes & {"reported", "published"} else
                    "period_start" if "start" in tag.attributes else
                    "period_end" if "end" in tag.attributes else "date")
            if "year" not in tag.attributes or role == "date":
                columns.setdefault(role, column)
        elif tag.tag == "meta" and tag.attributes & META_FIELDS.keys():
            field_name = META_FIELDS[sorted(tag.attributes & META_FIELDS.keys())[0]]
            columns.setdefault(field_name, column)
        elif tag.tag == "loc" and "code" in tag.attributes:
            codes.setdefault(None, column)
        elif tag.tag == "loc" and "level" in tag.attributes:
            columns.setdefault("admin_level", column)
    if "period_start" in columns:
        columns.pop("date", None)
    figure_columns = []
    for key, figure in figures.items():
        found_bounds = bounds.get((key[0], key[2]), {})
        figure_columns.append(
            replace(figure, low=found_bounds.get("low"), high=found_bounds.get("high"))
        )
    places = [Place(names[None], pcode=codes.get(None))] if None in names else []
    places += [
        Place(names[level], level, codes.get(level))
        for level in sorted((lv for lv in names if lv is not None), reverse=True)
    ]
    return Mapping(
        figures=tuple(figure_columns),
        places=tuple(places),
        country=(*country_codes, *country_names),
        columns=columns,
        method="hxl",
    )


META_FIELDS: dict[str, str] = {
    "source": "publisher",
    "url": "source_url",
    "id": "record_id",
    "attributed": "attributed_to",
    "measure": "measure",
    "qualifier": "qualifier",
    "unit": "unit",
}
"""``#meta+<attribute>`` -> figure field, as ``humstats figures --format hxl`` writes them,
so an export reads back in; ``#meta+source`` names who published the figures."""


def _admin_level(tag: str) -> int | None:
    match = re.fullmatch(r"adm(\d)", tag)
    return int(match[1]) if match else None


# ---------------------------------------------------------------------------------------------
# Countries


@cache
def _country_index() -> dict[str, str]:
    """Folded name -> ISO3 over pycountry's names, official names and common names, plus the
    word-set of each name so "Congo, The Democratic Republic of the" also matches "Democratic
    Republic of the Congo" and "Iran (Islamic Republic of)" matches "Iran, Islamic Republic of".
    """
    index: dict[str, str] = {}
    clashes: set[str] = set()
    for country in pycountry.countries:
        for attribute in ("name", "official_name", "common_name"):
            name = getattr(country, attribute, None)
            if not name:
                continue
            for key in (_fold(name), _word_set(name)):
                if index.get(key, country.alpha_3) != country.alpha_3:
                    clashes.add(key)
                index[key] = country.alpha_3
    for key in clashes:
        del index[key]
    return index


VARIANTS: dict[str, str] = {
    "drc": "COD", "dr congo": "COD", "congo kinshasa": "COD", "congo drc": "COD",
    "democratic republic of congo": "COD", "republic of congo": "COG", "congo brazzaville": "COG",
    "turkey": "TUR", "russia": "RUS", "ivory coast": "CIV", "cape verde": "CPV", "burma": "MMR",
    "swaziland": "SWZ", "macedonia": "MKD", "uk": "GBR", "great britain": "GBR",
    "vatican": "VAT", "car": "CAF", "lao pdr": "LAO", "south korea": "KOR",
    "micronesia": "FSM", "east timor": "TLS", "palestine": "PSE", "opt": "PSE",
    "occupied palestinian territory": "PSE", "occupied palestinian territories": "PSE",
    "palestinian territories": "PSE", "state of palestine": "PSE", "gaza strip": "PSE",
    "gaza": "PSE", "west bank": "PSE",
}
"""Short and UN-style names pycountry does not carry. Kosovo is left out on purpose: it has
no ISO 3166-1 code (XKX is user-assigned), so its figures quarantine as unknown-country rather
than carry a code that joins with nothing."""


def _fold(name: str) -> str:
    """Lower-case, accents and punctuation gone, words single-spaced."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", plain.lower()).split())


def _word_set(name: str) -> str:
    words = set(_fold(name).split()) - {"the", "of", "and"}
    return "|".join(sorted(words))


@cache
def country_iso3(name: str) -> str | None:
    """The ISO 3166-1 alpha-3 code for a code or name as tables write it, or None.

    Accepts alpha-3 and alpha-2 codes, names in any case or accent ("Cote d'Ivoire"),
    pycountry's official and common names in either word order, and a few short forms
    ("DRC", "Turkey", "occupied Palestinian territory"). No fuzzy matching: a plan called
    "Syria (3RP)" covers refugees outside Syria and must not become SYR.
    """
    text = name.strip()
    if not text:
        return None
    if len(text) in (2, 3) and text.isalpha():
        code = text.upper()
        found = (pycountry.countries.get(alpha_3=code) if len(code) == 3
                 else pycountry.countries.get(alpha_2=code))
        if found is not None:
            return found.alpha_3
    folded = _fold(text)
    index = _country_index()
    return VARIANTS.get(folded) or index.get(folded) or index.get(_word_set(text))


# ---------------------------------------------------------------------------------------------
# Dates

_YEAR = re.compile(r"^(\d{4})(\.0+)?$")
_MONTH = re.compile(r"^(\d{4})[-/](\d{1,2})$")
_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
_SLASHED = re.compile(r"^(\d{1,2})[/.](\d{1,2})[/.](\d{4})$")


def parse_period(
    text: str,
    formats: tuple[str, ...] = (),
    timezone: str | None = None,
    day_first: bool | None = None,
) -> tuple[dt.date, dt.date, str] | None:
    """(start, end, precision) of a date cell, or None when it is not a date we can read.

    "2024" is a year, "2024-05" a month, "2024-W19" a week, "2024-05-18" a day; a timestamp
    is read in ``timezone`` when given (IDMC writes local midnight in New Zealand time as
    UTC), else in UTC; ``formats`` are strptime patterns tried next; "18/2/2021" is read
    day-first or month-first only as ``day_first`` says (decided over the whole column).
    """
    text = text.strip()
    try:
        if match := _YEAR.match(text):
            year = int(match[1])
            return dt.date(year, 1, 1), dt.date(year, 12, 31), DatePrecision.YEAR.value
        if match := _MONTH.match(text):
            start = dt.date(int(match[1]), int(match[2]), 1)
            return start, _month_end(start), DatePrecision.MONTH.value
        if match := _WEEK.match(text):
            start = dt.date.fromisocalendar(int(match[1]), int(match[2]), 1)
            return start, start + dt.timedelta(days=6), DatePrecision.WEEK.value
        if _DAY.match(text):
            day = dt.date.fromisoformat(text)
            return day, day, DatePrecision.DAY.value
        if _TIMESTAMP.match(text):
            moment = dt.datetime.fromisoformat(text)
            if moment.tzinfo is not None and timezone:
                moment = moment.astimezone(zoneinfo.ZoneInfo(timezone))
            elif moment.tzinfo is not None:
                moment = moment.astimezone(dt.UTC)
            return moment.date(), moment.date(), DatePrecision.DAY.value
        for pattern in formats:
            try:
                moment = dt.datetime.strptime(text, pattern)
            except ValueError:
                continue
            start = moment.date()
            if "%d" in pattern or "%j" in pattern:
                return start, start, DatePrecision.DAY.value
            if "%m" in pattern or "%b" in pattern or "%B" in pattern:
                return start, _month_end(start), DatePrecision.MONTH.value
            return start, dt.date(start.year, 12, 31), DatePrecision.YEAR.value
        if (match := _SLASHED.match(text)) and day_first is not None:
            first, second, year = int(match[1]), int(match[2]), int(match[3])
            day, month = (first, second) if day_first else (second, first)
            value = dt.date(year, month, day)
            return value, value, DatePrecision.DAY.value
    except ValueError:
        return None
    return None


def _month_end(start: dt.date) -> dt.date:
    following = (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


def _day_first(values: Iterable[str]) -> bool | None:
    """Whether the column's n/n/yyyy dates are day-first, judged on all of them at once:
    one "18/2/2021" settles day-first, one "2/18/2021" month-first; otherwise unknown."""
    day_first = month_first = False
    for value in values:
        if match := _SLASHED.match(value.strip()):
            day_first |= int(match[1]) > 12
            month_first |= int(match[2]) > 12
    return day_first if day_first != month_first else None


def _date_table(values: list[str | None], mapping: Mapping) -> pl.DataFrame:
    """Distinct date texts (as written) -> start, end, precision (nulls where unreadable)."""
    texts = [value for value in values if value is not None]
    day_first = _day_first(texts)
    parsed = [parse_period(text, mapping.date_formats, mapping.timezone, day_first)
              for text in texts]
    return pl.DataFrame(
        {
            "__text": texts,
            "__start": [p[0] if p else None for p in parsed],
            "__end": [p[1] if p else None for p in parsed],
            "__precision": [p[2] if p else None for p in parsed],
        },
        schema={"__text": pl.String, "__start": pl.Date, "__end": pl.Date,
                "__precision": pl.String},
    )


# ---------------------------------------------------------------------------------------------
# Numbers


MISSING_TEXTS = sorted({v for t in MISSING for v in (t, t.lower(), t.title())})


def is_missing(text: pl.Expr) -> pl.Expr:
    """Whether a (stripped) cell holds no value: null, empty, "N/A", "-", ..."""
    return text.is_null() | text.is_in(MISSING_TEXTS)


def parse_counts(text: pl.Series, decimal: str = ".") -> tuple[pl.Series, pl.Series]:
    """Counts (Int64) and checks (null, or why a cell is not a count) for stripped-or-not
    text cells; missing cells ("N/A", "-", empty) give a null count and no check.

    "12,500", "12 500", "12'500" and "243946.0" are counts; "12.500" too when ``decimal`` is
    ",", or when dots group thousands unambiguously ("12.500.000"). Formula-like cells
    (``=HYPERLINK(...)``, ``@SUM``, ``+cmd``) are refused, so a spreadsheet never runs them
    when the quarantine is opened. Negative counts parse: the schema's ``negative-value``
    check quarantines them, in one place for every producer.

    Plain integers take a native cast; only the cells that fail it are cleaned, and their
    results are scattered back, so a million-row column costs little more than the cast.
    """
    value = text.cast(pl.Int64, strict=False)
    check = pl.repeat(None, len(text), dtype=pl.String, eager=True)
    failed = (value.is_null() & text.is_not_null()).arg_true()
    if len(failed) == 0:
        return value, check
    value = value.rechunk()
    # the common case among the rest: thousands grouped by the locale's separator
    separator = "." if decimal == "," else ","
    grouped = pl.DataFrame({"text": text.gather(failed).str.strip_chars()}).select(
        pl.when(pl.col("text").str.contains(rf"^-?\d{{1,3}}(?:\{separator}\d{{3}})+$"))
        .then(pl.col("text").str.replace_all(separator, "", literal=True))
        .cast(pl.Int64, strict=False)
    ).to_series()
    value = value.scatter(failed, grouped)
    failed = failed.filter(grouped.is_null())
    if len(failed) == 0:
        return value, check
    slow = pl.DataFrame({"text": text.gather(failed).str.strip_chars()})
    slow_value, slow_check = _clean_counts(slow, decimal)
    return value.scatter(failed, slow_value), check.scatter(failed, slow_check)


def _clean_counts(frame: pl.DataFrame, decimal: str) -> tuple[pl.Series, pl.Series]:
    text = pl.col("text")
    grouped_dots = text.str.contains(r"^-?\d{1,3}(?:\.\d{3}){2,}$")
    if decimal == ",":
        cleaned = text.str.replace_all(r"[\s\u00a0\u202f\u2009'’_.]", "").str.replace(",", ".")
    else:
        cleaned = (
            pl.when(grouped_dots)
            .then(text.str.replace_all(".", "", literal=True))
            .otherwise(text.str.replace_all(r"[\s\u00a0\u202f\u2009'’_,]", ""))
        )
    frame = frame.with_columns(
        is_missing(text).alias("missing"),
        text.str.contains(r"^(?:[=@]|[+\-]\s*[^\d\s.,])").alias("formula"),
        cleaned.alias("cleaned"),
    ).with_columns(
        pl.col("cleaned").str.extract(r"^(-?\d+)(?:\.0*)?$", 1).alias("integer"),
        pl.col("cleaned").str.contains(r"^-?\d+(?:\.\d+)?[eE]\+?\d+$").alias("scientific"),
        pl.col("cleaned").cast(pl.Float64, strict=False).alias("float"),
    ).with_columns(
        pl.col("integer").str.strip_chars_start("-").str.strip_chars_start("0")
        .str.len_chars().alias("digits"),
    )
    integer_ok = pl.col("integer").is_not_null() & (pl.col("digits") <= MAX_DIGITS)
    float_ok = (pl.col("scientific") & (pl.col("float").abs() < 1e18)
                & (pl.col("float") == pl.col("float").floor()))
    too_long = ((pl.col("integer").is_not_null() & (pl.col("digits") > MAX_DIGITS))
                | (pl.col("scientific") & ~float_ok))
    check = (
        pl.when(pl.col("missing")).then(pl.lit(None, pl.String))
        .when(pl.col("formula")).then(pl.lit("formula-cell"))
        .when(too_long).then(pl.lit("implausible-value"))
        .when(integer_ok | float_ok).then(pl.lit(None, pl.String))
        .when(pl.col("cleaned").str.contains(r"^-?\d*\.\d+$")).then(pl.lit("non-integer-value"))
        .otherwise(pl.lit("unparseable-number"))
    )
    value = (
        pl.when(pl.col("missing") | pl.col("formula")).then(pl.lit(None, pl.Int64))
        .when(integer_ok).then(pl.col("integer").cast(pl.Int64, strict=False))
        .when(float_ok).then(pl.col("float").cast(pl.Int64, strict=False))
    )
    result = frame.select(value.alias("value"), check.alias("check"))
    return result["value"], result["check"]


# ---------------------------------------------------------------------------------------------
# Normalisation


@dataclass
class Normalized:
    """Candidate figures (schema columns minus the stamped ones, plus ``input_row`` and
    ``origin``) and quarantine candidates (``empty_quarantine()``'s columns, text)."""

    figures: pl.DataFrame
    quarantine: pl.DataFrame


CANDIDATE_COLUMNS = tuple(c for c in COLUMNS if c not in STAMPED)

REASONS = {
    "formula-cell": "a formula-like cell is not a count",
    "implausible-value": "too many digits to be a count of people",
    "non-integer-value": "a count of people must be a whole number",
    "unparseable-number": "not a number",
    "unknown-country": "no ISO 3166-1 country matches",
    "unparseable-date": "not a date humstats can read (give [dates] formats in a mapping)",
    "missing-date": "no reference date (map a date column or set constants.period)",
    "missing-published-date": "no publication date (pass --published or set a constant)",
    "missing-publisher": "no publisher (pass --publisher or set constants.publisher)",
    "unknown-indicator": "not an indicator humstats knows",
    "unknown-qualifier": "not a qualifier (map it under [qualifiers])",
    "missing-value": "the row holds no figure in any figure column",
}


def normalize_table(table: Table, meta: SourceMeta, mapping: Mapping | None = None) -> Normalized:
    """Turn a table into candidate figures and quarantine candidates.

    One figure per non-empty cell of each figure column. ``meta`` (command-line flags) wins
    over the table's own publisher/url/date columns, which win over the mapping's constants.
    Raises ``InputError`` when the table has no figure columns or lacks a column the mapping
    names: no row could be read, so there is nothing to quarantine.
    """
    effective = mapping or Mapping()
    if table.hxl:
        effective = effective.merged_over(mapping_from_hxl(table.hxl))
    if not effective.figures:
        raise InputError(
            table.path,
            "no figure columns: the table has no HXL indicator hashtags (#affected+killed, "
            "#inneed, ...) and no mapping names any; pass --mapping FILE",
        )
    missing = [c for c in effective.referenced() if c not in table.frame.columns]
    if missing:
        raise InputError(
            table.path,
            f"missing column {', '.join(map(repr, missing))} named by the "
            f"{'mapping' if mapping else 'hashtags'}; the table has "
            f"{', '.join(map(repr, table.frame.columns[:20]))}",
        )
    return _Normalizer(table, meta, effective).run()


DATE_ROLES = ("date", "period_start", "period_end", "published_date")


class _Normalizer:
    """One table's normalisation: row fields once per row, then one cell per figure."""

    def __init__(self, table: Table, meta: SourceMeta, mapping: Mapping) -> None:
        self.table, self.meta, self.mapping = table, meta, mapping
        frame = table.frame.with_row_index("__row", offset=table.first_row).with_columns(
            pl.col("__row").cast(pl.Int64)
        )
        filled = frame.select(pl.any_horizontal(pl.col(table.frame.columns).is_not_null()))
        # blank rows carry nothing; filtering copies every column, so only when there are any
        self.frame = frame if filled.to_series().all() else frame.filter(filled.to_series())
        self._distinct: dict[str, list[str | None]] = {}

    def run(self) -> Normalized:
        rows = self._with_dates(self.frame.with_columns(self._row_fields()))
        # one figure column at a time: every frame then shares the rows' chunks, where one
        # concatenated frame of all cells would be copied whole when columns are attached
        parts = [self._figures_of(rows, figure) for figure in self.mapping.figures]
        good = pl.concat([g for g, _ in parts], how="vertical", rechunk=False)
        bad = pl.concat([b for _, b in parts], how="vertical_relaxed", rechunk=False)
        return Normalized(figures=good, quarantine=self._quarantine(bad, self._empty(rows)))

    def _figures_of(self, rows: pl.DataFrame, figure: FigureColumn) -> tuple[pl.DataFrame, ...]:
        """Candidates and quarantined cells of one figure column."""
        cells = rows.select(self._cell_fields(figure))
        present = ~is_missing(cells["__raw"])
        if not present.all():
            cells = cells.filter(present)
        for source, out, column in (("__raw", "value", figure.column),
                                    ("__low_raw", "value_low", figure.low),
                                    ("__high_raw", "value_high", figure.high)):
            if column:
                value, check = parse_counts(cells[source], self.mapping.decimal)
                cells = cells.with_columns(value.alias(out), check.alias(f"{out}_check"))
            else:
                cells = cells.with_columns(pl.lit(None, pl.Int64).alias(out),
                                           pl.lit(None, pl.String).alias(f"{out}_check"))
        conditions = self._checks()
        bad = pl.any_horizontal([condition for condition, *_ in conditions])
        extras = {
            "span_start": pl.col("input_row"),
            "span_end": pl.col("input_row"),
            "method": pl.lit(self.mapping.method),
            "confidence": pl.lit(1.0),
        }
        final = [
            (extras[name] if name in extras else pl.col(name)).cast(DTYPES[name]).alias(name)
            for name in CANDIDATE_COLUMNS
        ]
        origin = [pl.col(name).cast(dtype) for name, dtype in ORIGIN_COLUMNS.items()]
        bad_rows = cells.select(bad.alias("bad")).to_series()
        good = cells.select(*final, *origin)
        if bad_rows.any():
            good = good.filter(~bad_rows)
        check, column, failing = (pl.lit(None, pl.String),) * 3
        for condition, name, where, raw in reversed(conditions):
            check = pl.when(condition).then(name).otherwise(check)
            column = pl.when(condition).then(where).otherwise(column)
            failing = pl.when(condition).then(raw).otherwise(failing)
        quarantined = cells.filter(bad_rows).select(
            check.alias("check"), column.alias("column"), failing.alias("failing_value"),
            "input_row", *final,
        )
        return good, quarantined

    # -- helpers over distinct values ---------------------------------------------------

    def _values(self, column: str) -> list[str | None]:
        if column not in self._distinct:
            self._distinct[column] = self.frame[column].unique().to_list()
        return self._distinct[column]

    def _label(self, column: str) -> pl.Expr:
        """The column, stripped of padding ("Green     ") only when some value has any."""
        if all(v is None or (v == v.strip() and v) for v in self._values(column)):
            return pl.col(column)
        stripped = pl.col(column).str.strip_chars()
        return pl.when(stripped != "").then(stripped)

    def _lookup(self, column: str, resolve: Any) -> pl.Expr:
        """``resolve`` applied to each distinct (stripped) value once, then mapped back."""
        lookup = {v: resolve(v.strip()) for v in self._values(column) if v is not None}
        if all(key == value for key, value in lookup.items()):
            return pl.col(column)
        return pl.col(column).replace_strict(lookup, default=None, return_dtype=pl.String)

    # -- row-level fields -------------------------------------------------------------------

    def _row_fields(self) -> list[pl.Expr]:
        m, c = self.mapping, self.mapping.constants
        fields: list[pl.Expr] = []
        if m.country:
            resolved = [self._lookup(col, country_iso3) for col in m.country]
            texts = [self._label(col) for col in m.country]
            fields.append((pl.coalesce(resolved) if len(resolved) > 1 else resolved[0])
                          .alias("country_iso3"))
            fields.append((pl.coalesce(texts) if len(texts) > 1 else texts[0])
                          .alias("__country_text"))
            fields.append(pl.coalesce([pl.when(text.is_not_null()).then(pl.lit(col))
                                       for text, col in zip(texts, m.country, strict=True)])
                          .alias("__country_column"))
        else:
            fields.append(pl.lit(c.get("country"), pl.String).alias("country_iso3"))
            fields.append(pl.lit(None, pl.String).alias("__country_text"))
            fields.append(pl.lit(None, pl.String).alias("__country_column"))
            texts = []
        names = [self._label(p.name) for p in m.places]
        country_level = not names and "location_name" not in c
        if country_level:
            # no place below the country: the figure is about the country, named as written
            # (the hashtags list #country+code columns before #country+name ones)
            location = pl.coalesce(*reversed(texts), pl.lit(None, pl.String))
        elif not names:
            location = pl.lit(c.get("location_name"), pl.String)
        else:
            location = pl.coalesce(names) if len(names) > 1 else names[0]
        fields.append(location.alias("location_name"))
        level = pl.lit(c.get("admin_level", 0 if country_level else None), pl.Int8)
        pcode = pl.lit(None, pl.String)
        for place, name in zip(reversed(m.places), reversed(names), strict=True):
            if place.admin_level is None and place.pcode is None and len(m.places) == 1:
                continue
            present = name.is_not_null()
            level = pl.when(present).then(pl.lit(place.admin_level, pl.Int8)).otherwise(level)
            code = self._label(place.pcode) if place.pcode else pl.lit(None, pl.String)
            pcode = pl.when(present).then(code).otherwise(pcode)
        if "admin_level" in m.columns:
            level = self._label(m.columns["admin_level"]).cast(pl.Int8, strict=False)
        if "pcode" in m.columns:
            pcode = self._label(m.columns["pcode"])
        fields += [level.alias("admin_level"), pcode.alias("pcode")]
        # "Zamzam Camp, Al Fasher, North Darfur", once each ("Chittagong Division" may be
        # both the place and its admin1)
        place = (pl.concat_list(names).list.drop_nulls().list.unique(maintain_order=True)
                 .list.join(", ") if len(names) > 1 else location)
        if len(m.places) == 1 and self.frame[m.places[0].name].null_count() == 0:
            fields.append(place.alias("__place_text"))
        else:
            # names before codes: the hashtags list #country+code columns first
            fields.append(pl.coalesce(pl.when(place != "").then(place),
                                      *(reversed(texts) if m.country else ()),
                                      pl.lit(c.get("country"), pl.String), pl.lit("?"))
                          .alias("__place_text"))
        for name in ("publisher", "attributed_to", "source_url"):
            fields.append(self._provenance(name, getattr(self.meta, name), c.get(name)))
        if "indicator" in m.columns:
            column = m.columns["indicator"]
            fields += [self._lookup(column, _indicator_from_text).alias("__indicator"),
                       self._label(column).alias("__indicator_text")]
        if "qualifier" in m.columns:
            column = m.columns["qualifier"]
            words = {k: v.value for k, v in QUALIFIER_WORDS.items()} | m.qualifiers
            fields += [self._lookup(column, lambda v: words.get(v.lower())).alias("__qualifier"),
                       self._label(column).alias("__qualifier_text")]
        if "unit" in m.columns:
            fields.append(self._lookup(m.columns["unit"], _unit_from_text).alias("__unit"))
        if "measure" in m.columns:
            fields.append(self._lookup(m.columns["measure"], _measure_from_text)
                          .alias("__measure"))
        return fields

    def _provenance(self, name: str, flag: str | None, constant: Any) -> pl.Expr:
        """Flags (``meta``) win over the row's own column, which wins over a constant."""
        if flag is not None:
            return pl.lit(flag, pl.String).alias(name)
        column = self.mapping.columns.get(name)
        fallback = pl.lit(constant, pl.String)
        return (pl.coalesce(self._label(column), fallback) if column else fallback).alias(name)

    # -- dates ----------------------------------------------------------------------------

    def _with_dates(self, rows: pl.DataFrame) -> pl.DataFrame:
        m, c = self.mapping, self.mapping.constants
        for role in DATE_ROLES:
            column = m.columns.get(role)
            if column is None:
                rows = rows.with_columns(
                    pl.lit(None, pl.Date).alias(f"__{role}_start"),
                    pl.lit(None, pl.Date).alias(f"__{role}_end"),
                    pl.lit(None, pl.String).alias(f"__{role}_precision"),
                )
                continue
            rows = rows.with_columns(self._label(column).alias(f"__{role}_text"))
            if self._iso_days(column):
                day = pl.col(column).str.to_date("%Y-%m-%d", strict=False)
                rows = rows.with_columns(
                    day.alias(f"__{role}_start"), day.alias(f"__{role}_end"),
                    pl.lit(DatePrecision.DAY.value).alias(f"__{role}_precision"),
                )
            else:
                table = _date_table(self._values(column), m).rename(
                    {"__text": column, "__start": f"__{role}_start", "__end": f"__{role}_end",
                     "__precision": f"__{role}_precision"}
                )
                rows = rows.join(table, on=column, how="left", maintain_order="left")
            rows = rows.with_columns(
                (~is_missing(pl.col(f"__{role}_text")) & pl.col(f"__{role}_start").is_null())
                .alias(f"__{role}_bad")
            )
        constant = c.get("period")
        start = pl.coalesce("__period_start_start", "__date_start",
                            pl.lit(constant and constant[0], pl.Date))
        end = pl.coalesce(
            pl.when(pl.col("__period_start_start").is_not_null())
            .then(pl.coalesce("__period_end_end", "__period_start_end")),
            "__date_end", pl.lit(constant and constant[1], pl.Date),
        )
        precision = pl.coalesce(
            pl.when(pl.col("__period_start_precision") == DatePrecision.DAY.value)
            .then(_span_precision(start, end)).otherwise(pl.col("__period_start_precision")),
            "__date_precision", pl.lit(constant and constant[2], pl.String),
        )
        published = pl.coalesce(
            pl.lit(self.meta.published_date, pl.Date), "__published_date_start",
            pl.lit(c.get("published_date"), pl.Date),
        )
        rows = rows.with_columns(
            start.alias("period_start"), end.alias("period_end"),
            precision.alias("date_precision"), published.alias("published_date"),
        )
        if "date_precision" in m.columns:
            rows = self._widen(rows, self._label(m.columns["date_precision"]))
        return rows

    def _iso_days(self, column: str) -> bool:
        """Whether every value is a plain YYYY-MM-DD date: then polars parses the column
        directly, which is cheaper than joining back a table of distinct values."""
        return all(v is None or (len(v) == 10 and _DAY.match(v)) for v in self._values(column))

    def _widen(self, rows: pl.DataFrame, stated_text: pl.Expr) -> pl.DataFrame:
        """A row whose precision column says "month" (ACLED's time_precision 3) covers the
        whole month around its date, not the day written."""
        stated = stated_text.str.to_lowercase().replace_strict(
            self.mapping.precisions, default=None, return_dtype=pl.String
        )
        start, end = pl.col("period_start"), pl.col("period_end")
        widened = {
            DatePrecision.WEEK.value: (start.dt.truncate("1w"),
                                       start.dt.truncate("1w").dt.offset_by("6d")),
            DatePrecision.MONTH.value: (start.dt.month_start(), start.dt.month_end()),
            DatePrecision.YEAR.value: (start.dt.truncate("1y"),
                                       start.dt.truncate("1y").dt.offset_by("1y")
                                       .dt.offset_by("-1d")),
        }
        new_start, new_end, new_precision = start, end, pl.col("date_precision")
        for precision, (wide_start, wide_end) in widened.items():
            chosen = stated == precision
            # an event reported on the 26th happened by the 26th, not by the month's end
            wide_end = pl.min_horizontal(wide_end, pl.col("published_date"))
            new_start = pl.when(chosen).then(wide_start).otherwise(new_start)
            new_end = pl.when(chosen).then(wide_end).otherwise(new_end)
            new_precision = pl.when(chosen).then(pl.lit(precision)).otherwise(new_precision)
        return rows.with_columns(new_start.alias("period_start"), new_end.alias("period_end"),
                                 new_precision.alias("date_precision"))

    # -- figure cells ---------------------------------------------------------------------

    def _cell_fields(self, figure: FigureColumn) -> list[pl.Expr]:
        m, c = self.mapping, self.mapping.constants
        indicator = (pl.lit(figure.indicator, pl.String) if figure.indicator
                     else pl.col("__indicator"))
        measure = figure.measure or c.get("measure")
        if measure:
            measure_expr = pl.lit(measure, pl.String)
        elif "measure" in m.columns:
            measure_expr = pl.coalesce(pl.col("__measure"), _default_measure(indicator))
        else:
            measure_expr = _default_measure(indicator)
        unit = pl.lit(figure.unit or c.get("unit") or Unit.PEOPLE.value, pl.String)
        if "unit" in m.columns and not figure.unit:
            unit = pl.coalesce(pl.col("__unit"), unit)
        qualifier = pl.lit(figure.qualifier or c.get("qualifier") or Qualifier.EXACT.value,
                           pl.String)
        from_column = "qualifier" in m.columns and not figure.qualifier
        if from_column:
            qualifier = pl.when(pl.col("__qualifier_text").is_null()).then(qualifier).otherwise(
                pl.col("__qualifier"))
        start, end, precision = pl.col("period_start"), pl.col("period_end"), pl.col(
            "date_precision")
        if not self._dated_roles() and "period" not in c:
            # a stock with no date of its own is stated as of its publication
            as_published = measure_expr == Measure.STOCK.value
            start = end = pl.when(as_published).then(pl.col("published_date"))
            precision = pl.when(as_published).then(pl.lit(DatePrecision.DAY.value))
        attributed = pl.col("attributed_to")
        if figure.attributed_to and self.meta.attributed_to is None:
            attributed = pl.lit(figure.attributed_to, pl.String)
        none = pl.lit(None, pl.String)
        return [
            pl.col("__row").alias("input_row"),
            pl.lit(figure.column).alias("origin"),
            pl.col(figure.column).alias("__raw"),
            self._quote(figure).alias("quote"),
            pl.lit(figure.low, pl.String).alias("__low_col"),
            (pl.col(figure.low) if figure.low else none).alias("__low_raw"),
            pl.lit(figure.high, pl.String).alias("__high_col"),
            (pl.col(figure.high) if figure.high else none).alias("__high_raw"),
            indicator.alias("indicator"),
            (pl.col("__indicator_text") if not figure.indicator else none)
            .alias("__indicator_text"),
            measure_expr.alias("measure"),
            unit.alias("unit"),
            qualifier.alias("qualifier"),
            (pl.col("__qualifier_text") if from_column else none).alias("__qualifier_text"),
            attributed.alias("attributed_to"),
            "country_iso3", "__country_text", "__country_column", "location_name",
            "admin_level", "pcode",
            "publisher", "source_url", "__place_text", start.alias("period_start"),
            end.alias("period_end"), precision.alias("date_precision"), "published_date",
            *(pl.col(f"__{role}_{part}") for role in self._dated_roles()
              for part in ("bad", "text")),
        ]

    def _dated_roles(self) -> list[str]:
        return [role for role in DATE_ROLES if role in self.mapping.columns]

    # -- checks, quote, quarantine --------------------------------------------------------

    def _checks(self) -> list[tuple[pl.Expr, pl.Expr, pl.Expr, pl.Expr]]:
        """(condition, check name, column, failing value), most telling problem first.

        Only checks that can fail for this mapping are listed: each one is a pass over every
        cell, and a constant publisher or indicator cannot be missing on some rows only.
        """
        m, c, meta = self.mapping, self.mapping.constants, self.meta
        checks = [
            (pl.col(f"{out}_check").is_not_null(), pl.col(f"{out}_check"), column, raw)
            for out, column, raw, used in (
                ("value", pl.col("origin"), pl.col("__raw"), True),
                ("value_low", pl.col("__low_col"), pl.col("__low_raw"),
                 any(f.low for f in m.figures)),
                ("value_high", pl.col("__high_col"), pl.col("__high_raw"),
                 any(f.high for f in m.figures)),
            )
            if used
        ]
        if m.country or c.get("country") is None:
            checks.append((pl.col("country_iso3").is_null(), pl.lit("unknown-country"),
                           pl.col("__country_column"), pl.col("__country_text")))
        for role in self._dated_roles():
            column = m.columns[role]
            checks.append((pl.col(f"__{role}_bad"), pl.lit("unparseable-date"), _name(column),
                           pl.col(f"__{role}_text")))
        if "period" not in c:
            checks.append((pl.col("period_start").is_null(), pl.lit("missing-date"),
                           _name(m.columns.get("date")), pl.lit(None, pl.String)))
        if meta.published_date is None and (
            "published_date" in m.columns or "published_date" not in c
        ):
            checks.append((pl.col("published_date").is_null(), pl.lit("missing-published-date"),
                           _name(m.columns.get("published_date")), pl.lit(None, pl.String)))
        if "indicator" in m.columns and not all(f.indicator for f in m.figures):
            checks.append((pl.col("indicator").is_null(), pl.lit("unknown-indicator"),
                           _name(m.columns["indicator"]), pl.col("__indicator_text")))
        if "qualifier" in m.columns:
            checks.append((pl.col("qualifier").is_null(), pl.lit("unknown-qualifier"),
                           _name(m.columns["qualifier"]), pl.col("__qualifier_text")))
        if meta.publisher is None and ("publisher" in m.columns or not c.get("publisher")):
            checks.append((pl.col("publisher").is_null(), pl.lit("missing-publisher"),
                           _name(m.columns.get("publisher")), pl.lit(None, pl.String)))
        return checks

    def _quote(self, figure: FigureColumn) -> pl.Expr:
        """"Zamzam Camp, Al Fasher, North Darfur: IND 243946 (IOM DTM, 2021-05-18)".

        Built as one ``pl.format`` per figure column with the column name and a constant
        publisher written into the template: a quote is made for every cell, so each part
        that need not be a column is one pass fewer.
        """
        texts = [pl.col(f"__{role}_text") for role in ("period_start", "date")
                 if role in self.mapping.columns]
        # the date as written; casting dates back to text would cost a pass over every cell
        when = (pl.coalesce(*texts) if len(texts) > 1 else texts[0]) if texts else (
            pl.col("period_start").cast(pl.String))
        publisher = self.meta.publisher
        if publisher is None and "publisher" not in self.mapping.columns:
            publisher = self.mapping.constants.get("publisher")
        record = self.mapping.columns.get("record_id")
        parts: list[str | pl.Expr] = [
            pl.col("__place_text"), f": {figure.column} ", pl.col(figure.column), " (",
            publisher if publisher is not None else pl.col("publisher").fill_null("?"),
            *((" ", pl.col(record).fill_null("?")) if record else ()),
            ", ", when.fill_null("?"), ")",
        ]
        template = "".join(
            part.replace("{", "{{").replace("}", "}}") if isinstance(part, str) else "{}"
            for part in parts
        )
        return pl.format(template, *(part for part in parts if not isinstance(part, str)))

    def _empty(self, rows: pl.DataFrame) -> pl.DataFrame:
        """Rows with data but no figure in any figure column: quarantined, never dropped."""
        missing = [is_missing(pl.col(f.column)) for f in self.mapping.figures]
        return rows.filter(pl.all_horizontal(missing)).select(
            pl.lit("missing-value").alias("check"),
            pl.lit(", ".join(f.column for f in self.mapping.figures)).alias("column"),
            pl.lit(None, pl.String).alias("failing_value"),
            pl.col("__row").alias("input_row"),
        )

    def _quarantine(self, bad: pl.DataFrame, blank: pl.DataFrame) -> pl.DataFrame:
        text_columns = {**QUARANTINE_EXTRA, **dict.fromkeys(COLUMNS, pl.String())}
        bad = bad.with_columns(pl.col(c).cast(pl.String) for c in CANDIDATE_COLUMNS)
        rows = pl.concat([bad, blank], how="diagonal_relaxed")
        if rows.height == 0:
            return pl.DataFrame(schema=text_columns)
        original = self.frame.join(
            rows.select(pl.col("input_row").alias("__row")).unique(), on="__row", how="semi"
        )
        raw = original.select(
            pl.col("__row").alias("input_row"),
            pl.struct(pl.col(self.table.frame.columns)).struct.json_encode().alias("raw"),
        )
        rows = rows.join(raw, on="input_row", how="left").with_columns(
            pl.concat_str(
                [pl.col("check"), pl.lit(": "),
                 pl.col("check").replace_strict(REASONS, default=""),
                 pl.when(pl.col("failing_value").is_not_null())
                 .then(pl.format(" ({})", pl.col("failing_value").str.slice(0, 80))),
                 pl.when(pl.col("column").is_not_null())
                 .then(pl.format(" in column {}", pl.col("column"))),
                 pl.format(" at row {}", pl.col("input_row"))],
                ignore_nulls=True,
            ).alias("reason")
        )
        return rows.select(
            (pl.col(c) if c in rows.columns else pl.lit(None)).cast(dtype).alias(c)
            for c, dtype in text_columns.items()
        ).sort("input_row", maintain_order=True)


def _span_precision(start: pl.Expr, end: pl.Expr) -> pl.Expr:
    """The precision a start..end pair of exact days amounts to: a whole calendar month or
    year ("1991-01-01".."1991-12-31") is that month or year; any other span is days."""
    whole_month = (start == start.dt.month_start()) & (end == start.dt.month_end())
    whole_year = whole_month.not_() & (start.dt.ordinal_day() == 1) & (
        end == start.dt.truncate("1y").dt.offset_by("1y").dt.offset_by("-1d"))
    week = (start.dt.weekday() == 1) & (end == start.dt.offset_by("6d"))
    return (pl.when(start == end).then(pl.lit(DatePrecision.DAY.value))
            .when(whole_month).then(pl.lit(DatePrecision.MONTH.value))
            .when(whole_year).then(pl.lit(DatePrecision.YEAR.value))
            .when(week).then(pl.lit(DatePrecision.WEEK.value))
            .otherwise(pl.lit(DatePrecision.DAY.value)))


def _name(column: str | None) -> pl.Expr:
    return pl.lit(column, pl.String)


def _default_measure(indicator: pl.Expr) -> pl.Expr:
    flows = [i.value for i in FLOW_BY_DEFAULT]
    return (pl.when(indicator.is_in(flows)).then(pl.lit(Measure.FLOW.value))
            .otherwise(pl.lit(Measure.STOCK.value)))


def _unit_from_text(text: str) -> str | None:
    folded = text.lower()
    if folded in HOUSEHOLD_ATTRIBUTES:
        return Unit.HOUSEHOLDS.value
    return Unit.PEOPLE.value if folded in PEOPLE_ATTRIBUTES | {"person", "persons"} else None


def _measure_from_text(text: str) -> str | None:
    folded = text.lower()
    if folded in STOCK_ATTRIBUTES or folded == Measure.STOCK.value:
        return Measure.STOCK.value
    return Measure.FLOW.value if folded in FLOW_ATTRIBUTES else None


def _indicator_from_text(text: str) -> str | None:
    folded = text.strip().lower()
    values = {i.value for i in Indicator}
    for candidate in (folded, folded.replace(" ", "_").replace("-", "_")):
        if candidate in values:
            return candidate
    if folded.startswith("#"):
        found = indicator_of(parse_hashtag(folded))
        return found[0].value if found else None
    word = INDICATOR_WORDS.get(folded)
    return word.value if word else None
