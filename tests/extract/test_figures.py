"""extract_figures: the candidate frame's contract, and the rules on texts written for tests."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from humstats.errors import InputError
from humstats.extract import METHOD, PERIOD_DEFAULTED, extract_figures, extract_many
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
    assert row["method"] == METHOD + PERIOD_DEFAULTED  # no date stated: the publication's
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
        ("SDN", "El Fasher"),
    ]


def test_a_later_figure_takes_the_one_place_named_else_its_country() -> None:
    """A figure naming no place is where the text has been so far: the one town it named
    (and its region), a place a definite noun points back to ("in the state"); a report
    naming several districts, or an overall total, is of the country."""
    one = extract(
        "Fighting in El Fasher, North Darfur, killed 42 people. The ministry counted 87 injured."
    )
    assert one["location_name"].to_list() == ["El Fasher", "El Fasher"]
    several = extract(
        "Floods killed 12 people in Kassala. In Gedaref, 9 people died. Officials said "
        "3,000 were injured."
    )
    assert several["location_name"].to_list() == ["Kassala", "Gedaref", "Sudan"]
    definite = extract(
        "Fighting around Kadugli in South Kordofan has worsened. An estimated 410,000 people "
        "in the state are displaced, and 3,000 residents of the city fled this week."
    )
    assert definite["location_name"].to_list() == ["South Kordofan", "Kadugli"]
    total = extract(
        "Two people died in Renk, Upper Nile state. A total of 3,260 people are staying in "
        "evacuation centres."
    )
    assert total["location_name"].to_list() == ["Renk", "South Sudan"]


def test_a_list_of_places_is_read_from_its_first() -> None:
    figures = extract("Flooding in Borno, Adamawa and Yobe states has affected 1.3 million people.")
    assert figures["location_name"].to_list() == ["Borno"]


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


def _period_ends(text: str) -> list[dt.date]:
    return extract(text, dt.date(2025, 4, 9))["period_end"].to_list()


def test_an_as_of_heading_dates_the_block_below_it() -> None:
    text = (
        "Chad: refugee influx update (as of 2 April 2025)\n"
        "• Some 14,000 refugees have arrived in Ouaddai province.\n"
        "• At least 37 people have died in transit camps."
    )
    assert _period_ends(text) == [dt.date(2025, 4, 2)] * 2


def test_a_closer_date_wins_over_the_heading() -> None:
    text = (
        "Cholera in Sofala (as of 31 March)\n"
        "2,300 cases had been recorded in Beira. By 5 April, 61 people had died."
    )
    assert _period_ends(text) == [dt.date(2025, 3, 31), dt.date(2025, 4, 5)]


def test_an_as_of_inside_a_sentence_with_figures_stays_there() -> None:
    text = (
        "Some 9,000 people were displaced in Kalemie as of 1 March, officials said. "
        "At least 25 people were killed in Goma, the army said."
    )
    assert _period_ends(text) == [dt.date(2025, 3, 1), dt.date(2025, 4, 9)]


@pytest.mark.parametrize(
    ("text", "iso3"),
    [
        # a venue, an agent, a named agreement or a based-in name is not the figure's place
        (
            "Some 9,000 people fled Nyala this week, a spokesman told a press briefing in Geneva.",
            "SDN",
        ),
        (
            "At least 18 people were killed in Sumy in a drone attack by the Russian Federation.",
            "UKR",
        ),
        ("More than 600 people were killed in Tigray after the Pretoria peace agreement.", "ETH"),
        ("At least 48 people were killed in Idlib, the London-based monitor said.", "SYR"),
        # a dateline's country when the text names no other place
        (
            "KALEMIE, DR Congo (AFP) - Gunmen killed at least 23 people overnight, a local "
            "leader said.",
            "COD",
        ),
        ("MAIDUGURI (Reuters) - Insurgents killed 31 farmers on Sunday, residents said.", "NGA"),
        # refugees with no host named: the country they fled
        ("About 1.2 million refugees from Myanmar are recorded worldwide.", "MMR"),
    ],
)
def test_country_ignores_incidental_places_and_falls_back_to_the_dateline(
    text: str, iso3: str
) -> None:
    assert extract(text)["country_iso3"].to_list() == [iso3]


def test_a_briefing_city_dateline_is_no_fallback() -> None:
    text = "GENEVA (Reuters) - Some 20,000 people were displaced last week, the agency said."
    assert extract(text)["country_iso3"].to_list() == [None]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a part that names another indicator than its total is a figure of its own
        (
            "Health authorities have recorded 9,140 suspected cholera cases, including 203 "
            "deaths, since August.",
            [("affected", 9140), ("killed", 203)],
        ),
        (
            "The village was home to about 3,000 people. Some 800 of them have been displaced "
            "by the floods.",
            [("population", 3000), ("displaced", 800)],
        ),
        # a part of the same indicator, or a demographic group, is a breakdown
        (
            "More than 2,000 people were injured, including 300 wounded by gunfire.",
            [("injured", 2000)],
        ),
        ("At least 3,000 people were killed, including 400 children.", [("killed", 3000)]),
    ],
)
def test_parts_with_their_own_indicator_are_figures(text: str, expected: list) -> None:
    assert pairs(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Some 310,000 people face catastrophic conditions (IPC Phase 5) in North Darfur.",
            [("food_insecure", 310_000)],
        ),
        (
            "About 2.6 million people face Crisis or worse (IPC Phase 3+) levels of food "
            "insecurity.",
            [("food_insecure", 2_600_000)],
        ),
        (
            "Floods have displaced 9,000 people, and 2.1 million peoples are in need of "
            "humanitarian support.",
            [("displaced", 9_000), ("in_need", 2_100_000)],
        ),
        ("Gunmen held 14 employees of the aid group for several hours.", [("detained", 14)]),
        ("The fishing community now numbers fewer than 800 people.", [("population", 800)]),
        ("Rains have affected 3.5 lakh persons in 14 districts.", [("affected", 350_000)]),
    ],
)
def test_vocabulary_for_ipc_phases_need_detention_and_population(text: str, expected: list) -> None:
    assert pairs(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a border crossed between two named countries: refugees in the second
        (
            "Some 640,000 people have fled Myanmar into Bangladesh since August.",
            [("refugees", 640_000, "BGD")],
        ),
        # people who left their country, then the hosts that list them
        (
            "About 3.1 million Nicaraguans have left their country. Costa Rica hosts some 1.2 "
            "million of them, Panama about 90,000 and Mexico nearly 60,000.",
            [
                ("refugees", 3_100_000, "NIC"),
                ("refugees", 1_200_000, "CRI"),
                ("refugees", 90_000, "PAN"),
                ("refugees", 60_000, "MEX"),
            ],
        ),
        (
            "Uganda is hosting 1.7 million refugees, the government said.",
            [("refugees", 1_700_000, "UGA")],
        ),
        # a list of places continuing the figure before it
        (
            "Clashes killed 40 people in Goma, Bukavu 12 and Uvira 9, officials said.",
            [("killed", 40, "COD"), ("killed", 12, "COD"), ("killed", 9, "COD")],
        ),
    ],
)
def test_refugee_hosts_and_listed_places(text: str, expected: list) -> None:
    assert extract(text).select("indicator", "value", "country_iso3").rows() == expected


def test_people_who_speak_are_no_cue_for_the_next_number() -> None:
    text = "Bandits killed 31 farmers on Sunday, residents said, a week after 12 herders fled."
    assert pairs(text)[0] == ("killed", 31)
    assert ("population", 12) not in pairs(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # an aside between the number and its predicate does not use up the reach
        (
            "Some 3.2 million people, or 44 percent of the population covered by the analysis, "
            "are facing high levels of acute food insecurity.",
            [("food_insecure", 3_200_000)],
        ),
        # "one source said" counts no one
        ("Two soldiers were still missing, one official said.", [("missing", 2)]),
        # a people word that qualifies a thing ("staff positions") counts the things
        ("The agency will cut 1,200 staff positions and 300 worker visas.", []),
    ],
)
def test_asides_determiners_and_compounds(text: str, expected: list) -> None:
    assert pairs(text) == expected


def test_a_place_that_accounts_for_part_of_a_total_gives_a_sub_total() -> None:
    text = (
        "Health officials have recorded 5,200 suspected cholera cases. Sofala province "
        "accounts for 2,100 of the suspected cases."
    )
    rows = extract(text).select("indicator", "value", "location_name").rows()
    assert rows[1] == ("affected", 2_100, "Sofala")


@pytest.mark.parametrize(
    "text",
    [
        "The death toll from the landslide passes 310, officials said.",
        "Flood deaths in Sindh now exceed 90.",
        "The number of people killed in the storms tops 75.",
    ],
)
def test_a_toll_that_passes_a_number_is_at_least_that_number(text: str) -> None:
    assert extract(text).select("indicator", "qualifier").rows() == [("killed", "at_least")]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("Police in the port city confirmed 37 homicides over the holiday weekend.", 37),
        ("The raid caused the death of 14 villagers in Borno.", 14),
        ("The shelling caused the death of around forty civilians in Kharkiv.", 40),
    ],
)
def test_indirect_death_phrasings_are_killed(text: str, value: int) -> None:
    assert pairs(text) == [("killed", value)]


def test_losing_relatives_is_not_a_death_toll() -> None:
    assert pairs("A farmer in the valley said he had lost 9 members of his family.") == []


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("The border town now shelters more than 80,000 people who escaped the fighting.", 80000),
        ("The stadium is sheltering 900 people after the river burst its banks.", 900),
        ("About 6,000 people were in shelters in Sylhet on Friday.", 6000),
        ("Some 1,200 people were staying in evacuation shelters in Cebu.", 1200),
    ],
)
def test_people_in_or_sheltered_by_shelters_are_displaced(text: str, value: int) -> None:
    assert pairs(text) == [("displaced", value)]


def test_built_shelters_are_things_not_people() -> None:
    assert pairs("Volunteers built 300 shelters in Kassala last month.") == []


@pytest.mark.parametrize(
    ("text", "indicator"),
    [
        ("UNHCR said 12,000 new arrivals have crossed from Myanmar into Cox's Bazar.", "refugees"),
        ("Some 3,400 new arrivals were registered at the border crossing this week.", "refugees"),
        ("IOM counted 9,000 new arrivals who had returned home to Kabul.", "returnees"),
    ],
)
def test_new_arrivals_are_refugees_unless_they_came_home(text: str, indicator: str) -> None:
    assert extract(text)["indicator"].to_list() == [indicator]


def test_plain_arrivals_by_sea_stay_uncounted() -> None:
    assert pairs("Italy recorded 5,000 arrivals by sea in March.") == []


def test_bracketed_confirmed_probable_split_and_among_the_deaths_are_breakdowns() -> None:
    text = (
        "As of 3 May, 61 cases (52 confirmed, 9 probable) have been reported, including "
        "12 deaths (10 confirmed, 2 probable). Three nurses are among the deaths."
    )
    assert sorted(pairs(text)) == [("affected", 61), ("killed", 12)]


def test_bodies_awaiting_burial_are_part_of_the_toll_not_a_new_one() -> None:
    text = "Clashes have killed at least 1,200 people, with some 300 bodies still awaiting burial."
    assert pairs(text) == [("killed", 1200)]


def test_a_share_of_a_countrys_provinces_is_no_count() -> None:
    text = "Cases have been reported from 6 of Zambia's 10 provinces, with 85 deaths."
    assert pairs(text) == [("killed", 85)]


def test_a_clock_time_before_the_as_of_date_keeps_the_date() -> None:
    text = "Some 3,260 people are in evacuation centres in Port Vila (as of 6pm, 27 October)."
    assert extract(text)["period_end"].to_list() == [dt.date(2024, 10, 27)]
    text = "As at 18:00 UTC on 2 November, 41 people had been killed in Tripoli."
    assert extract(text)["period_end"].to_list() == [dt.date(2024, 11, 2)]


def test_the_nationality_of_some_victims_is_not_the_figures_country() -> None:
    text = "The quake killed 14 people, including two Chinese nationals, and 200 were injured."
    assert "CHN" not in extract(text)["country_iso3"].to_list()


def test_the_city_a_spokesperson_spoke_in_is_a_venue() -> None:
    text = "A UN spokesperson said in Geneva that 68,000 people had fled the camp in the past week."
    assert extract(text)["country_iso3"].to_list() == [None]
    text = "Officials said 40 people were killed in Maiduguri."
    assert extract(text)["country_iso3"].to_list() == ["NGA"]


@pytest.mark.parametrize(("country", "iso3"), [("Pakistan", "PAK"), ("India", "IND")])
def test_a_possessive_country_resolves_the_region_that_follows(country: str, iso3: str) -> None:
    text = f"Monsoon floods in {country}'s Punjab province have killed 45 people this week."
    assert extract(text)["country_iso3"].to_list() == [iso3]


@pytest.mark.parametrize(
    ("sentence", "stated"),
    [
        ("As of 30 November, 50,000 people were displaced, OCHA said.", True),
        ("50,000 people were displaced between 1 and 7 November, OCHA said.", True),
        ("50,000 people have been displaced, OCHA said.", False),
    ],
)
def test_method_says_whether_the_period_was_stated(sentence: str, stated: bool) -> None:
    document = Document(
        sentence, Path("a.txt"), SourceMeta(published_date=PUBLISHED, publisher="P")
    )
    [row] = extract_figures(document).to_dicts()
    assert row["method"] == (METHOD if stated else METHOD + PERIOD_DEFAULTED)
    assert (row["period_end"] == PUBLISHED) is not stated


def test_extract_many_reads_each_document_as_extract_figures_does() -> None:
    """Batching the parse across documents changes no figure, nor their order."""
    cases = Path(__file__).parents[1] / "data" / "extract" / "own-cases.jsonl"
    documents = [
        Document(
            case["text"],
            Path(case["id"]),
            SourceMeta(publisher="test", published_date=dt.date.fromisoformat(case["published"])),
        )
        for case in map(json.loads, cases.read_text(encoding="utf-8").splitlines()[:40])
        if case.get("published")
    ]
    documents.append(Document("No figure here.", Path("none"), documents[0].meta))
    many = list(extract_many(documents))
    assert len(many) == len(documents)
    assert many[-1].is_empty()
    for document, frame in zip(documents, many, strict=True):
        assert frame.equals(extract_figures(document))


def test_extract_many_refuses_a_document_without_a_date() -> None:
    undated = Document("Floods killed 12 people.", Path("undated.txt"), SourceMeta())
    with pytest.raises(InputError, match=r"undated\.txt"):
        list(extract_many([undated]))
