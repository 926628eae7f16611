"""Numbers as written in prose: values, ranges, hedges, and the numbers that count nothing."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from humstats.extract.numbers import NOT_A_COUNT, find_quantities, parse_number
from humstats.schema import Qualifier


def only(text: str):
    counts = [q for q in find_quantities(text) if q.is_count]
    assert len(counts) == 1, counts
    return counts[0]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("500,000 people", 500_000),
        ("500 000 people", 500_000),
        ("2 062 534 people", 2_062_534),
        ("2 million people", 2_000_000),
        ("2.3 million people", 2_300_000),
        ("1.2m refugees", 1_200_000),
        ("5M refugees", 5_000_000),
        ("300K returnees", 300_000),
        ("1.1bn people", 1_100_000_000),
        ("two million people", 2_000_000),
        ("Twenty-six workers", 26),
        ("Thirty-one workers", 31),
        ("half a million people", 500_000),
        ("a dozen fishermen", 12),
        ("two dozen people", 24),
        ("Thirteen migrants", 13),
        ("one hundred people", 100),
        ("a million people", 1_000_000),
        ("Two and a half million people", 2_500_000),
        ("one and a quarter million people", 1_250_000),
        ("nearly a quarter of a million people", 250_000),
        ("Three-quarters of a million people", 750_000),
        ("two thirds of a million people", 666_666),
        ("some 1,2 million people", 1_200_000),
        ("4.1 million people", 4_100_000),
        ("12.4 million people", 12_400_000),
        ("8.2 thousand people", 8_200),
        ("more than 391, 000 people", 391_000),
        ("Nakuru (162, 177), Siaya", 162_177),
        ("1,204, 000 people", 1_204_000),
        ("2.3 m people", 2_300_000),
        ("Total population 26 m\n", 26_000_000),
        ("People displaced 3.1 m", 3_100_000),
        ("Three-million people", 3_000_000),
        ("1.6 m Registered Afghan Refugees", 1_600_000),
        ("two-thousand people", 2_000),
    ],
)
def test_values_as_written(text: str, value: int) -> None:
    assert only(text).value == value


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("scores of 120, 340, 560 and 780", [120, 340, 560, 780]),
        ("a 5 m wall killed 30 people", [5, 30]),
        ("waves 4 m high hit 200 homes", [4, 200]),
    ],
)
def test_a_list_or_a_length_is_no_grouped_count(text: str, values: list[int]) -> None:
    """A typed space after a thousands comma joins one group of three digits, not a list;
    "m" after a space is millions only before people or at a line's end."""
    assert [q.value for q in find_quantities(text) if q.is_count] == values


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        ("between 10,000 and 15,000 people", 10_000, 15_000),
        ("10,000-15,000 people", 10_000, 15_000),
        ("10,000–15,000 people", 10_000, 15_000),
        ("10,000 to 15,000 people", 10_000, 15_000),
        ("between 2 and 3 million people", 2_000_000, 3_000_000),
    ],
)
def test_ranges_have_bounds_and_midpoint(text: str, low: int, high: int) -> None:
    quantity = only(text)
    assert (quantity.low, quantity.high) == (low, high)
    assert quantity.value == (low + high) // 2
    assert quantity.qualifier is Qualifier.RANGE


def test_a_descending_pair_is_no_range() -> None:
    assert [q.value for q in find_quantities("voted 27 to 8")] == [27, 8]


@pytest.mark.parametrize(
    ("text", "qualifier"),
    [
        ("500 people", Qualifier.EXACT),
        ("about 500 people", Qualifier.APPROX),
        ("some 500 people", Qualifier.APPROX),
        ("an estimated 500 people", Qualifier.APPROX),
        ("roughly 500 people", Qualifier.APPROX),
        ("more than 500 people", Qualifier.AT_LEAST),
        ("over 500 people", Qualifier.AT_LEAST),
        ("at least 500 people", Qualifier.AT_LEAST),
        ("nearly 500 people", Qualifier.AT_MOST),
        ("almost 500 people", Qualifier.AT_MOST),
        ("up to 500 people", Qualifier.AT_MOST),
        ("fewer than 500 people", Qualifier.AT_MOST),
        ("as many as 500 people", Qualifier.AT_MOST),
        ("the 500 people currently estimated to be displaced", Qualifier.APPROX),
    ],
)
def test_hedges_set_the_qualifier(text: str, qualifier: Qualifier) -> None:
    assert only(text).qualifier is qualifier


