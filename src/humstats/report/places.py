"""Places at their level, one name per place, before a report groups figures by place.

A national card must never show a sub-national figure, and one place must not split into two
("Gaza" beside "the Gaza Strip") so that a stale spelling beats a fresher series. Two rules,
applied to the figures a report reads (the store is never changed):

- an alias table (``places.toml``; extendable) maps the ways sources write a place to one
  canonical name and its admin level;
- a figure stored at admin level 0 whose place name is not a name of its country
  ("North Darfur" under Sudan) is about somewhere inside it: its level becomes unknown
  (null), so it is reported as a place, never as the country.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import polars as pl
import pycountry

from humstats.errors import ConfigError

ALIASES_PATH = Path(__file__).with_name("places.toml")


@dataclass(frozen=True)
class Alias:
    """The canonical place a written name stands for: ``name`` None means the country."""

    name: str | None
    level: int


Aliases = dict[tuple[str, str], Alias]
"""(ISO3, folded written name) → canonical place."""


def fold(name: str) -> str:
    """Compare names case-insensitively, ignoring a leading "the" and extra spaces."""
    folded = " ".join(name.split()).casefold()
    return folded[4:] if folded.startswith("the ") else folded


def load_aliases(path: Path = ALIASES_PATH) -> Aliases:
    """Read an alias table: ``[ISO3]`` sections of ``"written" = {name = "...", level = N}``."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"cannot read place aliases {path}: {error}") from error
    aliases: Aliases = {}
    for iso3, entries in data.items():
        for written, target in entries.items():
            if not isinstance(target, dict) or not isinstance(target.get("level"), int):
                raise ConfigError(f"{path}: [{iso3}] {written!r} needs a level")
            aliases[(iso3.upper(), fold(written))] = Alias(target.get("name"), target["level"])
    return aliases


@cache
def _country_names(iso3: str) -> tuple[str, ...]:
    country = pycountry.countries.get(alpha_3=iso3)
    if country is None:
        return (fold(iso3),)
    names = [iso3, country.alpha_2, country.name]
    names += [getattr(country, a, "") or "" for a in ("official_name", "common_name")]
    return tuple(fold(n) for n in names if n)


def names_country(iso3: str, name: str, aliases: Aliases) -> bool:
    """Whether ``name`` is a way of writing the country ``iso3`` ("Syria" for SYR)."""
    alias = aliases.get((iso3, fold(name)))
    if alias is not None:
        return alias.level == 0
    written = fold(name)
    # "Syria" is how "Syrian Arab Republic" is written; "Congo" that of "Congo, The
    # Democratic Republic of the": a written name starting a word of the official one.
    pattern = re.compile(rf"(?:^|\W){re.escape(written)}")
    return any(written == n or pattern.search(n) for n in _country_names(iso3))


def place_levels(figures: pl.LazyFrame, aliases: Aliases | None = None) -> pl.LazyFrame:
    """``figures`` with aliases resolved and sub-national places taken off level 0."""
    aliases = load_aliases() if aliases is None else aliases
    keys = ["country_iso3", "location_name", "admin_level"]
    written = figures.select(keys).unique().drop_nulls(["country_iso3", "location_name"]).collect()
    rows = []
    for iso3, name, level in written.iter_rows():
        alias = aliases.get((iso3, fold(name)))
        if alias is not None:
            rows.append((iso3, name, level, alias.name, alias.level))
        elif level == 0 and not names_country(iso3, name, aliases):
            rows.append((iso3, name, level, name, None))
    if not rows:
        return figures
    fixes = pl.DataFrame(
        rows,
        schema={
            "country_iso3": pl.String,
            "location_name": pl.String,
            "admin_level": pl.Int8,
            "_name": pl.String,
            "_level": pl.Int8,
        },
        orient="row",
    )
    columns = figures.collect_schema().names()
    fixed = figures.with_columns(pl.col("admin_level").cast(pl.Int8)).join(
        fixes.lazy(), on=keys, how="left", nulls_equal=True, maintain_order="left"
    )
    hit = pl.col("_name").is_not_null() | pl.col("_level").is_not_null()
    return fixed.with_columns(
        location_name=pl.when(hit).then(pl.col("_name")).otherwise("location_name"),
        admin_level=pl.when(hit).then(pl.col("_level")).otherwise("admin_level"),
    ).select(columns)
