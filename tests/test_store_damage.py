"""A damaged store degrades, never bricks: whatever data file of the store is truncated or
overwritten, every command names it in one line, reads the rest, and ingest still works.

The tests damage "a data file of the store" found by suffix, not a path in today's layout."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from humstats.cli import cli
from humstats.run import Status, ingest
from humstats.schema import SourceMeta
from humstats.store import Store

DATA = Path(__file__).parent / "data" / "run"
PUBLISHED = SourceMeta(published_date=dt.date(2024, 12, 2), publisher="OCHA")


def _data_files(data_dir: Path) -> set[Path]:
    """The store's Parquet data files, whatever its layout (a transaction log left out)."""
    return {p for p in data_dir.rglob("*.parquet") if "_delta_log" not in p.parts}


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])


def _garble(path: Path) -> None:
    """Flip bytes inside the file, leaving its footer (and magic bytes) sound."""
    data = bytearray(path.read_bytes())
    for index in range(8, len(data) // 2):
        data[index] ^= 0x5A
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(
    ("table", "damage"),
    [
        ("figures", _truncate),
        ("sources", _truncate),
        ("quarantine", _truncate),
        ("figures", lambda p: p.write_bytes(b"PAR1 not a footer PAR1")),
        ("figures", _garble),  # found only when read
    ],
)
def test_every_command_skips_a_damaged_data_file_and_names_it(
    data_dir: Path, table: str, damage: object, tmp_path: Path
) -> None:
    first = ingest([DATA / "syria-hxl.csv"], data_dir=data_dir, meta=PUBLISHED)
    written_first = _data_files(data_dir)
    second = ingest([DATA / "sudan-hxl.csv"], data_dir=data_dir, meta=PUBLISHED)
    (victim,) = [f for f in written_first if table in str(f.relative_to(data_dir))]
    damage(victim)
    named = str(victim.relative_to(data_dir))
    runner = CliRunner()
    base = ["--data", str(data_dir)]
    figures = runner.invoke(cli, [*base, "figures", "--format", "csv"])
    assert figures.exit_code == 0, figures.output
    assert len(figures.stdout.splitlines()) == 1 + second.figures.height
    assert named in figures.stderr and len(figures.stderr.splitlines()) == 1
    status = runner.invoke(cli, [*base, "status"])
    assert status.exit_code == 0 and named in status.stderr
    sql = "SELECT count(*) AS n FROM sources"
    query = runner.invoke(cli, [*base, "query", sql, "--format", "csv"])
    assert query.exit_code == 0 and "Traceback" not in query.output, query.output
    if damage is _truncate:  # found by its footer; bytes flipped inside only when read
        assert query.stdout == "n\n1\n"
    report = runner.invoke(
        cli, [*base, "report", "--period", "2024-11", "--out", str(tmp_path / "r")]
    )
    assert report.exit_code == 0, report.output
    check = runner.invoke(cli, [*base, "check"])
    assert check.exit_code == 1 and check.stdout.startswith(named + ": ")
    assert "Traceback" not in figures.output + status.output + report.output + check.output
    # ingest still works; a batch left out by its footer has its input ingested again
    third = ingest([DATA.parent / "long_hxl.csv"], data_dir=data_dir, meta=PUBLISHED)
    assert third.inputs[0].status is Status.STORED
    if damage is _truncate:
        again = ingest([DATA / "syria-hxl.csv"], data_dir=data_dir, meta=PUBLISHED)
        assert again.inputs[0].status is Status.STORED
        assert Store(data_dir).figures().collect().height == (
            first.figures.height + second.figures.height + third.figures.height
        )


def test_ingest_into_a_store_whose_only_sources_file_is_damaged(data_dir: Path) -> None:
    ingest([DATA / "syria-hxl.csv"], data_dir=data_dir, meta=PUBLISHED)
    (sources,) = [f for f in _data_files(data_dir) if "sources" in str(f.relative_to(data_dir))]
    sources.write_bytes(b"")
    result = ingest([DATA / "sudan-hxl.csv"], data_dir=data_dir, meta=PUBLISHED)
    assert result.committed


def test_a_copied_store_is_read_the_same(data_dir: Path, tmp_path: Path) -> None:
    ingest([DATA / "syria-hxl.csv"], data_dir=data_dir, meta=PUBLISHED)
    copy = tmp_path / "copy[1]"
    shutil.copytree(data_dir, copy)
    assert Store(copy).figures().collect().height == Store(data_dir).figures().collect().height
