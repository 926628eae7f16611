"""The front page: key figures per country, three bullets, what changed since the last issue.

Everything here is worked out from the store as it stood at the data cut-off (the newest
``ingested_at`` read), never from today's date, so a front page is reproduced by reading the
store as of that moment (``--as-of``). "Since the last issue" compares the headlines with
those the same report would have shown from the figures stored by the last issue's cut-off.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import polars as pl

from humstats.periods import format_date
from humstats.report.definitions import DEFINITION
from humstats.report.wording import country_name, number, plural, what

CHANGES_LISTED = 8
_KEYS = ("country_iso3", "location_key", "indicator", "measure", "unit", DEFINITION)


def _name(row: dict[str, Any]) -> str:
    if row["admin_level"] == 0:
        return country_name(row["country_iso3"])
    return f"{row['location_key']} ({row['country_iso3']})"


def changes_since(
    known: pl.DataFrame,
    chosen: pl.DataFrame,
    last_issue: dt.datetime,
    headlines: Callable[[pl.LazyFrame], pl.DataFrame],
) -> dict[str, Any]:
    """Headline figures added (nothing of the kind before), revised (a new figure for the
    same date) and superseded (a newer date) since ``last_issue``; ``headlines`` computes
    the headlines from a frame of figures."""
    earlier = known.filter(pl.col("ingested_at") <= last_issue)
    arrived = known.height - earlier.height
    before = (
        {tuple(r[k] for k in _KEYS): r for r in headlines(earlier.lazy()).to_dicts()}
        if earlier.height
        else {}
    )
    added, revised, superseded = [], [], []
    for row in chosen.to_dicts():
        old = before.get(tuple(row[k] for k in _KEYS))
        item = {
            "place": _name(row),
            "what": what(row["indicator"], row["measure"], row["unit"]),
            "value": number(row["value"]),
            "when": format_date(row["period_end"]),
        }
        if old is None:
            added.append(item)
        elif set(old["figure_id"]) == set(row["figure_id"]):
            continue
        elif old["period_end"] == row["period_end"]:
            revised.append({**item, "old": number(old["value"])})
        else:
            superseded.append(
                {**item, "old": number(old["value"]), "old_when": format_date(old["period_end"])}
            )
    inputs = known.filter(pl.col("ingested_at") > last_issue)["source_file"].n_unique()
    return {
        "since": f"{format_date(last_issue.date())}, {last_issue:%H:%M} UTC",
        "figures": plural(arrived, "figure"),
        "inputs": plural(inputs, "input"),
        "added": added[:CHANGES_LISTED],
        "revised": revised[:CHANGES_LISTED],
        "superseded": superseded[:CHANGES_LISTED],
        "counts": {"added": len(added), "revised": len(revised), "superseded": len(superseded)},
    }


def _bullets(countries: list[dict[str, Any]], divergence: dict[str, Any]) -> list[str]:
    cards = [h for c in countries for h in c["headlines"]]
    stale = [h for h in cards if h["stale"]]
    first = (
        f"{len(countries):,} {'country' if len(countries) == 1 else 'countries'} with figures; "
        f"{len(cards) - len(stale):,} of {len(cards):,} headline figures are current"
    )
    if stale:
        first += f", {len(stale):,} older than their indicator's limit (badged stale)"
    compared = [h for h in cards if h["change"]["dir"] in ("up", "down") and h["delta_share"]]
    if compared:
        h = max(compared, key=lambda card: abs(card["delta_share"]))
        second = (
            f"Largest change: {h['place']}, {h['label'].lower()} {h['value']} "
            f"({h['change']['text']}, {', '.join(h['publishers'])})"
        )
    else:
        second = "No headline figure can be compared with the same source's earlier figure"
    if divergence["groups"]:
        g = divergence["groups"][0]
        values = " vs ".join(f"{e['value']} ({e['source']})" for e in g["entries"][:2])
        third = (
            f"Sources differ for {plural(divergence['total'], 'figure')}: "
            f"e.g. {g['place']}, {g['what'].lower()}: {values}"
        )
    else:
        third = "No differences between sources beyond the threshold"
    return [first, second, third]


def front_page(
    countries: list[dict[str, Any]],
    quiet: list[str],
    divergence: dict[str, Any],
    changes: dict[str, Any],
) -> dict[str, Any]:
    """Key figures of the countries shown, the names of those with nothing new (``quiet``),
    three generated bullets and the changes since the last issue."""
    return {
        "countries": countries,
        "quiet": quiet,
        "bullets": _bullets(countries, divergence),
        "changes": changes,
    }
