from __future__ import annotations

import polars as pl

from conftest import make_figures
from humstats.schema import BREAKDOWN_DEFAULTS, BREAKDOWNS, COLUMNS, breakdown_key, is_total


def test_breakdowns_are_figure_columns_with_total_defaults() -> None:
    assert set(BREAKDOWNS) <= set(COLUMNS)
    total = make_figures({}).select(BREAKDOWNS).row(0, named=True)
    assert total == BREAKDOWN_DEFAULTS


def test_breakdown_key_is_empty_for_a_total_and_names_every_split_of_a_part() -> None:
    figures = make_figures(
        {},
        {"sex": "f", "age": "0-17"},
        {"cause": "disaster"},
        {"group": "origin=SDN;phase=3", "projected": True},
        {"projected": True},
    )
    keys = figures.select(breakdown_key()).to_series().to_list()
    assert keys == [
        "",
        "sex=f;age=0-17",
        "cause=disaster",
        "origin=SDN;phase=3;projected",
        "projected",
    ]
    assert len(set(keys)) == len(keys)
    assert figures.select(is_total()).to_series().to_list() == [True, False, False, False, True]


def test_columns_missing_in_an_old_store_read_as_a_total() -> None:
    old = make_figures({}).with_columns(pl.lit(None, pl.String).alias(c) for c in ("sex", "age"))
    assert old.select(is_total()).item() is True
    assert old.select(breakdown_key()).item() == ""
