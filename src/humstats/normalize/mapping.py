"""Mappings: which columns of a table hold figures, and what fills the other fields.

A mapping comes from a TOML file (see ``examples/mappings/``), from a table's HXL hashtags,
or both merged (the file wins field by field). Loading checks every key and value, so a typo
is a ``ConfigError`` naming the key rather than a silently empty field.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import tomllib
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from humstats.countries import country_iso3
from humstats.errors import ConfigError
from humstats.normalize.cells import parse_period
from humstats.periods import Period
from humstats.schema import DatePrecision, Indicator, Measure, Qualifier, Unit

log = logging.getLogger(__name__)

PEOPLE_ATTRIBUTES = frozenset({"ind", "individuals", "persons", "people", "num"})
"""Unit words meaning people, as cells of a unit column write them."""


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
    sex: str | None = None
    age: str | None = None
    cause: str | None = None
    group: str | None = None
    """Breakdowns of this column's figures ("origin=SDN;phase=3"); unset means a total."""
    projected: bool | None = None
    period_start: str | None = None
    period_end: str | None = None
    """Columns holding this column's own reference period, when a row carries several
    periods (IPC's current and projected periods side by side)."""
    period: Period | None = None
    """This column's constant period ("Oct-Dec 2022" in its header), when the table has none."""


@dataclass(frozen=True)
class Place:
    """One level of a row's place: the name column, its admin level and p-code column."""

    name: str
    admin_level: int | None = None
    pcode: str | None = None


FIELD_COLUMNS = (
    "admin_level",
    "pcode",
    "date",
    "period_start",
    "period_end",
    "date_precision",
    "published_date",
    "publisher",
    "attributed_to",
    "source_url",
    "qualifier",
    "unit",
    "indicator",
    "measure",
    "record_id",
    "year",
    "month",
    "day",
)
"""Figure fields a mapping's [columns] may fill from one column each (besides places and
countries, which take a list of columns, most specific or most reliable first).
``record_id`` names the column identifying a record (an event id): it goes into the quote, so
two events alike in every figure field still read as two statements of the source."""

ADMIN_KEYS = tuple(f"admin{n}{suffix}" for n in (1, 2, 3) for suffix in ("", "_pcode"))
"""[columns] keys naming a place column at an admin level, and its p-code column."""

LABELLED = (
    "publisher",
    "attributed_to",
    "country",
    "indicator",
    "date",
    "period_start",
    "period_end",
    "month",
    "sex",
    "age",
    "cause",
)
"""Fields whose cell texts a mapping may relabel under [labels.<field>] (breakdown keys of
[breakdowns] too): UNHCR's "CHI" -> "CHN", "Janv." -> "January", "Décès" -> "killed"."""

CONSTANTS = (
    "publisher",
    "published_date",
    "source_url",
    "attributed_to",
    "country",
    "location_name",
    "admin_level",
    "measure",
    "unit",
    "qualifier",
    "period",
    "date_precision",
    "sex",
    "age",
    "cause",
    "group",
    "projected",
)


@dataclass(frozen=True)
class RowRules:
    """Which rows are what: ``skip_when``/``keep_when`` filter rows (a filtered row is
    quarantined as ``filtered-row``, never lost), ``total_when`` marks a row that sums the
    others (its figures are about the whole country), ``records`` says identical rows are
    separate records (movements, events) rather than repeats. Each maps a column to the cell
    texts that match (case and padding ignored; "" matches a blank cell)."""

    skip_when: dict[str, tuple[str, ...]] = field(default_factory=dict)
    keep_when: dict[str, tuple[str, ...]] = field(default_factory=dict)
    total_when: dict[str, tuple[str, ...]] = field(default_factory=dict)
    records: bool = False

    def columns(self) -> list[str]:
        return [*self.skip_when, *self.keep_when, *self.total_when]


