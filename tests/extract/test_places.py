"""Place names to ISO3 codes with the packaged, offline gazetteer."""

from __future__ import annotations

import gzip

import pytest

from humstats.extract.places import (
    ADMIN1,
    CITY,
    COUNTRY,
    DEMONYM,
    GAZETTEER_PATH,
    MemoryGazetteer,
    admin_level,
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
        # ISO 3166-2 spells "Gansu Sheng", "Xinjiang Uygur Zizhiqu": prose drops the designator
        ("quake in Gansu province", ("Gansu", "CHN", ADMIN1)),
        ("curfews in Xinjiang", ("Xinjiang", "CHN", ADMIN1)),
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


def test_an_area_at_the_start_of_a_longer_name_abroad_is_no_place() -> None:
    """Botswana's North-West district is no part of "Pakistan's North-West Frontier Province";
    named as itself, in a text about Botswana, it is read."""
    found = places("Families reached camps in Pakistan's North-West Frontier Province.")
    assert [iso3 for _, iso3, _ in found] == ["PAK"]
    assert ("North-West", "BWA", ADMIN1) in places("Floods hit North-West district, Botswana.")


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


def _resolved(text: str) -> list[tuple[str, str | None, int | None]]:
    return [(p.name, p.iso3, admin_level(p)) for p in find_places(text, default_gazetteer())]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Renk County hosts returnees", ("Renk", "SSD", 2)),  # named as a county
        ("fighting in Masisi", ("Masisi", "COD", 2)),  # after "in"
        ("the border town of Renk", ("Renk", "SSD", 2)),
        ("clashes in Djugu and Irumu", ("Irumu", "COD", 2)),  # listed after a place
        ("families reached Kutum, Sudan", ("Kutum", "SDN", 2)),
        ("people in Aleppo", ("Aleppo", "SYR", 2)),  # a city counts at the district level
        ("in Ituri province", ("Ituri", "COD", 1)),
        ("in the DRC", ("DRC", "COD", 0)),
        ("in North Darfur", ("North Darfur", "SDN", 1)),  # an alias for an area, not a country
        # first-level areas ISO 3166-2 lacks or lists below another, from GeoNames
        ("Floods hit the Sava region of Madagascar.", ("Sava", "MDG", 1)),
        ("Refugees came ashore in Aceh province, Indonesia.", ("Aceh", "IDN", 1)),
        ("Rescuers in Mokwa, Niger state, found bodies.", ("Niger State", "NGA", 1)),
        # a town under 50,000 people, in the one country that has one, named as a place
        ("Families crossed the border at Adré into Chad.", ("Adré", "TCD", 2)),
    ],
)
def test_districts_and_towns_resolve_with_their_admin_level(
    text: str, expected: tuple[str, str, int]
) -> None:
    assert expected in _resolved(text)


def test_a_district_or_town_needs_a_place_context() -> None:
    """Capitalised at a sentence start or as a subject, a district's name may be anything."""
    assert _resolved("Masisi is calm today.") == []
    assert _resolved("Mahagi said nothing.") == []


def test_a_name_common_in_english_is_never_a_district() -> None:
    assert _resolved("displaced in March") == []
    assert _resolved("a Mission in Central") == []


def test_a_district_abroad_never_overrides_the_countries_named() -> None:
    """Yemen's Tawila is no place in a text about Sudan, even named before Sudan is."""
    sudan = _resolved("Some 9,000 fled to Tawila from El Fasher in North Darfur, Sudan.")
    assert all(iso3 == "SDN" for _, iso3, _ in sudan)
    assert ("Tawila", "YEM", 2) in _resolved("Fighting near Tawila killed 12.")


def test_a_name_in_several_countries_is_read_in_the_documents_country() -> None:
    gazetteer = default_gazetteer()
    assert gazetteer.lookup("Sangin", {"AFG"}).iso3 == "AFG"
    assert gazetteer.lookup("Sangin", {"MMR"}).iso3 == "MMR"
    assert gazetteer.lookup("Sangin", set()) is None  # two countries, none named


def test_areas_carry_their_ocha_pcode() -> None:
    assert default_gazetteer().lookup("North Darfur", {"SDN"}).pcode == "SD02"
    assert default_gazetteer().lookup("Nord-Kivu", {"COD"}).pcode == "CD61"


def test_the_bundled_gazetteer_is_read_offline() -> None:
    """The table ships with the package (no download) and has one header and clean rows."""
    with gzip.open(GAZETTEER_PATH, "rt", encoding="utf-8") as rows:
        header = next(rows).rstrip("\n").split("\t")
        body = [row.rstrip("\n").split("\t") for row in rows]
    assert header == ["name", "keys", "iso3", "admin_level", "kind", "pcode", "population"]
    assert len(body) > 50_000
    assert all(len(row) == 7 and len(row[2]) == 3 and row[3] in "123" for row in body)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("In Ethiopia, cholera reached Shire town.", ("Shire", "ETH", CITY)),
        ("In Afghanistan, homes fell in Zenda Jan district.", ("Zenda Jan", "AFG", CITY)),
        ("Gunmen raided the village of Tchoma, in Niger.", ("Tchoma", "NER", CITY)),
        ("Gunmen attacked Teguey, in the Tillaberi region.", ("Teguey", "NER", CITY)),
        ("Two died on Pentecost Island, Vanuatu.", ("Pentecost Island", "VUT", CITY)),
        ("Boats landed on the Italian island of Lampedusa.", ("Lampedusa", "ITA", CITY)),
        # a name the gazetteer knows only abroad (a Turkish Solhan), named as a village here
        ("Gunmen hit the village of Solhan, in Burkina Faso.", ("Solhan", "BFA", CITY)),
    ],
)
def test_a_town_the_gazetteer_lacks_is_read_where_named_as_one(
    text: str, expected: tuple[str, str, int]
) -> None:
    assert expected in places(text)


def test_a_town_the_gazetteer_lacks_needs_one_country() -> None:
    """Named as a town, with no country named before it and not one after (none, or two), it
    is placed nowhere; with countries before it, in the last."""
    assert [p for p in places("Families fled Kabo town.") if p[0] == "Kabo"] == []
    found = places("Families reached Kabo town, between Chad and Sudan.")
    assert [p for p in found if p[0] == "Kabo"] == []
    found = places("From Chad to Sudan, families reached Kabo town.")
    assert ("Kabo", "SDN", CITY) in found


def test_a_place_read_at_an_offset_keeps_every_other_field() -> None:
    """Place.at builds places field by field: a field added to Place must be carried too."""
    import dataclasses

    from humstats.extract.places import Place

    kinds = {f.name: str(f.type) for f in dataclasses.fields(Place)}
    place = Place(
        **{
            name: True if kind == "bool" else 7 if kind.startswith("int") else "x"
            for name, kind in kinds.items()
        }
    )
    assert place.at("Goma", 3, 7) == dataclasses.replace(place, name="Goma", start=3, end=7)


def test_a_disputed_area_is_in_the_claimant_the_text_names() -> None:
    """Kashmir is read in India unless the words say which side ("Pakistan-administered
    Kashmir") or the text names Pakistan only."""
    assert ("Kashmir", "IND", COUNTRY) in places("Snow cut off roads in Kashmir.")
    assert ("Kashmir", "PAK", COUNTRY) in places("Floods hit Pakistan-administered Kashmir.")
    assert default_gazetteer().lookup("Kashmir", {"PAK"}).iso3 == "PAK"
    assert default_gazetteer().lookup("Kashmir", {"PAK", "IND"}).iso3 == "IND"
