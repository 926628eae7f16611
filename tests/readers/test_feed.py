"""Article feeds (NDJSON): one Document per article, or a Table when there is no text."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from humstats.errors import InputError
from humstats.readers import Table, read

TEXTS = Path(__file__).parents[1] / "data" / "texts"


def test_each_article_keeps_its_own_metadata() -> None:
    documents = read(TEXTS / "articles.ndjson")
    assert [d.index for d in documents] == [0, 1, 2]
    assert [d.meta.publisher for d in documents] == ["Wire A", "Wire B", "Wire C"]
    assert [d.meta.source_url for d in documents] == [
        "https://example.org/a",
        "https://example.org/b",
        "https://example.org/c",
    ]
    assert documents[1].meta.published_date == dt.date(2026, 6, 18)
    assert documents[0].meta.title == "Shelling in El Fasher"


def test_html_articles_are_reduced_to_their_text() -> None:
    documents = read(TEXTS / "articles.ndjson")
    assert "<p>" not in documents[1].text
    assert "310,000 Afghans" in documents[1].text


def test_verbatim_text_offsets_point_into_the_raw_file() -> None:
    path = TEXTS / "articles.ndjson"
    raw = path.read_text(encoding="utf-8")
    first = read(path)[0]
    assert raw[first.offset : first.offset + len(first.text)] == first.text


def test_escaped_text_counts_spans_within_the_article() -> None:
    third = read(TEXTS / "articles.ndjson")[2]
    assert third.offset == 0
    assert '"winter kits"' in third.text


def test_objects_without_text_are_a_table_of_text_cells() -> None:
    table = read(TEXTS / "table.ndjson")
    assert isinstance(table, Table)
    assert table.frame.columns == ["country", "killed", "date", "notes"]
    assert table.frame["killed"].to_list() == ["42", "87"]
    assert json.loads(table.frame["notes"][1]) == {"source": "medical group"}
    assert table.frame["notes"][0] is None
    assert table.first_row == 1


def test_a_line_that_is_not_json_names_its_number(tmp_path: Path) -> None:
    path = tmp_path / "broken.ndjson"
    path.write_text('{"text": "ok", "published": "2025-01-01"}\n{oops\n', encoding="utf-8")
    with pytest.raises(InputError, match="line 2 is not JSON"):
        read(path)


def test_a_line_that_is_not_an_object_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "list.jsonl"
    path.write_text("[1, 2]\n", encoding="utf-8")
    with pytest.raises(InputError, match="line 1 is not a JSON object"):
        read(path)


def test_an_article_without_text_or_html_in_a_feed_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "mixed.ndjson"
    lines = [
        {"text": "At least 5 people were killed.", "published": "2025-01-01"},
        {"title": "no body", "published": "2025-01-02"},
    ]
    path.write_text("\n".join(json.dumps(line) for line in lines), encoding="utf-8")
    with pytest.raises(InputError, match="line 2 has neither text nor html"):
        read(path)
