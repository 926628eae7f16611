"""Draft a mapping for a table without usable HXL: ``humstats map FILE``.

A new user's table names its columns in words ("Déplacés", "Muertos", "People in
Need(Flash Appeal)", "numPresentIdpInd") and its cells say the rest: which columns hold
country names or p-codes, which hold dates, which rows are totals. ``draft_mapping`` reads
both, with the header words of ``headers.toml`` (English, French, Spanish), and writes the
mapping TOML a user would otherwise write from the docs; the TOML is parsed back with the same
loader as ``--mapping``, so the draft is exactly what ingest would use. Every guess is a line
of the TOML with a comment a user can check and edit.
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from humstats.countries import country_in_name, country_iso3, pcode_country
from humstats.errors import InputError
from humstats.normalize.cells import is_missing, parse_counts, parse_period
from humstats.normalize.hashtags import mapping_from_hxl
from humstats.normalize.headers import (
    HeaderMeaning,
    fold,
    header_period,
    is_total_label,
    load_words,
    read_header,
)
from humstats.normalize.mapping import Mapping, mapping_from_document
from humstats.readers import Table, read
from humstats.schema import Indicator, Measure, SourceMeta

MAX_HEADER_ROWS = 3
_NUMERIC = 0.6
_YEAR = re.compile(r"(?<![\d])((?:19|20)\d{2})(?![\d])")


@dataclass
class Draft:
    """A drafted mapping: the TOML text, the mapping it loads to, and what the draft could
    not decide (also written into the TOML as comments)."""

    toml: str
    mapping: Mapping
    notes: list[str] = field(default_factory=list)


@dataclass
class _Column:
    name: str
    header: HeaderMeaning
    filled: int
    numeric: float
    values: list[str]


def draft_mapping(path: Path, meta: SourceMeta = SourceMeta()) -> Draft:
    """Draft the mapping for the table at ``path`` (see the module docstring).

    ``meta`` (``--country``, ``--published``) lets the draft fill what the table cannot say:
    the country of a single-country table, and whether a period lies after publication (a
    projection). Raises ``InputError`` for a file that is no table.
    """
    table = read(path)
    if not isinstance(table, Table):
        raise InputError(path, "a text, not a table: use humstats extract")
    lines: list[str] = [f"# Drafted by humstats map from {path.name}; check every line."]
    notes: list[str] = []
    tagged = mapping_from_hxl(table.hxl, {c: c for c in table.hxl}) if table.hxl else None
    if tagged is not None and tagged.figures:
        lines.append(
            f"# The HXL hashtags name {len(tagged.figures)} figure columns: ingest needs no "
            "mapping. Add keys here only to correct or complete what they say."
        )
        text = "\n".join(lines) + "\n"
        return Draft(toml=text, mapping=Mapping(), notes=["the table's HXL hashtags suffice"])
    header_rows = _header_rows(table.frame)
    if header_rows:
        from humstats.normalize import restack

        table = restack(table, header_rows)
        lines += ["", "[table]", f"header_rows = {header_rows}  # the header continues below"]
    columns = [_describe(table.frame, name) for name in table.frame.columns]
    figures = [c for c in columns if c.header.indicator is not None and c.numeric >= _NUMERIC]
    parts = [
        c
        for c in columns
        if c.header.indicator is None and (c.header.sex or c.header.age) and c.numeric >= _NUMERIC
    ]
    main = _main_indicator(figures)
    roles = _roles(columns, figures)
    constants: dict[str, object] = {}
    if not roles.get("country") and not roles.get("pcode"):
        country = meta.country_iso3 or country_in_name(path.name)
        if country:
            constants["country"] = country
        else:
            notes.append("no country column: set constants.country (or pass --country)")
    dated = bool(roles.get("date") or roles.get("year"))
    lines += _constants_lines(constants)
    lines += _columns_lines(roles)
    lines += _rows_lines(table.frame, roles)
    lines += _breakdowns_lines(roles)
    for column in figures:
        lines += _figure_lines(column, column.header.indicator, dated, meta)
    for column in parts:
        if main is None:
            notes.append(f"column {column.name!r} splits a count by sex or age, but of what?")
            continue
        lines += _figure_lines(column, main, dated, meta)
    lines += _derived_lines(roles, main, figures)
    skipped = [c for c in columns if c.header.skip and _share(c.values, _number_like) >= 0.5]
    for column in skipped:
        lines.append(f"# not a figure: {column.name!r} ({column.header.skip})")
    unread = [
        c
        for c in columns
        if c.numeric >= _NUMERIC
        and c.header.indicator is None
        and not c.header.skip
        and c not in parts
        and c.name not in _role_columns(roles)
    ]
    for column in unread:
        lines.append(f"# not mapped: {column.name!r} holds numbers its header does not explain")
    if not figures and not parts:
        notes.append("no column header names a figure: add [[figures]] entries by hand")
    lines += [f"# NOTE: {note}" for note in notes]
    text = "\n".join(lines) + "\n"
    mapping = mapping_from_document(tomllib.loads(text), f"draft for {path.name}")
    return Draft(toml=text, mapping=mapping, notes=notes)


def _number_like(cell: str) -> bool:
    return bool(re.fullmatch(r"[-+(]?[\d.,\s]+\)?%?", cell.strip()))


def _header_rows(frame: pl.DataFrame) -> int:
    """How many leading rows continue the header: rows of words over rows of numbers."""
    rows = frame.head(MAX_HEADER_ROWS + 1).rows()
    count = 0
    for row in rows[:MAX_HEADER_ROWS]:
        cells = [c for c in row if c is not None and c.strip()]
        words = [c for c in cells if not _number_like(c) or _YEAR.fullmatch(c.strip(" -()"))]
        if len(cells) < 2 or len(words) * 2 < len(cells) or len(words) < len(cells) - 1:
            break
        count += 1
    if count == 0 or count >= len(rows):
        return 0
    following = [c for c in rows[count] if c is not None and c.strip()]
    return count if any(_number_like(c) for c in following) else 0


def _describe(frame: pl.DataFrame, name: str) -> _Column:
    series = frame[name]
    present = series.filter(~series.is_null()).to_frame().filter(~is_missing(pl.col(name)))[name]
    counts, _check, _hedge = parse_counts(present)
    numeric = counts.is_not_null().sum() / len(present) if len(present) else 0.0
    values = present.unique(maintain_order=True).head(200).to_list()
    return _Column(name, read_header(name), len(present), numeric, values)


def _main_indicator(figures: list[_Column]) -> Indicator | None:
    totals = [c.header.indicator for c in figures if not (c.header.sex or c.header.age)]
    return totals[0] if totals else None


def _share(values: list[str], test: object) -> float:
    if not values:
        return 0.0
    return sum(1 for v in values if test(v)) / len(values)  # type: ignore[operator]


_PCODE = re.compile(r"^[A-Za-z]{2,3}\d{1,12}$")


def _roles(columns: list[_Column], figures: list[_Column]) -> dict[str, list[str]]:
    """Which columns fill which other field: country, places, p-codes, dates, breakdowns."""
    roles: dict[str, list[str]] = {}
    taken = {c.name for c in figures}
    for column in columns:
        if column.name in taken or not column.values:
            continue
        role = column.header.role
        values = column.values
        if _share(values, lambda v: bool(_PCODE.match(v.strip())) and pcode_country(v)) >= 0.8:
            level = _level_of(column.name)
            roles.setdefault("pcode", []).append(f"{level}:{column.name}")
            continue
        if column.numeric >= _NUMERIC and role not in ("year", "month", "day"):
            continue
        if role in ("year", "month", "day"):
            roles.setdefault(role, []).append(column.name)
        elif role in ("sex", "age", "origin", "reason"):
            roles.setdefault(f"breakdown:{role}", []).append(column.name)
        elif role == "country" or _share(values, lambda v: country_iso3(v) is not None) >= 0.8:
            roles.setdefault("country", []).append(column.name)
        elif role in ("admin1", "admin2", "admin3", "location"):
            roles.setdefault(role, []).append(column.name)
        elif role == "date":
            # a column its header calls a date comes before one that merely holds dates
            roles["date"] = [column.name, *[c for c in roles.get("date", []) if c != column.name]]
        elif _share(values, lambda v: parse_period(v) is not None) >= 0.8:
            roles.setdefault("date", []).append(column.name)
        elif role == "source" and _share(values, lambda v: v.startswith("http")) >= 0.8:
            roles.setdefault("source_url", []).append(column.name)
    return roles


def _level_of(name: str) -> int:
    found = re.search(r"adm(?:in)?\s*(\d)", fold(name))
    return int(found[1]) if found else 1


def _role_columns(roles: dict[str, list[str]]) -> set[str]:
    return {c.split(":", 1)[-1] for names in roles.values() for c in names}


def _toml(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def _constants_lines(constants: dict[str, object]) -> list[str]:
    if not constants:
        return []
    lines = ["", "[constants]"]
    for key, value in constants.items():
        lines.append(f"{key} = {_toml(value)}")
    return lines


def _columns_lines(roles: dict[str, list[str]]) -> list[str]:
    lines = ["", "[columns]"]
    if "country" in roles:
        lines.append(f"country = {_toml(roles['country'])}")
    pcodes = {int(p.split(":", 1)[0]): p.split(":", 1)[1] for p in roles.get("pcode", [])}
    named_levels = {"admin1": 1, "admin2": 2, "admin3": 3}
    for role, level in named_levels.items():
        if role in roles:
            lines.append(f"admin{level} = {_toml(roles[role][0])}")
            if level in pcodes:
                lines.append(f"admin{level}_pcode = {_toml(pcodes.pop(level))}")
    for level, column in sorted(pcodes.items()):
        if f"admin{level}" not in roles:
            lines.append(f"admin{level}_pcode = {_toml(column)}")
    if "location" in roles:
        lines.append(f"location_name = {_toml(roles['location'])}")
    if "date" in roles:
        lines.append(f"date = {_toml(roles['date'][0])}")
    elif "year" in roles:
        for part in ("year", "month", "day"):
            if part in roles:
                lines.append(f"{part} = {_toml(roles[part][0])}  # split date")
    if "source_url" in roles:
        lines.append(f"source_url = {_toml(roles['source_url'][0])}")
    return lines if len(lines) > 2 else []


def _rows_lines(frame: pl.DataFrame, roles: dict[str, list[str]]) -> list[str]:
    """A place column holding "TOTAL" marks the rows that sum the others."""
    words = load_words()
    for role in ("admin1", "admin2", "location", "country"):
        for column in roles.get(role, []):
            totals = sorted(
                {v.strip() for v in frame[column].drop_nulls().unique() if is_total_label(v, words)}
            )
            if totals:
                return [
                    "",
                    "[rows]",
                    "# rows summing the others: their figures are the country's",
                    f"total_when = {{ {_toml(column)} = {_toml(totals)} }}",
                ]
    return []


def _breakdowns_lines(roles: dict[str, list[str]]) -> list[str]:
    keys = {k.split(":", 1)[1]: v[0] for k, v in roles.items() if k.startswith("breakdown:")}
    if not keys:
        return []
    lines = ["", "[breakdowns]  # each row is a part of the total, split by these"]
    for key, column in keys.items():
        lines.append(f"{key} = {_toml(column)}")
    return lines


def _figure_lines(
    column: _Column, indicator: Indicator, dated: bool, meta: SourceMeta
) -> list[str]:
    header = column.header
    lines = [
        "",
        "[[figures]]",
        f"column = {_toml(column.name)}",
        f'indicator = "{indicator.value}"',
    ]
    if header.measure is not None:
        lines.append(f'measure = "{header.measure.value}"')
    elif indicator in (Indicator.KILLED, Indicator.INJURED) and not dated:
        lines.append(f'measure = "{Measure.STOCK.value}"  # a toll as of the row\'s date')
    if header.unit is not None:
        lines.append(f'unit = "{header.unit.value}"')
    if header.sex is not None:
        lines.append(f'sex = "{header.sex.value}"')
    if header.age is not None:
        lines.append(f'age = "{header.age}"')
    if header.group is not None:
        lines.append(f"group = {_toml(header.group)}")
    if header.attributed_to is not None:
        lines.append(f"attributed_to = {_toml(header.attributed_to)}")
    period = None if dated else header_period(column.name)
    if period is not None:
        text, end = period
        lines.append(f"period = {_toml(text)}  # from the header")
        if meta.published_date is not None and end > meta.published_date:
            lines.append("projected = true  # the period ends after publication")
    return lines


def _derived_lines(
    roles: dict[str, list[str]], main: Indicator | None, figures: list[_Column]
) -> list[str]:
    """Rows split by reason or origin add up to the place's total: declare the sum."""
    lines = []
    phases = {
        c.header.group: c.name
        for c in figures
        if c.header.indicator is Indicator.FOOD_INSECURE and c.header.group
    }
    whole = [
        c for c in figures if c.header.indicator is Indicator.FOOD_INSECURE and not c.header.group
    ]
    if not whole and all(f"phase={n}" in phases for n in (3, 4, 5)):
        lines += [
            "",
            "[[derived]]  # IPC phase 3 or worse = phases 3 + 4 + 5",
            'indicator = "food_insecure"',
            f"columns = {_toml([phases[f'phase={n}'] for n in (3, 4, 5)])}",
        ]
    keys = [k.split(":", 1)[1] for k in roles if k.startswith("breakdown:")]
    groups = [k for k in keys if k not in ("sex", "age")]
    if not groups or main is None:
        return lines
    return [
        *lines,
        "",
        "[[derived]]  # the parts of each place and date add up to its total: check they do",
        f'indicator = "{main.value}"',
        f"over = {_toml(groups)}",
    ]
