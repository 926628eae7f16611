from __future__ import annotations

import datetime as dt

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import figure, figures_frame
from humstats import aggregate

D = dt.date


def _one(frame: pl.LazyFrame) -> dict:
    rows = frame.collect().to_dicts()
    assert len(rows) == 1, rows
    return rows[0]


# latest -------------------------------------------------------------------------------


def test_latest_prefers_priority_publisher_on_a_tie_whatever_the_order():
    media = figure(value=120, publisher="Daily Courier", published_date=D(2024, 12, 3))
    agency = figure(value=100, publisher="UN OCHA")
    for order in ([media, agency], [agency, media]):
        chosen = _one(aggregate.latest(figures_frame(*order)))
        assert chosen["publisher"] == "UN OCHA"
        assert chosen["value"] == 100


def test_latest_priority_is_configurable():
    frame = figures_frame(figure(value=1, publisher="OCHA"), figure(value=2, publisher="UNHCR"))
    assert _one(aggregate.latest(frame))["publisher"] == "OCHA"
    assert _one(aggregate.latest(frame, priority=["UNHCR"]))["publisher"] == "UNHCR"


def test_attribution_to_an_agency_ranks_behind_the_agency_but_ahead_of_media():
    citing = figure(value=1, publisher="Daily Courier", attributed_to="OCHA")
    plain = figure(value=2, publisher="Evening Post")
    agency = figure(value=3, publisher="OCHA")
    assert _one(aggregate.latest(figures_frame(citing, plain)))["value"] == 1
    assert _one(aggregate.latest(figures_frame(citing, plain, agency)))["value"] == 3


def test_latest_date_beats_priority_and_newest_publication_breaks_remaining_ties():
    old_agency = figure(value=1, publisher="OCHA", as_of=D(2024, 11, 1))
    new_media = figure(value=2, publisher="Daily Courier", as_of=D(2024, 11, 2))
    assert _one(aggregate.latest(figures_frame(old_agency, new_media)))["value"] == 2
    first = figure(value=3, publisher="Daily Courier", published_date=D(2024, 12, 2))
    revised = figure(value=4, publisher="Daily Courier", published_date=D(2024, 12, 5))
    assert _one(aggregate.latest(figures_frame(first, revised)))["value"] == 4


def test_latest_range_spans_all_sources_and_their_bounds_for_that_date():
    frame = figures_frame(
        figure(value=100, publisher="OCHA"),
        figure(value=90, value_low=80, value_high=95, qualifier="range", publisher="AP"),
        figure(value=130, publisher="Daily Courier"),
        figure(value=999, publisher="AP", as_of=D(2024, 11, 1)),  # older: not in the range
    )
    chosen = _one(aggregate.latest(frame))
    assert (chosen["value"], chosen["range_low"], chosen["range_high"]) == (100, 80, 130)
    assert chosen["n_sources"] == 3


def test_units_and_measures_are_never_mixed():
    frame = figures_frame(
        figure(indicator="displaced", value=5_000, unit="households"),
        figure(indicator="displaced", value=21_000, unit="people"),
        figure(indicator="displaced", value=300, measure="flow"),
    )
    rows = aggregate.latest(frame).collect()
    assert rows.height == 3
    assert sorted(rows["value"].to_list()) == [300, 5_000, 21_000]


def test_location_key_uses_pcode_then_name():
    frame = figures_frame(
        figure(admin_level=1, location_name="Halab", pcode="SY02", value=1, publisher="AP"),
        figure(admin_level=1, location_name="Aleppo", pcode="SY02", value=2),
        figure(admin_level=1, location_name="Idlib", value=3),
        figure(admin_level=None, location_name=None, value=4),  # whole country
        figure(admin_level=0, location_name="Syria", value=5, publisher="AP"),
    )
    rows = aggregate.latest(frame).collect().sort("value")
    assert rows["value"].to_list() == [2, 3, 4]
    assert rows.filter(pl.col("value") == 4)["n_figures"].item() == 2


# totals and parts ---------------------------------------------------------------------


def _split(value: int, **fields) -> dict:
    """A figure for the country as of 30 Nov, published by UNHCR (ranks below OCHA)."""
    return figure(value=value, publisher="UNHCR", **fields)


def test_latest_is_a_total_never_a_part_nor_a_projection():
    frame = figures_frame(
        figure(value=1000, as_of=D(2024, 11, 1)),
        _split(600, sex="f"),  # newer, from a preferred source, but only a part
        _split(300, age="0-17"),
        _split(200, cause="conflict"),
        _split(100, group="origin=SDN"),
        _split(5000, projected=True, as_of=D(2025, 3, 1)),
    )
    chosen = _one(aggregate.latest(frame))
    assert chosen["value"] == 1000
    assert chosen["n_figures"] == 1


def test_latest_by_a_breakdown_keeps_each_part_apart():
    frame = figures_frame(
        figure(value=1000),
        _split(600, sex="f"),
        _split(400, sex="m"),
        _split(300, sex="f", age="0-17"),
    )
    by_sex = aggregate.latest(frame, by=("sex",)).collect().sort("sex")
    assert by_sex.select("sex", "value").rows() == [("all", 1000), ("f", 600), ("m", 400)]
    every = aggregate.latest(frame, by=("sex", "age")).collect()
    assert sorted(every["value"]) == [300, 400, 600, 1000]


