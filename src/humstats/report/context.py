"""From figures to the dictionary a report template renders.

All arithmetic happens in ``humstats.aggregate``; this module picks what a reader needs for
one period, turns numbers into text, draws the charts and keeps a ledger of every figure it
shows. The rules a published report must keep:

- the headline per country and indicator is the latest figure known on the period's last
  day, however old, with its date and a stale badge past the indicator's threshold;
- a national card never shows a sub-national figure (``places``), and a card names its place;
- figures of different definitions are never merged (``definitions``): one is the headline,
  the others are set beside it in the divergence panel, with what sets them apart;
- new events are labelled with the days they cover and how many reports make them up;
- a figure without provenance (publisher, publication date, quote) never reaches the page.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from typing import Any

import polars as pl

from humstats import aggregate
from humstats.aggregate import DEFAULT_PRIORITY, DEFAULT_THRESHOLD
from humstats.periods import Period, format_date
from humstats.report import citations, front, visuals
from humstats.report.citations import Ledger, provenance
from humstats.report.definitions import (
    DEFINITION,
    KEEP_APART,
    counted,
    counted_since,
    describe,
    differences,
    phrase,
    with_definition,
)
from humstats.report.places import Aliases, place_levels
from humstats.report.wording import (
    country_name,
    day_span,
    number,
    order,
    what,
)
from humstats.schema import Measure

log = logging.getLogger(__name__)

STALE_AFTER_DAYS: dict[str, int] = {
    "killed": 14,
    "injured": 14,
    "missing": 30,
    "detained": 30,
    "displaced": 90,
    "refugees": 90,
    "returnees": 90,
    "affected": 90,
    "in_need": 365,
    "food_insecure": 365,
    "population": 3 * 365,
}
"""Days after which a total to date is badged stale at the period's end; casualty counts
move daily, plans and populations yearly. Override per indicator with ``stale_after``."""
STALE_DEFAULT_DAYS = 90

HEADLINE_PLACES = 3
"""A country with no national figure shows its areas' figures as headlines, up to this many
(the Gaza Strip for Palestine); more areas than that are left to the place tables."""
DIVERGENCE_LIMIT = 12

GROUP = ("country_iso3", "indicator", "measure", "unit")
HEADLINE_KEYS = [*GROUP, "location_key", "projected"]
"""One headline per place, indicator and measure — and a projection beside a count."""


def has_provenance() -> pl.Expr:
    """Publisher, publication date and quote: what a footnote needs."""

    def filled(column: str) -> pl.Expr:
        return pl.col(column).is_not_null() & (pl.col(column).str.strip_chars() != "")

    return filled("publisher") & filled("quote") & pl.col("published_date").is_not_null()


def _choose(values: pl.DataFrame, keys: Sequence[str]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """One definition per ``keys`` for the headline — the freshest, then the one backed by
    most sources, then the plain count — and the rest, for the divergence panel."""
    ranked = values.sort(
        ["period_end", "n_sources", DEFINITION], descending=[True, True, False], nulls_last=True
    )
    first = ranked.group_by(keys, maintain_order=True).head(1)
    return first, ranked.join(first.select(*keys, DEFINITION), on=[*keys, DEFINITION], how="anti")


def _with_event_sums(
    national: pl.DataFrame, values: pl.DataFrame, by: Sequence[str] = KEEP_APART
) -> pl.DataFrame:
    """Add, where a country has no national count of new events but more places with events
    than ``HEADLINE_PLACES`` (an ACLED-style event list), the sum of those events: events do
    not overlap as totals do, so their sum is what the source reports for the country. Only
    one admin level is summed (the one with most places), so no event counts twice."""
    keys = [*GROUP, *by]
    events = values.filter(
        (pl.col("measure") == Measure.FLOW.value) & pl.col("admin_level").ne_missing(0)
    ).join(national.select(keys), on=keys, how="anti", nulls_equal=True)
    if events.is_empty():
        return national.with_columns(pl.lit(None, pl.UInt32).alias("places"))
    sizes = events.group_by([*keys, "admin_level"]).agg(pl.len().alias("_places"))
    level = sizes.sort("_places", descending=True).group_by(keys, maintain_order=True).first()
    events = events.join(level.drop("_places"), on=[*keys, "admin_level"], nulls_equal=True)
    explode = pl.col("figure_id").list.explode()
    summed = (
        events.group_by(keys)
        .agg(
            pl.col("value").sum(),
            pl.col("range_low").sum(),
            pl.col("range_high").sum(),
            pl.col("period_start").min(),
            pl.col("period_end").max(),
            pl.col("published_date").max(),
            pl.col("n_figures").sum(),
            explode,
            pl.col("publishers").list.explode().unique(maintain_order=True),
            pl.len().cast(pl.UInt32).alias("places"),
        )
        .filter(pl.col("places") > HEADLINE_PLACES)
        .with_columns(
            admin_level=pl.lit(0, pl.Int8),
            location_key=pl.col("country_iso3"),
            n_sources=pl.col("publishers").list.len().cast(pl.UInt32),
            rolled_up=pl.lit(False),
        )
    )
    return pl.concat([national, summed], how="diagonal_relaxed")


def _headline_values(
    known: pl.LazyFrame, period: Period, expected: pl.LazyFrame, priority: Sequence[str]
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Per country and indicator, the national value (or up to ``HEADLINE_PLACES`` areas'
    where there is none) for ``period``, one definition each, with the previous period's
    value of the same definition and place; and every place's value for ``period``."""
    previous = period.previous()
    by = list(KEEP_APART)

    def on(end: dt.date) -> pl.LazyFrame:
        return known.filter(~(counted_since() & (pl.col("period_end") > end)))

    current = aggregate.period_values(
        on(period.end), period.start, period.end, priority, by=by
    ).collect()
    before = aggregate.period_values(
        on(previous.end), previous.start, previous.end, priority, by=by
    ).collect()
    national = _with_event_sums(
        aggregate.country_values(current.lazy(), expected, by=by).collect(), current
    )
    national_before = _with_event_sums(
        aggregate.country_values(before.lazy(), expected, by=by).collect(), before
    )
    rows = aggregate.change(national.lazy(), national_before.lazy(), by=by).collect()
    local = current.filter(pl.col("admin_level").ne_missing(0)).join(
        national.select(GROUP).unique(), on=list(GROUP), how="anti", nulls_equal=True
    )
    local = local.filter(
        pl.col("admin_level").eq_missing(pl.col("admin_level").min().over(GROUP))
    ).filter(pl.col("location_key").n_unique().over(GROUP) <= HEADLINE_PLACES)
    local_rows = aggregate.change(
        local.lazy(), before.filter(pl.col("admin_level").ne_missing(0)).lazy(), by=by
    ).collect()
    return pl.concat([rows, local_rows], how="diagonal_relaxed"), current


