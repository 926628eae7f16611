"""Place names to ISO3 codes with the packaged, offline gazetteer."""

from __future__ import annotations

import pytest

from humstats.extract.places import (
    ADMIN1,
    CITY,
    COUNTRY,
    DEMONYM,
    MemoryGazetteer,
    default_gazetteer,
    find_places,
)


def places(text: str) -> list[tuple[str, str | None, int]]:
    return [(p.name, p.iso3, p.level) for p in find_places(text, default_gazetteer())]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("fighting in Syria", ("Syria", "SYR", COUNTRY)),
        (
            "the Democratic Republic of the Congo is home",
            ("Democratic Republic of the Congo", "COD", COUNTRY),
        ),
        ("people in Aleppo", ("Aleppo", "SYR", CITY)),
        ("refugees in Cúcuta", ("Cúcuta", "COL", CITY)),
        ("refugees in Cucuta", ("Cucuta", "COL", CITY)),
        ("Sudanese refugees", ("Sudanese", "SDN", DEMONYM)),
        ("Some 310,000 Afghans", ("Afghans", "AFG", DEMONYM)),
        ("in Ituri province", ("Ituri", "COD", ADMIN1)),
        ("in the DRC", ("DRC", "COD", COUNTRY)),
    ],
)
def test_names_resolve(text: str, expected: tuple[str, str, int]) -> None:
    assert expected in places(text)


def test_possessive_is_stripped() -> None:
    assert ("Sudan", "SDN", COUNTRY) in places("Sudan's North Darfur state")


def test_a_person_named_like_a_city_is_no_place() -> None:
    assert places("President Vladimir Putin spoke") == []
    assert places("Hakan Fidan and Vladimir Putin met") == []


def test_common_words_are_no_places() -> None:
    assert places("Police said. March. Most of them.") == []


def test_a_demonym_before_an_army_is_an_actor_not_a_place() -> None:
    assert places("as Russian forces advance") == []
    assert ("Turkish", "TUR", DEMONYM) in places("Turkish authorities said")


def test_regions_spanning_countries_have_no_code() -> None:
    assert ("Europe", None, -1) in places("refugees across Europe")


def test_memory_gazetteer_for_tests() -> None:
    gazetteer = MemoryGazetteer({"Atlantis": ("GRC", CITY)})
    [place] = find_places("floods in Atlantis", gazetteer)
    assert (place.iso3, place.start) == ("GRC", 10)


@pytest.mark.parametrize(
    "text",
    [
        "convoys waited at the Torkham Gate border post",
        "near the Islam Qala crossing",
        "villages around Mocímboa da Praia",
    ],
)
def test_a_match_inside_a_longer_unknown_name_is_no_place(text: str) -> None:
    # the last word alone is a town elsewhere ("Qala" in Malta, "Praia" in Cabo Verde)
    found = places(text)
    assert all(name not in ("Gate", "Qala", "Praia") for name, _, _ in found)


def test_residents_of_a_city_still_name_it() -> None:
    assert ("Goma", "COD", CITY) in places("Residents of Goma said the shelling went on.")


@pytest.mark.parametrize(
    ("text", "iso3"),
    [
        ("Fighting in the DR Congo", "COD"),
        ("clashes in Amhara", "ETH"),
        ("camps in Gambella", "ETH"),
    ],
)
def test_aliases_for_names_news_copy_uses(text: str, iso3: str) -> None:
    assert places(text)[-1][1] == iso3
