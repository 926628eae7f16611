"""humstats map: a mapping drafted from header words and cells (normalize/draft.py)."""

from __future__ import annotations

import datetime as dt
import tomllib
from pathlib import Path

import polars as pl
from click.testing import CliRunner

from humstats.cli import cli
from humstats.normalize.draft import draft_mapping
from humstats.run import ingest
from humstats.schema import SourceMeta

DATA = Path(__file__).parent / "data"
SOMALIA = (
    DATA / "wild/somalia-ipc-projection-2022/"
    "ipc_somalia_som_food_insecurity_oct_dec2022_projection.csv"
)
CHAD = DATA / "draft/deplacements-tchad.csv"


def _stored(path: Path, mapping: object, meta: SourceMeta, tmp_path: Path) -> pl.DataFrame:
    result = ingest([path], data_dir=tmp_path / "data", mapping=mapping, meta=meta, dry_run=True)
    assert not result.failed, result.inputs
    return result.figures


def test_french_split_dates_pcodes_total_rows(tmp_path: Path) -> None:
    meta = SourceMeta(publisher="Test", published_date=dt.date(2024, 4, 10))
    draft = draft_mapping(CHAD, meta)
    document = tomllib.loads(draft.toml)
    assert document["columns"]["year"] == "Année" and document["columns"]["month"] == "Mois"
    assert document["rows"]["total_when"] == {"Province": ["Total"]}
    assert [f["column"] for f in document["figures"]] == ["Déplacés"]
    assert "Pourcentage" in draft.toml and "not a figure" in draft.toml
    figures = _stored(CHAD, draft.mapping, meta, tmp_path)
    rows = figures.sort("span_start").select(
        "indicator", "value", "country_iso3", "admin_level", "period_end", "pcode"
    )
    assert rows.rows() == [
        ("displaced", 12_000, "TCD", 1, dt.date(2024, 1, 31), "TD07"),
        ("displaced", 12_500, "TCD", 1, dt.date(2024, 2, 29), "TD07"),
        ("displaced", 8_000, "TCD", 1, dt.date(2024, 3, 31), "TD19"),
        ("displaced", 20_500, "TCD", 0, dt.date(2024, 3, 31), None),
    ]


def test_stacked_header_ipc_phases_and_a_projection(tmp_path: Path) -> None:
    meta = SourceMeta(publisher="FSNAU", published_date=dt.date(2022, 9, 1))
    draft = draft_mapping(SOMALIA, meta)
    document = tomllib.loads(draft.toml)
    assert document["table"]["header_rows"] == 1
    assert document["derived"][0]["indicator"] == "food_insecure"
    figures = _stored(SOMALIA, draft.mapping, meta, tmp_path)
    national = figures.filter(pl.col("admin_level") == 0)
    phase3plus = national.filter(
        (pl.col("indicator") == "food_insecure") & pl.col("group").is_null()
    )
    assert phase3plus["value"].to_list() == [4_200_310 + 2_179_900 + 300_560]
    assert phase3plus["projected"].to_list() == [True]
    assert "Crisis / IPC 3" in phase3plus["quote"][0]
    assert (national["period_end"] == dt.date(2022, 12, 31)).all()


def test_map_prints_toml_and_previews_on_stderr(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli,
        [
            "--data",
            str(tmp_path / "d"),
            "map",
            str(CHAD),
            "--publisher",
            "T",
            "--published",
            "2024-04-10",
        ],
        catch_exceptions=False,
    )
    assert result.exit_code == 0
    assert tomllib.loads(result.stdout)["figures"][0]["indicator"] == "displaced"
    assert "would store 4 figures" in result.stderr


def test_ingest_without_figure_columns_says_to_run_map(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli,
        [
            "--data",
            str(tmp_path / "d"),
            "ingest",
            str(CHAD),
            "--publisher",
            "T",
            "--published",
            "2024-04-10",
        ],
    )
    assert result.exit_code == 1
    assert "humstats map" in result.stderr


def test_validate_never_says_no_problems_after_an_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        cli,
        [
            "--data",
            str(tmp_path / "d"),
            "validate",
            str(CHAD),
            "--publisher",
            "T",
            "--published",
            "2024-04-10",
        ],
    )
    assert result.exit_code == 1
    assert "no problems found" not in result.output


def test_a_column_called_a_date_is_the_date_before_one_that_holds_dates(tmp_path: Path) -> None:
    source = tmp_path / "sheet.csv"
    source.write_text(
        "Plan period,Killed,Date\n"
        "MARCH – MAY 2022,249,03-03-2022\n"
        "MARCH – MAY 2022,351,05-03-2022\n",
        encoding="utf-8",
    )
    draft = draft_mapping(source, SourceMeta(country_iso3="UKR"))
    assert tomllib.loads(draft.toml)["columns"]["date"] == "Date"
