"""`humstats extract`: figures of texts printed, nothing stored; flags override metadata."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from humstats.cli import cli

TEXTS = Path(__file__).parents[1] / "data" / "texts"


def invoke(*args: str):
    return CliRunner().invoke(cli, ["extract", *args], catch_exceptions=False)


def test_json_lists_the_figures_with_quotes(tmp_path: Path) -> None:
    result = invoke(str(TEXTS / "flood-update.md"), "--format", "json")
    assert result.exit_code == 0
    figures = json.loads(result.stdout)
    assert [(f["indicator"], f["value"], f["qualifier"]) for f in figures] == [
        ("killed", 188, "exact"),
        ("displaced", 165_000, "at_least"),
    ]
    assert figures[0]["publisher"] == "Relief Desk"
    assert figures[0]["published_date"] == "2025-05-02"
    assert figures[0]["quote"].startswith("Floods in Kenya have killed 188 people")
    assert figures[0]["country_iso3"] == "KEN"
    assert not (tmp_path / "data").exists()


def test_flags_override_the_input_metadata() -> None:
    result = invoke(
        str(TEXTS / "flood-update.md"),
        "--format",
        "json",
        "--publisher",
        "Other",
        "--url",
        "https://example.org/other",
        "--published",
        "2025-05-03",
    )
    figures = json.loads(result.stdout)
    assert {f["publisher"] for f in figures} == {"Other"}
    assert {f["source_url"] for f in figures} == {"https://example.org/other"}
    assert {f["published_date"] for f in figures} == {"2025-05-03"}


def test_text_without_date_is_refused_in_one_line() -> None:
    path = TEXTS / "undated.txt"
    result = CliRunner().invoke(cli, ["extract", str(path)])
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: cannot read {path}: no publication date; pass --published YYYY-MM-DD\n"
    )


def test_published_flag_makes_an_undated_text_readable() -> None:
    result = invoke(str(TEXTS / "undated.txt"), "--published", "2025-02-06", "--format", "json")
    [figure] = json.loads(result.stdout)
    assert (figure["indicator"], figure["value"], figure["country_iso3"]) == ("killed", 12, "COD")


def test_feed_figures_keep_their_article_metadata() -> None:
    result = invoke(str(TEXTS / "articles.ndjson"), "--format", "json")
    figures = json.loads(result.stdout)
    assert [(f["indicator"], f["source_url"], f["input_row"]) for f in figures] == [
        ("killed", "https://example.org/a", 0),
        ("returnees", "https://example.org/b", 1),
    ]


def test_table_output_names_the_columns() -> None:
    result = invoke(str(TEXTS / "wire-plain.txt"), "--published", "2025-05-02")
    assert result.exit_code == 0
    assert "indicator" in result.stdout and "188" in result.stdout


def test_a_table_is_refused() -> None:
    path = TEXTS / "table.ndjson"
    result = CliRunner().invoke(cli, ["extract", str(path)])
    assert result.exit_code == 1
    assert "is a table, not text" in result.stderr


def test_a_bad_date_flag_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["extract", str(TEXTS / "undated.txt"), "--published", "x"])
    assert result.exit_code == 2
