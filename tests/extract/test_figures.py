"""extract_figures: the candidate frame's contract. What it reads from which wording is in the
case files (``tests/data/extract/behaviours.jsonl`` and the others, see test_cases.py)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from humstats.errors import InputError
from humstats.extract import METHOD, PERIOD_DEFAULTED, extract_figures, extract_many
from humstats.readers import Document
from humstats.schema import COLUMNS, DTYPES, ORIGIN_COLUMNS, STAMPED, SourceMeta

PUBLISHED = dt.date(2024, 12, 3)


def extract(text: str, published: dt.date = PUBLISHED, **meta: str) -> pl.DataFrame:
    source = SourceMeta(
        published_date=published,
        publisher=meta.get("publisher", "Test"),
        source_url=meta.get("url"),
    )
    return extract_figures(Document(text, Path("t.txt"), source))


def test_frame_has_every_column_but_the_stamped_ones_plus_origin() -> None:
    figures = extract("At least 42 people were killed on Monday in El Fasher.")
    expected = [c for c in COLUMNS if c not in STAMPED] + list(ORIGIN_COLUMNS)
    assert figures.columns == expected
    for name, dtype in {**DTYPES, **ORIGIN_COLUMNS}.items():
        if name in figures.columns:
            assert figures.schema[name] == dtype, name


def test_no_figure_gives_an_empty_frame_with_the_same_columns() -> None:
    figures = extract("Aid agencies say access remains difficult.")
    assert figures.is_empty()
    assert figures.columns == extract("5 people were killed.").columns


def test_missing_publication_date_is_refused() -> None:
    document = Document("At least 42 people were killed.", Path("a.txt"), SourceMeta())
    with pytest.raises(InputError, match=r"no publication date; pass --published YYYY-MM-DD"):
        extract_figures(document)


def test_span_quote_provenance() -> None:
    text = "Intro line.\nNearly 50,000 people have been displaced, OCHA said."
    document = Document(
        text,
        Path("a.txt"),
        SourceMeta(published_date=PUBLISHED, publisher="P", source_url="https://example.org/x"),
        index=3,
        offset=100,
    )
    [row] = extract_figures(document).to_dicts()
    start, end = row["span_start"] - 100, row["span_end"] - 100
    assert text[start:end] == "50,000"
    assert row["quote"] == "Nearly 50,000 people have been displaced, OCHA said."
    assert row["method"] == METHOD + PERIOD_DEFAULTED  # no date stated: the publication's
    assert 0 <= row["confidence"] <= 1
    assert row["input_row"] == 3
    assert row["origin"] == f"{row['span_start']}:displaced"
    assert (row["publisher"], row["source_url"]) == ("P", "https://example.org/x")
    assert row["published_date"] == PUBLISHED
    assert row["attributed_to"] == "OCHA"


def test_origins_are_unique_within_a_document() -> None:
    text = (
        "Floods killed 188 people and displaced 165,000, officials said. "
        "Another 90 people are missing and 230 were injured."
    )
    figures = extract(text)
    assert figures.height == 4
    assert figures["origin"].n_unique() == figures.height


_WORDS = [
    "people",
    "were",
    "killed",
    "displaced",
    "in",
    "Sudan",
    "Aleppo",
    "about",
    "nearly",
    "more",
    "than",
    "2,000",
    "1.2m",
    "500 000",
    "two",
    "million",
    "a",
    "dozen",
    "on",
    "Monday",
    "as",
    "of",
    "30",
    "November",
    "said",
    "OCHA",
    "(",
    ")",
    ",",
    ".",
    "—",
    ";",
    "between",
    "and",
    "-",
    "refugees",
    "home",
    "to",
    "$",
    "%",
    "2024",
    "\n",
    "•",
    "the",
]


@settings(deadline=None, max_examples=150)
@given(st.lists(st.sampled_from(_WORDS), max_size=60))
def test_any_text_extracts_without_error_and_spans_point_at_numbers(words: list[str]) -> None:
    text = " ".join(words)
    figures = extract(text)
    for row in figures.iter_rows(named=True):
        quoted = text[row["span_start"] : row["span_end"]]
        assert any(ch.isdigit() for ch in quoted) or quoted.split()[0].lower() in {
            "two",
            "a",
            "dozen",
            "half",
        }
        assert row["value"] >= 0
        assert row["period_start"] <= row["period_end"] <= PUBLISHED


@pytest.mark.parametrize(
    ("sentence", "stated"),
    [
        ("As of 30 November, 50,000 people were displaced, OCHA said.", True),
        ("50,000 people were displaced between 1 and 7 November, OCHA said.", True),
        ("50,000 people have been displaced, OCHA said.", False),
    ],
)
def test_method_says_whether_the_period_was_stated(sentence: str, stated: bool) -> None:
    document = Document(
        sentence, Path("a.txt"), SourceMeta(published_date=PUBLISHED, publisher="P")
    )
    [row] = extract_figures(document).to_dicts()
    assert row["method"] == (METHOD if stated else METHOD + PERIOD_DEFAULTED)
    assert (row["period_end"] == PUBLISHED) is not stated


def test_extract_many_reads_each_document_as_extract_figures_does() -> None:
    """Batching the parse across documents changes no figure, nor their order."""
    cases = Path(__file__).parents[1] / "data" / "extract" / "own-cases.jsonl"
    documents = [
        Document(
            case["text"],
            Path(case["id"]),
            SourceMeta(publisher="test", published_date=dt.date.fromisoformat(case["published"])),
        )
        for case in map(json.loads, cases.read_text(encoding="utf-8").splitlines()[:40])
        if case.get("published")
    ]
    documents.append(Document("No figure here.", Path("none"), documents[0].meta))
    many = list(extract_many(documents))
    assert len(many) == len(documents)
    assert many[-1].is_empty()
    for document, frame in zip(documents, many, strict=True):
        assert frame.equals(extract_figures(document))


def test_extract_many_refuses_a_document_without_a_date() -> None:
    undated = Document("Floods killed 12 people.", Path("undated.txt"), SourceMeta())
    with pytest.raises(InputError, match=r"undated\.txt"):
        list(extract_many([undated]))
