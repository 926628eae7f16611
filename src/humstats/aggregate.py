"""Aggregations over figures: latest values, series, change, discrepancies and roll-ups.

Every function takes a polars ``LazyFrame`` of figures (the columns of ``schema.COLUMNS``) and
returns a ``LazyFrame``, so callers can chain them over a Parquet scan and let polars push
filters down. Three rules hold everywhere, because breaking them produces plausible-looking
but wrong numbers:

- a *stock* (a count as of a date) is never summed across time: over time we take the latest;
- figures in different units (people, households) or measures are never combined: ``unit``
  and ``measure`` are part of every key;
- a parent area is never counted together with its children: a roll-up is only made from a
  complete set of children, and only stands in for a parent that has no figure of its own;
- a total is never counted together with its parts: values are made from totals only (sex,
  age and cause ``all``, no ``group``), and projections are kept out of what is known
  (``totals``).

Figures are grouped by indicator × location, where a location is identified by its p-code
when known, else its name, else its country (``location_key``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

import polars as pl

from humstats.schema import BREAKDOWNS, COLUMNS, Measure, is_projected, is_total

DEFAULT_PRIORITY: tuple[str, ...] = ("OCHA", "UNHCR", "IOM", "WHO")
"""Publishers preferred, in this order, when figures for the same date tie; agencies first."""

DEFAULT_THRESHOLD = 0.10
"""Sources differing by more than this share of the larger figure are a discrepancy."""

LOCATION_KEYS: tuple[str, ...] = ("country_iso3", "admin_level", "location_key")
KEYS: tuple[str, ...] = (*LOCATION_KEYS, "indicator", "measure", "unit")
"""What one aggregated value is about; units and measures are never mixed."""

RAW_KEYS: tuple[str, ...] = (
    "country_iso3",
    "admin_level",
    "pcode",
    "location_name",
    "indicator",
    "measure",
    "unit",
)
LATEST_COLUMNS: tuple[str, ...] = (
    *RAW_KEYS,
    "figure_id",
    "value",
    "value_low",
    "value_high",
    "qualifier",
    "period_start",
    "period_end",
    "date_precision",
    "published_date",
    "publisher",
    "attributed_to",
    "source_url",
    "confidence",
    "ingested_at",
)
"""The columns ``latest`` keeps: what identifies, ranks and cites the chosen figure."""
_RANK = "_rank"


def with_location_key(figures: pl.LazyFrame) -> pl.LazyFrame:
    """Add ``location_key``: p-code, else the name as written, else the country for admin 0.

    Names are compared as written: telling "Halab" from "Aleppo" is the gazetteer's job
    (it assigns p-codes), and folding case here would cost more than the whole group-by.

    A figure with no admin level, p-code or name is about the whole country, so it is given
    admin level 0; that keeps "Syria: 500,000 killed" from becoming a separate place.
    """
    name = pl.col("location_name")
    whole_country = (
        pl.col("admin_level").is_null() & pl.col("pcode").is_null() & name.is_null()
    ) | (pl.col("admin_level") == 0)
    return figures.with_columns(
        admin_level=pl.when(whole_country).then(pl.lit(0, pl.Int8)).otherwise("admin_level"),
        location_key=pl.when(whole_country)
        .then(pl.col("country_iso3"))
        .otherwise(pl.coalesce(pl.col("pcode"), name, pl.col("country_iso3"))),
    )


def _ensure_key(figures: pl.LazyFrame) -> pl.LazyFrame:
    if "location_key" in figures.collect_schema():
        return figures
    return with_location_key(figures)


def priority_rank(priority: Sequence[str] = DEFAULT_PRIORITY) -> pl.Expr:
    """Rank of a figure's source: lower is preferred.

    A publisher named in ``priority`` (as a whole word, any case: "UN OCHA" matches "OCHA")
    ranks by its position; a figure merely attributed to such an agency by another publisher
    ranks just behind the agency itself; everyone else ranks last.
    """
    last = 2 * len(priority)
    rank = pl.lit(last, pl.Int32)
    for position, name in reversed(list(enumerate(priority))):
        pattern = rf"(?i)\b{re.escape(name)}\b"
        rank = (
            pl.when(pl.col("publisher").str.contains(pattern))
            .then(pl.lit(2 * position, pl.Int32))
            .when(pl.col("attributed_to").fill_null("").str.contains(pattern))
            .then(pl.lit(2 * position + 1, pl.Int32))
            .otherwise(rank)
        )
    return rank


def totals(figures: pl.LazyFrame, by: Sequence[str] = ()) -> pl.LazyFrame:
    """The figures that are totals and not projections, so that latest values and sums never
    add a part to its total or let a plan stand for a count. Breakdown fields in ``by`` are
    kept apart instead (``by=("sex",)``: one value per sex); a frame without breakdown
    columns is all totals."""
    present = set(figures.collect_schema().names())
    if not set(BREAKDOWNS) <= present:
        return figures
    keep = figures.filter(is_total(exclude=by))
    return keep if "projected" in by else keep.filter(~is_projected())


def _pick(candidates: pl.LazyFrame, keys: Sequence[str], priority: Sequence[str]) -> pl.LazyFrame:
    """One figure per key: best-ranked source, then newest publication, then newest ingest."""
    order = [_RANK, "published_date", "confidence", "ingested_at", "figure_id"]
    return (
        candidates.with_columns(priority_rank(priority).alias(_RANK))
        .sort(order, descending=[False, True, True, True, False], nulls_last=True)
        .group_by(keys, maintain_order=True)
        .first()
        .drop(_RANK)
    )


def _bounds() -> tuple[pl.Expr, pl.Expr]:
    low = pl.coalesce("value_low", "value").min().alias("range_low")
    high = pl.coalesce("value_high", "value").max().alias("range_high")
    return low, high


def latest(
    figures: pl.LazyFrame,
    priority: Sequence[str] = DEFAULT_PRIORITY,
    *,
    by: Sequence[str] = (),
    columns: Sequence[str] | None = None,
) -> pl.LazyFrame:
    """Per indicator × location (× ``by``), the figure with the most recent ``period_end``,
    among totals (``totals``: a breakdown field named in ``by`` is kept apart instead).

    Several figures for that date are resolved by ``priority`` (see ``priority_rank``), then
    by the newest publication. The result has the chosen figure's columns (all of them, or
    ``columns`` plus what ranking needs: ``LATEST_COLUMNS`` is enough to cite a figure) and
    adds ``location_key``, ``range_low``/``range_high`` (the spread across all figures for
    that date, using their own bounds), ``n_figures`` and ``n_sources``.
    """
    keys = [*KEYS, *by]
    figures = totals(figures, by)
    present = figures.collect_schema()
    if columns is not None:
        wanted = dict.fromkeys((*LATEST_COLUMNS, *columns, "location_key", *by))
        figures = figures.select(c for c in wanted if c in present)
    if "location_key" not in present:
        raw = [*RAW_KEYS, *by]
        if not by:
            # Nothing older than the oldest "newest date" of any place can be a latest
            # figure. Fetching that one date first lets a Parquet scan skip the bulk of
            # the history instead of decoding it.
            cutoff = (
                figures.group_by(raw)
                .agg(pl.col("period_end").max())
                .select(pl.col("period_end").min())
                .collect()
                .item()
            )
            if cutoff is not None:
                figures = figures.filter(pl.col("period_end") >= cutoff)
        # The newest rows per raw place columns include the newest per location_key (a key
        # may merge several raw places), so the key is only computed on those few rows.
        newest = pl.col("period_end") == pl.col("period_end").max().over(raw)
        figures = with_location_key(figures.filter(newest))
    at_latest = figures.filter(pl.col("period_end") == pl.col("period_end").max().over(keys))
    low, high = _bounds()
    spread = at_latest.group_by(keys).agg(
        low,
        high,
        pl.len().alias("n_figures"),
        pl.col("publisher").n_unique().alias("n_sources"),
    )
    chosen = _pick(at_latest, keys, priority).join(spread, on=keys, nulls_equal=True)
    present = chosen.collect_schema().names()
    first = [c for c in COLUMNS if c in present]  # the figure record's order, extras after
    return chosen.select(*first, *(c for c in present if c not in first))


def _sum_flows(flows: pl.LazyFrame, keys: Sequence[str], priority: Sequence[str]) -> pl.LazyFrame:
    """Total of flow figures per key, counting each stretch of time once.

    Figures for the same place and period *in one input* are separate events (two attacks in
    one town on one day, ACLED-style) and add up. The same period in several inputs is one
    count reported more than once — a revision or another source — so one input's total is
    chosen (by priority, then newest publication). Only the shortest periods present under a
    key are added up, so daily counts are never added to the weekly count that contains them.
    """
    period = [*keys, "period_start", "period_end"]
    per_input = flows.group_by([*period, "publisher", "source_file"]).agg(
        pl.col("value").sum(),
        pl.coalesce("value_low", "value").sum().alias("value_low"),
        pl.coalesce("value_high", "value").sum().alias("value_high"),
        pl.col("published_date").max(),
        pl.col("ingested_at").max(),
        pl.col("confidence").min(),
        pl.col("attributed_to").first(),
        pl.col("figure_id").min(),
        pl.col("figure_id").alias("figure_ids"),
    )
    per_period = _pick(per_input, period, priority)
    length = (pl.col("period_end") - pl.col("period_start")).alias("_length")
    finest = per_period.with_columns(length).filter(
        pl.col("_length") == pl.col("_length").min().over(keys)
    )
    return finest.group_by(keys).agg(
        pl.col("value").sum(),
        pl.col("value_low").sum().alias("range_low"),
        pl.col("value_high").sum().alias("range_high"),
        pl.col("period_start").min(),
        pl.col("period_end").max(),
        pl.col("published_date").max(),
        pl.col("figure_ids").list.len().sum().alias("n_figures"),
        pl.col("publisher").n_unique().alias("n_sources"),
        _explode("figure_ids").alias("figure_id"),
        pl.col("publisher").unique(maintain_order=True).alias("publishers"),
    )


_VALUE_COLUMNS = (
    "value",
    "range_low",
    "range_high",
    "period_start",
    "period_end",
    "published_date",
    "n_figures",
    "n_sources",
    "figure_id",
    "publishers",
)


def _stock_values(
    stocks: pl.LazyFrame, keys: Sequence[str], priority: Sequence[str]
) -> pl.LazyFrame:
    keys = list(keys)
    extra = [k for k in keys if k not in KEYS]
    chosen = latest(stocks, priority, by=extra, columns=())
    return chosen.select(
        *keys,
        pl.col("value"),
        pl.col("range_low").cast(pl.Int64),
        pl.col("range_high").cast(pl.Int64),
        "period_start",
        "period_end",
        "published_date",
        pl.col("n_figures").cast(pl.UInt32),
        pl.col("n_sources").cast(pl.UInt32),
        pl.concat_list("figure_id").alias("figure_id"),
        pl.concat_list("publisher").alias("publishers"),
    )


def _flow_values(flows: pl.LazyFrame, keys: Sequence[str], priority: Sequence[str]) -> pl.LazyFrame:
    return _sum_flows(flows, keys, priority).select(
        *keys,
        *(pl.col(c).cast(pl.Int64) for c in ("value", "range_low", "range_high")),
        *_VALUE_COLUMNS[3:6],
        *(pl.col(c).cast(pl.UInt32) for c in ("n_figures", "n_sources")),
        *_VALUE_COLUMNS[8:],
    )


def period_values(
    figures: pl.LazyFrame,
    start: dt.date,
    end: dt.date,
    priority: Sequence[str] = DEFAULT_PRIORITY,
    *,
    by: Sequence[str] = (),
) -> pl.LazyFrame:
    """One value per indicator × location (× ``by``) for the period ``start``–``end``
    (inclusive).

    Stocks: the latest known on ``end`` — the latest figure dated on or before it, however
    old (a count as of 30 November still stands in December until a newer one comes), else
    one whose reference period only overlaps the period (a plan's "in need in 2024"); callers
    judge its age from ``period_end``. Flows: the sum of the flows that lie wholly within the
    period (see ``_sum_flows``); a flow straddling the period's edge cannot be split and is
    left out. Columns: the keys, ``value``, ``range_low``, ``range_high``, the span of the
    underlying figures (``period_start``, ``period_end``), the newest ``published_date``,
    ``n_figures``, ``n_sources`` and the lists ``figure_id`` and ``publishers`` that make the
    value traceable.
    """
    figures = _ensure_key(totals(figures, [b for b in by if b in BREAKDOWNS]))
    keys = [*KEYS, *by]
    within = pl.col("period_end") <= end
    stocks = figures.filter(
        (pl.col("measure") == Measure.STOCK.value) & (pl.col("period_start") <= end)
    ).filter(within == within.max().over(keys))
    flows = figures.filter(
        (pl.col("measure") == Measure.FLOW.value)
        & (pl.col("period_start") >= start)
        & (pl.col("period_end") <= end)
    )
    return pl.concat([_stock_values(stocks, keys, priority), _flow_values(flows, keys, priority)])


def series(
    figures: pl.LazyFrame,
    every: str = "1mo",
    priority: Sequence[str] = DEFAULT_PRIORITY,
    *,
    by: Sequence[str] = (),
) -> pl.LazyFrame:
    """Values per indicator × location × time bucket (``every``: a polars interval, "1d",
    "1w", "1mo").

    ``bucket`` is the bucket's first day. A stock's value is its latest figure within the
    bucket; flows are summed per bucket (a flow whose period crosses a bucket boundary is left
    out rather than guessed apart). Columns as in ``period_values`` plus ``bucket``.
    """
    figures = _ensure_key(totals(figures, [b for b in by if b in BREAKDOWNS]))
    keys = [*KEYS, *by, "bucket"]
    stocks = figures.filter(pl.col("measure") == Measure.STOCK.value).with_columns(
        bucket=pl.col("period_end").dt.truncate(every)
    )
    flows = (
        figures.filter(pl.col("measure") == Measure.FLOW.value)
        .with_columns(bucket=pl.col("period_start").dt.truncate(every))
        .filter(pl.col("period_end").dt.truncate(every) == pl.col("bucket"))
    )
    return pl.concat(
        [_stock_values(stocks, keys, priority), _flow_values(flows, keys, priority)]
    ).sort(keys, nulls_last=True)


def change(
    current: pl.LazyFrame, previous: pl.LazyFrame, *, by: Sequence[str] = ()
) -> pl.LazyFrame:
    """Join two frames of values (``period_values``) on their keys (and ``by``): the current
    value and the previous one, with ``delta`` and ``delta_share`` (null where there is
    nothing to compare with). Previous columns are suffixed ``_previous``."""
    keys = [*KEYS, *by]
    before = previous.select(*keys, *(pl.col(c).alias(f"{c}_previous") for c in _VALUE_COLUMNS))
    joined = current.join(before, on=keys, how="left", nulls_equal=True)
    delta = pl.col("value") - pl.col("value_previous")
    return joined.with_columns(
        delta=delta,
        delta_share=pl.when(pl.col("value_previous") > 0).then(delta / pl.col("value_previous")),
    )


def period_change(
    figures: pl.LazyFrame,
    period: tuple[dt.date, dt.date],
    previous: tuple[dt.date, dt.date],
    priority: Sequence[str] = DEFAULT_PRIORITY,
) -> pl.LazyFrame:
    """The values of ``period`` against those of ``previous`` (each a start, end pair)."""
    return change(
        period_values(figures, *period, priority=priority),
        period_values(figures, *previous, priority=priority),
    )


def discrepancies(
    figures: pl.LazyFrame,
    threshold: float = DEFAULT_THRESHOLD,
) -> pl.LazyFrame:
    """Where sources disagree: same indicator × location × reference period × unit, values
    from different publishers differing by more than ``threshold`` of the larger one.

    Each publisher counts once, with its most recently published figure (a later figure from
    the same publisher is a revision, not a disagreement). Returns the keys, the period, the
    lowest and the highest figure with their publisher, figure id and publication date
    (``low_*``, ``high_*``), ``share`` = (high − low) / high and ``n_sources``.
    """
    keys = [*KEYS, "period_start", "period_end"]
    fields = ("value", "publisher", "figure_id", "published_date")
    keyed = _ensure_key(totals(figures)).select(*keys, *fields, "ingested_at")
    # Revisions only narrow a group's spread, so groups whose full spread is within the
    # threshold, or with one publisher, cannot disagree: drop them in one cheap pass.
    spread = keyed.group_by(keys).agg(
        pl.col("publisher").n_unique().alias("_publishers"),
        pl.col("value").min().alias("_low"),
        pl.col("value").max().alias("_high"),
    )
    candidates = spread.filter(
        (pl.col("_publishers") >= 2)
        & ((pl.col("_high") - pl.col("_low")) > threshold * pl.col("_high"))
    ).select(keys)
    figures = keyed.join(candidates, on=keys, how="semi", nulls_equal=True)
    per_source = figures.group_by([*keys, "publisher"]).agg(
        pl.col(f).sort_by(["published_date", "ingested_at"]).last()
        for f in fields
        if f != "publisher"
    )
    grouped = per_source.group_by(keys).agg(
        pl.len().alias("n_sources"),
        *(pl.col(f).sort_by("value").first().alias(f"low_{f}") for f in fields),
        *(pl.col(f).sort_by("value").last().alias(f"high_{f}") for f in fields),
    )
    share = (pl.col("high_value") - pl.col("low_value")) / pl.col("high_value")
    return (
        grouped.filter(pl.col("n_sources") >= 2)
        .with_columns(share=share)
        .filter(pl.col("share") > threshold)
    )


def expected_children(figures: pl.LazyFrame) -> pl.LazyFrame:
    """Every location seen in ``figures`` per country and admin level (any indicator, any
    date): the default yardstick for whether children cover their country."""
    places = figures.select("country_iso3", "admin_level", "pcode", "location_name").unique()
    return (
        with_location_key(places).filter(pl.col("admin_level") > 0).select(LOCATION_KEYS).unique()
    )


def rollup(
    values: pl.LazyFrame,
    expected: pl.LazyFrame,
    *,
    level: int = 1,
    by: Sequence[str] = (),
) -> pl.LazyFrame:
    """Country totals summed from admin-``level`` values, only where they cover the country.

    ``values`` has one value per key (``period_values`` or ``series`` output, without
    ``bucket``); ``expected`` lists the children that make up each country
    (``expected_children`` or a gazetteer's list, columns ``LOCATION_KEYS``). A country gets a
    rolled-up value for an indicator × measure × unit only if it has at least two expected
    children and every one of them has a value.
    The result has admin level 0 and ``rolled_up`` = True; it does not look at whether the
    country has a figure of its own — ``country_values`` prefers that one. ``by`` adds
    grouping columns, such as ``bucket`` for ``series`` output.
    """
    group = ["country_iso3", "indicator", "measure", "unit", *by]
    children = values.filter(pl.col("admin_level") == level)
    wanted = expected.filter(pl.col("admin_level") == level).select("country_iso3", "location_key")
    low, high = (pl.col("range_low").sum(), pl.col("range_high").sum())
    summed = children.group_by(group).agg(
        pl.col("value").sum(),
        low,
        high,
        pl.col("period_start").min(),
        pl.col("period_end").max(),
        pl.col("published_date").max(),
        pl.col("n_figures").sum(),
        _explode("publishers").unique(maintain_order=True).len().cast(pl.UInt32).alias("n_sources"),
        _explode("figure_id"),
        _explode("publishers").unique(maintain_order=True),
    )
    present = children.select(*group, "location_key")
    missing = (
        present.select(group)
        .unique()
        .join(wanted, on="country_iso3")
        .join(present, on=[*group, "location_key"], how="anti")
        .select(group)
    )
    # One known area is no evidence that it covers its country (the Gaza Strip is not
    # Palestine): a roll-up needs at least two.
    covered = wanted.group_by("country_iso3").agg(pl.len().alias("_children"))
    complete = (
        summed.join(covered.filter(pl.col("_children") >= 2), on="country_iso3")
        .drop("_children")
        .join(missing, on=group, how="anti")
    )
    return complete.select(
        "country_iso3",
        pl.lit(0, pl.Int8).alias("admin_level"),
        pl.col("country_iso3").alias("location_key"),
        "indicator",
        "measure",
        "unit",
        *by,
        *_VALUE_COLUMNS,
        pl.lit(True).alias("rolled_up"),
    )


def _explode(column: str) -> pl.Expr:
    return pl.col(column).list.explode(keep_nulls=False, empty_as_null=False)


def country_values(
    values: pl.LazyFrame,
    expected: pl.LazyFrame,
    *,
    levels: Sequence[int] = (1, 2),
    by: Sequence[str] = (),
) -> pl.LazyFrame:
    """One value per country × indicator × measure × unit (× ``by``): the country's own
    figure where there is one, else a complete roll-up from the first of ``levels`` that
    covers it."""
    group = ["country_iso3", "indicator", "measure", "unit", *by]
    chosen = values.filter(pl.col("admin_level") == 0).with_columns(rolled_up=pl.lit(False))
    for level in levels:
        extra = rollup(values, expected, level=level, by=by)
        extra = extra.join(chosen, on=group, how="anti", nulls_equal=True)
        chosen = pl.concat([chosen, extra], how="vertical_relaxed")
    return chosen
