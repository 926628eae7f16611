"""extract_figures: the candidate frame's contract, and the rules on texts written for tests."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from humstats.errors import InputError
from humstats.extract import METHOD, extract_figures
from humstats.readers import Document
from humstats.schema import COLUMNS, DTYPES, ORIGIN_COLUMNS, STAMPED, SourceMeta

PUBLISHED = dt.date(2024, 12, 3)


def extract(text: str, published: dt.date = PUBLISHED, **meta: str) -> pl.DataFrame:
    source = SourceMeta(
        published_date=published,
        publisher=meta.get("publisher", "Test"),
        source_url=meta.get("url"),
    )
    return extract_figures(Document(text, Path("t.txt"), source))


def pairs(text: str) -> list[tuple[str, int]]:
    return extract(text).select("indicator", "value").rows()


def test_frame_has_every_column_but_the_stamped_ones_plus_origin() -> None:
    figures = extract("At least 42 people were killed on Monday in El Fasher.")
    expected = [c for c in COLUMNS if c not in STAMPED] + list(ORIGIN_COLUMNS)
    assert figures.columns == expected
    for name, dtype in {**DTYPES, **ORIGIN_COLUMNS}.items():
        if name in figures.columns:
            assert figures.schema[name] == dtype, name


def test_no_figure_gives_an_empty_frame_with_the_same_columns() -> None:
    figures = extract("Aid agencies say access remains difficult.")
    assert figures.is_empty()
    assert figures.columns == extract("5 people were killed.").columns


def test_missing_publication_date_is_refused() -> None:
    document = Document("At least 42 people were killed.", Path("a.txt"), SourceMeta())
    with pytest.raises(InputError, match=r"no publication date; pass --published YYYY-MM-DD"):
        extract_figures(document)


def test_span_quote_provenance() -> None:
    text = "Intro line.\nNearly 50,000 people have been displaced, OCHA said."
    document = Document(
        text,
        Path("a.txt"),
        SourceMeta(published_date=PUBLISHED, publisher="P", source_url="https://example.org/x"),
        index=3,
        offset=100,
    )
    [row] = extract_figures(document).to_dicts()
    start, end = row["span_start"] - 100, row["span_end"] - 100
    assert text[start:end] == "50,000"
    assert row["quote"] == "Nearly 50,000 people have been displaced, OCHA said."
    assert row["method"] == METHOD
    assert 0 <= row["confidence"] <= 1
    assert row["input_row"] == 3
    assert row["origin"] == f"{row['span_start']}:displaced"
    assert (row["publisher"], row["source_url"]) == ("P", "https://example.org/x")
    assert row["published_date"] == PUBLISHED
    assert row["attributed_to"] == "OCHA"


def test_origins_are_unique_within_a_document() -> None:
    text = (
        "Floods killed 188 people and displaced 165,000, officials said. "
        "Another 90 people are missing and 230 were injured."
    )
    figures = extract(text)
    assert figures.height == 4
    assert figures["origin"].n_unique() == figures.height


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The conflict has left 500,000 people dead.", [("killed", 500_000)]),
        ("Aleppo, home to 2 million people, fell.", [("population", 2_000_000)]),
        (
            "Dengue has infected 48,300 people and killed 212.",
            [("affected", 48_300), ("killed", 212)],
        ),
        ("Some 5M Ukrainians are recorded as refugees.", [("refugees", 5_000_000)]),
        ("More than 500,000 Syrian refugees have returned home.", [("returnees", 500_000)]),
        ("Police arrested 300 people.", [("detained", 300)]),
        (
            "About 1.1M internally displaced; 620K returnees.",
            [("displaced", 1_100_000), ("returnees", 620_000)],
        ),
        ("Two million people need food assistance.", [("in_need", 2_000_000)]),
        (
            "An estimated 25.6 million people face acute food insecurity.",
            [("food_insecure", 25_600_000)],
        ),
        ("A dozen fishermen are still missing.", [("missing", 12)]),
        ("Half a million people have fled their homes.", [("displaced", 500_000)]),
        ("forcing between 5,000 and 7,000 residents to flee", [("displaced", 6_000)]),
        ("Death toll: 1,234. Injured: 5,600.", [("killed", 1_234), ("injured", 5_600)]),
        ("12 killed, 30 injured in attack on market", [("killed", 12), ("injured", 30)]),
        ("Floods kill 223 in Nigeria", [("killed", 223)]),
        ("leaving an estimated 27,000 people homeless", [("displaced", 27_000)]),
    ],
)
def test_indicators_from_words_around_the_number(text: str, expected: list) -> None:
    assert pairs(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Talks began in 2011 and resumed in Doha on Dec. 7-8.",
        "The appeal seeks $2 billion, and is 19 per cent funded.",
        "A 12-year-old boy was hurt.",
        "The council adopted resolution 2779 with 13 votes in favour.",
        "Call the hotline on +235 66 12 34 56.",
        "WFP sent 140 trucks with 2,800 tonnes of flour to 12 schools over 35 km.",
        "Hundreds were killed and thousands displaced, and tens of thousands fled.",
        "The figure could rise to 27 million, and 4.4 million people are projected to face hunger.",
        "The plan aims to reach 3.2 million people.",
        "The third convoy reached the four-way junction.",
        "The agency vaccinated 12,000 children.",
        "Drought has killed 5,000 head of cattle.",
        "A magnitude 7 quake struck; a 6.8-magnitude aftershock followed.",
        "M23 rebels and COVID-19 cases; Category 5 storms; G20 leaders met.",
    ],
)
def test_traps_are_never_figures(text: str) -> None:
    assert extract(text).is_empty()


def test_breakdowns_are_not_extra_figures() -> None:
    text = "23 people, including nine children, were killed, and 14 of those hurt were women."
    assert pairs(text) == [("killed", 23)]


def test_mixed_total_split_into_indicators_is_dropped() -> None:
    text = (
        "The country hosts roughly 1 million people who crossed from Sudan, among them "
        "about 750,000 returnees and 250,000 refugees."
    )
    assert pairs(text) == [("returnees", 750_000), ("refugees", 250_000)]


def test_stock_and_flow() -> None:
    figures = extract(
        "The death toll rose to 1,480 on Monday. Some 41,000 people were newly displaced "
        "this week. About 2.1 million Iraqis remain displaced."
    )
    assert figures["measure"].to_list() == ["stock", "flow", "stock"]


def test_reference_period_from_text_else_publication() -> None:
    figures = extract(
        "As of 31 October, 18.2 million people require humanitarian assistance. "
        "Some 17.1 million people are food insecure."
    )
    assert figures["period_end"].to_list() == [dt.date(2024, 10, 31), PUBLISHED]
    assert figures["period_start"].to_list() == [dt.date(2024, 10, 31), PUBLISHED]
    assert figures["date_precision"].to_list() == ["day", "day"]


def test_country_from_place_demonym_host_or_previous_figure() -> None:
    figures = extract(
        "More than 1.2m Sudanese refugees have crossed into Chad, UNHCR said. "
        "Fighting in El Fasher killed 42 people. A further 87 people were wounded."
    )
    assert figures.select("country_iso3", "location_name").rows() == [
        ("TCD", "Chad"),
        ("SDN", "El Fasher"),
        ("SDN", "Sudan"),
    ]


def test_worldwide_figures_have_no_country() -> None:
    figures = extract("Nearly 123 million people worldwide were forcibly displaced.")
    assert figures["country_iso3"].to_list() == [None]


def test_attribution_forms() -> None:
    figures = extract(
        "At least 42 people were killed, according to a local medical group. "
        "The group said 87 people were wounded. "
        "Lebanon's health ministry said 3,768 people had been killed. "
        "Some 1,150 people have been detained, the rights group HRANA said."
    )
    assert figures["attributed_to"].to_list() == [
        "local medical group",
        "local medical group",
        "health ministry",
        "HRANA",
    ]


def test_a_figure_restated_counts_once() -> None:
    assert pairs("At least 42 people were killed. At least 42 people were killed.") == [
        ("killed", 42)
    ]


def test_agencies_spelled_out_also_carry_their_acronym() -> None:
    figures = extract(
        "Nearly 50,000 people have been displaced, the UN Office for the Coordination of "
        "Humanitarian Affairs reported. IOM said 12,000 people had returned."
    )
    assert figures["attributed_to"].to_list() == [
        "UN Office for the Coordination of Humanitarian Affairs (OCHA)",
        "IOM",
    ]


def test_hard_wrapped_source_names_are_one_line() -> None:
    figures = extract(
        "More than 12,000 people have fled, the International\nOrganization for Migration said."
    )
    assert figures["attributed_to"].to_list() == ["International Organization for Migration (IOM)"]


def test_an_event_dates_every_figure_of_its_sentence() -> None:
    figures = extract(
        "At least 27 people were killed and 64 injured when shells struck a market on Monday."
    )
    assert figures["period_end"].to_list() == [dt.date(2024, 12, 2)] * 2
    assert figures["measure"].to_list() == ["flow", "flow"]


def test_a_change_is_not_a_total() -> None:
    assert pairs("The number of displaced people rose by 50,000 to 1.2 million.") == [
        ("displaced", 1_200_000)
    ]


_WORDS = [
    "people",
    "were",
    "killed",
    "displaced",
    "in",
    "Sudan",
    "Aleppo",
    "about",
    "nearly",
    "more",
    "than",
    "2,000",
    "1.2m",
    "500 000",
    "two",
    "million",
    "a",
    "dozen",
    "on",
    "Monday",
    "as",
    "of",
    "30",
    "November",
    "said",
    "OCHA",
    "(",
    ")",
    ",",
    ".",
    "—",
    ";",
    "between",
    "and",
    "-",
    "refugees",
    "home",
    "to",
    "$",
    "%",
    "2024",
    "\n",
    "•",
    "the",
]


@settings(deadline=None, max_examples=150)
@given(st.lists(st.sampled_from(_WORDS), max_size=60))
def test_any_text_extracts_without_error_and_spans_point_at_numbers(words: list[str]) -> None:
    text = " ".join(words)
    figures = extract(text)
    for row in figures.iter_rows(named=True):
        quoted = text[row["span_start"] : row["span_end"]]
        assert any(ch.isdigit() for ch in quoted) or quoted.split()[0].lower() in {
            "two",
            "a",
            "dozen",
            "half",
        }
        assert row["value"] >= 0
        assert row["period_start"] <= row["period_end"] <= PUBLISHED
