"""``run(config)``: new inputs once, due reports once, one log line per run, the lock."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import shutil
import sys
import textwrap
import time
import types
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from humstats.config import Config, Schedule, load_config
from humstats.errors import ConfigError, LockedError
from humstats.schedule import due_periods, parse_label, period_label, period_start, run
from humstats.store import Store

DATA = Path(__file__).parent / "data" / "run"

# -- periods ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("schedule", "today", "rendered", "due"),
    [
        (Schedule.MONTHLY, dt.date(2024, 12, 15), set(), ["2024-11"]),
        (Schedule.MONTHLY, dt.date(2024, 12, 1), {"2024-11"}, []),
        (Schedule.MONTHLY, dt.date(2025, 1, 1), {"2024-09"}, ["2024-10", "2024-11", "2024-12"]),
        (Schedule.WEEKLY, dt.date(2024, 12, 4), set(), ["2024-W48"]),
        (Schedule.WEEKLY, dt.date(2025, 1, 1), {"2024-W51"}, ["2024-W52"]),
        (Schedule.WEEKLY, dt.date(2024, 12, 30), {"2024-W51"}, ["2024-W52"]),
        (Schedule.WEEKLY, dt.date(2025, 1, 6), {"2024-W52"}, ["2025-W01"]),
    ],
)
def test_due_periods(
    schedule: Schedule, today: dt.date, rendered: set[str], due: list[str]
) -> None:
    assert due_periods(schedule, today, rendered) == due


days = st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 1, 1))


@given(schedule=st.sampled_from(Schedule), day=days)
def test_labels_round_trip(schedule: Schedule, day: dt.date) -> None:
    start = period_start(schedule, day)
    assert start <= day and parse_label(schedule, period_label(schedule, start)) == start


@given(schedule=st.sampled_from(Schedule), today=days, back=st.integers(0, 400))
def test_due_periods_are_closed_new_and_then_done(
    schedule: Schedule, today: dt.date, back: int
) -> None:
    last = period_label(schedule, period_start(schedule, today - dt.timedelta(days=back + 31)))
    due = due_periods(schedule, today, {last})
    starts = [parse_label(schedule, label) for label in due]
    assert starts == sorted(starts) and last not in due
    assert all(start < period_start(schedule, today) for start in starts)
    assert due_periods(schedule, today, {last, *due}) == []


# -- runs -------------------------------------------------------------------------------


def _config(tmp_path: Path, extra: str = "", kind: str | None = "table") -> Config:
    (tmp_path / "inbox").mkdir(exist_ok=True)
    path = tmp_path / "humstats.toml"
    path.write_text(
        textwrap.dedent(
            f"""
            [[sources]]
            name = "inbox"
            paths = ["inbox/*"]
            {f'kind = "{kind}"' if kind else ""}
            publisher = "OCHA"
            published = 2024-12-02
            """
        )
        + textwrap.dedent(extra)
    )
    return load_config(path)


def _run_records(config: Config) -> list[dict]:
    return [r for r in Store(config.store.data).runs() if r.get("kind") == "run"]


def test_run_with_nothing_new_does_nothing_and_logs_it(tmp_path: Path) -> None:
    config = _config(tmp_path)
    result = run(config)
    assert result.nothing_new and result.exit_code == 0
    assert "nothing new" in result.summary()
    (record,) = _run_records(config)
    assert record["exit_code"] == 0 and record["inputs"] == [] and record["errors"] == []
    assert record["started"] <= record["finished"]


def test_unreadable_input_is_retried_with_backoff_then_parked(tmp_path: Path) -> None:
    config = _config(tmp_path, "[retry]\nmax_failures = 3\nbackoff_hours = 1\n", kind=None)
    (tmp_path / "inbox" / "notes.xyz").write_text("not a table")
    t0 = dt.datetime(2024, 12, 2, 0, 17, tzinfo=dt.UTC)
    hour = dt.timedelta(hours=1)
    tried = {}
    # failures at t0, t0+1h (back-off 1h), t0+3h (back-off 2h); parked after the third
    for offset in (0, 0.5, 1, 2, 2.9, 3, 4, 48):
        result = run(config, now=t0 + offset * hour)
        tried[offset] = bool(result.failed)
        assert result.exit_code == (1 if result.failed else 0)
        if result.failed:
            assert "unknown format" in result.errors[0]
    assert [o for o, failed in tried.items() if failed] == [0, 1, 3]
    last = _run_records(config)[-1]
    assert last["held"][0]["status"] == "parked" and last["held"][0]["failures"] == 3
    (tmp_path / "inbox" / "notes.xyz").write_text("changed, still not a table")
    assert run(config, now=t0 + 49 * hour).failed  # new content: a fresh start


def test_a_parked_input_does_not_block_other_inputs(tmp_path: Path) -> None:
    config = _config(tmp_path, "[retry]\nmax_failures = 1\n", kind=None)
    (tmp_path / "inbox" / "notes.xyz").write_text("not a table")
    run(config)
    shutil.copy(DATA / "syria-hxl.csv", tmp_path / "inbox")
    result = run(config)
    assert result.exit_code == 0 and len(result.stored) == 1 and len(result.held) == 1


def test_file_of_the_wrong_kind_is_reported_not_ingested(tmp_path: Path) -> None:
    config = _config(tmp_path)
    (tmp_path / "inbox" / "update.md").write_text("About 4,000 people were displaced.")
    result = run(config)
    assert result.exit_code == 1
    assert "source 'inbox' takes tables, not .md files" in result.errors[0]
    assert Store(config.store.data).sources().collect().is_empty()


def _hold_lock(data_dir: str, ready, release) -> None:
    with Store(data_dir).lock():
        ready.set()
        release.wait(20)


def test_run_refuses_at_once_when_the_lock_is_held(tmp_path: Path) -> None:
    config = _config(tmp_path)
    ready, release = multiprocessing.Event(), multiprocessing.Event()
    holder = multiprocessing.Process(
        target=_hold_lock, args=(str(config.store.data), ready, release)
    )
    holder.start()
    try:
        assert ready.wait(20)
        started = time.monotonic()
        with pytest.raises(LockedError):
            run(config)
        assert time.monotonic() - started < 2
    finally:
        release.set()
        holder.join(20)
    assert _run_records(config) == []


# -- reports, with a renderer that records what it is asked -----------------------------


class FakeReports:
    """Stands in for ``humstats.report`` until it is merged; writes a file per call."""

    def __init__(self) -> None:
        self.calls: list[dict] = []
        self.fail: set[str] = set()

    def render_report(self, figures, quarantine, **options):  # the real one's signature
        self.calls.append(options)
        key = f"{options['period']}:{options['country']}"
        if key in self.fail:
            self.fail.discard(key)
            raise ConfigError(f"cannot render {key}")
        folder = Path(options["out_dir"]) / (options["country"] or "all")
        folder.mkdir(parents=True, exist_ok=True)
        written = []
        for fmt in options["formats"]:
            target = folder / f"{options['period']}.{fmt}"
            target.write_text(f"{figures.collect().height} figures")
            written.append(target)
        return written


@pytest.fixture
def fake_reports(monkeypatch: pytest.MonkeyPatch) -> FakeReports:
    fake = FakeReports()
    module = types.ModuleType("humstats.report")
    module.render_report = fake.render_report  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "humstats.report", module)
    return fake


REPORTS = """
[[reports]]
name = "monthly"
schedule = "monthly"
countries = ["SYR", "SDN"]
formats = ["html"]