def _stale(row: dict[str, Any], period: Period, stale_after: Mapping[str, int]) -> str | None:
    if row["measure"] != Measure.STOCK.value:
        return None
    age = (period.end - row["period_end"]).days
    limit = stale_after.get(row["indicator"], STALE_DEFAULT_DAYS)
    if age <= limit:
        return None
    return f"{age // 365} years old" if age >= 730 else f"{age:,} days old"


def _change(row: dict[str, Any], figures: dict[str, dict[str, Any]], previous: Period) -> dict:
    """The change against the previous period's figure of the same definition and source;
    a figure from another source is shown, not subtracted (a switch of source is no change)."""
    if row["value_previous"] is None:
        return {
            "text": f"no earlier figure of this kind for {previous.title}",
            "dir": "none",
        }
    if set(row["figure_id"]) == set(row["figure_id_previous"]):
        return {
            "text": f"unchanged: the same figure stood in {previous.title}",
            "dir": "none",
        }
    if set(row["publishers"]) != set(row["publishers_previous"]):
        others = ", ".join(row["publishers_previous"])
        return {
            "text": f"{previous.title}: {number(row['value_previous'])} from {others} "
            "(another source: not compared)",
            "dir": "none",
        }
    spans = row["period_start_previous"] != row["period_end_previous"]
    if row["measure"] == Measure.STOCK.value and spans and not counted(row[DEFINITION]):
        start, end = row["period_start_previous"], row["period_end_previous"]
        when = f"{format_date(start)} – {format_date(end)}"
        return {
            "text": f"{previous.title}: {number(row['value_previous'])} for {when} "
            "(a figure for a longer period: not compared)",
            "dir": "none",
        }
    delta, share = row["delta"], row["delta_share"]
    if row["measure"] == Measure.STOCK.value:
        reference = f"since {format_date(row['period_end_previous'])}"
    else:
        # New events compare with the days the previous period's reports cover, which may be
        # fewer than its days (a war's first week): the span says so.
        span = day_span(row["period_start_previous"], row["period_end_previous"])
        reference = f"vs {number(row['value_previous'])} for {span}"
    if delta == 0:
        return {"text": f"no change {reference}", "dir": "same"}
    pct = f" ({share:+.1%})" if share is not None else ""
    return {"text": f"{delta:+,}{pct} {reference}", "dir": "up" if delta > 0 else "down"}


