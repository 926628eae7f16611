"""Read-only SQL over a store: views, parameters, refusals and one-line errors."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import make_figures
from humstats import aggregate
from humstats.errors import ConfigError, QueryError
from humstats.query import VIEWS, Database, query
from humstats.store import SOURCE_DTYPES, Store, new_batch_id
from humstats.validate import empty_quarantine


def _commit(data_dir: Path, figures: pl.DataFrame, sha: str = "a" * 64) -> str:
    store = Store(data_dir)
    batch = new_batch_id()
    row = dict.fromkeys(SOURCE_DTYPES) | {
        "sha256": sha,
        "batch_id": batch,
        "source_file": figures["source_file"][0],
        "figures": figures.height,
        "quarantined": 0,
    }
    sources = pl.DataFrame([row], schema=SOURCE_DTYPES)
    with store.lock():
        store.commit(
            batch, figures.with_columns(batch_id=pl.lit(batch)), empty_quarantine(), sources
        )
    return batch


@pytest.fixture
def stocked(data_dir: Path) -> Path:
    _commit(
        data_dir,
        make_figures(
            {"figure_id": "a1", "country_iso3": "SDN", "value": 42, "indicator": "displaced"},
            {"figure_id": "a2", "country_iso3": "SYR", "value": 7, "publisher": "O'Brien Times"},
        ),
        "a" * 64,
    )
    _commit(
        data_dir, make_figures({"figure_id": "b1", "country_iso3": "SDN", "value": 9}), "b" * 64
    )
    return data_dir


def test_empty_store_has_every_view_with_its_columns(data_dir: Path) -> None:
    store = Store(data_dir)
    with Database(data_dir) as db:
        for name, frame in (
            ("figures", store.figures()),
            ("quarantine", store.quarantine()),
            ("sources", store.sources()),
        ):
            result = db.query(f"SELECT * FROM {name}")
            assert result.is_empty()
            assert result.schema == frame.collect_schema()
        assert db.query("SELECT * FROM runs").is_empty()
        shown = set(db.query("SHOW TABLES")["name"])
    assert {"figures", "quarantine", "sources", "runs"} <= shown


def test_views_read_every_committed_batch(stocked: Path) -> None:
    expected = Store(stocked).figures().collect()
    got = query(stocked, "SELECT * FROM figures")
    assert got.schema == expected.schema
    assert got.sort("figure_id").equals(expected.sort("figure_id"))
    sources = query(stocked, "SELECT sha256 FROM sources ORDER BY sha256")
    assert sources["sha256"].to_list() == ["a" * 64, "b" * 64]


def test_batch_missing_a_newer_column_reads_as_null(stocked: Path) -> None:
    old = make_figures({"figure_id": "old", "pcode": "SD01"}).drop("pcode")
    _commit(stocked, old, "c" * 64)
    got = query(stocked, "SELECT figure_id, pcode FROM figures ORDER BY figure_id")
    assert got.filter(pl.col("figure_id") == "old")["pcode"].to_list() == [None]
    assert got.height == 4


def test_parameters_are_bound_not_pasted(stocked: Path) -> None:
    sql = "SELECT figure_id FROM figures WHERE publisher = $publisher"
    assert query(stocked, sql, {"publisher": "O'Brien Times"})["figure_id"].to_list() == ["a2"]
    assert query(stocked, sql, {"publisher": "x' OR '1'='1"}).is_empty()
    # text from the command line is cast where the column needs a number or a date
    big = query(stocked, "SELECT figure_id FROM figures WHERE value > $v", {"v": "8"})
    assert sorted(big["figure_id"]) == ["a1", "b1"]


@pytest.fixture(scope="module")
def empty_db(tmp_path_factory: pytest.TempPathFactory) -> Database:
    with Database(tmp_path_factory.mktemp("data")) as db:
        yield db


@settings(max_examples=50, deadline=None)
@given(value=st.text(alphabet=st.characters(exclude_categories=("Cs",), exclude_characters="\x00")))
def test_any_text_parameter_round_trips(empty_db: Database, value: str) -> None:
    assert empty_db.query("SELECT $v AS v", {"v": value})["v"].to_list() == [value]


WRITES = [
    "INSERT INTO figures SELECT * FROM figures",
    "UPDATE figures SET value = 0",
    "DELETE FROM figures",
    "DROP VIEW figures",
    "CREATE TABLE copy AS SELECT * FROM figures",
    "COPY (SELECT 1) TO '{tmp}/out.csv'",
    "COPY (SELECT * FROM figures) TO '{data}/processed/batches/x.parquet'",
    "EXPORT DATABASE '{tmp}/dump'",
    "ATTACH '{tmp}/other.duckdb' AS other",
    "INSTALL httpfs",
    "SET enable_external_access = true",
    "PRAGMA enable_profiling",
    "SELECT 1; DROP VIEW figures",
]


@pytest.mark.parametrize("sql", WRITES)
def test_writing_statements_are_refused(stocked: Path, tmp_path: Path, sql: str) -> None:
    before = sorted(p for p in tmp_path.rglob("*"))
    with pytest.raises(QueryError) as caught:
        query(stocked, sql.format(tmp=tmp_path, data=stocked))
    assert "\n" not in str(caught.value)
    assert sorted(p for p in tmp_path.rglob("*")) == before
    assert query(stocked, "SELECT count(*) AS n FROM figures")["n"].item() == 3


def test_files_outside_the_store_cannot_be_read(stocked: Path, tmp_path: Path) -> None:
    secret = tmp_path / "secret.csv"
    secret.write_text("a\n1\n")
    with pytest.raises(QueryError, match="disabled by configuration"):
        query(stocked, "SELECT * FROM read_csv($path)", {"path": str(secret)})


@pytest.mark.parametrize(
    ("sql", "params", "message"),
    [
        ("SELEC * FROM figures", {}, "syntax error"),
        ("SELECT * FROM nowhere", {}, "nowhere"),
        ("SELECT $x AS x", {}, "no value for parameter $x"),
        ("SELECT 1 AS x", {"x": "1"}, "parameter x is not used"),
        ("SELECT ? AS x", {}, "named parameters"),
        ("   ", {}, "no SQL statement"),
    ],
)
def test_bad_queries_fail_in_one_line(stocked: Path, sql: str, params: dict, message: str) -> None:
    with pytest.raises(QueryError) as caught:
        query(stocked, sql, params)
    assert message in str(caught.value)
    assert "\n" not in str(caught.value)


def test_runs_view_reads_the_run_log(data_dir: Path) -> None:
    store = Store(data_dir)
    store.log_run(
        {
            "kind": "ingest",
            "batch_id": "b1",
            "started": "2024-12-02T10:00:00+00:00",
            "finished": "2024-12-02T10:00:05+00:00",
            "inputs": [{"status": "stored"}, {"status": "unreadable", "message": "bad.xyz"}],
            "figures": 12,
            "quarantined": 1,
        }
    )
    store.log_run({"kind": "run", "reports": [{"paths": ["r/a.html", "r/a.pdf"]}], "errors": []})
    with store.runs_path.open("a") as log:
        log.write('{"kind": "run", "torn')  # a crash mid-write leaves half a line
    runs = query(data_dir, "SELECT kind, inputs, failed, figures, reports, errors FROM runs")
    assert runs.to_dicts() == [
        {
            "kind": "ingest",
            "inputs": 2,
            "failed": 1,
            "figures": 12,
            "reports": [],
            "errors": ["bad.xyz"],
        },
        {
            "kind": "run",
            "inputs": None,
            "failed": 0,
            "figures": None,
            "reports": ["r/a.html", "r/a.pdf"],
            "errors": [],
        },
    ]
    batch = query(data_dir, "SELECT record->>'$.batch_id' AS b FROM runs WHERE kind = 'ingest'")
    assert batch["b"].to_list() == ["b1"]


def test_views_are_the_documented_ones(stocked: Path) -> None:
    for view in VIEWS:
        query(stocked, f"DESCRIBE {view}")


def test_latest_view_is_aggregate_latest(stocked: Path) -> None:
    expected = aggregate.latest(Store(stocked).figures()).collect()
    got = query(stocked, "SELECT * FROM latest")
    assert sorted(got["figure_id"]) == sorted(expected["figure_id"])
    chosen = query(stocked, "SELECT value FROM latest WHERE country_iso3 = $c", {"c": "SYR"})
    assert (
        chosen["value"].to_list()
        == expected.filter(pl.col("country_iso3") == "SYR")["value"].to_list()
    )


FOREVER = "SELECT sum(i * i) FROM range(10000000000000) t(i)"
"""A statement no machine finishes: whatever the speed, only an interrupt ends it."""


def test_a_query_past_its_timeout_is_stopped(stocked: Path) -> None:
    with Database(stocked, timeout=0.5) as database:
        with pytest.raises(QueryError, match=r"ran longer than 0.5 s and was stopped"):
            database.query(FOREVER)
        assert database.query("SELECT count(*) AS n FROM figures")["n"].item() == 3


def test_ctrl_c_interrupts_a_running_query(stocked: Path) -> None:
    import _thread
    import threading

    def press_ctrl_c_once_running() -> None:
        while not any(t.name == "humstats-query" for t in threading.enumerate()):
            threading.Event().wait(0.01)
        _thread.interrupt_main()

    with Database(stocked, timeout=None) as database:
        threading.Thread(target=press_ctrl_c_once_running, daemon=True).start()
        with pytest.raises(KeyboardInterrupt):
            database.query(FOREVER)
        # the statement itself was interrupted, not left running behind the prompt
        assert not any(t.name == "humstats-query" for t in threading.enumerate())
        assert database.query("SELECT 1 AS one")["one"].item() == 1


def test_memory_limit_is_set_and_checked(stocked: Path) -> None:
    with Database(stocked, memory_limit="64MB") as database:
        limit = database.query("SELECT current_setting('memory_limit') AS m")["m"].item()
        assert limit.startswith("61") or limit.startswith("64")
        with pytest.raises(QueryError):
            database.query("SELECT list(i::VARCHAR || repeat('x', 100)) FROM range(5000000) t(i)")
    with pytest.raises(ConfigError, match="memory limit 'banana'"):
        Database(stocked, memory_limit="banana")


def test_sql_cannot_read_a_temporary_folder_in_the_working_directory(
    stocked: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".tmp").mkdir()
    (tmp_path / ".tmp" / "secret.txt").write_text("token")
    with Database(stocked) as database:
        with pytest.raises(QueryError, match="Permission Error"):
            database.query("SELECT * FROM read_text('.tmp/secret.txt')")
        folder = database.query("SELECT current_setting('temp_directory') AS t")["t"].item()
        assert Path(folder).stat().st_mode & 0o077 == 0  # a private folder, ours alone
    assert not Path(folder).exists()
