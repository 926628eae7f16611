"""Tables typed into prose: header, rows of the same shape, and the figures read from them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from humstats.extract import extract_figures
from humstats.extract.tables import find_text_tables
from humstats.readers import Document
from humstats.schema import SourceMeta

REPORT = """NIGERIA: Flood response update (as of 14 September 2025)
State | People displaced | Deaths | Farmland (ha)
Borno | 41,200 | 37 | 9,100
Adamawa | 12,650 | 9 | 4,320
Source: NEMA

Partners continue to scale up."""


def test_header_rows_and_source_are_found() -> None:
    (table,) = find_text_tables(REPORT)
    assert [REPORT[a:b] for a, b in table.header] == [
        "State",
        "People displaced",
        "Deaths",
        "Farmland (ha)",
    ]
    assert [[REPORT[a:b] for a, b in row] for row in table.rows] == [
        ["Borno", "41,200", "37", "9,100"],
        ["Adamawa", "12,650", "9", "4,320"],
    ]
    assert table.source == "NEMA"


def test_markdown_tables_with_outer_pipes_and_a_rule_line() -> None:
    text = "| Camp | Refugees |\n|---|---:|\n| Kakuma | 280,000 |\n"
    (table,) = find_text_tables(text)
    assert [[text[a:b] for a, b in row] for row in table.rows] == [["Kakuma", "280,000"]]


def test_lines_of_prose_with_a_pipe_are_no_table() -> None:
    assert find_text_tables("Figures 2024 | 2025\nnothing else here") == []


def test_cells_under_people_columns_are_figures_placed_by_their_row() -> None:
    meta = SourceMeta(publisher="Test", published_date=dt.date(2025, 9, 16))
    figures = extract_figures(Document(REPORT, Path("t.md"), meta))
    rows = figures.select(
        "indicator",
        "value",
        "location_name",
        "country_iso3",
        "attributed_to",
        "period_end",
        "measure",
    ).rows()
    end = dt.date(2025, 9, 14)
    assert rows == [
        ("displaced", 41_200, "Borno", "NGA", "NEMA", end, "stock"),
        ("killed", 37, "Borno", "NGA", "NEMA", end, "stock"),
        ("displaced", 12_650, "Adamawa", "NGA", "NEMA", end, "stock"),
        ("killed", 9, "Adamawa", "NGA", "NEMA", end, "stock"),
    ]