def _cards(
    chosen: pl.DataFrame,
    figures: dict[str, dict[str, Any]],
    period: Period,
    ledger: Ledger,
    stale_after: Mapping[str, int],
) -> list[dict[str, Any]]:
    rows = sorted(
        chosen.to_dicts(),
        key=lambda r: (
            country_name(r["country_iso3"]),
            r["admin_level"] != 0,
            r["location_key"],
            order(r["indicator"]),
            r["indicator"],
            r["measure"] != Measure.STOCK.value,
            bool(r.get("projected")),
            r["unit"],
        ),
    )
    countries: dict[str, dict[str, Any]] = {}
    for row in rows:
        iso3 = row["country_iso3"]
        country = countries.setdefault(
            iso3, {"iso3": iso3, "name": country_name(iso3), "headlines": []}
        )
        ids = row["figure_id"]
        single = len(ids) == 1 and ids[0] in figures
        if single:
            footnote = provenance(figures[ids[0]])
        elif row.get("places"):
            footnote = f"sum of new events at {row['places']:,} places ({len(ids):,} figures)"
        elif row.get("rolled_up"):
            footnote = f"sum over all sub-national areas ({len(ids):,} figures)"
        else:
            footnote = f"sum of {len(ids):,} figures"
        if not single:
            footnote = f"{', '.join(row['publishers'])}, {footnote}"
        country["headlines"].append(
            {
                "place": citations.place(row, figures),
                "national": row["admin_level"] == 0,
                "indicator": row["indicator"],
                "label": what(row["indicator"], row["measure"], row["unit"]),
                "definition": phrase(row[DEFINITION]),
                "value": citations.value(row, figures),
                "raw": row["value"],
                "coverage": citations.coverage(row, figures),
                "stale": _stale(row, period, stale_after),
                "range": (
                    f"{number(row['range_low'])} – {number(row['range_high'])}"
                    if row["range_low"] != row["range_high"] and row["n_sources"] > 1
                    else None
                ),
                "n_sources": row["n_sources"],
                "change": _change(row, figures, period.previous()),
                "delta_share": row["delta_share"],
                "publishers": row["publishers"],
                "footnote": footnote,
                "refs": ledger.refer(ids, individual=True),
            }
        )
    return list(countries.values())


