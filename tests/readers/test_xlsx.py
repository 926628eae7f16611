"""The XLSX reader on the IOM DTM workbook: data sheet picked, pivot summary skipped."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from humstats.errors import InputError
from humstats.readers import read
from humstats.readers.xlsx import pick_sheet

ROOT = Path(__file__).resolve().parents[2]
WORKBOOK = ROOT / "examples" / "tables" / "iom-dtm-sudan-idps-r3.xlsx"


def test_data_sheet_with_partial_hashtag_row() -> None:
    table = read(WORKBOOK)
    assert table.sheet == "IDPs Dataset"
    assert table.frame.shape == (685, 79)  # rows 3-687 of the sheet
    assert table.first_row == 3
    assert table.hxl is not None
    assert table.hxl["IND"] == "#affected+idps+ind"
    assert table.hxl["HH"] == "#affected+idps+hh"
    assert "Round 2  IND الافراد" not in table.hxl
    zamzam = table.frame.filter(pl.col("Location") == "Zamzam Camp")
    assert zamzam["IND"].to_list() == ["243946"]


def test_pivot_sheet_loses_even_when_larger() -> None:
    tidy = pl.DataFrame({"a": ["x", "1"], "b": ["y", "2"]})
    pivot = pl.DataFrame(
        {"a": ["State", "Blue Nile", "Total Result"] * 5, "b": ["IDPs", "10", "10"] * 5}
    )
    assert pick_sheet({"Summary": pivot, "Data": tidy}) == "Data"


def test_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "fake.xlsx"
    path.write_text("country,killed\nSYR,1\n")
    with pytest.raises(InputError, match=r"fake\.xlsx: not a readable XLSX workbook"):
        read(path)


def test_date_and_number_cells_read_as_plain_text() -> None:
    # tests/data/dates.xlsx: a date-formatted serial (44285), a text date, a float 3.0, and
    # a serial with a time of day
    table = read(ROOT / "tests" / "data" / "dates.xlsx")
    assert table.frame.rows() == [
        ("SYR", "2021-03-30 00:00:00", "12"),
        ("YEM", "2021-04-02", "3"),
        ("SDN", "2021-04-04 12:00:00", "1250"),
    ]


def _workbook_with_part(path: Path, size: int) -> None:
    import zipfile

    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/sharedStrings.xml", b"\0" * size)


def test_a_workbook_that_inflates_past_the_limit_is_refused(tmp_path: Path) -> None:
    from humstats.config import Limits

    path = tmp_path / "bomb.xlsx"
    _workbook_with_part(path, 3 * 1024 * 1024)
    assert path.stat().st_size < 20_000
    with pytest.raises(InputError, match=r"inflate to more than 2 MB \(limits.max_xlsx_mb\)"):
        read(path, Limits(max_xlsx_mb=2))


def test_a_file_that_is_no_workbook_gets_one_line(tmp_path: Path) -> None:
    path = tmp_path / "fake.xlsx"
    path.write_text("name,value\nx,1\n")
    with pytest.raises(InputError, match="not a readable XLSX workbook") as raised:
        read(path)
    assert "\n" not in str(raised.value)


def test_a_workbook_whose_name_is_not_utf8_is_read(tmp_path: Path) -> None:
    path = tmp_path / "caf\udce9.xlsx"
    path.write_bytes(WORKBOOK.read_bytes())
    assert read(path).sheet == "IDPs Dataset"
