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
    "indicator", "measure",
)
"""Figure fields a mapping's [columns] may fill from one column each (besides places and
countries, which take a list of columns, most specific or most reliable first)."""

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
            places=self.places or tuple(p for p in base.places if keep(p.name)),
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
        parsed = _period_of(str(period), (), None) if not isinstance(period, dt.date) else (
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
        figures.append(FigureColumn(**{k: _string(v, where, f"{key}.{k}") for k, v in entry.items()}))

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
    codes: dict[int, str] = {}
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
        elif tag.tag == "meta" and "url" in tag.attributes:
            columns.setdefault("source_url", column)
        elif tag.tag == "meta" and "source" in tag.attributes:
            columns.setdefault("attributed_to", column)
        elif tag.tag == "org" and not columns.get("attributed_to"):
            columns["attributed_to"] = column
    if "period_start" in columns:
        columns.pop("date", None)
    figure_columns = []
    for key, figure in figures.items():
        found_bounds = bounds.get((key[0], key[2]), {})
        figure_columns.append(
            replace(figure, low=found_bounds.get("low"), high=found_bounds.get("high"))
        )
    places = [Place(names[None])] if None in names else []
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


def _period_of(
    text: str, formats: tuple[str, ...], timezone: str | None, day_first: bool | None = None
) -> tuple[dt.date, dt.date, str] | None:
    """(start, end, precision) of a date cell, or None when it is not a date we can read."""
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


def _date_table(values: pl.Series, mapping: Mapping) -> pl.DataFrame:
    """Distinct date texts -> start, end, precision (nulls where unreadable)."""
    texts = values.drop_nulls().unique().to_list()
    day_first = _day_first(texts)
    parsed = [_period_of(text, mapping.date_formats, mapping.timezone, day_first)
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


def parse_counts(frame: pl.LazyFrame, source: str, out: str, decimal: str = ".") -> pl.LazyFrame:
    """Add ``out`` (Int64 count), ``out_check`` (null, or why the cell is not a count) and
    ``out_missing`` (no value at all) for the stripped text column ``source``.

    "12,500", "12 500", "12'500" and "243946.0" are counts; "12.500" too when ``decimal`` is
    ",", or when dots group thousands unambiguously ("12.500.000"). Formula-like cells
    (``=HYPERLINK(...)``, ``@SUM``, ``+cmd``) are refused, so a spreadsheet never runs them
    when the quarantine is opened. Negative counts parse: the schema's ``negative-value``
    check quarantines them, in one place for every producer.

    Plain integers take a native cast; only the cells that fail it go through the cleaning
    expressions, which keeps a million-row column fast.
    """
    text = pl.col(source)
    frame = frame.with_columns(text.cast(pl.Int64, strict=False).alias(out))
    fast = frame.filter(pl.col(out).is_not_null() | text.is_null()).with_columns(
        pl.lit(None, pl.String).alias(f"{out}_check"), text.is_null().alias(f"{out}_missing")
    )
    slow = frame.filter(pl.col(out).is_null() & text.is_not_null())
    grouped_dots = text.str.contains(r"^-?\d{1,3}(?:\.\d{3}){2,}$")
    if decimal == ",":
        cleaned = text.str.replace_all(r"[\s\u00a0\u202f\u2009'’_.]", "").str.replace(",", ".")
    else:
        cleaned = (
            pl.when(grouped_dots)
            .then(text.str.replace_all(r"\.", ""))
            .otherwise(text.str.replace_all(r"[\s\u00a0\u202f\u2009'’_,]", ""))
        )
    slow = slow.with_columns(
        is_missing(text).alias("__missing"),
        text.str.contains(r"^(?:[=@]|[+\-]\s*[^\d\s.,])").alias("__formula"),
        cleaned.alias("__cleaned"),
    ).with_columns(
        pl.col("__cleaned").str.extract(r"^(-?\d+)(?:\.0*)?$", 1).alias("__integer"),
        pl.col("__cleaned").str.contains(r"^-?\d+(?:\.\d+)?[eE]\+?\d+$").alias("__scientific"),
        pl.col("__cleaned").cast(pl.Float64, strict=False).alias("__float"),
    ).with_columns(
        pl.col("__integer").str.strip_chars_start("-").str.strip_chars_start("0")
        .str.len_chars().alias("__digits"),
    )
    integer_ok = pl.col("__integer").is_not_null() & (pl.col("__digits") <= MAX_DIGITS)
    float_ok = (pl.col("__scientific") & (pl.col("__float").abs() < 1e18)
                & (pl.col("__float") == pl.col("__float").floor()))
    too_long = ((pl.col("__integer").is_not_null() & (pl.col("__digits") > MAX_DIGITS))
                | (pl.col("__scientific") & ~float_ok))
    check = (
        pl.when(pl.col("__missing")).then(pl.lit(None, pl.String))
        .when(pl.col("__formula")).then(pl.lit("formula-cell"))
        .when(too_long).then(pl.lit("implausible-value"))
        .when(integer_ok | float_ok).then(pl.lit(None, pl.String))
        .when(pl.col("__cleaned").str.contains(r"^-?\d*\.\d+$")).then(pl.lit("non-integer-value"))
        .otherwise(pl.lit("unparseable-number"))
    )
    value = (
        pl.when(pl.col("__missing") | pl.col("__formula")).then(pl.lit(None, pl.Int64))
        .when(integer_ok).then(pl.col("__integer").cast(pl.Int64, strict=False))
        .when(float_ok).then(pl.col("__float").cast(pl.Int64, strict=False))
    )
    slow = slow.with_columns(
        value.alias(out), check.alias(f"{out}_check"), pl.col("__missing").alias(f"{out}_missing")
    ).drop("__missing", "__formula", "__cleaned", "__integer", "__scientific", "__float",
           "__digits")
    return pl.concat([fast, slow], how="vertical")


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


class _Normalizer:
    def __init__(self, table: Table, meta: SourceMeta, mapping: Mapping) -> None:
        self.table, self.meta, self.mapping = table, meta, mapping
        self.used = mapping.referenced()
        self.frame = (
            table.frame.lazy()
            .with_row_index("__row", offset=table.first_row)
            .with_columns(pl.col("__row").cast(pl.Int64))
            .filter(pl.any_horizontal(pl.col(table.frame.columns).is_not_null()))
        )
        self.problems: list[tuple[pl.Expr, str, str]] = []

    def run(self) -> Normalized:
        # Stages are collected one by one: each is a handful of vectorised passes, while one
        # lazy plan holding every figure column and every fast/slow number split grows too
        # large for the optimiser to plan quickly.
        strip = [
            pl.col(c).str.strip_chars().replace("", None).alias(f"__{c}") for c in self.used
        ]
        rows = self.frame.with_columns(strip).with_columns(self._row_fields()).collect()
        figures = pl.concat(
            [self._figure_cells(rows.lazy(), f).collect() for f in self.mapping.figures],
            how="vertical_relaxed",
        )
        for source, out in (("__raw", "__value"), ("__low_raw", "__low"),
                            ("__high_raw", "__high")):
            figures = parse_counts(figures.lazy(), source, out, self.mapping.decimal).collect()
        good, bad = self._split(figures.lazy())
        good, bad, blank = pl.collect_all([good, bad, self._empty_rows(rows.lazy())])
        return Normalized(figures=good, quarantine=self._quarantine(bad, blank))

    # -- row-level fields -------------------------------------------------------------------

    def _src(self, column: str | None) -> pl.Expr | None:
        return pl.col(f"__{column}") if column else None

    def _row_fields(self) -> list[pl.Expr]:
        m, c = self.mapping, self.mapping.constants
        fields: list[pl.Expr] = []
        # country: the first mapped column that resolves; the first non-empty text is kept
        # for the quarantine reason
        if m.country:
            resolved = [self._country(col) for col in m.country]
            fields.append(pl.coalesce(resolved).alias("country_iso3"))
            fields.append(pl.coalesce([self._src(col) for col in m.country]).alias("__country_text"))
        else:
            fields.append(pl.lit(c.get("country"), pl.String).alias("country_iso3"))
            fields.append(pl.lit(None, pl.String).alias("__country_text"))
        # place: the most specific name present, its level and p-code
        names = [self._src(p.name) for p in m.places]
        location = pl.coalesce(names) if names else pl.lit(c.get("location_name"), pl.String)
        fields.append(location.alias("location_name"))
        level = pl.lit(c.get("admin_level"), pl.Int8)
        pcode = pl.lit(None, pl.String)
        for place in reversed(m.places):
            present = self._src(place.name).is_not_null()
            level = pl.when(present).then(pl.lit(place.admin_level, pl.Int8)).otherwise(level)
            code = self._src(place.pcode) if place.pcode else pl.lit(None, pl.String)
            pcode = pl.when(present).then(code).otherwise(pcode)
        if "admin_level" in m.columns:
            level = self._src(m.columns["admin_level"]).cast(pl.Int8, strict=False)
        if "pcode" in m.columns:
            pcode = self._src(m.columns["pcode"])
        fields += [level.alias("admin_level"), pcode.alias("pcode")]
        place_text = pl.concat_str(names or [location], separator=", ", ignore_nulls=True)
        fields.append(pl.when(place_text != "").then(place_text).alias("__place_text"))
        # provenance: flags, then the row's own columns, then the mapping's constants
        for name in ("publisher", "attributed_to", "source_url"):
            fields.append(self._provenance(name, getattr(self.meta, name), c.get(name)))
        return fields

    def _provenance(self, name: str, flag: str | None, constant: Any) -> pl.Expr:
        if flag is not None:
            return pl.lit(flag, pl.String).alias(name)
        own = self._src(self.mapping.columns.get(name))
        fallback = pl.lit(constant, pl.String)
        return (pl.coalesce(own, fallback) if own is not None else fallback).alias(name)

    def _country(self, column: str) -> pl.Expr:
        values = self.table.frame[column].str.strip_chars().drop_nulls().unique()
        lookup = {value: country_iso3(value) for value in values.to_list()}
        return self._src(column).replace_strict(lookup, default=None, return_dtype=pl.String)

    # -- figure cells ---------------------------------------------------------------------

    def _figure_cells(self, rows: pl.LazyFrame, figure: FigureColumn) -> pl.LazyFrame:
        m, c = self.mapping, self.mapping.constants
        src = self._src
        indicator = (
            pl.lit(figure.indicator, pl.String) if figure.indicator
            else self._indicator(m.columns["indicator"])
        )
        measure = pl.lit(figure.measure or c.get("measure"), pl.String)
        if "measure" in m.columns and not figure.measure:
            measure = pl.coalesce(src(m.columns["measure"]).str.to_lowercase(), measure)
        measure = pl.coalesce(
            measure,
            pl.when(indicator.is_in([i.value for i in FLOW_BY_DEFAULT]))
            .then(pl.lit(Measure.FLOW.value)).otherwise(pl.lit(Measure.STOCK.value)),
        )
        unit = pl.lit(figure.unit or c.get("unit") or Unit.PEOPLE.value, pl.String)
        if "unit" in m.columns and not figure.unit:
            unit = pl.coalesce(self._unit(m.columns["unit"]), unit)
        qualifier = pl.lit(figure.qualifier or c.get("qualifier") or Qualifier.EXACT.value)
        qualifier_text = pl.lit(None, pl.String)
        if "qualifier" in m.columns and not figure.qualifier:
            qualifier_text = src(m.columns["qualifier"])
            qualifier = pl.coalesce(self._qualifier(m.columns["qualifier"]), qualifier)
        parts = [
            pl.col("__row").alias("input_row"),
            pl.lit(figure.column).alias("origin"),
            pl.col(f"__{figure.column}").alias("__raw"),
            indicator.alias("indicator"),
            self._text_of("indicator").alias("__indicator_text"),
            measure.alias("measure"),
            unit.alias("unit"),
            qualifier.alias("qualifier"),
            qualifier_text.alias("__qualifier_text"),
        ]
        for bound, column in (("low", figure.low), ("high", figure.high)):
            parts += [pl.lit(column, pl.String).alias(f"__{bound}_col"),
                      (src(column) if column else pl.lit(None, pl.String)).alias(f"__{bound}_raw")]
        attributed = (pl.lit(figure.attributed_to, pl.String) if figure.attributed_to
                      and self.meta.attributed_to is None else pl.col("attributed_to"))
        parts.append(attributed.alias("attributed_to"))
        keep = [
            "country_iso3", "__country_text", "location_name", "admin_level", "pcode",
            "publisher", "source_url", "__place_text",
        ]
        cells = rows.select(*parts, *keep, *self._date_sources())
        return cells.filter(~is_missing(pl.col("__raw")))

    def _indicator(self, column: str) -> pl.Expr:
        values = self.table.frame[column].str.strip_chars().drop_nulls().unique().to_list()
        lookup = {value: _indicator_from_text(value) for value in values}
        return self._src(column).replace_strict(lookup, default=None, return_dtype=pl.String)

    def _unit(self, column: str) -> pl.Expr:
        text = self._src(column).str.to_lowercase()
        return (pl.when(text.is_in(sorted(HOUSEHOLD_ATTRIBUTES))).then(pl.lit(Unit.HOUSEHOLDS.value))
                .when(text.is_not_null()).then(pl.lit(Unit.PEOPLE.value)))

    def _qualifier(self, column: str) -> pl.Expr:
        words = {k: v.value for k, v in QUALIFIER_WORDS.items()} | self.mapping.qualifiers
        return self._src(column).str.to_lowercase().replace_strict(
            words, default=None, return_dtype=pl.String
        )

    def _date_sources(self) -> list[pl.Expr]:
        columns = self.mapping.columns
        exprs = []
        for role in ("date", "period_start", "period_end", "published_date", "date_precision"):
            source = columns.get(role)
            exprs.append((self._src(source) if source else pl.lit(None, pl.String))
                         .alias(f"__{role}_text"))
        return exprs

    # -- dates, checks, split -------------------------------------------------------------

    def _with_dates(self, cells: pl.LazyFrame) -> pl.LazyFrame:
        m, c = self.mapping, self.mapping.constants
        for role in ("date", "period_start", "period_end", "published_date"):
            column = m.columns.get(role)
            if column is None:
                cells = cells.with_columns(
                    pl.lit(None, pl.Date).alias(f"__{role}_start"),
                    pl.lit(None, pl.Date).alias(f"__{role}_end"),
                    pl.lit(None, pl.String).alias(f"__{role}_precision"),
                )
                continue
            table = _date_table(self.table.frame[column].str.strip_chars(), m).lazy()
            cells = cells.join(
                table.rename({"__start": f"__{role}_start", "__end": f"__{role}_end",
                              "__precision": f"__{role}_precision"}),
                left_on=f"__{role}_text", right_on="__text", how="left",
            )
        constant = c.get("period")
        const_start = pl.lit(constant[0] if constant else None, pl.Date)
        const_end = pl.lit(constant[1] if constant else None, pl.Date)
        const_precision = pl.lit(constant[2] if constant else None, pl.String)
        start = pl.coalesce("__period_start_start", "__date_start", const_start)
        end = pl.coalesce(
            pl.when(pl.col("__period_start_start").is_not_null())
            .then(pl.coalesce("__period_end_end", "__period_start_end")),
            "__date_end", const_end,
        )
        precision = pl.coalesce("__period_start_precision", "__date_precision", const_precision)
        published = pl.coalesce(
            pl.lit(self.meta.published_date, pl.Date), "__published_date_start",
            pl.lit(c.get("published_date"), pl.Date),
        )
        # a stock with no date of its own is stated as of its publication
        as_published = (pl.col("measure") == Measure.STOCK.value) & start.is_null()
        cells = cells.with_columns(
            pl.when(as_published).then(published).otherwise(start).alias("period_start"),
            pl.when(as_published).then(published).otherwise(end).alias("period_end"),
            pl.when(as_published & published.is_not_null())
            .then(pl.lit(DatePrecision.DAY.value)).otherwise(precision).alias("date_precision"),
            published.alias("published_date"),
        )
        if "date_precision" in m.columns:
            cells = self._widen(cells)
        return cells

    def _widen(self, cells: pl.LazyFrame) -> pl.LazyFrame:
        """A row whose precision column says "month" (ACLED's time_precision 3) covers the
        whole month around its date, not the day written."""
        stated = pl.col("__date_precision_text").str.to_lowercase().replace_strict(
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
            new_start = pl.when(chosen).then(wide_start).otherwise(new_start)
            new_end = pl.when(chosen).then(wide_end).otherwise(new_end)
            new_precision = pl.when(chosen).then(pl.lit(precision)).otherwise(new_precision)
        return cells.with_columns(new_start.alias("period_start"), new_end.alias("period_end"),
                                  new_precision.alias("date_precision"))

    def _split(self, cells: pl.LazyFrame) -> tuple[pl.LazyFrame, pl.LazyFrame]:
        cells = self._with_dates(cells)
        checks: list[tuple[pl.Expr, str, pl.Expr, pl.Expr]] = [
            # (condition, check, column, failing value)
            *(
                (pl.col(f"__{part}_check").is_not_null(), pl.col(f"__{part}_check"), column, raw)
                for part, column, raw in (
                    ("value", pl.col("origin"), pl.col("__raw")),
                    ("low", pl.col("__low_col"), pl.col("__low_raw")),
                    ("high", pl.col("__high_col"), pl.col("__high_raw")),
                )
            ),
            (pl.col("country_iso3").is_null(), pl.lit("unknown-country"),
             self._column_lit("country", self.mapping.country[:1]), pl.col("__country_text")),
            *self._date_checks(),
            (pl.col("indicator").is_null(), pl.lit("unknown-indicator"),
             self._column_lit("indicator"), pl.col("__indicator_text")),
            (pl.col("qualifier").is_null(), pl.lit("unknown-qualifier"),
             self._column_lit("qualifier"), pl.col("__qualifier_text")),
            (pl.col("publisher").is_null(), pl.lit("missing-publisher"),
             self._column_lit("publisher"), pl.lit(None, pl.String)),
        ]
        check, column, failing = (pl.lit(None, pl.String),) * 3
        for condition, name, where, raw in reversed(checks):
            check = pl.when(condition).then(name).otherwise(check)
            column = pl.when(condition).then(where).otherwise(column)
            failing = pl.when(condition).then(raw).otherwise(failing)
        cells = cells.with_columns(
            pl.col("__value").alias("value"),
            pl.col("__low").alias("value_low"),
            pl.col("__high").alias("value_high"),
            check.alias("check"), column.alias("column"), failing.alias("failing_value"),
        ).with_columns(self._quote().alias("quote"))
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
        good = cells.filter(pl.col("check").is_null()).select(*final, *origin)
        bad = cells.filter(pl.col("check").is_not_null()).select(
            "check", "column", "failing_value", "input_row", *final
        )
        return good, bad

    def _column_lit(self, role: str, columns: tuple[str, ...] | None = None) -> pl.Expr:
        names = columns if columns is not None else (
            (self.mapping.columns[role],) if role in self.mapping.columns else ()
        )
        return pl.lit(names[0] if names else None, pl.String)

    def _text_of(self, role: str) -> pl.Expr:
        column = self.mapping.columns.get(role)
        return pl.col(f"__{column}") if column else pl.lit(None, pl.String)

    def _date_checks(self) -> list[tuple[pl.Expr, pl.Expr, pl.Expr, pl.Expr]]:
        checks = []
        for role in ("date", "period_start", "period_end", "published_date"):
            text = pl.col(f"__{role}_text")
            checks.append((text.is_not_null() & pl.col(f"__{role}_start").is_null(),
                           pl.lit("unparseable-date"), self._column_lit(role), text))
        checks.append((pl.col("period_start").is_null(), pl.lit("missing-date"),
                       self._column_lit("date"), pl.lit(None, pl.String)))
        checks.append((pl.col("published_date").is_null(), pl.lit("missing-published-date"),
                       self._column_lit("published_date"), pl.lit(None, pl.String)))
        return checks

    def _quote(self) -> pl.Expr:
        """"Zamzam Camp, Al Fasher, North Darfur: IND 243946 (IOM DTM, 2021-05-18)"."""
        place = pl.coalesce(
            pl.col("__place_text"), pl.col("__country_text"), pl.col("country_iso3"), pl.lit(""),
        )
        when = pl.coalesce(
            pl.col("__period_start_text"), pl.col("__date_text"),
            pl.col("period_start").cast(pl.String),
        )
        source = pl.concat_str([pl.col("publisher"), when], separator=", ", ignore_nulls=True)
        return pl.concat_str(
            [place, pl.lit(": "), pl.col("origin"), pl.lit(" "), pl.col("__raw"),
             pl.lit(" ("), source, pl.lit(")")],
            ignore_nulls=True,
        ).str.strip_chars_start(": ")

    def _empty_rows(self, rows: pl.LazyFrame) -> pl.LazyFrame:
        """Rows with data but no figure in any figure column: quarantined, never dropped."""
        missing = [is_missing(pl.col(f"__{f.column}")) for f in self.mapping.figures]
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
        original = (
            self.table.frame.with_row_index("input_row", offset=self.table.first_row)
            .with_columns(pl.col("input_row").cast(pl.Int64))
            .join(rows.select("input_row").unique(), on="input_row", how="semi")
        )
        raw = original.select(
            "input_row",
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
