"""Ingest end to end on real files: provenance, idempotence, concurrency and crashes."""

from __future__ import annotations

import datetime as dt
import shutil
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import polars as pl
import pytest

import humstats.run as run_module
from conftest import KILL_AT
from humstats.run import Status, ingest
from humstats.schema import SourceMeta
from humstats.store import Store

pytest.importorskip("humstats.normalize")

DATA = Path(__file__).parent / "data" / "run"
PUBLISHED = SourceMeta(published_date=dt.date(2024, 12, 2), publisher="OCHA")


def test_ingest_stores_figures_with_provenance(data_dir: Path) -> None:
    result = ingest([DATA / "syria-hxl.csv"], data_dir=data_dir, meta=PUBLISHED)
    assert result.committed
    (outcome,) = result.inputs
    assert outcome.status is Status.STORED
    figures = Store(data_dir).figures().collect()
    assert sorted(figures["value"].to_list()) == [35, 120, 300, 4_500, 12_000]
    assert figures["source_file"].unique().to_list() == [outcome.source_file]
    assert (data_dir / outcome.source_file).read_bytes() == (DATA / "syria-hxl.csv").read_bytes()
    assert set(figures["publisher"]) == {"OCHA"}
    assert set(figures["published_date"]) == {dt.date(2024, 12, 2)}
    assert figures["quote"].str.len_chars().min() > 0
    quarantine = Store(data_dir).quarantine().collect()
    (bad,) = quarantine.to_dicts()
    assert bad["check"] == "negative-value" and bad["input_row"] == 5 and bad["value"] == "-4"


def test_reingest_adds_nothing(data_dir: Path, tmp_path: Path) -> None:
    first = ingest([DATA / "syria-hxl.csv"], data_dir=data_dir, meta=PUBLISHED)
    copy = tmp_path / "renamed.csv"
    shutil.copy(DATA / "syria-hxl.csv", copy)
    second = ingest([DATA / "syria-hxl.csv", copy], data_dir=data_dir, meta=PUBLISHED)
    assert first.committed and not second.committed
    assert [i.status for i in second.inputs] == [Status.UNCHANGED, Status.UNCHANGED]
    store = Store(data_dir)
    assert store.figures().collect().height == first.figures.height
    assert store.sources().collect().height == 1
    assert store.snapshot().version == 0  # one batch, one commit of the sources table


def test_figure_ids_are_stable_across_stores(tmp_path: Path) -> None:
    a = ingest([DATA / "syria-hxl.csv"], data_dir=tmp_path / "a", meta=PUBLISHED)
    b = ingest([DATA / "syria-hxl.csv"], data_dir=tmp_path / "b", meta=PUBLISHED)
    assert sorted(a.figures["figure_id"]) == sorted(b.figures["figure_id"])


def test_unreadable_input_is_archived_and_the_rest_stored(data_dir: Path) -> None:
    result = ingest(
        [DATA / "garbage.xlsx", DATA / "sudan-hxl.csv"], data_dir=data_dir, meta=PUBLISHED
    )
    bad, good = result.inputs
    assert bad.status is Status.UNREADABLE and "garbage.xlsx" in bad.message
    assert (data_dir / bad.source_file).read_bytes() == (DATA / "garbage.xlsx").read_bytes()
    assert good.status is Status.STORED and good.figures == 2
    assert result.committed


def test_dry_run_stores_nothing(data_dir: Path) -> None:
    result = ingest([DATA / "syria-hxl.csv"], data_dir=data_dir, meta=PUBLISHED, dry_run=True)
    assert result.figures.height == 5 and result.quarantine.height == 1
    assert not data_dir.exists() or not any(data_dir.rglob("*.parquet"))
    assert not (data_dir / "raw").exists()


def _ingest_script(data_dir: Path, *paths: Path) -> list[str]:
    code = textwrap.dedent(
        f"""
        import datetime as dt, sys
        from humstats.run import ingest
        from humstats.schema import SourceMeta
        ingest(sys.argv[1:], data_dir={str(data_dir)!r},
               meta=SourceMeta(published_date=dt.date(2024, 12, 2), publisher="OCHA"))
        """
    )
    return [sys.executable, "-c", code, *map(str, paths)]


