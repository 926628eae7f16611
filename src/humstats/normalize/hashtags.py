"""What a table's hashtags say, as a mapping: ``mapping_from_hxl``.

The meaning of each hashtag comes from ``humstats.hxl``; this module turns those meanings
into a :class:`~humstats.normalize.mapping.Mapping` (figure columns with their breakdowns and
own periods, places, country, dates and provenance columns) so a tagged table and a mapped
one are normalised by the same code.
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace

from humstats.hxl import Hashtag, Meaning, admin_level, figure_meaning, parse_hashtag
from humstats.normalize.cells import parse_period
from humstats.normalize.headers import header_period
from humstats.normalize.mapping import FigureColumn, Mapping, Place
from humstats.schema import Measure

log = logging.getLogger(__name__)


def mapping_from_hxl(hxl: dict[str, str], headers: dict[str, str] | None = None) -> Mapping:
    """What a table's hashtags alone say: figure columns, places, country, dates, sources.

    Each count column's meaning comes from ``hxl.figure_meaning``: a part (``+f``,
    ``+children``, ``+conflict``, ``#inneed+wash``) is stored as a part, a percentage or a
    target never. Two columns meaning the same figure (a rounded and a raw column) are one
    figure: the raw one. ``+min``/``+max`` columns bound the figure column they match.
    ``headers`` (column -> header text) lets a 0.x hashtag's header words correct it: the
    older tags were often chosen loosely (UNHCR tagged its "Refugees" ``#inneed_num``).
    """
    figures: dict[tuple[object, ...], tuple[FigureColumn, Meaning]] = {}
    bounds: dict[tuple[object, ...], dict[str, str]] = {}
    names: dict[int | None, str] = {}
    codes: dict[int | None, str] = {}
    columns: dict[str, str] = {}
    dates: dict[str, dict[str, str]] = {}
    country_codes: list[str] = []
    country_names: list[str] = []
    breakdowns: dict[str, str] = {}
    repeats: list[tuple[str, str, bool]] = []
    for column, text in hxl.items():
        tag = parse_hashtag(text)
        meaning = figure_meaning(tag)
        if meaning is not None:
            if tag.legacy and headers:
                meaning = _corrected_by_header(meaning, headers.get(column, ""))
            if headers and ROUNDED_HEADER.search(headers.get(column, "")):
                meaning = replace(meaning, rounded=True)
            if meaning.skip is not None:
                log.info("column %r (%s) is not a figure: %s", column, text, meaning.skip)
                continue
            key = meaning.key()
            if meaning.bound is not None:
                bounds.setdefault(key, {}).setdefault(meaning.bound, column)
                continue
            known = figures.get(key)
            if known is not None:
                # one figure: the raw column counts, the other is checked against it
                rounded = meaning.rounded or known[1].rounded
                if known[1].rounded and not meaning.rounded:
                    repeats.append((known[0].column, column, rounded))
                    figures[key] = (_figure_column(column, meaning), meaning)
                else:
                    repeats.append((column, known[0].column, rounded))
                continue
            figures[key] = (_figure_column(column, meaning), meaning)
            continue
        if tag.tag in ("indicator", "value") and (
            tag.tag == "value" or tag.attributes & {"value", "num"}
        ):
            # a long table: the figure's indicator is named in another column, per row
            figures.setdefault(("long", column), (FigureColumn(column), Meaning()))
            continue
        _place_or_field(tag, column, names, codes, columns, dates, country_codes, country_names)
        if tag.tag in GROUP_TAGS:
            breakdowns.setdefault(GROUP_TAGS[tag.tag], column)
        elif tag.tag == "country" and tag.attributes & {"origin", "dest"}:
            breakdowns.setdefault("origin" if "origin" in tag.attributes else "destination", column)
    if "period_start" in columns:
        columns.pop("date", None)
    undated = not (columns.keys() & {"date", "period_start", "period_end"})
    figure_columns = []
    flows = {m.key()[:1] + m.key()[2:] for _, m in figures.values() if m.measure == Measure.FLOW}
    for key, (figure, meaning) in figures.items():
        if meaning.measure is None and meaning.key()[:1] + meaning.key()[2:] in flows:
            # "#affected+killed" next to "#affected+killed+new" is the running total
            figure = replace(figure, measure=Measure.STOCK.value)
        found = bounds.get(key, {})
        period = dates.get(meaning.period or "")
        if period is not None:
            figure = replace(figure, period_start=period.get("start"), period_end=period.get("end"))
        if undated and figure.period_start is None and headers:
            # no date column: a period the header states ("Affected 2017") is the figure's
            stated = header_period(headers.get(figure.column, ""))
            if stated is not None:
                figure = replace(figure, period=parse_period(stated[0]))
        figure_columns.append(replace(figure, low=found.get("low"), high=found.get("high")))
    places = [Place(names[None], pcode=codes.get(None))] if None in names else []
    places += [
        Place(names[level], level, codes.get(level))
        for level in sorted((lv for lv in names if lv is not None), reverse=True)
    ]
    for level, code in codes.items():
        if level not in names:
            places.append(Place(code, level, code))
    return Mapping(
        figures=tuple(figure_columns),
        places=tuple(places),
        country=(*country_codes, *country_names),
        columns=columns,
        breakdowns=breakdowns,
        repeats=tuple(repeats),
        method="hxl",
    )


ROUNDED_HEADER = re.compile(r"\brounded\b|\barrondi|\bredondead", re.IGNORECASE)
"""A header saying its column is a rounded copy ("IDPs (rounded)")."""

GROUP_TAGS: dict[str, str] = {"sector": "sector", "subsector": "subsector", "group": "group"}
"""Hashtags of a column naming which part of the total a row counts (``#sector``)."""


def _figure_column(column: str, meaning: Meaning) -> FigureColumn:
    return FigureColumn(
        column,
        meaning.indicator.value if meaning.indicator else None,
        meaning.measure.value if meaning.measure else None,
        meaning.unit.value,
        sex=meaning.sex.value if meaning.sex != "all" else None,
        age=meaning.age if meaning.age != "all" else None,
        cause=meaning.cause if meaning.cause != "all" else None,
        group=";".join(f"{k}={v}" for k, v in meaning.group) or None,
        projected=meaning.projected or None,
    )


def _corrected_by_header(meaning: Meaning, header: str) -> Meaning:
    """A 0.x hashtag whose header names another indicator, or a target, is read by the
    header: the older conventions were applied loosely and the header is what people read."""
    from humstats.normalize.headers import read_header

    said = read_header(header)
    if said.skip is not None:
        return replace(meaning, skip=said.skip)
    if said.indicator is not None and said.indicator != meaning.indicator:
        log.info("header %r overrides its 0.x hashtag's indicator", header)
        return replace(meaning, indicator=said.indicator)
    return meaning


def _place_or_field(
    tag: Hashtag,
    column: str,
    names: dict[int | None, str],
    codes: dict[int | None, str],
    columns: dict[str, str],
    dates: dict[str, dict[str, str]],
    country_codes: list[str],
    country_names: list[str],
) -> None:
    """Record what a hashtag that counts nobody fills: a place, a date, a source field."""
    level = admin_level(tag)
    if tag.tag == "indicator":
        columns.setdefault("indicator", column)
    elif tag.tag == "country":
        if tag.attributes & {"origin", "dest"}:
            return
        (country_codes if "code" in tag.attributes else country_names).append(column)
    elif (level is not None or tag.tag == "loc") and "code" in tag.attributes:
        codes.setdefault(level, column)
    elif level is not None or (tag.tag == "loc" and "name" in tag.attributes):
        names.setdefault(level, column)
    elif tag.tag == "date":
        periods = [a for a in tag.attributes if a in PERIOD_KEYS]
        edge = "start" if "start" in tag.attributes else "end" if "end" in tag.attributes else None
        if periods and edge:
            dates.setdefault(periods[0], {}).setdefault(edge, column)
            return
        role = (
            "published_date"
            if tag.attributes & {"reported", "published"}
            else "period_start"
            if edge == "start"
            else "period_end"
            if edge == "end"
            else "date"
        )
        if "year" not in tag.attributes or role == "date":
            columns.setdefault(role, column)
    elif tag.tag == "meta" and tag.attributes & META_FIELDS.keys():
        field_name = META_FIELDS[sorted(tag.attributes & META_FIELDS.keys())[0]]
        columns.setdefault(field_name, column)
    elif tag.tag == "loc" and "level" in tag.attributes:
        columns.setdefault("admin_level", column)


PERIOD_KEYS = frozenset({"current", "first_projection", "second_projection", "projection"})
"""Date attributes naming one of several validity periods in a row (IPC)."""


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
