"""What hashtags mean for a figure: the HXL dictionary's tags and attributes."""

from __future__ import annotations

import pytest

from humstats.hxl import (
    INDICATOR_HXL,
    Meaning,
    admin_level,
    figure_meaning,
    indicator_of,
    modernize,
    parse_hashtag,
)
from humstats.schema import Indicator, Measure, Sex, Unit


def meaning(text: str) -> Meaning:
    found = figure_meaning(parse_hashtag(text))
    assert found is not None, text
    return found


def test_attributes_are_a_set() -> None:
    assert parse_hashtag("#Affected +Min+killed") == parse_hashtag("#affected+killed+min")


@pytest.mark.parametrize("indicator", list(Indicator))
def test_every_indicator_hashtag_maps_back(indicator: Indicator) -> None:
    found = meaning(INDICATOR_HXL[indicator])
    assert (found.indicator, found.part, found.skip) == (indicator, False, None)


def test_population_of_a_group_counts_that_group() -> None:
    assert meaning("#population+idps+ind").indicator is Indicator.DISPLACED
    assert meaning("#population+refugees").indicator is Indicator.REFUGEES
    assert meaning("#population+total").indicator is Indicator.POPULATION
    assert figure_meaning(parse_hashtag("#org+name")) is None


@pytest.mark.parametrize(
    ("text", "sex", "age"),
    [
        ("#affected+f", Sex.F, "all"),
        ("#affected+idps+m+children", Sex.M, "0-17"),
        ("#inneed+girls", Sex.F, "0-17"),
        ("#population+elderly", Sex.ALL, "60+"),
        ("#affected+age0_4", Sex.ALL, "0-4"),
        ("#affected+age60plus+i", Sex.X, "60+"),
    ],
)
def test_sex_and_age_attributes_make_a_part(text: str, sex: Sex, age: str) -> None:
    found = meaning(text)
    assert (found.sex, found.age, found.part) == (sex, age, True)


@pytest.mark.parametrize(
    "text",
    [
        "#affected+pct",
        "#targeted+total",
        "#reached+food",
        "#inneed+percentage",
        "#affected+ipc+pct",
    ],
)
def test_shares_targets_and_reach_are_never_figures(text: str) -> None:
    assert meaning(text).skip is not None
    assert indicator_of(parse_hashtag(text)) is None


def test_flows_stocks_causes_and_households() -> None:
    new = meaning("#affected+idps+ind+newdisp+conflict")
    assert (new.indicator, new.measure, new.cause) == (
        Indicator.DISPLACED,
        Measure.FLOW,
        "conflict",
    )
    stock = meaning("#affected+idps+ind+stock+disaster")
    assert (stock.measure, stock.cause) == (Measure.STOCK, "disaster")
    assert meaning("#affected+idps+hh").unit is Unit.HOUSEHOLDS
    assert new.key() != stock.key()


def test_rounded_and_raw_columns_are_the_same_figure() -> None:
    rounded, raw = meaning("#affected+idps+rounded"), meaning("#affected+idps")
    assert rounded.key() == raw.key() and rounded.rounded and not raw.rounded


def test_ipc_phases_projections_and_the_analysed_population() -> None:
    total = meaning("#affected+num+ipc+current+p3plus")
    assert (total.indicator, total.part, total.period) == (
        Indicator.FOOD_INSECURE,
        False,
        "current",
    )
    phase = meaning("#affected+num+ipc+first_projection+phase4")
    assert (phase.indicator, phase.group, phase.projected) == (
        Indicator.FOOD_INSECURE,
        (("phase", "4"),),
        True,
    )
    stressed = meaning("#affected+num+ipc+current+phase2")
    assert stressed.indicator is Indicator.POPULATION and stressed.part
    assert meaning("#affected+num+ipc+current+total").skip is not None


def test_sector_and_unknown_attributes_name_the_part() -> None:
    assert meaning("#inneed+wash").group == (("sector", "wash"),)
    assert meaning("#affected+killed+civilians").group == (("subset", "civilians"),)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("#idp_num", "#affected+idps"),
        ("#refugee_num", "#affected+refugees"),
        ("#aff_num", "#affected"),
        ("#inneed_num", "#inneed"),
        ("#reached_num", "#reached"),
        ("#people_num", "#affected"),
        ("#households_num", "#affected+hh"),
        ("#females_num", "#affected+f"),
        ("#period_date", "#date"),
        ("#report_date", "#date+reported"),
        ("#adm1_id", "#adm1+code"),
        ("#origin", "#country+origin"),
    ],
)
def test_hxl_0_conventions_read_as_hxl_1(old: str, new: str) -> None:
    parsed = parse_hashtag(old)
    assert parsed.legacy
    assert str(parsed) == str(parse_hashtag(new))
    assert modernize(parse_hashtag(new)) == parse_hashtag(new)


def test_admin_levels() -> None:
    assert admin_level(parse_hashtag("#adm2+name")) == 2
    assert admin_level(parse_hashtag("#country+code")) == 0
    assert admin_level(parse_hashtag("#loc+level1")) == 1
    assert admin_level(parse_hashtag("#loc+name")) is None
