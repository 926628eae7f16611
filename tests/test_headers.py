"""Header words: what a column's name says it holds (normalize/headers.py)."""

from __future__ import annotations

import pytest

from humstats.normalize.breakdowns import age_of, cause_of, group_value, sex_of
from humstats.normalize.headers import fold, is_total_label, month_number, read_header
from humstats.schema import Indicator, Measure, Sex, Unit


@pytest.mark.parametrize(
    ("header", "indicator"),
    [
        ("Déplacés internes", Indicator.DISPLACED),
        ("Muertos", Indicator.KILLED),
        ("Personnes dans le besoin", Indicator.IN_NEED),
        ("Refugiados", Indicator.REFUGEES),
        ("numPresentIdpInd", Indicator.DISPLACED),
        ("Civilian casualities(OHCHR) - Killed", Indicator.KILLED),
        ("Total Population(Flash Appeal)", Indicator.POPULATION),
        ("Catastrophe / IPC 5", Indicator.FOOD_INSECURE),
        ("Stressed / IPC 2", Indicator.POPULATION),
    ],
)
def test_header_names_the_indicator(header: str, indicator: Indicator) -> None:
    assert read_header(header).indicator is indicator


@pytest.mark.parametrize(
    "header",
    [
        "People Targeted(Flash Appeal)",
        "Requirements (US$)(Flash Appeal)",
        "% coverage",
        "Pourcentage",
        "Refugees assisted by UNHCR",
        "IPC Phase",
    ],
)
def test_headers_that_are_never_figures(header: str) -> None:
    meaning = read_header(header)
    assert meaning.skip is not None and meaning.indicator is None


def test_breakdown_and_details_of_a_header() -> None:
    part = read_header("PiN - IDPs")
    assert (part.indicator, part.group) == (Indicator.IN_NEED, "subset=displaced")
    phase = read_header("Emergency / IPC 4")
    assert phase.group == "phase=4"
    assert read_header("Refugees(UNHCR)").attributed_to == "UNHCR"
    assert read_header("Nouveaux déplacés").measure is Measure.FLOW
    assert read_header("Ménages déplacés").unit is Unit.HOUSEHOLDS
    women = read_header("numberFemales")
    assert (women.indicator, women.sex) == (None, Sex.F)
    assert read_header("Population (2022)").year == 2022


def test_other_roles() -> None:
    assert read_header("Région").role == "admin1"
    assert read_header("admin1Pcode").role in ("pcode", "admin1")
    assert read_header("Fecha").role == "date"
    assert read_header("displacementReason").role == "reason"


def test_fold_splits_camel_case_and_drops_accents() -> None:
    assert fold("numPresentIdpInd") == "num present idp ind"
    assert fold("Décès (2024)") == "deces 2024"


def test_total_labels_and_months() -> None:
    assert is_total_label("TOTAL") and is_total_label("Total général")
    assert not is_total_label("Totora")
    assert [month_number(m) for m in ("Septembre", "fevrier", "Aout", "abr.", "Dec")] == [
        9,
        2,
        8,
        4,
        12,
    ]


def test_breakdown_cells() -> None:
    assert [sex_of(t) for t in ("Female", "M", "hommes", "Total", "Other")] == [
        "f",
        "m",
        "m",
        "all",
        "x",
    ]
    assert [age_of(t) for t in ("0-17", "0 - 4 years", "60+", "60 and over", "<5", "All")] == [
        "0-17",
        "0-4",
        "60+",
        "60+",
        "0-4",
        "all",
    ]
    assert [cause_of(t) for t in ("Conflict", "Natural disaster", "Insecurity", "Total")] == [
        "conflict",
        "disaster",
        "insecurity",
        "all",
    ]
    assert group_value("origin", "SUD", "unhcr") == "SDN"
    assert group_value("origin", "Ouest") == "Ouest"
    assert group_value("origin", "Not available") is None
    assert group_value("reason", "a;b=c") == "a,b-c"