def test_concurrent_ingests_both_land(data_dir: Path) -> None:
    procs = [
        subprocess.Popen(_ingest_script(data_dir, DATA / name))
        for name in ("syria-hxl.csv", "sudan-hxl.csv")
    ]
    assert [p.wait(120) for p in procs] == [0, 0]
    store = Store(data_dir)
    assert store.figures().collect().height == 5 + 2
    assert store.sources().collect().height == 2
    assert len(store.runs()) == 2


@pytest.mark.parametrize(
    ("point", "visible"),
    [("commit:figures", 0), ("commit:quarantine", 0), ("commit:sources", 0), ("commit:done", 5)],
)
def test_killed_ingest_leaves_all_or_none(data_dir: Path, point: str, visible: int) -> None:
    source = DATA / "syria-hxl.csv"
    script = _ingest_script(data_dir, source)
    script[2] = KILL_AT + script[2]
    killed = subprocess.run([*script[:3], point, "1", *script[3:]])
    assert killed.returncode == -signal.SIGKILL
    store = Store(data_dir)
    assert store.figures().collect().height == visible
    assert store.quarantine().collect().height == (1 if visible else 0)
    again = ingest([source], data_dir=data_dir, meta=PUBLISHED)
    assert again.committed == (not visible)
    figures = store.figures().collect()
    assert figures.height == 5 and figures["figure_id"].is_unique().all()
    assert store.quarantine().collect().height == 1
    assert store.sources().collect().height == 1


def test_table_without_publication_date_is_refused_then_retried(data_dir: Path) -> None:
    refused = ingest([DATA / "sudan-hxl.csv"], data_dir=data_dir)
    (outcome,) = refused.inputs
    assert outcome.status is Status.UNREADABLE
    assert "no published date" in outcome.message and "--published" in outcome.message
    assert (data_dir / outcome.source_file).exists()  # archived all the same
    retried = ingest([DATA / "sudan-hxl.csv"], data_dir=data_dir, meta=PUBLISHED)
    assert retried.inputs[0].status is Status.STORED and retried.figures.height == 2


def test_every_input_kind_is_archived_byte_for_byte(data_dir: Path, tmp_path: Path) -> None:
    table_json = tmp_path / "table.json"
    table_json.write_text(
        '[{"#adm1+name": "Aleppo", "#country+code": "SYR", "#affected+killed": "12",'
        ' "#date": "2024-11-30"}]'
    )
    texts = Path(__file__).parent / "data" / "texts"
    inputs = [
        DATA / "syria-hxl.csv",
        DATA / "garbage.xlsx",
        Path(__file__).parent / "data" / "dates.xlsx",
        Path(__file__).parent / "data" / "notes_footer.tsv",
        table_json,
        *sorted(texts.iterdir()),
    ]
    result = ingest(inputs, data_dir=data_dir, meta=PUBLISHED)
    assert len(result.inputs) == len(inputs)
    for path, outcome in zip(inputs, result.inputs, strict=True):
        assert outcome.source_file is not None, outcome
        assert (data_dir / outcome.source_file).read_bytes() == path.read_bytes(), path
    assert Store(data_dir).check() == []


def test_a_pattern_or_non_utf8_file_name_stores_only_its_own_figures(
    data_dir: Path, tmp_path: Path
) -> None:
    for name in ("xa.csv", "xb.csv"):
        shutil.copy(DATA / "sudan-hxl.csv", tmp_path / name)
    pattern = tmp_path / "x*.csv"
    latin1 = tmp_path / "caf\udce9.csv"
    shutil.copy(DATA / "syria-hxl.csv", pattern)
    shutil.copy(DATA / "syria-hxl.csv", latin1)
    first = ingest([pattern], data_dir=data_dir, meta=PUBLISHED)
    alone = ingest([DATA / "syria-hxl.csv"], data_dir=tmp_path / "alone", meta=PUBLISHED)
    assert first.figures.height == alone.figures.height
    later = ingest([tmp_path / "xa.csv", latin1], data_dir=data_dir, meta=PUBLISHED)
    assert [i.status for i in later.inputs] == [Status.STORED, Status.UNCHANGED]
    (record,) = [r for r in Store(data_dir).runs() if r["batch_id"] == later.batch_id]
    assert record["inputs"][1]["path"].endswith("caf\\xe9.csv")


