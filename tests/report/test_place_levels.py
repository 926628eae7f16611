from __future__ import annotations

import pytest

from conftest import figure, figures_frame
from humstats.errors import ConfigError
from humstats.report.places import load_aliases, names_country, place_levels


@pytest.mark.parametrize(
    "iso3, name, country",
    [
        ("SYR", "Syria", True),
        ("SDN", "Sudan", True),
        ("COD", "Congo", True),
        ("PSE", "the occupied Palestinian territory", True),
        ("SDN", "South Sudan", False),
        ("SDN", "North Darfur", False),
        ("PSE", "Gaza", False),
    ],
)
def test_a_name_of_the_country_or_of_a_place_inside_it(iso3, name, country):
    assert names_country(iso3, name, load_aliases()) is country


def test_levels_and_aliases_apply_to_the_figures_read_not_the_store():
    figures = figures_frame(
        figure(country_iso3="PSE", admin_level=0, location_name="Gaza", pcode=None),
        figure(country_iso3="SDN", admin_level=0, location_name="North Darfur", pcode=None),
        figure(country_iso3="SDN", admin_level=0, location_name="Sudan", pcode=None),
        figure(country_iso3="SYR", admin_level=1, location_name="Aleppo", pcode="SY02"),
    )
    fixed = place_levels(figures).collect()
    assert fixed.select("location_name", "admin_level").rows() == [
        ("Gaza Strip", 1),
        ("North Darfur", None),
        ("Sudan", 0),
        ("Aleppo", 1),
    ]
    assert fixed.columns == figures.collect_schema().names()
    assert fixed["figure_id"].to_list() == figures.collect()["figure_id"].to_list()


def test_an_alias_without_a_level_is_a_config_error(tmp_path):
    table = tmp_path / "places.toml"
    table.write_text('[PSE]\n"Gaza" = { name = "Gaza Strip" }\n')
    with pytest.raises(ConfigError, match="needs a level"):
        load_aliases(table)