def test_hedge_start_covers_the_hedge() -> None:
    text = "Nearly 50,000 people"
    quantity = only(text)
    assert text[quantity.hedge_start : quantity.end] == "Nearly 50,000"


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("in 2011", "year"),
        ("on Dec. 7-8", "date"),
        ("on 1 November", "date"),
        ("between 1 and 15 September", "date"),
        ("$2 billion", "money"),
        ("US$ 45 million", "money"),
        ("19 per cent", "percent"),
        ("88%", "percent"),
        ("a 12-year-old boy", "age"),
        ("under the age of 18", "age"),
        ("children under five", "age"),
        ("children under 5", "age"),
        ("people over 60", "age"),
        ("resolution 2779", "code"),
        ("article 7", "code"),
        ("at 10:00", "time"),
        ("a 60-day emergency", "compound"),
        ("the four-way talks", "compound"),
        ("two thirds of cases", "compound"),
        ("the 3rd convoy", "ordinal"),
        ("a 7.1 quake", "decimal"),
        ("1 in 3 people", "fraction"),
        ("one in five children", "fraction"),
        ("aged between 18 and 25", "age"),
        ("on 2024-12-03", "date"),
        ("on 03/12/2024", "date"),
    ],
)
def test_numbers_that_count_nothing(text: str, kind: str) -> None:
    quantities = find_quantities(text)
    assert kind in NOT_A_COUNT
    assert not any(q.is_count for q in quantities)
    assert {q.kind for q in quantities} <= {kind}
    assert quantities or kind == "compound"  # "four-way" need not be read as a number at all


@pytest.mark.parametrize("text", ["+235 66 12 34 56", "0800 555 123", "+41 22 730 2222"])
def test_phone_numbers(text: str) -> None:
    assert {q.kind for q in find_quantities(f"call {text} now")} == {"phone"}


def test_a_full_date_is_a_date_and_a_year() -> None:
    assert {q.kind for q in find_quantities("since October 7, 2023")} == {"date", "year"}


def test_vague_quantities_are_not_numbers() -> None:
    text = "hundreds of families, thousands of people, tens of thousands, dozens wounded"
    assert find_quantities(text) == []


@settings(deadline=None)
@given(st.integers(min_value=1, max_value=10**9))
def test_grouped_digits_round_trip(value: int) -> None:
    for written in (f"{value:,}", f"{value:,}".replace(",", " "), str(value)):
        if len(str(value)) == 4 and written == str(value) and 1800 <= value <= 2100:
            continue  # a bare four-digit number in that span reads as a year
        assert only(f"{written} people").value == value


@pytest.mark.parametrize(
    ("cell", "value"),
    [
        ("1,200", 1200),
        ("2.3 million", 2_300_000),
        ("5M", 5_000_000),
        (" 42 ", 42),
        ("n/a", None),
        ("", None),
        ("12.5", None),
        ("about 40", None),
    ],
)
def test_parse_number_for_table_cells(cell: str, value: int | None) -> None:
    assert parse_number(cell) == value


def test_absurdly_long_numbers_are_never_counts() -> None:
    assert not any(q.is_count for q in find_quantities(f"{'9' * 400} people and 12345678901234"))


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1.2 lakh persons", 120_000),
        ("3 lakhs people", 300_000),
        ("2 crore people", 20_000_000),
        ("1,20,000 people", 120_000),
        ("12,50,000 people", 1_250_000),
    ],
)
def test_south_asian_scales_and_grouping(text: str, value: int) -> None:
    assert [q.value for q in find_quantities(text) if q.is_count] == [value]


@pytest.mark.parametrize(
    ("text", "kind"),
    [("over 2000 people dead", "count"), ("some 1900 families", "count"), ("in 2000 and", "year")],
)
def test_a_year_like_number_before_a_people_noun_counts(text: str, kind: str) -> None:
    [quantity] = find_quantities(text)
    assert quantity.kind == kind


@pytest.mark.parametrize("space", [" ", "\u00a0", "\u202f", "\u2009", "\u2007"])
def test_thousands_grouped_by_any_space_are_one_count(space: str) -> None:
    from humstats.extract.context import plain

    quantities = find_quantities(plain(f"In 2023 78{space}784 cases and 1{space}159 deaths"))
    assert [(q.value, q.kind) for q in quantities] == [
        (2023, "year"),
        (78784, "count"),
        (1159, "count"),
    ]


@pytest.mark.parametrize(
    ("text", "qualifier"),
    [
        ("About 96 percent of the population (2.15M people) face hunger", Qualifier.APPROX),
        ("more than 40% of residents (12,000 people) fled", Qualifier.AT_LEAST),
        ("40% of residents (12,000 people) fled", Qualifier.EXACT),
        ("about 40% of residents fled; (12,000 people) left", Qualifier.EXACT),
        ("22,000 Estimated refugee movements", Qualifier.APPROX),
    ],
)
def test_a_bracketed_count_takes_the_hedge_of_its_share(text: str, qualifier: Qualifier) -> None:
    assert only(text).qualifier is qualifier


def test_a_change_then_its_level_is_no_range() -> None:
    """ "increased by 1 million to 6.4 million": the size of a change, then the new level."""
    assert [q.value for q in find_quantities("increased by 1 million to 6.4 million")] == [
        1_000_000,
        6_400_000,
    ]