def _divergence(
    alternatives: pl.DataFrame,
    chosen: pl.DataFrame,
    figures: dict[str, dict[str, Any]],
    period: Period,
    ledger: Ledger,
    threshold: float,
) -> dict[str, Any]:
    """Per headline place and indicator, the figures that differ from one another — by
    definition, source or coverage — side by side, with what sets them apart."""
    keys = ["country_iso3", "location_key", "indicator", "unit"]
    places = chosen.select(keys).unique()
    candidates = alternatives.join(places, on=keys, nulls_equal=True)
    groups = []
    for _, group in sorted(
        candidates.partition_by(keys, as_dict=True).items(),
        key=lambda kv: (country_name(kv[0][0]), str(kv[0][1]), order(str(kv[0][2]))),
    ):
        if group.height < 2:
            continue
        rows = group.sort("value", descending=True).to_dicts()
        low, high = rows[-1]["value"], rows[0]["value"]
        kinds = {(r["measure"], r[DEFINITION]) for r in rows}
        sources = {p for r in rows for p in r["publishers"]}
        if len(sources) == 1 and len({d for _, d in kinds}) == 1:
            continue  # one source's total and its new events: not a divergence
        if len(kinds) == 1 and high and (high - low) <= threshold * high:
            continue
        entries = [
            {
                "value": citations.value(r, figures),
                "label": what(r["indicator"], r["measure"], r["unit"]),
                "counts": describe(r[DEFINITION], r["measure"]),
                "measure": r["measure"],
                "source": ", ".join(r["publishers"]),
                "coverage": citations.coverage(r, figures),
                "refs": ledger.refer(r["figure_id"], individual=True),
                DEFINITION: r[DEFINITION],
            }
            for r in rows
        ]
        groups.append(
            {
                "place": citations.place(rows[0], figures),
                "indicator": rows[0]["indicator"],
                "what": what(rows[0]["indicator"], Measure.STOCK.value, rows[0]["unit"]),
                "entries": entries,
                "why": differences(entries),
                "gap": f"{(high - low) / high:.0%}" if high else "–",
            }
        )
    return {
        "groups": groups[:DIVERGENCE_LIMIT],
        "total": len(groups),
        "threshold": f"{threshold:.0%}",
    }


def _quality(
    quarantine: pl.LazyFrame,
    files: Sequence[str],
    countries: Sequence[str],
    period: Period,
    excluded: int,
) -> dict[str, Any]:
    """Quarantined rows of the inputs behind this report, for its countries and period
    (or with no country or date to tell): what the report could not use."""
    schema = quarantine.collect_schema()
    scope = pl.col("source_file").is_in(pl.Series(list(files), dtype=pl.String).implode())
    country = pl.col("country_iso3").str.to_uppercase()
    scope &= country.is_null() | country.is_in(
        pl.Series(list(countries), dtype=pl.String).implode()
    )
    if "period_start" in schema and "period_end" in schema:
        # Quarantined cells are kept as written: a date that does not parse has none.
        start, end = (
            pl.col(c).cast(pl.String).str.slice(0, 10).str.to_date("%Y-%m-%d", strict=False)
            for c in ("period_start", "period_end")
        )
        scope &= (start.is_null() | (start <= period.end)) & (end.is_null() | (end >= period.start))
    checks = (
        quarantine.filter(scope)
        .group_by("check")
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
            for row in checks.to_dicts()
        ],
        "excluded": excluded,
    }


