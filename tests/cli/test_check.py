"""``humstats check``: one line per problem, exit 1 when the store is damaged."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from humstats.cli import cli

DATA = Path(__file__).parents[1] / "data" / "run"
FLAGS = ["--publisher", "OCHA", "--published", "2024-12-02"]


def test_check_passes_an_intact_store_and_names_each_problem(data_dir: Path) -> None:
    runner = CliRunner()
    inputs = [str(DATA / "syria-hxl.csv"), str(DATA / "sudan-hxl.csv")]
    assert runner.invoke(cli, ["--data", str(data_dir), "ingest", *FLAGS, *inputs]).exit_code == 0
    clean = runner.invoke(cli, ["--data", str(data_dir), "check"])
    assert clean.exit_code == 0 and clean.stdout == ""
    raw = sorted(p for p in (data_dir / "raw").rglob("*.csv"))
    raw[0].write_bytes(raw[0].read_bytes() + b"\n")
    data_file = next(
        p for p in data_dir.rglob("*.parquet") if "figures" in str(p.relative_to(data_dir))
    )
    data_file.write_bytes(b"not parquet")
    damaged = runner.invoke(cli, ["--data", str(data_dir), "check"])
    assert damaged.exit_code == 1
    lines = damaged.stdout.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith(str(raw[0].relative_to(data_dir)) + ": ")
    assert any(line.startswith(str(data_file.relative_to(data_dir)) + ": ") for line in lines)
    assert "Traceback" not in damaged.output
