"""From figures to the dictionary a report template renders.

All arithmetic happens in ``humstats.aggregate``; this module picks what a reader needs for
one period (and the one before, for change), turns numbers into text, draws the charts and
keeps a ledger of every figure it shows, so each number on the page points to a row of the
appendix with its publisher, dates, quote and link. A figure without provenance (publisher,
publication date, quote) never reaches the page.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl
import pycountry

from humstats import aggregate
from humstats.aggregate import DEFAULT_PRIORITY, DEFAULT_THRESHOLD
from humstats.report import charts
from humstats.report.period import Period, format_date
from humstats.schema import Indicator, Measure, Qualifier

log = logging.getLogger(__name__)

HEADLINE_INDICATORS: tuple[Indicator, ...] = (
    Indicator.KILLED,
    Indicator.INJURED,
    Indicator.DISPLACED,
    Indicator.REFUGEES,
    Indicator.IN_NEED,
    Indicator.POPULATION,
)
"""Shown first, in this order; other indicators present follow."""

_LABELS: dict[Indicator, str] = {
    Indicator.DISPLACED: "Internally displaced",
    Indicator.IN_NEED: "People in need",
    Indicator.FOOD_INSECURE: "Food insecure",
}
_QUALIFIER_WORDS: dict[Qualifier, str] = {
    Qualifier.APPROX: "about",
    Qualifier.AT_LEAST: "at least",
    Qualifier.AT_MOST: "up to",
}

APPENDIX_LIMIT = 400
"""Rows listed in the appendix; a store of a million figures must not print them all."""
DISCREPANCY_LIMIT = 30
BAR_LIMIT = 15
TREND_LINES = 8
QUALITY_LIMIT = 25
REFS_SHOWN = 3


def indicator_label(indicator: str) -> str:
    try:
        return _LABELS.get(Indicator(indicator), indicator.replace("_", " ").capitalize())
    except ValueError:
        return indicator.replace("_", " ").capitalize()


def country_name(iso3: str | None) -> str:
    if not iso3:
        return "Unknown country"
    country = pycountry.countries.get(alpha_3=iso3)
    if country is None:
        return iso3
    return getattr(country, "common_name", None) or country.name


def number(value: int | float | None) -> str:
    return "–" if value is None else f"{value:,.0f}"


def _order(indicator: str) -> int:
    order = [i.value for i in HEADLINE_INDICATORS]
    return order.index(indicator) if indicator in order else len(order)


def has_provenance() -> pl.Expr:
    """Publisher, publication date and quote: what a footnote needs."""

    def filled(column: str) -> pl.Expr:
        return pl.col(column).is_not_null() & (pl.col(column).str.strip_chars() != "")

    return filled("publisher") & filled("quote") & pl.col("published_date").is_not_null()


@dataclass
class Ledger:
    """Every figure the report shows, to be numbered for the appendix.

    Sections ask for references while they are built; numbers are handed out at the end,
    tier by tier (tables and headlines before the many points of trend lines) and, within a
    tier, first one figure for every number shown, then the others (the days behind a
    monthly total). So when the appendix limit bites, each number on the page still points
    to at least one of its figures.
    """

    limit: int = APPENDIX_LIMIT
    requests: list[tuple[int, list[list[str]]]] = field(default_factory=list)
    numbers: dict[str, int] = field(default_factory=dict)

    def refer(self, *parts: Sequence[str], tier: int = 0) -> Ref:
        """Reference the figures behind one or more numbers shown together (``parts``:
        one list of figure ids per number)."""
        self.requests.append((tier, [list(part) for part in parts]))
        return Ref(self, list(dict.fromkeys(i for part in parts for i in part)))

    def assign(self) -> None:
        for tier in sorted({tier for tier, _ in self.requests}):
            requests = [parts for t, parts in self.requests if t == tier]
            for round_ in (slice(0, 1), slice(1, None)):
                for parts in requests:
                    for part in parts:
                        for figure_id in part[round_]:
                            self._number(figure_id)

    def _number(self, figure_id: str) -> None:
        if figure_id not in self.numbers and len(self.numbers) < self.limit:
            self.numbers[figure_id] = len(self.numbers) + 1

    @property
    def wanted(self) -> int:
        return len({i for _, parts in self.requests for part in parts for i in part})


@dataclass(frozen=True)
class Ref:
    """A reference to figures in the appendix, as a template shows it: a few numbers, how
    many more are listed, and how many did not fit."""

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
    def unlisted(self) -> int:
        return len(self.ids) - len(self.listed)


def _when(row: dict[str, Any]) -> str:
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
    return f"{who}, published {format_date(row['published_date'])}, {_when(row)}"


def _footnote(value: dict[str, Any], lookup: dict[str, dict[str, Any]]) -> str:
    ids = value["figure_id"]
    if len(ids) == 1 and ids[0] in lookup:
        return provenance(lookup[ids[0]])
    publishers = ", ".join(value["publishers"])
    what = f"sum of {len(ids):,} figures"
    if value.get("rolled_up"):
        what = f"sum over all sub-national areas ({len(ids):,} figures)"
    return (
        f"{publishers}, {what}, published up to {format_date(value['published_date'])}, "
        f"{_when(value)}"
    )


def _value_text(value: dict[str, Any], lookup: dict[str, dict[str, Any]]) -> str:
    text = number(value["value"])
    ids = value["figure_id"]
    if len(ids) == 1 and ids[0] in lookup:
        word = _QUALIFIER_WORDS.get(Qualifier(lookup[ids[0]]["qualifier"]))
        if word:
            text = f"{word} {text}"
    return text


def _change_text(row: dict[str, Any], previous: Period) -> tuple[str, str]:
    """Text and direction (up, down, same, none) of the change against the previous period."""
    if row["value_previous"] is None:
        return f"no figure for {previous.title}", "none"
    if set(row["figure_id"]) == set(row["figure_id_previous"]):
        return f"the same figure covers {previous.title}", "none"
    delta = row["delta"]
    if row["measure"] == Measure.STOCK.value:
        start, end = row["period_start_previous"], row["period_end_previous"]
        reference = (
            f"since {format_date(end)}"
            if start == end
            else f"vs {number(row['value_previous'])} for {format_date(start)} – {format_date(end)}"
        )
    else:
        reference = f"vs {number(row['value_previous'])} in {previous.title}"
    if delta == 0:
        return f"no change {reference}", "same"
    share = row["delta_share"]
    pct = f" ({share:+.1%})" if share is not None else ""
    return f"{delta:+,}{pct} {reference}", "up" if delta > 0 else "down"


def _what(row: dict[str, Any], period: Period) -> str:
    label = indicator_label(row["indicator"])
    if row["unit"] != "people":
        label = f"{label} ({row['unit']})"
    if row["measure"] == Measure.FLOW.value:
        label = f"{label}, new in {period.title}"
    return label


def _lookup(window: pl.DataFrame, figure_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    wanted = pl.Series(list(set(figure_ids)), dtype=pl.String)
    rows = window.filter(pl.col("figure_id").is_in(wanted.implode())).to_dicts()
    return {row["figure_id"]: row for row in rows}


def _headlines(
    changes: pl.DataFrame,
    period: Period,
    ledger: Ledger,
    lookup: dict[str, dict[str, Any]],
) -> list[dict[str, Any]]:
    rows = sorted(
        changes.to_dicts(),
        key=lambda r: (
            country_name(r["country_iso3"]),
            r["admin_level"] != 0,
            r["location_key"],
            _order(r["indicator"]),
            r["indicator"],
            r["measure"] != Measure.STOCK.value,
            r["unit"],
        ),
    )
    countries: dict[str, dict[str, Any]] = {}
    for row in rows:
        iso3 = row["country_iso3"]
        country = countries.setdefault(
            iso3, {"iso3": iso3, "name": country_name(iso3), "headlines": []}
        )
        change, direction = _change_text(row, period.previous())
        ids = row["figure_id"]
        previous_ids = row["figure_id_previous"] or []
        label = _what(row, period)
        if row["admin_level"] != 0:
            label = f"{_place(row, lookup, many=False)}: {label}"
        country["headlines"].append(
            {
                "label": label,
                "value": _value_text(row, lookup),
                "range": (
                    f"{number(row['range_low'])} – {number(row['range_high'])}"
                    if row["range_low"] != row["range_high"]
                    else None
                ),
                "n_sources": row["n_sources"],
                "change": change,
                "direction": direction,
                "footnote": _footnote(row, lookup),
                "refs": ledger.refer(ids),
                "previous_refs": ledger.refer(previous_ids),
                "rolled_up": bool(row.get("rolled_up")),
            }
        )
    return list(countries.values())


HEADLINE_PLACES = 3
"""A country with no national figure shows its areas' figures as headlines, up to this many
(the Gaza Strip for Palestine); more areas than that are left to the bar charts."""


def _stand_ins(changes: pl.DataFrame, current: pl.DataFrame, before: pl.DataFrame) -> pl.DataFrame:
    """Headline rows for the areas of a country that has no national value for an indicator."""
    group = ["country_iso3", "indicator", "measure", "unit"]
    local = current.filter(pl.col("admin_level").ne_missing(0)).join(
        changes.select(group), on=group, how="anti"
    )
    local = local.filter(
        pl.col("admin_level").eq_missing(pl.col("admin_level").min().over(group))
    ).filter(pl.len().over(group) <= HEADLINE_PLACES)
    earlier = before.filter(pl.col("admin_level").ne_missing(0))
    return aggregate.change(local.lazy(), earlier.lazy()).collect()


def _place(row: dict[str, Any], lookup: dict[str, dict[str, Any]], many: bool) -> str:
    figure = lookup.get(row["figure_id"][0], {})
    name = figure.get("location_name") or row["location_key"]
    if row["admin_level"] == 0:
        name = country_name(row["country_iso3"])
    return f"{name} ({row['country_iso3']})" if many else name


def _sources_text(publishers: Iterable[str]) -> str:
    counts: dict[str, int] = {}
    for publisher in publishers:
        counts[publisher] = counts.get(publisher, 0) + 1
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return ", ".join(f"{name} ({count:,})" for name, count in ranked)


def _bars(
    current: pl.DataFrame,
    period: Period,
    ledger: Ledger,
    lookup: dict[str, dict[str, Any]],
) -> list[dict[str, Any]]:
    """One chart per indicator × measure × unit with sub-national values, at the coarsest
    sub-national level present (so provinces are not ranked against their districts)."""
    local = current.filter((pl.col("admin_level") > 0) | pl.col("admin_level").is_null())
    if local.is_empty():
        return []
    many = local["country_iso3"].n_unique() > 1
    bars = []
    groups = local.partition_by(["indicator", "measure", "unit"], as_dict=True)
    for (indicator, measure, unit), group in sorted(
        groups.items(), key=lambda kv: (_order(kv[0][0]), kv[0])
    ):
        level = group["admin_level"].min()  # None when only places of unknown level
        group = group.filter(pl.col("admin_level").eq_missing(level))
        top = group.sort("value", descending=True).head(BAR_LIMIT).to_dicts()
        what = _what({"indicator": indicator, "measure": measure, "unit": unit}, period)
        chart_id = charts.safe_id(f"bar-{indicator}-{measure}-{unit}")
        bars.append(
            {
                "id": chart_id,
                "title": f"{what}, by admin-{level} area" if level else f"{what}, by place",
                "svg": charts.bar_chart(
                    [_place(row, lookup, many) for row in top],
                    [row["value"] for row in top],
                    xlabel=f"{indicator_label(indicator)} ({unit})",
                    chart_id=chart_id,
                ),
                "shown": len(top),
                "total": group.height,
                "sources": _sources_text(p for row in top for p in row["publishers"]),
                "refs": ledger.refer(*(row["figure_id"] for row in top)),
            }
        )
    return bars


_STEP_GAP = {
    "1d": dt.timedelta(days=1),
    "1w": dt.timedelta(days=7),
    "1mo": dt.timedelta(days=31),
}
"""Buckets further apart than this are not neighbours: the line breaks between them."""


def _trend_every(days: int) -> str:
    if days <= 120:
        return "1d"
    if days <= 2 * 366:
        return "1w"
    return "1mo"


def _trends(
    window: pl.LazyFrame,
    expected: pl.LazyFrame,
    span: Period,
    period: Period,
    priority: Sequence[str],
    ledger: Ledger,
) -> list[dict[str, Any]]:
    every = _trend_every(span.days)
    # Only what can be drawn inside the span: a year-long figure has no day to sit on.
    drawable = window.filter(
        (pl.col("period_start") >= span.start) & (pl.col("period_end") <= span.end)
    )
    series = aggregate.series(drawable, every, priority).collect()
    national = aggregate.country_values(series.lazy(), expected, by=["bucket"]).collect()
    # As for the headlines: a country without national values is drawn by its few areas.
    group_keys = ["country_iso3", "indicator", "measure", "unit"]
    local = series.filter(pl.col("admin_level").ne_missing(0)).join(
        national.select(group_keys).unique(), on=group_keys, how="anti"
    )
    local = local.filter(
        pl.col("admin_level").eq_missing(pl.col("admin_level").min().over(group_keys))
    ).filter(pl.col("location_key").n_unique().over(group_keys) <= HEADLINE_PLACES)
    names = dict(
        window.filter(pl.col("location_name").is_not_null())
        .group_by("location_key")
        .agg(pl.col("location_name").first())
        .collect()
        .iter_rows()
    )
    drawn = pl.concat([national, local], how="diagonal_relaxed").with_columns(
        line=pl.col("country_iso3") + "/" + pl.col("location_key")
    )
    if drawn.is_empty():
        return []
    trends = []
    groups = drawn.partition_by(["indicator", "measure", "unit"], as_dict=True)
    for (indicator, measure, unit), group in sorted(
        groups.items(),
        key=lambda kv: (_order(kv[0][0]), kv[0][0], kv[0][1] != "stock", kv[0][2] != "people"),
    ):
        last = group.sort("bucket").group_by("line").agg(pl.col("value").last())
        keys = last.sort("value", descending=True)["line"].to_list()
        lines, points, publishers = [], [], []
        for key in keys[:TREND_LINES]:
            one = group.filter(pl.col("line") == key).sort("bucket")
            iso3, location = key.split("/", 1)
            label = country_name(iso3) if location == iso3 else names.get(location, location)
            lines.append(charts.Line(label, one["bucket"].to_list(), one["value"].to_list()))
            points.extend(one["figure_id"].to_list())
            publishers.extend(one["publishers"].explode().to_list())
        step = {"1d": "day", "1w": "week", "1mo": "month"}[every]
        how = "latest figure each" if measure == Measure.STOCK.value else "sum of figures per"
        chart_id = charts.safe_id(f"trend-{indicator}-{measure}-{unit}")
        label = indicator_label(indicator)
        title = label if measure == Measure.STOCK.value else f"{label}, new per {step}"
        if len(lines) == 1:  # no legend: the title names the place
            title = f"{title} — {lines[0].label}"
        trends.append(
            {
                "id": chart_id,
                "title": f"{title} ({unit})" if unit != "people" else title,
                "svg": charts.trend_chart(
                    lines,
                    ylabel=f"{label} ({unit})",
                    chart_id=chart_id,
                    span=(span.start, span.end),
                    gap=None if measure == Measure.STOCK.value else _STEP_GAP[every],
                ),
                "method": f"{how} {step}, {span.title}",
                "omitted": max(0, len(keys) - TREND_LINES),
                "sources": _sources_text(publishers),
                "refs": ledger.refer(*points, tier=1),
            }
        )
    return trends


def _discrepancies(
    window: pl.LazyFrame,
    period: Period,
    threshold: float,
    ledger: Ledger,
    lookup_of: Any,
) -> dict[str, Any]:
    in_period = window.filter(
        (pl.col("period_start") <= period.end) & (pl.col("period_end") >= period.start)
    )
    found = aggregate.discrepancies(in_period, threshold).collect()
    top = found.sort(["share", "high_value"], descending=True).head(DISCREPANCY_LIMIT)
    lookup = lookup_of([*top["low_figure_id"], *top["high_figure_id"]])
    many = found["country_iso3"].n_unique() > 1
    rows = []
    for row in top.to_dicts():
        low, high = lookup[row["low_figure_id"]], lookup[row["high_figure_id"]]
        place_row = {**row, "figure_id": [row["low_figure_id"]]}
        rows.append(
            {
                "place": _place(place_row, lookup, many),
                "what": _what(row, period),
                "when": _when(row),
                "low": number(row["low_value"]),
                "low_source": provenance(low),
                "low_refs": ledger.refer([row["low_figure_id"]]),
                "high": number(row["high_value"]),
                "high_source": provenance(high),
                "high_refs": ledger.refer([row["high_figure_id"]]),
                "share": f"{row['share']:.1%}",
            }
        )
    return {"rows": rows, "total": found.height, "threshold": f"{threshold:.0%}"}


def _quality(quarantine: pl.LazyFrame, country: str | None, excluded: int) -> dict[str, Any]:
    if country:
        quarantine = quarantine.filter(pl.col("country_iso3").str.to_uppercase() == country)
    checks = (
        quarantine.group_by("check")
        .agg(
            pl.len().alias("rows"),
            pl.col("reason").n_unique().alias("reasons"),
            pl.col("reason").drop_nulls().first().alias("example"),
        )
        .sort(["rows", "check"], descending=[True, False])
        .collect()
    )
    total = int(checks["rows"].sum()) if checks.height else 0
    return {
        "total": total,
        "rows": [
            {**row, "rows": number(row["rows"]), "reasons": number(row["reasons"])}
            for row in checks.head(QUALITY_LIMIT).to_dicts()
        ],
        "more_checks": max(0, checks.height - QUALITY_LIMIT),
        "excluded": excluded,
    }


def _appendix(ledger: Ledger, lookup: dict[str, dict[str, Any]]) -> dict[str, Any]:
    rows = []
    for figure_id, n in sorted(ledger.numbers.items(), key=lambda kv: kv[1]):
        figure = lookup[figure_id]
        url = figure["source_url"] or ""
        low, high = figure["value_low"], figure["value_high"]
        rows.append(
            {
                "n": n,
                "figure_id": figure_id,
                "country": figure["country_iso3"],
                "place": figure["location_name"] or country_name(figure["country_iso3"]),
                "what": f"{indicator_label(figure['indicator'])} ({figure['measure']}, "
                f"{figure['unit']})",
                "value": _value_text({"value": figure["value"], "figure_id": [figure_id]}, lookup),
                "bounds": f"{number(low)} – {number(high)}" if low is not None else None,
                "when": _when(figure),
                "source": provenance(figure),
                "url": url if url.startswith(("https://", "http://")) else None,
                "url_text": url,
                "quote": figure["quote"],
                "method": figure["method"],
            }
        )
    return {"rows": rows, "wanted": ledger.wanted, "limit": ledger.limit}


def build_context(
    figures: pl.LazyFrame,
    quarantine: pl.LazyFrame,
    *,
    period: Period,
    country: str | None = None,
    priority: Sequence[str] = DEFAULT_PRIORITY,
    threshold: float = DEFAULT_THRESHOLD,
    generated: dt.date | None = None,
) -> dict[str, Any]:
    """Everything the template shows for ``period`` (and ``country``, if given)."""
    previous = period.previous()
    span = Period(previous.start, period.end, "range")
    if country:
        country = country.upper()
        figures = figures.filter(pl.col("country_iso3") == country)
    overlapping = figures.filter(
        (pl.col("period_start") <= span.end) & (pl.col("period_end") >= span.start)
    )
    window_all = aggregate.with_location_key(overlapping).collect()
    window_df = window_all.filter(has_provenance())
    excluded = window_all.height - window_df.height
    if excluded:
        log.warning("%d figures without provenance left out of the report", excluded)
    window = window_df.lazy()
    expected = aggregate.expected_children(figures).collect().lazy()

    def lookup_of(ids: Iterable[str]) -> dict[str, dict[str, Any]]:
        return _lookup(window_df, ids)

    # Collected once here: each value frame feeds several roll-up branches.
    current = aggregate.period_values(window, period.start, period.end, priority).collect()
    before = aggregate.period_values(window, previous.start, previous.end, priority).collect()
    changes = aggregate.change(
        aggregate.country_values(current.lazy(), expected),
        aggregate.country_values(before.lazy(), expected),
    ).collect()
    changes = pl.concat([changes, _stand_ins(changes, current, before)], how="diagonal_relaxed")
    has_data = current.height > 0

    ledger = Ledger()
    headline_ids = [i for ids in changes["figure_id"] for i in ids]
    lookup = lookup_of(headline_ids)
    context: dict[str, Any] = {
        "title": f"{country_name(country) if country else 'All countries'}: "
        f"humanitarian figures, {period.title}",
        "country": country,
        "period": period,
        "previous": previous,
        "generated": format_date(generated or dt.date.today()),
        "priority": list(priority),
        "has_data": has_data,
    }
    # Reference order decides what fits in the appendix: headlines (and what their change
    # is measured against), places, disagreements, then the many points of the trend lines.
    context["countries"] = _headlines(changes, period, ledger, lookup) if has_data else []
    context["bars"] = []
    if has_data:
        bar_lookup = lookup_of(
            ids[0] for ids in current.filter(pl.col("admin_level").ne_missing(0))["figure_id"]
        )
        context["bars"] = _bars(current, period, ledger, bar_lookup)
    context["discrepancies"] = _discrepancies(window, period, threshold, ledger, lookup_of)
    context["trends"] = (
        _trends(window, expected, span, period, priority, ledger) if has_data else []
    )
    context["quality"] = _quality(quarantine, country, excluded)
    ledger.assign()
    context["appendix"] = _appendix(ledger, lookup_of(ledger.numbers))
    return context
