from __future__ import annotations

import pytest

from humstats.countries import (
    ISO3,
    ISO_NUMERIC,
    UNHCR,
    agency_iso3,
    code_scheme,
    country_in_name,
    country_iso3,
    no_country_label,
    pcode_country,
    pcode_levels,
)


@pytest.mark.parametrize(
    ("text", "iso3"),
    [
        ("SDN", "SDN"),
        ("sd", "SDN"),
        ("Côte d'Ivoire", "CIV"),
        ("Congo, The Democratic Republic of the", "COD"),
        ("Dem. Rep. Congo", "COD"),
        ("occupied Palestinian territory", "PSE"),
        ("Syria (3RP)", None),
        ("", None),
    ],
)
def test_names_and_codes(text: str, iso3: str | None) -> None:
    assert country_iso3(text) == iso3


@pytest.mark.parametrize(
    ("pcode", "iso3"),
    [("KE007", "KEN"), ("SY0203", "SYR"), ("HT01", "HTI"), ("AFG01", "AFG"), ("XX12", None)],
)
def test_country_of_a_pcode(pcode: str, iso3: str | None) -> None:
    assert pcode_country(pcode) == iso3


def test_a_column_of_unhcr_codes_is_read_as_unhcr() -> None:
    column = ["AFG", "SUD", "CHD", "CHI", "PAK", "GFR", None]
    assert code_scheme(column) == UNHCR
    assert [agency_iso3(c, UNHCR) for c in ("CHI", "SUD", "GFR", "AUS", "PAK")] == [
        "CHN",
        "SDN",
        "DEU",
        "AUT",
        "PAK",
    ]
    # ISO codes alone are ISO; "CHI" read as ISO is no country (Chile is CHL)
    assert code_scheme(["CHL", "PAK", "AUS"]) == ISO3
    assert country_iso3("CHI") is None


def test_numeric_country_codes_are_iso_numeric() -> None:
    assert code_scheme(["4", "760", "729"]) == ISO_NUMERIC
    assert [agency_iso3(c, ISO_NUMERIC) for c in ("4", "760", "729")] == ["AFG", "SYR", "SDN"]


@pytest.mark.parametrize(
    ("name", "iso3"),
    [
        ("mali-population-movements.csv", "MLI"),
        ("ipc_somalia_som_food_insecurity.csv", "SOM"),
        ("displacement-admin1-admin0pcode-hti.json", "HTI"),
        ("unhcr-refugee-data.csv", None),
        ("sudan-and-chad-movements.csv", None),
        ("refugees-per-month-and-year.csv", None),
    ],
)
def test_the_one_country_a_file_name_names(name: str, iso3: str | None) -> None:
    assert country_in_name(name) == iso3


def test_pcode_levels_rank_lengths_within_each_country() -> None:
    codes = ["SO24", "SO2401", "SO22", "SO2203", "KE0701", "SO240101", "N/A", None]
    assert pcode_levels(codes) == {
        "SO24": 1,
        "SO22": 1,
        "SO2401": 2,
        "SO2203": 2,
        "SO240101": 3,
        "KE0701": 1,  # Kenya's only length is its shallowest level
    }
    assert pcode_levels(["SO24", "SO2401"], shallowest=2) == {"SO24": 2, "SO2401": 3}


@pytest.mark.parametrize(
    ("text", "iso3"),
    [
        ("Syrian Arab Rep.", "SYR"),
        ("Central African Rep.", "CAF"),
        ("Dem. Rep. of the Congo", "COD"),
        ("Iran (Islamic Rep. of)", "IRN"),
        ("United Rep. of Tanzania", "TZA"),
        ("Dem. People's Rep. of Korea", "PRK"),
        ("Solomon Is.", "SLB"),
        ("Syria (3RP)", None),
    ],
)
def test_un_style_abbreviations(text: str, iso3: str | None) -> None:
    assert country_iso3(text) == iso3


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Unknown", "unknown"),
        ("UKN", "unknown"),
        ("Various/Unknown", "various"),
        ("Mixed", "various"),
        ("Multiple", "various"),
        ("Stateless", "stateless"),
        ("apatrides", "stateless"),
        ("Other", "other"),
        ("Sudan", None),
        ("N/A", None),
    ],
)
def test_no_country_labels(text: str, kind: str | None) -> None:
    assert no_country_label(text) == kind
