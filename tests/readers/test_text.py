"""Text, Markdown and HTML readers: the text, its offset in the raw file, and its metadata."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from humstats.errors import InputError
from humstats.readers import Document, read

TEXTS = Path(__file__).parents[1] / "data" / "texts"


def test_plain_text_is_one_document_without_metadata() -> None:
    path = TEXTS / "wire-plain.txt"
    [document] = read(path)
    assert document.text == path.read_text(encoding="utf-8")
    assert (document.offset, document.index) == (0, 0)
    assert document.meta.published_date is None


def test_markdown_front_matter_becomes_metadata_and_offset_skips_it() -> None:
    path = TEXTS / "flood-update.md"
    [document] = read(path)
    raw = path.read_text(encoding="utf-8")
    assert document.meta.publisher == "Relief Desk"
    assert document.meta.source_url == "https://example.org/flood-update"
    assert document.meta.published_date == dt.date(2025, 5, 2)
    assert document.meta.title == "Flood update"
    assert "---" not in document.text
    assert raw[document.offset : document.offset + len(document.text)] == document.text


def test_markdown_without_front_matter_keeps_all_text(tmp_path: Path) -> None:
    path = tmp_path / "note.md"
    path.write_text("Some 41,000 people were displaced.\n", encoding="utf-8")
    [document] = read(path)
    assert document.text.startswith("Some 41,000")
    assert document.meta.published_date is None


def test_bad_published_date_in_front_matter_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.md"
    path.write_text("---\npublished: last Tuesday\n---\nText.\n", encoding="utf-8")
    with pytest.raises(InputError, match="not YYYY-MM-DD"):
        read(path)


def test_html_keeps_main_content_and_reads_meta_tags() -> None:
    [document] = read(TEXTS / "relief-page.html")
    assert "230,000 people" in document.text
    assert "Beledweyne" in document.text
    assert "+252" not in document.text  # navigation
    assert "staff writers" not in document.text  # footer
    assert document.meta.publisher == "Relief Desk"
    assert document.meta.published_date == dt.date(2025, 11, 4)
    assert document.meta.source_url == "https://example.org/somalia-floods"


def test_html_without_text_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "empty.html"
    path.write_text("<html><body><nav>Home</nav></body></html>", encoding="utf-8")
    with pytest.raises(InputError, match="no main text"):
        read(path)


def test_non_utf8_text_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes("Caf\xe9 42 people".encode("latin-1"))
    with pytest.raises(InputError, match="not UTF-8"):
        read(path)


def test_dispatch_returns_documents_for_text_suffixes(tmp_path: Path) -> None:
    for name in ("a.txt", "b.markdown", "c.htm"):
        path = tmp_path / name
        path.write_text("<p>At least 12 people were killed.</p>", encoding="utf-8")
        documents = read(path)
        assert all(isinstance(d, Document) for d in documents)


def test_scripts_styles_and_comments_are_never_read_as_text(tmp_path: Path) -> None:
    path = tmp_path / "page.md"
    raw = (
        "---\ntitle: Update\n---\nRains hit the north.\n\n"
        '<script>var s = "5,000 people were killed";</script>\n<!-- 7,000 killed -->\n'
        "<style>p { width: 300px }</style>\nOfficials said 300 people were displaced.\n"
    )
    path.write_text(raw)
    [document] = read(path)
    assert "5,000" not in document.text and "7,000" not in document.text
    assert "300px" not in document.text
    at = document.text.index("Officials")
    assert raw[document.offset + at :].startswith("Officials")  # spans still point into raw


def test_bad_front_matter_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.md"
    path.write_text("---\ntitle: [unclosed\npublisher: x\n---\nText.\n")
    with pytest.raises(InputError, match="bad front matter") as raised:
        read(path)
    assert "\n" not in str(raised.value)