@dataclass(frozen=True)
class Derived:
    """A total the table does not state, summed from parts it declares to cover the whole.

    ``columns``: the figure columns of one row that add up to it (IPC phases 3, 4 and 5 make
    phase 3+); ``over``: group keys whose parts add up across rows (reason x origin make a
    place's stock). The sum is quoted with its parts."""

    indicator: str
    columns: tuple[str, ...] = ()
    over: tuple[str, ...] = ()


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
    labels: dict[str, dict[str, str]] = field(default_factory=dict)
    """Per provenance field, cell text -> what to store ("mohtel" -> "Gaza Ministry of
    Health"); an empty label means the cell names nobody."""
    ignore: frozenset[str] = frozenset()
    method: str = "table"
    breakdowns: dict[str, str] = field(default_factory=dict)
    """Breakdown -> the column naming each row's part: ``sex``, ``age``, ``cause`` or a group
    key ("origin", "reason"); a row is then a part of the total, not the total."""
    header_rows: int = 0
    """Rows under the header that continue it (a stacked header): their cells join the
    column names with " / " ("Oct-Dec 2022 / Crisis / IPC 3")."""
    rows: RowRules = field(default_factory=lambda: RowRules())
    derived: tuple[Derived, ...] = ()
    record_id: tuple[str, ...] = ()
    repeats: tuple[tuple[str, str, bool], ...] = ()
    """(column, the figure column it repeats, whether one of them is rounded): a second column
    meaning the same figure is not stored twice, but where it says otherwise the cell is
    quarantined as ``repeated-column``, never ignored."""
    """Columns that together identify a record (an event id, or site + date + round)."""

    def merged_over(self, base: Mapping) -> Mapping:
        """This mapping's settings win; ``base`` (the hashtags) fills what it leaves out."""
        keep = lambda column: column not in self.ignore  # noqa: E731
        return replace(
            self,
            figures=self.figures or tuple(f for f in base.figures if keep(f.column)),
            places=self.places
            or tuple(
                replace(p, pcode=p.pcode if p.pcode and keep(p.pcode) else None)
                for p in base.places
                if keep(p.name)
            ),
            country=self.country or tuple(filter(keep, base.country)),
            columns={**{k: v for k, v in base.columns.items() if keep(v)}, **self.columns},
            breakdowns={
                **{k: v for k, v in base.breakdowns.items() if keep(v)},
                **self.breakdowns,
            },
            repeats=self.repeats or (base.repeats if not self.figures else ()),
            method=base.method if not self.figures else self.method,
        )

    def referenced(self) -> list[str]:
        """Every table column this mapping reads, in a stable order."""
        names = [
            *self.country,
            *self.columns.values(),
            *self.breakdowns.values(),
            *self.rows.columns(),
            *self.record_id,
        ]
        for figure in self.figures:
            names += [c for c in (figure.column, figure.low, figure.high, figure.period_start) if c]
            names += [figure.period_end] if figure.period_end else []
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
    return mapping_from_document(document, str(path))