def build_context(
    figures: pl.LazyFrame,
    quarantine: pl.LazyFrame,
    *,
    period: Period,
    country: str | None = None,
    priority: Sequence[str] = DEFAULT_PRIORITY,
    threshold: float = DEFAULT_THRESHOLD,
    generated: dt.date | None = None,
    sources: pl.LazyFrame | None = None,
    aliases: Aliases | None = None,
    stale_after: Mapping[str, int] | None = None,
    last_issue: dt.datetime | None = None,
) -> dict[str, Any]:
    """Everything the template shows for ``period`` (and ``country``, if given).

    ``last_issue`` is the data cut-off of the previous issue ("what changed since"); by
    default the start of ``period``, when the previous issue's period closed.
    """
    stale_after = {**STALE_AFTER_DAYS, **(stale_after or {})}
    previous = period.previous()
    if country:
        country = country.upper()
        figures = figures.filter(pl.col("country_iso3") == country)
    # What is known on the period's last day (by reference date): everything dated in this
    # period or the one before, and from earlier only each source's latest total per place —
    # a total carried forward may be old, but only the latest can be a headline. Only what
    # a footnote can cite is used.
    span = Period(previous.start, period.end)
    dated = figures.filter(pl.col("period_start") <= period.end)
    older = dated.filter(
        (pl.col("period_end") < span.start) & (pl.col("measure") == Measure.STOCK.value)
    )
    newest = pl.col("period_end").max().over([*aggregate.RAW_KEYS, "publisher"])
    carried = older.filter(pl.col("period_end") == newest)
    recent = dated.filter(pl.col("period_end") >= span.start)
    known_all = with_definition(place_levels(pl.concat([recent, carried]), aliases))
    known_all = aggregate.with_location_key(known_all).collect()
    known_df = known_all.filter(has_provenance())
    excluded = known_all.height - known_df.height
    if excluded:
        log.warning("%d figures without provenance left out of the report", excluded)
    known = known_df.lazy()
    expected = aggregate.expected_children(figures).collect().lazy()

    values, current = _headline_values(known, period, expected, priority)
    has_data = values.height > 0
    chosen, _ = _choose(values, HEADLINE_KEYS)
    figures_of = citations.figures_by_id(known_df, [i for ids in values["figure_id"] for i in ids])

    # An all-countries issue details the countries with news in the period; the others'
    # totals are carried forward too, but only named (a one-country report shows them all).
    news = (pl.col("period_end") >= period.start) | (pl.col("published_date") >= period.start)
    active = current.filter(news & (pl.col("indicator") != "population"))["country_iso3"].unique()
    quiet = sorted({country_name(c) for c in chosen["country_iso3"].unique() if c not in active})
    if not country:
        chosen = chosen.filter(pl.col("country_iso3").is_in(active.implode()))
    else:
        quiet = []
    ledger = Ledger()
    countries = _cards(chosen, figures_of, period, ledger, stale_after) if has_data else []
    alternatives = aggregate.period_values(
        known.with_columns(pl.col("publisher").alias("_publisher")),
        period.start,
        period.end,
        priority,
        by=[*KEEP_APART, "_publisher"],
    ).collect()
    alternatives = pl.concat(
        [
            alternatives.filter(pl.col("admin_level").ne_missing(0)),
            _with_event_sums(
                alternatives.filter(pl.col("admin_level") == 0),
                alternatives,
                by=(*KEEP_APART, "_publisher"),
            ),
        ],
        how="diagonal_relaxed",
    )
    figures_of.update(
        citations.figures_by_id(known_df, [i for ids in alternatives["figure_id"] for i in ids])
    )
    divergence = _divergence(alternatives, chosen, figures_of, period, ledger, threshold)
    window = known.filter(pl.col("period_end") >= span.start)
    charts = visuals.trends(window, expected, span, priority, ledger) if has_data else []
    places = visuals.places(current, chosen, known_df, period, ledger) if has_data else []

    ledger.close(known_df.filter(pl.col("figure_id").is_in(pl.Series(list(ledger.used)).implode())))
    used_files = sorted({row["source_file"] for row in ledger.figures.values()})
    cut = citations.cut_off(known_all["ingested_at"].to_list()) if known_all.height else "no data"
    return {
        "title": f"{country_name(country) if country else 'All countries'}: "
        f"humanitarian figures, {period.title}",
        "lang": "en",
        "country": country,
        "period": period,
        "previous": previous,
        "period_end": format_date(period.end),
        "next_issue": format_date(period.next().end + dt.timedelta(days=1))
        if period.whole
        else None,
        "next_period": period.next().title,
        "generated": format_date(generated or dt.date.today()),
        "cut_off": cut,
        "priority": list(priority),
        "has_data": has_data,
        "countries": countries,
        "front": front.front_page(
            countries,
            quiet,
            divergence,
            front.changes_since(
                known_df,
                chosen,
                last_issue or dt.datetime.combine(period.start, dt.time(), tzinfo=dt.UTC),
                lambda earlier: _choose(
                    _headline_values(earlier, period, expected, priority)[0],
                    HEADLINE_KEYS,
                )[0],
            ),
        ),
        "divergence": divergence,
        "trends": charts,
        "places": places,
        "quality": _quality(
            quarantine,
            used_files,
            sorted({c["iso3"] for c in countries} | ({country} if country else set())),
            period,
            excluded,
        ),
        "sources": citations.sources_table(
            ledger, sources.collect() if sources is not None else None
        ),
        "appendix": citations.appendix(ledger),
        "csv": citations.embedded_csv(ledger) if ledger.figures else None,
        "csv_name": f"{(country or 'all').lower()}-{period.label}-figures.csv",
        "stale_after": stale_after,
    }