def test_one_poison_input_is_unreadable_and_the_others_go_on(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    poison = tmp_path / "poison.csv"
    poison.write_text("#adm1+name,#affected+killed\nHoms,1\n")
    real = run_module.readers.read

    def read(path: Path, *args: object) -> object:
        if path == poison:
            raise RecursionError("maximum recursion depth exceeded\nwhile decoding")
        return real(path, *args)

    monkeypatch.setattr(run_module.readers, "read", read)
    result = ingest([poison, DATA / "syria-hxl.csv"], data_dir=data_dir, meta=PUBLISHED)
    bad, good = result.inputs
    assert good.status is Status.STORED and result.committed
    assert bad.status is Status.UNREADABLE
    assert bad.message == (
        f"cannot read {poison}: unexpected RecursionError: maximum recursion depth exceeded"
    )
    assert (data_dir / bad.source_file).read_bytes() == poison.read_bytes()
    (record,) = Store(data_dir).runs()
    assert record["inputs"][0]["status"] == "unreadable"


def test_an_ingest_where_every_input_is_unreadable_is_logged(
    data_dir: Path, tmp_path: Path
) -> None:
    result = ingest([DATA / "garbage.xlsx"], data_dir=data_dir, meta=PUBLISHED)
    assert not result.committed and result.failed
    (record,) = Store(data_dir).runs()
    assert record["inputs"][0]["status"] == "unreadable" and not record["committed"]


def test_links_out_of_an_input_folder_are_not_followed(tmp_path: Path) -> None:
    secret = tmp_path / "elsewhere" / "secret.csv"
    secret.parent.mkdir()
    shutil.copy(DATA / "syria-hxl.csv", secret)
    inbox = tmp_path / "inbox"
    (inbox / "sub").mkdir(parents=True)
    shutil.copy(DATA / "sudan-hxl.csv", inbox / "sub" / "sudan.csv")
    (inbox / "out.csv").symlink_to(secret)
    (inbox / "sub-link").symlink_to(secret.parent, target_is_directory=True)
    (inbox / "in.csv").symlink_to(inbox / "sub" / "sudan.csv")
    assert run_module.expand_paths([inbox]) == [inbox / "in.csv", inbox / "sub" / "sudan.csv"]
    assert run_module.expand_paths([inbox / "out.csv"]) == [inbox / "out.csv"]  # named: read


def test_a_part_and_its_total_from_one_cell_get_different_ids(tmp_path: Path) -> None:
    from conftest import make_figures
    from humstats.run import _stamp
    from humstats.store import Archived
    from humstats.validate import validate_figures

    cell = {"input_row": 7, "origin": "Deaths"}
    candidates = make_figures({}, {"sex": "f"}, {"sex": "f", "age": "0-17"}, {"projected": True})
    candidates = candidates.drop("figure_id").with_columns(
        pl.lit(cell["input_row"], pl.Int64).alias("input_row"),
        pl.lit(cell["origin"]).alias("origin"),
    )
    archived = Archived("ab" * 32, "raw/ab/x.csv", tmp_path / "x.csv", 1)
    now = dt.datetime(2024, 12, 2, tzinfo=dt.UTC)
    stamped = _stamp(candidates, archived, "b1", now)
    ids = stamped["figure_id"].to_list()
    assert ids[0] == f"{'ab' * 8}:7:Deaths"  # a total keeps the id it always had
    assert len(set(ids)) == 4
    assert validate_figures(stamped).valid
    assert _stamp(candidates, archived, "b2", now)["figure_id"].to_list() == ids
