"""Environment errors (a data folder that is a file, a read-only store, a full disk) are one
line and exit 1 or 2, and leave the store as it was. Faults are injected deterministically."""

from __future__ import annotations

import errno
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner

import humstats.store
from humstats.cli import cli
from humstats.store import Store

DATA = Path(__file__).parents[1] / "data" / "run"
FLAGS = ["--publisher", "OCHA", "--published", "2024-12-02"]


def _snapshot(data_dir: Path) -> dict[str, bytes]:
    """The store's files (not the lock, nor what readers keep for each other in ``.cache``)."""
    return {
        str(p.relative_to(data_dir)): p.read_bytes()
        for p in sorted(data_dir.rglob("*"))
        if p.is_file() and p.name != ".lock" and ".cache" not in p.relative_to(data_dir).parts
    }


@pytest.mark.parametrize(
    "command",
    [["status"], ["figures"], ["check"], ["query", "SELECT 1"], ["ingest", str(DATA)]],
)
def test_a_data_folder_that_is_a_file(tmp_path: Path, command: list[str]) -> None:
    not_a_folder = tmp_path / "data"
    not_a_folder.write_text("x")
    result = CliRunner().invoke(cli, ["--data", str(not_a_folder), *command])
    assert result.exit_code == 2
    assert result.output == f"Error: the data folder {not_a_folder} is a file, not a folder\n"


@pytest.mark.parametrize(
    ("code", "words"),
    [(errno.EROFS, "the file system is read-only"), (errno.EACCES, "permission denied")],
)
def test_a_store_that_cannot_be_written(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, code: int, words: str
) -> None:
    runner = CliRunner()
    ingest = ["--data", str(data_dir), "ingest", *FLAGS]
    assert runner.invoke(cli, [*ingest, str(DATA / "syria-hxl.csv")]).exit_code == 0
    before = _snapshot(data_dir)

    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError(code, "refused")

    monkeypatch.setattr("humstats.store.shutil.copyfile", refuse)
    result = runner.invoke(cli, [*ingest, str(DATA / "sudan-hxl.csv")])
    assert result.exit_code == 1
    assert result.output == f"Error: cannot write to the store at {data_dir}: {words}\n"
    assert _snapshot(data_dir) == before


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs Linux's /dev/full")
def test_a_full_disk_while_committing_leaves_no_batch(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = CliRunner()
    ingest = ["--data", str(data_dir), "ingest", *FLAGS]
    assert runner.invoke(cli, [*ingest, str(DATA / "syria-hxl.csv")]).exit_code == 0
    figures = Store(data_dir).figures().collect()
    runs = Store(data_dir).runs()
    # the sources table's next data file (the batch's last) lands on a device that is full
    fixed = uuid.UUID(int=1)
    monkeypatch.setattr(humstats.store.uuid, "uuid4", lambda: fixed)
    (data_dir / "processed" / "sources" / f"part-00000-{fixed}-c000.zstd.parquet").symlink_to(
        "/dev/full"
    )
    result = runner.invoke(cli, [*ingest, str(DATA / "sudan-hxl.csv")])
    assert result.exit_code == 1
    assert result.output == f"Error: cannot write to the store at {data_dir}: the disk is full\n"
    assert Store(data_dir).figures().collect().equals(figures)  # the batch never showed
    assert Store(data_dir).runs() == runs
    monkeypatch.undo()
    again = runner.invoke(cli, [*ingest, str(DATA / "sudan-hxl.csv")])
    assert again.exit_code == 0 and Store(data_dir).check() == []


def test_a_torn_run_log_line_does_not_swallow_the_next(data_dir: Path) -> None:
    store = Store(data_dir)
    store.log_run({"kind": "ingest", "n": 1})
    with store.runs_path.open("a") as log:
        log.write('{"kind": "ingest", "n": 2, "tor')  # a crash or a full disk mid-line
    store.log_run({"kind": "ingest", "n": 3})
    assert [r["n"] for r in store.runs()] == [1, 3]


def test_a_full_disk_while_writing_a_report_is_one_line(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = CliRunner()
    ingest = ["--data", str(data_dir), "ingest", *FLAGS, str(DATA / "syria-hxl.csv")]
    assert runner.invoke(cli, ingest).exit_code == 0

    def full_disk(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Path, "write_text", full_disk)
    out = tmp_path / "reports"
    result = runner.invoke(
        cli, ["--data", str(data_dir), "report", "--period", "2024-11", "--out", str(out)]
    )
    assert result.exit_code == 1
    assert result.output == f"Error: cannot write the report to {out}: No space left on device\n"