def test_a_period_value_never_adds_a_total_to_its_parts():
    flows = [
        figure(
            measure="flow",
            value=v,
            published_date=D(2025, 1, 1),
            source_file="raw/one-table.csv",  # one input: its flows would add up
            **fields,
        )
        for v, fields in ((50, {}), (30, {"sex": "f"}), (20, {"sex": "m"}))
    ]
    value = _one(aggregate.period_values(figures_frame(*flows), D(2024, 11, 1), D(2024, 11, 30)))
    assert value["value"] == 50
    shown = aggregate.series(figures_frame(*flows), "1mo").collect()
    assert shown["value"].to_list() == [50]


def test_parts_of_one_publisher_are_no_discrepancy_with_another_publishers_total():
    frame = figures_frame(figure(value=1000, publisher="OCHA"), _split(400, sex="f"))
    assert aggregate.discrepancies(frame).collect().height == 0


def test_a_frame_without_breakdown_columns_is_all_totals():
    frame = figures_frame(figure(value=7)).drop("sex", "age", "cause", "group", "projected")
    assert _one(aggregate.latest(frame))["value"] == 7


# stocks and flows ---------------------------------------------------------------------


def test_period_value_of_a_stock_is_its_latest_figure_never_a_sum():
    frame = figures_frame(
        figure(value=10, as_of=D(2024, 12, 1)),
        figure(value=12, as_of=D(2024, 12, 15)),
        figure(value=11, as_of=D(2024, 12, 9)),
        figure(value=50, as_of=D(2025, 1, 2), published_date=D(2025, 1, 3)),  # after period
    )
    value = _one(aggregate.period_values(frame, D(2024, 12, 1), D(2024, 12, 31)))
    assert value["value"] == 12
    assert value["period_end"] == D(2024, 12, 15)


def _flow(day: int, value: int, days: int = 1, **fields) -> dict:
    start = D(2024, 12, day)
    fields.setdefault("published_date", D(2025, 1, 1))
    return figure(
        measure="flow",
        indicator="injured",
        value=value,
        period_start=start,
        period_end=start + dt.timedelta(days=days - 1),
        **fields,
    )


def test_flows_are_summed_once_per_stretch_of_time():
    frame = figures_frame(
        _flow(1, 5),
        _flow(2, 7),
        _flow(2, 9, publisher="Daily Courier"),  # same day, other source: not added
        _flow(1, 100, days=7),  # a week that contains the days: not added to them
        _flow(30, 3, days=5),  # runs past the period's end: left out
    )
    value = _one(aggregate.period_values(frame, D(2024, 12, 1), D(2024, 12, 31)))
    assert value["value"] == 5 + 7
    assert value["n_figures"] == 2
    assert sorted(value["figure_id"]) == sorted(
        frame.filter(pl.col("value").is_in([5, 7])).collect()["figure_id"].to_list()
    )


def test_events_in_one_input_add_up_but_a_revision_replaces():
    events = [_flow(3, 2, source_file="raw/acled.csv"), _flow(3, 5, source_file="raw/acled.csv")]
    total = _one(aggregate.period_values(figures_frame(*events), D(2024, 12, 1), D(2024, 12, 31)))
    assert (total["value"], total["n_figures"]) == (7, 2)
    revised = _flow(3, 9, source_file="raw/acled-v2.csv", published_date=D(2025, 1, 5))
    total = _one(
        aggregate.period_values(figures_frame(*events, revised), D(2024, 12, 1), D(2024, 12, 31))
    )
    assert (total["value"], total["n_figures"]) == (9, 1)


def test_a_stock_for_a_longer_period_stands_in_only_without_a_dated_one():
    plan = figure(
        indicator="in_need",
        value=500,
        period_start=D(2024, 1, 1),
        period_end=D(2024, 12, 31),
        date_precision="year",
        published_date=D(2025, 1, 1),
    )
    march = (D(2024, 3, 1), D(2024, 3, 31))
    assert _one(aggregate.period_values(figures_frame(plan), *march))["value"] == 500
    flash = figure(
        indicator="in_need", value=400, as_of=D(2024, 3, 3), published_date=D(2024, 3, 4)
    )
    assert _one(aggregate.period_values(figures_frame(plan, flash), *march))["value"] == 400