[priority]
publishers = ["UNHCR", "OCHA"]
"""


def _rendered(fake: FakeReports) -> list[tuple[str, str, bool]]:
    return [(c["period"], c["country"], Path(c["out_dir"]).name == "draft") for c in fake.calls]


def test_reports_render_once_per_closed_period(tmp_path: Path, fake_reports: FakeReports) -> None:
    config = _config(tmp_path, REPORTS)
    first = run(config, today=dt.date(2024, 12, 15))
    assert _rendered(fake_reports) == [("2024-11", "SYR", False), ("2024-11", "SDN", False)]
    assert first.exit_code == 0 and all(p.exists() for p in first.written)
    assert first.written[0] == config.store.reports / "monthly" / "SYR" / "2024-11.html"
    assert fake_reports.calls[0]["priority"] == ("UNHCR", "OCHA")

    fake_reports.calls.clear()
    assert run(config, today=dt.date(2024, 12, 31)).nothing_new
    assert fake_reports.calls == []

    later = run(config, today=dt.date(2025, 2, 3))
    assert [r.period for r in later.reports] == ["2024-12", "2024-12", "2025-01", "2025-01"]
    record = _run_records(config)[-1]
    assert [r["period"] for r in record["reports"]] == ["2024-12", "2024-12", "2025-01", "2025-01"]
    assert record["reports"][0]["paths"] == [str(later.written[0])]


def test_drafts_render_the_open_period_every_time_and_do_not_count(
    tmp_path: Path, fake_reports: FakeReports
) -> None:
    config = _config(tmp_path, REPORTS)
    run(config, today=dt.date(2024, 12, 15))
    fake_reports.calls.clear()
    for _ in range(2):
        run(config, today=dt.date(2024, 12, 20), draft=True)
    assert _rendered(fake_reports) == [("2024-12", "SYR", True), ("2024-12", "SDN", True)] * 2
    fake_reports.calls.clear()
    run(config, today=dt.date(2025, 1, 2))
    assert _rendered(fake_reports) == [("2024-12", "SYR", False), ("2024-12", "SDN", False)]


def test_failed_report_fails_the_run_and_is_rendered_again(
    tmp_path: Path, fake_reports: FakeReports
) -> None:
    config = _config(tmp_path, REPORTS)
    fake_reports.fail.add("2024-11:SDN")
    result = run(config, today=dt.date(2024, 12, 15))
    assert result.exit_code == 1
    assert result.errors == ["report monthly 2024-11 SDN: cannot render 2024-11:SDN"]
    fake_reports.calls.clear()
    assert run(config, today=dt.date(2024, 12, 16)).exit_code == 0
    assert _rendered(fake_reports) == [("2024-11", "SYR", False), ("2024-11", "SDN", False)]


# -- real inputs (readers and normalisation) ----------------------------------------------


def test_two_runs_with_new_files_between_them(tmp_path: Path) -> None:
    config = _config(tmp_path)
    inbox = tmp_path / "inbox"
    shutil.copy(DATA / "syria-hxl.csv", inbox)
    first = run(config)
    assert first.exit_code == 0 and len(first.stored) == 1 and first.figures > 0
    shutil.copy(DATA / "sudan-hxl.csv", inbox)
    second = run(config)
    assert [i.path.name for i in second.stored] == ["sudan-hxl.csv"]
    assert run(config).nothing_new

    store = Store(config.store.data)
    figures = store.figures().collect()
    assert figures.height == first.figures + second.figures
    assert figures["figure_id"].is_unique().all()
    assert sorted(store.sources().collect()["original_name"]) == ["sudan-hxl.csv", "syria-hxl.csv"]
    assert set(figures["published_date"]) == {dt.date(2024, 12, 2)}
    records = _run_records(config)
    assert [r["figures"] for r in records] == [first.figures, second.figures, 0]


def test_a_run_compacts_with_the_configured_log_retention(tmp_path: Path) -> None:
    """``[store] log_retention_hours`` reaches the compaction a run starts by itself: the
    log is cut back to a checkpoint while every figure stays."""
    config = _config(tmp_path, "[store]\ncompact_files = 1\nlog_retention_hours = 0\n")
    inbox = tmp_path / "inbox"
    shutil.copy(DATA / "syria-hxl.csv", inbox)
    first = run(config)
    shutil.copy(DATA / "sudan-hxl.csv", inbox)
    second = run(config)
    assert first.exit_code == second.exit_code == 0
    store = Store(config.store.data)
    assert store.figures().collect().height == first.figures + second.figures
    log = store.table_path("figures") / "_delta_log"
    assert len([p for p in log.iterdir() if p.name.endswith(".json")]) == 1


def test_bad_mapping_is_a_config_error_and_logged(tmp_path: Path) -> None:
    (tmp_path / "bad-mapping.toml").write_text("columns = [")
    config = _config(tmp_path)
    path = tmp_path / "humstats.toml"
    path.write_text(path.read_text().replace('kind = "table"', 'mapping = "bad-mapping.toml"'))
    shutil.copy(DATA / "syria-hxl.csv", tmp_path / "inbox")
    with pytest.raises(ConfigError):
        run(load_config(path))
    (record,) = _run_records(config)
    assert record["errors"] and record["exit_code"] == 1


def test_real_report_is_rendered_for_the_closed_month(tmp_path: Path) -> None:
    config = _config(
        tmp_path,
        """
        [[reports]]
        name = "syria"
        schedule = "monthly"
        countries = ["SYR"]
        """,
    )
    shutil.copy(DATA / "syria-hxl.csv", tmp_path / "inbox")
    result = run(config, today=dt.date(2024, 12, 10))
    assert result.exit_code == 0, result.errors
    (html,) = result.written
    assert html.name == "2024-11.html" and "Aleppo" in html.read_text()


def test_a_run_stopped_by_a_bug_says_so_in_the_log(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = _config(tmp_path, kind=None)
    (tmp_path / "inbox" / "a.csv").write_text("x\n1\n")

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("run log exploded")

    monkeypatch.setattr("humstats.schedule._failures", broken)
    with pytest.raises(RuntimeError):
        run(config)
    (record,) = _run_records(config)
    assert record["errors"] == ["RuntimeError: run log exploded"] and record["exit_code"] == 1


def test_a_source_stopped_by_a_bug_does_not_stop_the_others(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "second").mkdir()
    config = _config(
        tmp_path,
        """
        [[sources]]
        name = "second"
        paths = ["second/*"]
        publisher = "OCHA"
        published = 2024-12-02
        """,
    )
    shutil.copy(DATA / "syria-hxl.csv", tmp_path / "second")
    (tmp_path / "inbox" / "a.csv").write_text("x\n1\n")
    real = run.__globals__["ingest"]

    def broken(paths: list[Path], **kwargs: object) -> object:
        if "inbox" in str(paths[0]):
            raise RuntimeError("reader exploded")
        return real(paths, **kwargs)

    monkeypatch.setattr("humstats.schedule.ingest", broken)
    result = run(config)
    assert result.errors == ["source inbox: unexpected RuntimeError: reader exploded"]
    assert result.exit_code == 1 and len(result.stored) == 1


def test_a_source_pattern_does_not_follow_links_out_of_its_folder(tmp_path: Path) -> None:
    config = _config(tmp_path)
    outside = tmp_path / "outside.csv"
    shutil.copy(DATA / "syria-hxl.csv", outside)
    (tmp_path / "inbox" / "link.csv").symlink_to(outside)
    shutil.copy(DATA / "sudan-hxl.csv", tmp_path / "inbox")
    result = run(config)
    assert [i.path.name for i in result.stored] == ["sudan-hxl.csv"]
