"""What a figure counts, derived from what the record holds, so that unlike figures are
never merged.

The record has no definition field; a source's definition shows in what it does carry:
the quote ("verified civilian deaths"), the measure (a total to date or new events) and,
for a total to date, the date it counts from (a toll since 2011 is not a toll since October
2023). Figures whose definitions differ get different ``definition`` values: a report never
takes a range, a change or a trend line across them, and the divergence panel sets them side
by side with what differs — definition, source, coverage.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from humstats.periods import format_date
from humstats.schema import Measure

DEFINITION = "definition"
"""The derived column: "" for a plain count, else e.g. "civilian, verified, since 2022-02-24"."""
KEEP_APART: tuple[str, ...] = (DEFINITION, "projected")
"""What a report's values are also keyed by: a projection (an IPC projection, a plan's
target) is kept, labelled, and never merged with a count."""

_SCOPES: tuple[tuple[str, str], ...] = (
    ("civilian", r"\bcivilians?\b"),
    ("verified", r"\b(?:verified|confirmed)\b"),
)
"""Words in a figure's quote that narrow what it counts."""
TOLLS: tuple[str, ...] = ("killed", "injured", "missing", "detained")
"""Indicators whose totals to date are tolls counted from a start date: for them a stock's
``period_start`` says since when (for a plan, "in need in 2022" is its reference year)."""


def with_definition(figures: pl.LazyFrame) -> pl.LazyFrame:
    """Add ``definition`` (see ``DEFINITION``)."""
    quote = pl.col("quote").fill_null("").str.to_lowercase()
    parts = [pl.when(quote.str.contains(pattern)).then(pl.lit(word)) for word, pattern in _SCOPES]
    since = pl.when(
        (pl.col("measure") == Measure.STOCK.value)
        & pl.col("indicator").is_in(TOLLS)
        & (pl.col("period_start") < pl.col("period_end"))
    ).then(pl.lit("since ") + pl.col("period_start").dt.strftime("%Y-%m-%d"))
    projected = pl.when(pl.col("projected").fill_null(False)).then(pl.lit("projected"))
    return figures.with_columns(
        pl.concat_str([projected, *parts, since], separator=", ", ignore_nulls=True)
        .fill_null("")
        .alias(DEFINITION)
    )


def phrase(definition: str) -> str:
    """``civilian, verified, since 24 Feb 2022`` for a reader ("" for a plain count)."""
    parts = []
    for part in filter(None, definition.split(", ")):
        if part.startswith("since "):
            part = f"since {format_date(dt.date.fromisoformat(part[6:]))}"
        parts.append(part)
    return ", ".join(parts)


def describe(definition: str, measure: str) -> str:
    """A reader's phrase: "total to date, civilian, since 24 Feb 2022" / "new in the period"."""
    kind = "total to date" if measure == Measure.STOCK.value else "new in the period"
    return ", ".join(filter(None, [kind, phrase(definition)]))


def counted(definition: str) -> bool:
    """Whether ``definition`` is that of a toll counted from a start date."""
    return "since " in definition


def counted_since() -> pl.Expr:
    """A toll counted from a start date: a count as of its last day, never a stand-in for
    an earlier day (unlike a plan's figure for a whole year)."""
    return pl.col(DEFINITION).str.contains("since ")


def differences(candidates: list[dict[str, Any]]) -> list[str]:
    """What sets the ``candidates`` (dicts with definition, measure, source, coverage) apart,
    as short clauses for the divergence panel."""
    clauses = []
    definitions = {(c["measure"], c["definition"]) for c in candidates}
    if len(definitions) > 1:
        kinds = sorted({describe(d, m) for m, d in definitions})
        clauses.append("different definitions (" + " vs ".join(kinds) + ")")
    sources = sorted({c["source"] for c in candidates})
    if len(sources) > 1:
        clauses.append("different sources (" + ", ".join(sources) + ")")
    coverage = sorted({c["coverage"] for c in candidates})
    if len(coverage) > 1:
        clauses.append("different coverage (" + " vs ".join(coverage) + ")")
    return clauses