def mapping_from_document(document: dict[str, Any], where: str) -> Mapping:
    """A mapping from a parsed TOML document; ``where`` names it in error messages."""
    known = (
        "ignore",
        "constants",
        "columns",
        "figures",
        "dates",
        "numbers",
        "qualifiers",
        "precisions",
        "labels",
        "table",
        "rows",
        "breakdowns",
        "derived",
    )
    _known_keys(document, known, where, "")
    columns_table = _table(document, "columns", where)
    _known_keys(
        columns_table, ("country", "location_name", *ADMIN_KEYS, *FIELD_COLUMNS), where, "columns."
    )
    country = _names(columns_table.pop("country", ()), where, "columns.country")
    places = tuple(
        Place(name)
        for name in _names(columns_table.pop("location_name", ()), where, "columns.location_name")
    )
    for level in (3, 2, 1):
        name = columns_table.pop(f"admin{level}", None)
        code = columns_table.pop(f"admin{level}_pcode", None)
        if name is None and code is None:
            continue
        name = _string(name or code, where, f"columns.admin{level}")
        code = _string(code, where, f"columns.admin{level}_pcode") if code else None
        places += (Place(name, level, code),)
    record_id = _names(columns_table.pop("record_id", ()), where, "columns.record_id")
    columns = {key: _string(value, where, f"columns.{key}") for key, value in columns_table.items()}

    constants = _table(document, "constants", where)
    _known_keys(constants, CONSTANTS, where, "constants.")
    for key, enum in (("measure", Measure), ("unit", Unit), ("qualifier", Qualifier)):
        if key in constants:
            _member(constants[key], enum, where, f"constants.{key}")
    if "published_date" in constants:
        constants["published_date"] = _date(
            constants["published_date"], where, "constants.published_date"
        )
    if "period" in constants:
        constants["period"] = _period(constants["period"], where, "constants.period")
    if "date_precision" in constants:
        _member(constants["date_precision"], DatePrecision, where, "constants.date_precision")
    _breakdown_constants(constants, where, "constants.")
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
        _known_keys(entry, FIGURE_KEYS, where, f"{key}.")
        entry = dict(entry)
        _breakdown_constants(entry, where, f"{key}.")
        projected = entry.pop("projected", None)
        period = entry.pop("period", None)
        if "indicator" in entry:
            _member(entry["indicator"], Indicator, where, f"{key}.indicator")
        elif "indicator" not in columns:
            raise ConfigError(f"{where}: {key} needs an indicator (or set columns.indicator)")
        for name, enum in (("measure", Measure), ("unit", Unit), ("qualifier", Qualifier)):
            if name in entry:
                _member(entry[name], enum, where, f"{key}.{name}")
        figure = FigureColumn(**{k: _string(v, where, f"{key}.{k}") for k, v in entry.items()})
        figures.append(
            replace(
                figure,
                projected=projected,
                period=_period(period, where, f"{key}.period") if period is not None else None,
            )
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
        raise ConfigError(f'{where}: numbers.decimal must be "." or ",", not {decimal!r}')
    qualifiers = _table(document, "qualifiers", where)
    for key, value in qualifiers.items():
        _member(value, Qualifier, where, f"qualifiers.{key}")
    precisions = _table(document, "precisions", where)
    for key, value in precisions.items():
        _member(value, DatePrecision, where, f"precisions.{key}")
    table_settings = _table(document, "table", where)
    _known_keys(table_settings, ("header_rows",), where, "table.")
    header_rows = table_settings.get("header_rows", 0)
    if not isinstance(header_rows, int) or not 0 <= header_rows <= 10:
        raise ConfigError(f"{where}: table.header_rows must be a whole number from 0 to 10")
    rows = _row_rules(_table(document, "rows", where), where)
    breakdowns = {
        key: _string(value, where, f"breakdowns.{key}")
        for key, value in _table(document, "breakdowns", where).items()
    }
    for key in breakdowns:
        if not re.fullmatch(r"[a-z0-9_]+", key):
            raise ConfigError(f"{where}: breakdowns.{key}: keys are lower-case words (origin)")
    derived = _derived(document.get("derived", []), where)
    labels = _table(document, "labels", where)
    _known_keys(labels, (*LABELLED, *breakdowns), where, "labels.")
    for name, table in labels.items():
        if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
            raise ConfigError(f"{where}: labels.{name} must map cell texts to strings")
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
        labels=labels,
        ignore=frozenset(_names(document.get("ignore", ()), where, "ignore")),
        breakdowns=breakdowns,
        header_rows=header_rows,
        rows=rows,
        derived=derived,
        record_id=record_id,
    )


FIGURE_KEYS = (
    "column",
    "indicator",
    "measure",
    "unit",
    "qualifier",
    "low",
    "high",
    "attributed_to",
    "sex",
    "age",
    "cause",
    "group",
    "projected",
    "period",
    "period_start",
    "period_end",
)
"""What a [[figures]] entry may say about its column."""


