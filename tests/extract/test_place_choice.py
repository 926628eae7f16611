"""Which place a figure takes: its clause's, a place a definite noun points back to, or the
place the text has been about (``place_choice``), read through ``extract_figures``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from humstats.extract import extract_figures
from humstats.readers import Document
from humstats.schema import SourceMeta


def locations(text: str) -> list[str | None]:
    meta = SourceMeta(publisher="Test", published_date=dt.date(2024, 12, 3))
    return extract_figures(Document(text, Path("t.txt"), meta))["location_name"].to_list()


def test_a_later_figure_takes_the_one_place_the_text_is_about() -> None:
    text = "Fighting in El Fasher, North Darfur, killed 42 people. The ministry counted 87 injured."
    assert locations(text) == ["El Fasher", "El Fasher"]


def test_after_several_places_a_later_figure_takes_their_country() -> None:
    text = (
        "Floods killed 12 people in Kassala. In Gedaref, 9 people died. Officials said 3,000 "
        "were injured."
    )
    assert locations(text) == ["Kassala", "Gedaref", "Sudan"]


def test_an_overall_total_or_a_new_bullet_is_of_the_country() -> None:
    total = "Two people died in Renk, Upper Nile state. A total of 3,260 people are displaced."
    assert locations(total) == ["Renk", "South Sudan"]
    bullets = "Chad update\n• 14,000 refugees arrived in Ouaddai province.\n• 37 people died."
    assert locations(bullets) == ["Ouaddai", "Chad"]


def test_a_definite_noun_points_back_to_a_place_of_its_kind() -> None:
    text = (
        "Fighting around Kadugli in South Kordofan has worsened. An estimated 410,000 people "
        "in the state are displaced, and 3,000 residents of the city fled this week. Across "
        "the country, 11 million are displaced."
    )
    assert locations(text) == ["South Kordofan", "Kadugli", "Sudan"]


def test_a_list_of_places_is_read_from_its_first_unless_a_place_is_beside_its_number() -> None:
    assert locations("Flooding in Borno, Adamawa and Yobe states affected 1.3 million people.") == [
        "Borno"
    ]
    assert locations(
        "Clashes killed 40 people in Goma, Bukavu 12 and Uvira 9, officials said."
    ) == [
        "Goma",
        "Bukavu",
        "Uvira",
    ]


def test_a_place_in_another_clause_is_not_the_figures() -> None:
    aside = (
        "At least 96 people have died of cholera in Somalia, Save the Children said, warning "
        "that the disease is spreading fastest in Baidoa."
    )
    assert locations(aside) == ["Somalia"]
    subtotal = "The ministry said 52 people have died, 18 of them in Feni district, in Bangladesh."
    assert locations(subtotal)[0] == "Bangladesh"


def test_a_demonym_gives_way_to_the_place_named_in_its_country() -> None:
    assert locations("West Bank: since October, 370 Palestinians were killed.") == ["West Bank"]


def test_where_a_storm_made_landfall_is_no_figures_place() -> None:
    text = "The storm made landfall near New Hope, Westmoreland, in Jamaica, killing 32 people."
    assert locations(text) == ["Jamaica"]
