"""Where every number on the page comes from: references, sources and methods, appendix.

A reader checks a headline by its figure: headline and text figures are listed one by one
in the appendix, each with its source, dates, quote and link. A chart or a table rests on
many rows of a few datasets: those are cited by dataset and row range ("S2, rows 422–482"),
one row per dataset or document in the sources table, and every figure used travels with
the report as an embedded CSV. No number points to an internal id, and none is left out for
lack of room.
"""

from __future__ import annotations

import base64
import datetime as dt
import io
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from humstats.export import Format, write_frame
from humstats.periods import format_date
from humstats.report.wording import (
    country_name,
    day_span,
    indicator_label,
    plural,
    value_text,
)
from humstats.schema import COLUMNS, Measure

REFS_SHOWN = 3
"""Appendix numbers (and datasets) printed next to a number; the rest are "+N more"."""

CSV_COLUMNS: tuple[str, ...] = tuple(
    c for c in COLUMNS if c not in {"span_end", "confidence", "batch_id", "ingested_at"}
)
"""The figure record as it travels with the report (without storage bookkeeping)."""


def figures_by_id(figures: pl.DataFrame, ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """The rows of ``ids``, by figure id: what a card, a table or a footnote cites."""
    wanted = pl.Series(list(set(ids)), dtype=pl.String)
    return {
        row["figure_id"]: row
        for row in figures.filter(pl.col("figure_id").is_in(wanted.implode())).to_dicts()
    }


def is_text(method: str | None) -> bool:
    return (method or "").startswith("text")


def when(row: dict[str, Any]) -> str:
    start, end = row["period_start"], row["period_end"]
    if start == end:
        return f"as of {format_date(end)}"
    return f"for {format_date(start)} – {format_date(end)}"


def provenance(row: dict[str, Any]) -> str:
    """``OCHA, published 2 Dec 2024, as of 30 Nov 2024`` for one figure."""
    who = row["publisher"]
    credited = row.get("attributed_to")
    if credited and credited.strip().lower() != who.strip().lower():
        who = f"{who} citing {credited}"
    return f"{who}, published {format_date(row['published_date'])}, {when(row)}"


def coverage(row: dict[str, Any], figures: dict[str, dict[str, Any]]) -> str:
    """``as of 30 Nov 2024`` for a total; ``new, 1–5 Dec, 1 report`` for new events, with
    the days reported where the reports are daily (a missing day is a gap, not a zero)."""
    if row["measure"] == Measure.STOCK.value:
        # A toll's start date is part of its definition; its coverage is its date.
        if "since " in (row.get("definition") or ""):
            return f"as of {format_date(row['period_end'])}"
        return when(row)
    rows = [figures[i] for i in row["figure_id"] if i in figures]
    reports = {(r["source_file"], r["period_start"], r["period_end"]) for r in rows}
    text = f"new, {day_span(row['period_start'], row['period_end'])}, "
    text += plural(len(reports), "report")
    if len(reports) > 1 and all(r["period_start"] == r["period_end"] for r in rows):
        days = len({r["period_start"] for r in rows})
        span = (row["period_end"] - row["period_start"]).days + 1
        text += f", {days} of {span} days reported"
    return text


def place(row: dict[str, Any], figures: dict[str, dict[str, Any]]) -> str:
    if row["admin_level"] == 0:
        return country_name(row["country_iso3"])
    figure = figures.get(row["figure_id"][0], {})
    return figure.get("location_name") or row["location_key"]


def value(row: dict[str, Any], figures: dict[str, dict[str, Any]]) -> str:
    rows = [figures[i] for i in row["figure_id"] if i in figures]
    return value_text(
        row["value"],
        [r["qualifier"] for r in rows],
        [r["quote"] for r in rows],
        low=row["range_low"],
        high=row["range_high"],
    )


@dataclass
class Ledger:
    """Every figure the report shows, and which are listed one by one.

    Sections refer to figures while they are built; numbers and dataset labels are handed
    out once the report is complete (``close``), headline figures first.
    """

    individual: list[str] = field(default_factory=list)
    used: dict[str, None] = field(default_factory=dict)
    numbers: dict[str, int] = field(default_factory=dict)
    figures: dict[str, dict[str, Any]] = field(default_factory=dict)
    sources: dict[str, int] = field(default_factory=dict)

    def refer(self, ids: Iterable[str], *, individual: bool = False) -> Ref:
        """Refer to the figures behind one number, chart or table. A number resting on one
        figure with ``individual`` (a headline) is listed in the appendix, as is any text
        figure; a sum of table rows is cited by dataset and row range."""
        ids = list(dict.fromkeys(ids))
        self.used.update(dict.fromkeys(ids))
        if individual and len(ids) == 1:
            self.individual.extend(ids)
        return Ref(self, ids)

    def close(self, figures: pl.DataFrame) -> None:
        """Number what is listed one by one and label the datasets, from ``figures`` (the
        rows of every figure used)."""
        self.figures = {row["figure_id"]: row for row in figures.to_dicts()}
        texts = [i for i in self.used if is_text(self.figures.get(i, {}).get("method"))]
        for figure_id in [*self.individual, *texts]:
            if figure_id in self.figures and figure_id not in self.numbers:
                self.numbers[figure_id] = len(self.numbers) + 1
        first: dict[str, tuple[int, str]] = {}
        for figure_id, row in self.figures.items():
            key = (self.numbers.get(figure_id, len(self.figures) + 1), figure_id)
            source_file = row["source_file"]
            if source_file not in first or key < first[source_file]:
                first[source_file] = key
        files = sorted(first, key=first.__getitem__)
        self.sources = {f: n for n, f in enumerate(files, start=1)}


@dataclass(frozen=True)
class Ref:
    """A reference as a template shows it: appendix numbers, then datasets and rows."""

    ledger: Ledger = field(repr=False)
    ids: list[str]

    @property
    def listed(self) -> list[int]:
        return sorted(self.ledger.numbers[i] for i in self.ids if i in self.ledger.numbers)

    @property
    def numbers(self) -> list[int]:
        return self.listed[:REFS_SHOWN]

    @property
    def more(self) -> int:
        return len(self.listed) - len(self.numbers)

    @property
    def datasets(self) -> list[dict[str, Any]]:
        """The table rows not listed one by one, per dataset: ``S2, rows 422–482``."""
        rows: dict[str, list[int]] = {}
        for figure_id in self.ids:
            figure = self.ledger.figures.get(figure_id)
            if figure is None or figure_id in self.ledger.numbers:
                continue
            rows.setdefault(figure["source_file"], []).append(figure.get("span_start") or 0)
        return [
            {"n": self.ledger.sources[f], "rows": row_span(r)}
            for f, r in sorted(rows.items(), key=lambda kv: self.ledger.sources[kv[0]])
        ][:REFS_SHOWN]

    @property
    def more_datasets(self) -> int:
        files = {
            self.ledger.figures[i]["source_file"]
            for i in self.ids
            if i in self.ledger.figures and i not in self.ledger.numbers
        }
        return max(0, len(files) - REFS_SHOWN)


def row_span(rows: list[int]) -> str:
    """``row 7``, ``rows 422–452``, or ``31 rows in 422–482`` where some are skipped."""
    unique = sorted(set(rows))
    if len(unique) == 1:
        return f"row {unique[0]:,}"
    first, last = unique[0], unique[-1]
    if last - first + 1 == len(unique):
        return f"rows {first:,}–{last:,}"
    return f"{len(unique):,} rows in {first:,}–{last:,}"


def sources_table(ledger: Ledger, sources: pl.DataFrame | None) -> list[dict[str, Any]]:
    """One row per dataset or document used: its name, publisher, URL, when it was
    retrieved, how many of its rows the report uses and the dates they cover."""
    meta = {}
    if sources is not None:
        meta = {row["source_file"]: row for row in sources.to_dicts()}
    by_file: dict[str, list[dict[str, Any]]] = {}
    for row in ledger.figures.values():
        by_file.setdefault(row["source_file"], []).append(row)
    table = []
    for source_file, n in sorted(ledger.sources.items(), key=lambda kv: kv[1]):
        rows = by_file[source_file]
        info = meta.get(source_file, {})
        urls = sorted({r["source_url"] for r in rows if r["source_url"]})
        url = info.get("source_url") or (urls[0] if len(urls) == 1 else None)
        retrieved = info.get("ingested_at") or min(r["ingested_at"] for r in rows)
        table.append(
            {
                "n": n,
                "name": info.get("title") or info.get("original_name") or source_file,
                "kind": "document" if any(is_text(r["method"]) for r in rows) else "dataset",
                "publisher": ", ".join(sorted({r["publisher"] for r in rows})),
                "url": url if url and url.startswith(("https://", "http://")) else None,
                "urls": len(urls) if url is None else 0,
                "retrieved": format_date(retrieved.date()) if retrieved else "–",
                "rows": plural(len(rows), "figure"),
                "dates": f"{format_date(min(r['period_start'] for r in rows))} – "
                f"{format_date(max(r['period_end'] for r in rows))}",
            }
        )
    return table


def appendix(ledger: Ledger) -> list[dict[str, Any]]:
    """The figures listed one by one, in number order."""
    entries = []
    for figure_id, n in sorted(ledger.numbers.items(), key=lambda kv: kv[1]):
        figure = ledger.figures[figure_id]
        url = figure["source_url"] or ""
        low, high = figure["value_low"], figure["value_high"]
        entries.append(
            {
                "n": n,
                "value": value_text(
                    figure["value"], [figure["qualifier"]], [figure["quote"]], low=low, high=high
                ),
                "bounds": f"{low:,} – {high:,}" if low is not None and high is not None else None,
                "what": f"{indicator_label(figure['indicator'])} "
                f"({'total to date' if figure['measure'] == 'stock' else 'new'}, "
                f"{figure['unit']})",
                "place": figure["location_name"] or country_name(figure["country_iso3"]),
                "country": figure["country_iso3"],
                "source": provenance(figure),
                "url": url if url.startswith(("https://", "http://")) else None,
                "dataset": ledger.sources[figure["source_file"]],
                "row": None if is_text(figure["method"]) else figure.get("span_start"),
                "quote": figure["quote"],
            }
        )
    return entries


def embedded_csv(ledger: Ledger) -> str:
    """Every figure used, as a ``data:`` URI holding CSV (opens offline, travels in the PDF
    as an attachment)."""
    frame = pl.DataFrame(list(ledger.figures.values()), infer_schema_length=None)
    frame = frame.select(c for c in CSV_COLUMNS if c in frame.columns)
    if "figure_id" in frame.columns:
        numbers = pl.Series([ledger.numbers.get(i) for i in frame["figure_id"]], dtype=pl.Int64)
        frame = frame.insert_column(0, numbers.alias("appendix_number"))
        sources = [ledger.sources.get(f) for f in frame["source_file"]]
        frame = frame.insert_column(1, pl.Series("dataset", sources, dtype=pl.Int64))
    buffer = io.BytesIO()
    write_frame(frame.sort("dataset", "span_start", nulls_last=True), Format.CSV, buffer)
    return "data:text/csv;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def cut_off(ingested: Iterable[dt.datetime | None]) -> str:
    latest = max((t for t in ingested if t is not None), default=None)
    return f"{format_date(latest.date())}, {latest:%H:%M} UTC" if latest else "no data"