def _period(value: Any, where: str, key: str) -> Period:
    """A constant period: a date, "2024-05", "2024", "Oct-Dec 2022", or a range written
    "2022-10/2022-12" (from the start of the first to the end of the second)."""
    if isinstance(value, dt.date):
        return Period(value, value)
    text = str(value)
    if "/" in text and not re.search(r"\d{1,2}/\d{1,2}/\d{4}", text):
        first, _, last = text.partition("/")
        start, end = parse_period(first.strip()), parse_period(last.strip())
        if start is None or end is None or end.end < start.start:
            raise ConfigError(f"{where}: {key} {value!r} is not a range START/END")
        return start.through(end)
    parsed = parse_period(text)
    if parsed is None:
        raise ConfigError(f"{where}: {key} {value!r} is not a date, month, year or range")
    return parsed


def _breakdown_constants(table: dict[str, Any], where: str, prefix: str) -> None:
    """Check sex, age, cause, group and projected where a mapping sets them as constants."""
    from humstats.schema import Sex

    if "sex" in table:
        _member(table["sex"], Sex, where, f"{prefix}sex")
    if "age" in table and not re.fullmatch(r"all|\d{1,3}-\d{1,3}|\d{1,3}\+", str(table["age"])):
        raise ConfigError(f"{where}: {prefix}age must be all, MIN-MAX or MIN+ (0-17, 60+)")
    if "cause" in table and not re.fullmatch(r"[a-z0-9_]+", str(table["cause"])):
        raise ConfigError(f"{where}: {prefix}cause must be a lower-case word (conflict)")
    if "group" in table and not re.fullmatch(
        r"[a-z0-9_]+=[^;=]+(;[a-z0-9_]+=[^;=]+)*", str(table["group"])
    ):
        raise ConfigError(f"{where}: {prefix}group must be KEY=VALUE pairs joined by ;")
    if "projected" in table and not isinstance(table["projected"], bool):
        raise ConfigError(f"{where}: {prefix}projected must be true or false")


def _row_rules(table: dict[str, Any], where: str) -> RowRules:
    _known_keys(table, ("skip_when", "keep_when", "total_when", "records"), where, "rows.")
    rules: dict[str, Any] = {}
    for key in ("skip_when", "keep_when", "total_when"):
        value = table.get(key, {})
        if not isinstance(value, dict):
            raise ConfigError(f"{where}: rows.{key} must map a column to cell texts")
        rules[key] = {
            column: tuple(t.strip().lower() for t in _names(texts, where, f"rows.{key}.{column}"))
            for column, texts in value.items()
        }
    records = table.get("records", False)
    if not isinstance(records, bool):
        raise ConfigError(f"{where}: rows.records must be true or false")
    return RowRules(**rules, records=records)


def _derived(value: Any, where: str) -> tuple[Derived, ...]:
    if not isinstance(value, list):
        raise ConfigError(f"{where}: derived must be an array of tables ([[derived]])")
    found = []
    for number, entry in enumerate(value, start=1):
        key = f"derived[{number}]"
        if not isinstance(entry, dict):
            raise ConfigError(f"{where}: {key} must be a table")
        _known_keys(entry, ("indicator", "columns", "over"), where, f"{key}.")
        if "indicator" not in entry:
            raise ConfigError(f"{where}: {key} needs an indicator")
        _member(entry["indicator"], Indicator, where, f"{key}.indicator")
        columns = _names(entry.get("columns", ()), where, f"{key}.columns")
        over = _names(entry.get("over", ()), where, f"{key}.over")
        if bool(columns) == bool(over):
            raise ConfigError(f"{where}: {key} needs either columns (a row's parts) or over")
        found.append(Derived(entry["indicator"], columns, over))
    return tuple(found)


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