def test_series_sums_flows_per_bucket_and_takes_latest_stock_per_bucket():
    frame = figures_frame(
        _flow(2, 5),  # Monday 2 Dec
        _flow(3, 6),
        _flow(9, 7),  # next week
        figure(value=100, as_of=D(2024, 12, 2)),
        figure(value=90, as_of=D(2024, 12, 4)),  # a lower later stock is still the latest
    )
    rows = aggregate.series(frame, "1w").collect()
    flows = rows.filter(pl.col("measure") == "flow").sort("bucket")
    assert flows["value"].to_list() == [11, 7]
    assert flows["bucket"].to_list() == [D(2024, 12, 2), D(2024, 12, 9)]
    stock = rows.filter(pl.col("measure") == "stock")
    assert stock["value"].to_list() == [90]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(1, 28), st.integers(0, 10**6), st.sampled_from(["OCHA", "AP"])),
        min_size=1,
        max_size=12,
    )
)
def test_a_stock_series_value_is_always_one_of_its_figures(points):
    frame = figures_frame(
        *(figure(value=v, publisher=p, as_of=D(2024, 2, d)) for d, v, p in points)
    )
    stated = {v for _, v, _ in points}
    for value in aggregate.series(frame, "1mo").collect()["value"]:
        assert value in stated


# change -------------------------------------------------------------------------------


def test_change_compares_with_the_previous_period_latest():
    frame = figures_frame(
        figure(value=80, as_of=D(2024, 11, 10)),
        figure(value=100, as_of=D(2024, 11, 25)),
        figure(value=130, as_of=D(2024, 12, 20), published_date=D(2024, 12, 21)),
        figure(indicator="injured", value=5, as_of=D(2024, 12, 20), published_date=D(2024, 12, 21)),
    )
    rows = aggregate.period_change(
        frame, (D(2024, 12, 1), D(2024, 12, 31)), (D(2024, 11, 1), D(2024, 11, 30))
    ).collect()
    killed = rows.filter(pl.col("indicator") == "killed").to_dicts()[0]
    assert (killed["value"], killed["value_previous"], killed["delta"]) == (130, 100, 30)
    assert abs(killed["delta_share"] - 0.3) < 1e-9
    injured = rows.filter(pl.col("indicator") == "injured").to_dicts()[0]
    assert injured["value_previous"] is None and injured["delta"] is None


# discrepancies ------------------------------------------------------------------------


def test_discrepancy_threshold_default_is_ten_percent_of_the_larger_figure():
    agree = figures_frame(figure(value=1000, publisher="OCHA"), figure(value=910, publisher="AP"))
    assert aggregate.discrepancies(agree).collect().height == 0
    differ = figures_frame(figure(value=1000, publisher="OCHA"), figure(value=890, publisher="AP"))
    found = _one(aggregate.discrepancies(differ))
    assert (found["low_value"], found["low_publisher"]) == (890, "AP")
    assert (found["high_value"], found["high_publisher"]) == (1000, "OCHA")
    assert aggregate.discrepancies(differ, threshold=0.2).collect().height == 0


def test_a_revision_by_the_same_publisher_is_not_a_discrepancy():
    frame = figures_frame(
        figure(value=100, publisher="OCHA", published_date=D(2024, 12, 1)),
        figure(value=150, publisher="OCHA", published_date=D(2024, 12, 5)),
        figure(value=148, publisher="AP"),
    )
    assert aggregate.discrepancies(frame).collect().height == 0


def test_discrepancies_need_the_same_reference_period_and_unit():
    frame = figures_frame(
        figure(value=1000, publisher="OCHA"),
        figure(value=500, publisher="AP", as_of=D(2024, 11, 29)),
        figure(value=500, publisher="AP", unit="households"),
    )
    assert aggregate.discrepancies(frame).collect().height == 0


# roll-ups -----------------------------------------------------------------------------


def _province(name: str, value: int, **fields) -> dict:
    fields.setdefault("indicator", "displaced")
    return figure(admin_level=1, location_name=name, value=value, **fields)


def test_rollup_only_where_children_cover_the_country():
    known = figures_frame(
        _province("Aleppo", 1), _province("Idlib", 1), _province("Hama", 1, indicator="killed")
    )
    expected = aggregate.expected_children(known)
    complete = aggregate.period_values(
        figures_frame(_province("Aleppo", 10), _province("Idlib", 20), _province("Hama", 30)),
        D(2024, 11, 1),
        D(2024, 11, 30),
    )
    total = _one(aggregate.rollup(complete, expected))
    assert (total["value"], total["admin_level"], total["rolled_up"]) == (60, 0, True)
    assert len(total["figure_id"]) == 3
    partial = aggregate.period_values(
        figures_frame(_province("Aleppo", 10), _province("Idlib", 20)),
        D(2024, 11, 1),
        D(2024, 11, 30),
    )
    assert aggregate.rollup(partial, expected).collect().height == 0


def test_country_figure_is_never_added_to_its_provinces():
    frame = figures_frame(
        _province("Aleppo", 10),
        _province("Idlib", 20),
        figure(indicator="displaced", value=25),
    )
    values = aggregate.period_values(frame, D(2024, 11, 1), D(2024, 11, 30))
    national = _one(aggregate.country_values(values, aggregate.expected_children(frame)))
    assert (national["value"], national["rolled_up"]) == (25, False)


def test_country_values_fall_back_to_a_complete_rollup():
    frame = figures_frame(_province("Aleppo", 10), _province("Idlib", 20))
    values = aggregate.period_values(frame, D(2024, 11, 1), D(2024, 11, 30))
    national = _one(aggregate.country_values(values, aggregate.expected_children(frame)))
    assert (national["value"], national["rolled_up"]) == (30, True)
