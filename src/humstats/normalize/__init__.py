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

import logging
from dataclasses import replace

from humstats.countries import country_in_name, country_iso3
from humstats.errors import InputError
from humstats.normalize.candidates import Normalized
from humstats.normalize.cells import MAX_DIGITS, MISSING, is_missing, parse_counts, parse_period
from humstats.normalize.hashtags import mapping_from_hxl
from humstats.normalize.mapping import FigureColumn, Mapping, Place, load_mapping
from humstats.normalize.normalizer import Normalizer
from humstats.normalize.rows import _without_sums, restack
from humstats.readers import Table
from humstats.schema import SourceMeta

__all__ = [
    "MAX_DIGITS",
    "MISSING",
    "FigureColumn",
    "Mapping",
    "Normalized",
    "Place",
    "country_iso3",
    "is_missing",
    "load_mapping",
    "mapping_from_hxl",
    "normalize_table",
    "parse_counts",
    "parse_period",
    "restack",
]

log = logging.getLogger(__name__)

log = logging.getLogger(__name__)


def normalize_table(table: Table, meta: SourceMeta, mapping: Mapping | None = None) -> Normalized:
    """Turn a table into candidate figures and quarantine candidates.

    One figure per non-empty cell of each figure column. ``meta`` (command-line flags) wins
    over the table's own publisher/url/date columns, which win over the mapping's constants.
    Raises ``InputError`` when the table has no figure columns or lacks a column the mapping
    names: no row could be read, so there is nothing to quarantine.
    """
    effective = mapping or Mapping()
    if effective.header_rows:
        table = restack(table, effective.header_rows)
    if table.hxl:
        hashtag_mapping = mapping_from_hxl(table.hxl, {c: c for c in table.hxl})
        hashtag_mapping = replace(
            hashtag_mapping, figures=_without_sums(table, hashtag_mapping.figures)
        )
        effective = effective.merged_over(hashtag_mapping)
    if not effective.figures:
        raise InputError(
            table.path,
            "no figure columns: the table has no HXL indicator hashtags (#affected+killed, "
            f"#inneed, ...) and no mapping names any; run `humstats map {table.path}` to draft "
            "a mapping, check it, and pass it with --mapping FILE",
        )
    if "indicator" not in effective.columns and not all(f.indicator for f in effective.figures):
        raise InputError(
            table.path,
            "figure columns without an indicator, and no indicator "
            "column (#indicator+name) naming one per row",
        )
    missing = [c for c in effective.referenced() if c not in table.frame.columns]
    if missing:
        raise InputError(
            table.path,
            f"missing column {', '.join(map(repr, missing))} named by the "
            f"{'mapping' if mapping else 'hashtags'}; the table has "
            f"{', '.join(map(repr, table.frame.columns[:20]))}",
        )
    _require_provenance(table, meta, effective)
    return Normalizer(table, meta, _with_country(effective, meta, table)).run()


def _with_country(mapping: Mapping, meta: SourceMeta, table: Table) -> Mapping:
    """The country of a table that names none in its cells: ``--country`` first, else the
    mapping's constant, else a p-code column (per row, see ``_row_fields``), else the one
    country its file name names ("mali-population-movements.csv"), as HDX names files."""
    constants = mapping.constants
    if meta.country_iso3 is not None and not mapping.country:
        return replace(mapping, constants={**constants, "country": meta.country_iso3})
    if mapping.country or constants.get("country") or any(p.pcode for p in mapping.places):
        return mapping
    named = country_in_name(table.path.name)
    if named is None:
        return mapping
    log.info("%s: no country column; the file name says %s", table.path, named)
    return replace(mapping, constants={**constants, "country": named})


def _require_provenance(table: Table, meta: SourceMeta, mapping: Mapping) -> None:
    """Refuse a table that names no publisher or publication date anywhere.

    Quarantining every row instead would mark the content as ingested, so the user's retry
    with the missing flag would be skipped as "already ingested".
    """
    for field, flag in (("published_date", "--published YYYY-MM-DD"), ("publisher", "--publisher")):
        if (
            getattr(meta, field) is None
            and field not in mapping.columns
            and mapping.constants.get(field) is None
        ):
            raise InputError(
                table.path,
                f"no {field.replace('_', ' ')}: the table has no column for it; pass {flag} "
                f"or set constants.{field} in a --mapping file",
            )
