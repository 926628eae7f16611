"""Trends and places: a chart only where a chart says more than a sentence or a table.

- a series of one point is a sentence, not a dot on an empty axis;
- lines whose magnitudes are 10× apart get a panel each (small multiples), so the small one
  is not a flat line along the bottom of the large one;
- places with fewer than ``BAR_MIN`` values are a table, not a chart of one bar;
- each chart has a title and description inside its SVG and its data as a table beside it;
- totals of different definitions are different lines, never one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import polars as pl

from humstats import aggregate
from humstats.periods import Period, format_date
from humstats.report import charts, citations
from humstats.report.citations import Ledger
from humstats.report.definitions import DEFINITION, KEEP_APART, describe
from humstats.report.wording import (
    country_name,
    indicator_label,
    number,
    order,
    value_text,
    what,
)
from humstats.schema import Measure, Qualifier

TREND_LINES = 6
MAGNITUDE = 10
"""Lines whose largest values are this many times apart are drawn in separate panels."""
BAR_MIN = 3
BAR_LIMIT = 12
HEADLINE_PLACES = 3
EXACT = Qualifier.EXACT.value

_STEP_GAP = {"1d": dt.timedelta(days=1), "1w": dt.timedelta(days=7), "1mo": dt.timedelta(days=31)}
"""Buckets further apart than this are not neighbours: the line breaks between them."""
_STEP_NAME = {"1d": "day", "1w": "week", "1mo": "month"}


def _every(days: int) -> str:
    if days <= 120:
        return "1d"
    if days <= 2 * 366:
        return "1w"
    return "1mo"


AVERAGE_DAYS = 7
AVERAGE_MIN_REPORTS = 4
"""A 7-day average is drawn over daily new events, from the days reported in each window
(at least this many): missing days are left out, never counted as zeros."""


def _average(line: charts.Line) -> charts.Line | None:
    """The trailing 7-day average of a daily line, or None where it has too few points."""
    if len(line.dates) < 2 * AVERAGE_DAYS:
        return None
    dates, values = [], []
    for n, day in enumerate(line.dates):
        window = [
            v
            for d, v in zip(line.dates[: n + 1], line.values[: n + 1], strict=True)
            if (day - d).days < AVERAGE_DAYS
        ]
        if len(window) >= AVERAGE_MIN_REPORTS:
            dates.append(day)
            values.append(round(sum(window) / len(window)))
    if not dates:
        return None
    return charts.Line(f"{line.label}, {AVERAGE_DAYS}-day average", dates, values)


def _panels(lines: list[charts.Line]) -> list[list[charts.Line]]:
    """Lines grouped so that no panel holds lines 10× apart in size (largest first)."""
    panels: list[list[charts.Line]] = []
    for line in sorted(lines, key=lambda ln: -max(ln.values, default=0)):
        top = max(line.values, default=0)
        if panels and max(panels[-1][0].values, default=0) < MAGNITUDE * max(top, 1):
            panels[-1].append(line)
        else:
            panels.append([line])
    return panels


def _hedged(series: pl.DataFrame, window: pl.LazyFrame) -> pl.DataFrame:
    """Mark each point whose figures carry a hedge (open marker on the chart)."""
    qualifiers = window.select("figure_id", "qualifier").collect()
    points = (
        series.with_row_index("_point")
        .select("_point", pl.col("figure_id").alias("_id"))
        .explode("_id")
        .join(qualifiers, left_on="_id", right_on="figure_id", how="left")
        .group_by("_point")
        .agg(pl.col("qualifier").fill_null(EXACT).ne(EXACT).any().alias("hedged"))
    )
    return (
        series.with_row_index("_point")
        .join(points, on="_point", how="left")
        .drop("_point")
        .with_columns(pl.col("hedged").fill_null(False))
    )


def _series(
    window: pl.LazyFrame, expected: pl.LazyFrame, span: Period, every: str, priority: Sequence[str]
) -> pl.DataFrame:
    """National values per bucket (or a few areas' where a country has none)."""
    # A total is drawn on its date, whatever it counts from; new events only where their
    # whole stretch lies inside the span.
    stock = pl.col("measure") == Measure.STOCK.value
    drawable = window.filter(
        (stock | (pl.col("period_start") >= span.start)) & (pl.col("period_end") <= span.end)
    )
    series = aggregate.series(drawable, every, priority, by=KEEP_APART).collect()
    national = aggregate.country_values(
        series.lazy(), expected, by=[*KEEP_APART, "bucket"]
    ).collect()
    keys = ["country_iso3", "indicator", "measure", "unit"]
    local = series.filter(pl.col("admin_level").ne_missing(0)).join(
        national.select(keys).unique(), on=keys, how="anti", nulls_equal=True
    )
    local = local.filter(
        pl.col("admin_level").eq_missing(pl.col("admin_level").min().over(keys))
    ).filter(pl.col("location_key").n_unique().over(keys) <= HEADLINE_PLACES)
    drawn = pl.concat([national, local], how="diagonal_relaxed")
    if drawn.is_empty():
        return drawn
    return _hedged(drawn, window).with_columns(
        line=pl.concat_str(["country_iso3", "location_key", DEFINITION], separator="/")
    )


def _line_label(
    iso3: str, location: str, definition: str, measure: str, names: dict, many: bool = False
) -> str:
    place = country_name(iso3) if location == iso3 else names.get(location, location)
    if many and location != iso3:
        place = f"{place} ({iso3})"
    return f"{place} ({describe(definition, measure)})" if definition else place


def _point_text(
    row: dict[str, Any], hedges: dict[str, tuple[str, str | None]], stock: bool, step: str
) -> str:
    """One figure in words, with its source's hedge and its date ("nearly 1.9 million as of
    10 Dec 2024"), for a series too short to draw."""
    said = [hedges.get(i, (EXACT, None)) for i in row["figure_id"]]
    value = value_text(row["value"], [q for q, _ in said], [quote for _, quote in said])
    if stock:
        return f"{value} as of {format_date(row['period_end'])}"
    return f"{value} in the {step} of {format_date(row['bucket'])}"


def _describe(title: str, lines: list[charts.Line], span: Period) -> str:
    parts = []
    for line in lines:
        last = line.values[-1]
        parts.append(
            f"{line.label}: {len(line.values)} points, from {number(min(line.values))} to "
            f"{number(max(line.values))}, last {number(last)} on {format_date(line.dates[-1])}"
        )
    return f"{title}, {span.title}. " + "; ".join(parts) + "."


def trends(
    window: pl.LazyFrame,
    expected: pl.LazyFrame,
    span: Period,
    priority: Sequence[str],
    ledger: Ledger,
) -> list[dict[str, Any]]:
    """One item per indicator × measure × unit: a sentence for a single point, else a chart
    of one or more panels with its data table."""
    every = _every(span.days)
    drawn = _series(window, expected, span, every, priority)
    if drawn.is_empty():
        return []
    names = dict(
        window.filter(pl.col("location_name").is_not_null())
        .group_by("location_key")
        .agg(pl.col("location_name").first())
        .collect()
        .iter_rows()
    )
    hedges = {
        figure_id: (qualifier, quote)
        for figure_id, qualifier, quote in window.select("figure_id", "qualifier", "quote")
        .collect()
        .iter_rows()
    }
    step = _STEP_NAME[every]
    items = []
    groups = drawn.partition_by(["indicator", "measure", "unit"], as_dict=True)
    for (indicator, measure, unit), group in sorted(
        groups.items(), key=lambda kv: (order(str(kv[0][0])), kv[0][1] != "stock", kv[0])
    ):
        label = indicator_label(str(indicator))
        stock = measure == Measure.STOCK.value
        title = label if stock else f"{label}, new per {step}"
        if unit != "people":
            title = f"{title} ({unit})"
        ids = [i for ids in group["figure_id"] for i in ids]
        refs = ledger.refer(ids)
        if group.height == 1:
            row = group.row(0, named=True)
            place = _line_label(
                row["country_iso3"], row["location_key"], row[DEFINITION], measure, names
            )
            items.append(
                {
                    "kind": "text",
                    "title": title,
                    "text": f"{place}: {_point_text(row, hedges, stock, step)} — the only "
                    f"figure in {span.title}, so no line is drawn.",
                    "sources": ", ".join(row["publishers"]),
                    "refs": refs,
                }
            )
            continue
        lines = []
        last = group.sort("bucket").group_by("line").agg(pl.col("value").last())
        keys = last.sort("value", descending=True)["line"].to_list()
        many = group["country_iso3"].n_unique() > 1
        alone: dict[str, dict[str, Any]] = {}  # a line of one point: its row, for a sentence
        for key in keys[:TREND_LINES]:
            one = group.filter(pl.col("line") == key).sort("bucket")
            iso3, location, definition = key.split("/", 2)
            line_label = _line_label(iso3, location, definition, measure, names, many)
            if one.height == 1:
                alone[line_label] = one.row(0, named=True)
            lines.append(
                charts.Line(
                    line_label,
                    one["bucket"].to_list(),
                    one["value"].to_list(),
                    one["range_low"].to_list(),
                    one["range_high"].to_list(),
                    one["hedged"].to_list(),
                )
            )
        averaged = False
        panels = []
        for n, panel in enumerate(_panels(lines)):
            if not stock and every == "1d" and len(panel) <= 2:
                averages = [a for a in map(_average, panel) if a is not None]
                averaged = averaged or bool(averages)
                panel = [*panel, *averages]
            chart_id = charts.safe_id(f"trend-{indicator}-{measure}-{unit}-{n}")
            panel_title = title if len(panel) > 1 else f"{title} — {panel[0].label}"
            if len(lines) == 1:
                title = panel_title
            if len(panel) == 1 and panel[0].label in alone:  # a panel of one dot: a sentence
                row = alone[panel[0].label]
                panels.append(
                    {
                        "id": chart_id,
                        "title": panel_title,
                        "text": f"{panel[0].label}: {_point_text(row, hedges, stock, step)}, "
                        "a single figure, so no line is drawn.",
                    }
                )
                continue
            desc = _describe(panel_title, panel, span)
            panels.append(
                {
                    "id": chart_id,
                    "title": panel_title,
                    "svg": charts.trend_chart(
                        panel,
                        ylabel=f"{label} ({unit})",
                        chart_id=chart_id,
                        span=(span.start, span.end),
                        gap=None if stock else _STEP_GAP[every],
                        title=panel_title,
                        desc=desc,
                    ),
                    "rows": [
                        {"line": line.label, "date": format_date(d), "value": number(v)}
                        for line in panel
                        for d, v in zip(line.dates, line.values, strict=True)
                    ],
                }
            )
        how = "latest total each" if stock else "sum of the reports each"
        method = f"{how} {step}, {span.title}"
        if not stock:
            method += "; a day or week without a report is a gap, not a zero"
        if averaged:
            method += f"; with the {AVERAGE_DAYS}-day average of the days reported"
        items.append(
            {
                "kind": "chart",
                "title": title,
                "method": method,
                "panels": panels,
                "omitted": max(0, len(keys) - TREND_LINES),
                "sources": ", ".join(sorted({p for ps in group["publishers"] for p in ps})),
                "refs": refs,
            }
        )
    return items


def places(
    current: pl.DataFrame,
    headlines: pl.DataFrame,
    known: pl.DataFrame,
    period: Period,
    ledger: Ledger,
) -> list[dict[str, Any]]:
    """Sub-national values reported for the period, per indicator × measure × unit ×
    definition at the coarsest level present, but for the areas already on a headline
    card: a table for a few places, bars for more."""
    keys = [*aggregate.KEYS, DEFINITION]
    local = current.filter(
        pl.col("admin_level").ne_missing(0) & (pl.col("period_end") >= period.start)
    ).join(headlines.select(keys), on=keys, how="anti", nulls_equal=True)
    if local.is_empty():
        return []
    figures = citations.figures_by_id(known, [i for ids in local["figure_id"] for i in ids])
    many = local["country_iso3"].n_unique() > 1
    items = []
    groups = local.partition_by(["indicator", "measure", "unit", DEFINITION], as_dict=True)
    for (indicator, measure, unit, definition), group in sorted(
        groups.items(), key=lambda kv: (order(str(kv[0][0])), tuple(map(str, kv[0])))
    ):
        level = group["admin_level"].min()
        group = group.filter(pl.col("admin_level").eq_missing(level))
        rows = group.sort("value", descending=True).head(BAR_LIMIT).to_dicts()
        subject = what(str(indicator), str(measure), str(unit))
        if definition:
            subject = f"{subject} ({describe(str(definition), str(measure))})"
        by = f"by admin-{level} area" if level else "by place"
        entries = []
        for row in rows:
            name = citations.place(row, figures)
            entries.append(
                {
                    "place": f"{name} ({row['country_iso3']})" if many else name,
                    "value": citations.value(row, figures),
                    "raw": row["value"],
                    "coverage": citations.coverage(row, figures),
                    "source": ", ".join(row["publishers"]),
                    "refs": ledger.refer(row["figure_id"]),
                }
            )
        item: dict[str, Any] = {
            "title": f"{subject}, {by}",
            "entries": entries,
            "total": group.height,
            "svg": None,
        }
        if len(entries) >= BAR_MIN:
            chart_id = charts.safe_id(f"bar-{indicator}-{measure}-{unit}-{definition}")
            item["id"] = chart_id
            item["svg"] = charts.bar_chart(
                [e["place"] for e in entries],
                [e["raw"] for e in entries],
                xlabel=f"{indicator_label(str(indicator))} ({unit})",
                chart_id=chart_id,
                title=item["title"],
                desc="; ".join(f"{e['place']}: {e['value']}" for e in entries),
            )
        items.append(item)
    return items
