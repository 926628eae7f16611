"""The CSV reader on the sample tables and on small files built to be awkward."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from humstats.errors import InputError
from humstats.readers import read
from humstats.readers.csv import sniff_delimiter

ROOT = Path(__file__).resolve().parents[2]
TABLES = ROOT / "examples" / "tables"
DATA = ROOT / "tests" / "data"


@pytest.mark.parametrize(
    ("name", "rows", "columns", "first_row", "tags"),
    [
        # rows and columns counted with awk/polars on the files, header and HXL rows excluded
        ("acled-ukraine-2022", 4243, 30, 2, 0),
        ("cod-ps-subnational-population", 1294, 11, 2, 0),
        ("ocha-pin-plans-2022", 42, 6, 3, 5),
        ("ucdp-ged-bangladesh", 601, 42, 3, 16),  # SOURCE.md lists 18, two columns dropped
        ("idmc-idu-india-events", 113, 24, 2, 0),
        ("ukraine-ocha-sitrep-timeseries", 50, 34, 3, 0),
    ],
)
def test_sample_tables(name: str, rows: int, columns: int, first_row: int, tags: int) -> None:
    table = read(TABLES / f"{name}.csv")
    assert table.frame.shape == (rows, columns)
    assert table.first_row == first_row
    assert len(table.hxl or {}) == tags
    assert all(dtype == "String" for dtype in map(str, table.frame.dtypes))


def test_banner_row_above_header_is_skipped() -> None:
    table = read(TABLES / "ukraine-ocha-sitrep-timeseries.csv")
    assert table.frame.columns[11] == "IDPs"
    assert "CERF - Contributions (US$m)" in table.frame.columns  # trailing space trimmed
    assert table.frame["Civilian casualities(OHCHR) - Killed"][0] == "249"


def test_literal_hash_header_is_not_a_hashtag() -> None:
    table = read(TABLES / "ocha-pin-plans-2022.csv")
    assert table.frame.columns[0] == "#"
    assert table.hxl == {
        "Interagency Response Plans": "#country+name",
        "ISO alpha-3 codes": "#country+code",
        "Plan type": "#plan+type",
        "In Need": "#inneed",
        "Data Explorer PIN?": "#meta+included",
    }


def test_multiline_quoted_fields(tmp_path: Path) -> None:
    path = tmp_path / "multi.csv"
    path.write_text('id,note,best\n1,"two\nlines, with comma",5\n2,plain,7\n', encoding="utf-8")
    table = read(path)
    assert table.frame["note"].to_list() == ["two\nlines, with comma", "plain"]
    assert table.frame["best"].to_list() == ["5", "7"]


def test_title_blank_and_footer_rows() -> None:
    table = read(DATA / "notes_footer.tsv")
    assert table.frame.columns == ["country", "district", "date", "killed"]
    assert table.first_row == 4  # title, blank line, header
    # the blank line inside the data stays, so row i is input row first_row + i
    assert table.frame["district"].to_list() == ["Aleppo", None, "Idlib", "Hama"]


def test_utf8_bom_is_not_part_of_the_first_name() -> None:
    assert read(DATA / "bom.csv").frame.columns[0] == "country"


def test_latin1_text_is_decoded() -> None:
    table = read(DATA / "latin1.csv")
    assert table.frame.columns == ["Pays", "Date", "Tués"]
    assert table.frame["Pays"].to_list() == ["Côte d'Ivoire", "Sénégal"]


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("empty.csv", "the file is empty"),
        ("header_only.csv", "the table has a header but no data rows"),
        ("garbage.csv", "binary content, not a text table"),
    ],
)
def test_unreadable_files_name_file_and_problem(name: str, problem: str) -> None:
    with pytest.raises(InputError) as raised:
        read(DATA / name)
    assert str(raised.value) == f"cannot read {DATA / name}: {problem}"


def test_a_workbook_named_csv_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "book.csv"
    path.write_bytes((TABLES / "iom-dtm-sudan-idps-r3.xlsx").read_bytes())
    with pytest.raises(InputError, match="ZIP archive"):
        read(path)


CELL = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=8
).filter(lambda s: s.strip() == s and not s.startswith("#"))


@settings(max_examples=40, deadline=None)
@given(
    delimiter=st.sampled_from([",", ";", "\t", "|"]),
    rows=st.lists(st.lists(CELL, min_size=3, max_size=3), min_size=2, max_size=6),
)
def test_any_dialect_round_trips(tmp_path_factory, delimiter: str, rows: list[list[str]]) -> None:
    header = ["alpha", "beta", "gamma"]
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\n").writerows([header, *rows])
    path = tmp_path_factory.mktemp("dialect") / "table.csv"
    path.write_text(buffer.getvalue(), encoding="utf-8")
    table = read(path)
    assert table.frame.columns == header
    assert table.frame.rows() == [tuple(row) for row in rows]


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_sniffer_ignores_delimiters_inside_quotes(delimiter: str) -> None:
    other = "," if delimiter != "," else ";"
    sample = f'a{delimiter}b{delimiter}c\n"x{other}y{other}z"{delimiter}1{delimiter}2\n'
    assert sniff_delimiter(sample) == delimiter


def test_excel_separator_hint(tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    path.write_text("sep=;\npays;tués;date\nMali;1,5;2024-05-01\n", encoding="utf-8")
    table = read(path)
    assert table.frame.columns == ["pays", "tués", "date"]
    assert table.frame.rows() == [("Mali", "1,5", "2024-05-01")]
    assert table.first_row == 3


def test_latin1_past_the_sampled_head(tmp_path: Path) -> None:
    path = tmp_path / "late.csv"
    rows = "".join(f"SYR,{i}\n" for i in range(20_000))  # > 64 KB of plain ASCII first
    path.write_bytes(("country,killed\n" + rows).encode() + "Sénégal,3\n".encode("latin-1"))
    table = read(path)
    assert table.frame.height == 20_001
    assert table.frame["country"][-1] == "Sénégal"


@pytest.mark.parametrize(
    "name", ["x*.csv", "report[1].csv", "we?rd.csv", "a\\x41\\n.csv", "b\\\\.csv", "c{a,b}.csv"]
)
def test_a_file_name_is_never_a_pattern(tmp_path: Path, name: str) -> None:
    for sibling, place in (("xa.csv", "Homs"), ("xb.csv", "Hama"), ("report1.csv", "Idlib")):
        (tmp_path / sibling).write_text(f"place,killed\n{place},1\n")
    path = tmp_path / name
    path.write_text("place,killed\nAleppo,5\nDaraa,6\n")
    table = read(path)
    assert table.frame["place"].to_list() == ["Aleppo", "Daraa"]


def test_a_file_name_that_is_not_utf8_is_read(tmp_path: Path) -> None:
    path = tmp_path / "caf\udce9.csv"  # the byte 0xE9 of a Latin-1 file name
    path.write_text("place,killed\nAleppo,5\n")
    assert read(path).frame["place"].to_list() == ["Aleppo"]


HXL_ROWS = ["place,killed", "#adm1+name,#affected+killed", "Alépo,5", "Ḥoms,6"]


@pytest.mark.parametrize("newline", ["\r", "\r\n", "\n"])
def test_line_endings(tmp_path: Path, newline: str) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(newline.join(HXL_ROWS).encode() + newline.encode())
    table = read(path)
    assert table.frame["place"].to_list() == ["Alépo", "Ḥoms"]
    assert table.frame["killed"].to_list() == ["5", "6"]


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_byte_order_mark(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes("\n".join(HXL_ROWS).encode(encoding))
    assert read(path).frame["place"].to_list() == ["Alépo", "Ḥoms"]


def test_utf8_file_with_one_latin1_line_is_decoded_per_line(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    lines = [row.encode("utf-8") for row in HXL_ROWS] + ["Alep café,7".encode("latin-1")]
    path.write_bytes(b"\n".join(lines) + b"\n")
    assert read(path).frame["place"].to_list() == ["Alépo", "Ḥoms", "Alep café"]


def test_unbalanced_quote_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text('place,killed\nAleppo,5\n"Homs,6\nHama,7\n')
    with pytest.raises(InputError, match=r"line 3: a quoted cell is never closed") as raised:
        read(path)
    assert "\n" not in str(raised.value)


@pytest.mark.parametrize("rows", [300, 20_000])  # within the sampled head, and past it
def test_extra_cells_of_ragged_rows_are_kept_aside(tmp_path: Path, rows: int) -> None:
    path = tmp_path / "t.csv"
    lines = ["place,killed", *(f"P{n},{n}" for n in range(rows)), "Hama,7,8,9", "Homs,6"]
    path.write_text("\n".join(lines) + "\n")
    table = read(path)
    assert table.frame.columns == ["place", "killed"]
    assert table.frame.height == rows + 2  # row numbers hold: the ragged row is still there
    assert table.rejected is not None
    ((row, extra),) = table.rejected.rows()
    assert row == rows + 2 and extra.startswith("8")


def test_a_headerless_column_filled_in_every_row_is_not_ragged(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("place,killed,\nAleppo,5,x\nHoms,6,y\n")
    table = read(path)
    assert table.rejected is None and table.frame["column_3"].to_list() == ["x", "y"]


def test_a_cell_over_the_length_limit_refuses_the_table(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text("place,killed\nAleppo,5\n" + "H" * 200_000 + ",6\n")
    with pytest.raises(InputError, match=r"row 3, column 'place': a cell of 200,000 characters"):
        read(path)
