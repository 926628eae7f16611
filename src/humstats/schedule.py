"""``humstats run``: one unattended batch, as cron or a systemd timer starts it every hour.

A run holds the store's lock from start to end (a second run started meanwhile exits at once
with ``LockedError``), then:

1. ingests, source by source, every file matching the source's patterns whose content hash the
   store does not hold yet (``run.ingest``; each source's new files are one atomic batch);
   live sources (HDX, HAPI, ReliefWeb) first fetch what changed (``humstats.sources``), and
   one failing source does not stop the others;
2. renders each report for every period that has closed since it was last rendered (the open
   period too, as a draft, when asked);
3. compacts the store when its tables hold more small files than ``[store] compact_files``;
4. appends one JSON line to the run log: start, end, inputs, figures added, rows quarantined,
   reports written, errors.

A failing input never blocks the others, nor later runs: it is named in the log and tried
again by a later run, after a back-off that doubles with each failure, and parked (no longer
tried) after ``[retry] max_failures`` failed runs, until its content changes or it is
ingested by hand. A source or report that fails for any reason is logged and the run goes on.

Nothing needs repairing after a crash: a batch is committed whole or not at all, so a killed
run's inputs are simply new to the next one; a report counts as rendered only once the run log
says so, so a report the killed run was writing is written again.
"""

from __future__ import annotations

import datetime as dt
import glob
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from humstats import periods
from humstats.config import (
    Config,
    LiveSourceConfig,
    ReportConfig,
    RetryConfig,
    Schedule,
    SourceConfig,
    SourceKind,
    pattern_folder,
)
from humstats.errors import (
    ConfigError,
    HumstatsError,
    InputError,
    LockedError,
    StoreError,
    shown,
)
from humstats.readers import TABLE_SUFFIXES, TEXT_SUFFIXES
from humstats.run import InputOutcome, Status, expand_paths, ingest, inside
from humstats.schema import DatePrecision
from humstats.store import Store

if TYPE_CHECKING:
    from humstats.sources import SourceReport
    from humstats.sources.state import StateFile

log = logging.getLogger(__name__)

DRAFT_FOLDER = "draft"
"""Drafts of open periods go to ``<reports>/<report name>/draft/``, apart from final ones."""


# -- periods ----------------------------------------------------------------------------


def _unit(schedule: Schedule) -> DatePrecision:
    return DatePrecision.MONTH if schedule is Schedule.MONTHLY else DatePrecision.WEEK


def period_start(schedule: Schedule, day: dt.date) -> dt.date:
    """First day of the period holding ``day``: the 1st of its month, or its ISO week's Monday."""
    return periods.containing(day, _unit(schedule)).start


def previous_start(schedule: Schedule, start: dt.date) -> dt.date:
    return periods.containing(start, _unit(schedule)).previous().start


def period_label(schedule: Schedule, start: dt.date) -> str:
    """``2024-12`` or ``2024-W49``: what ``humstats report --period`` takes."""
    return periods.containing(start, _unit(schedule)).label


def parse_label(schedule: Schedule, label: str) -> dt.date:
    period = periods.parse_label(label)
    if period is None or period.precision is not _unit(schedule):
        raise ValueError(f"not a {schedule} period: {label!r}")
    return period.start


def due_periods(schedule: Schedule, today: dt.date, rendered: set[str]) -> list[str]:
    """Closed periods to render, oldest first.

    Every period closed after the newest one already ``rendered``; a report never rendered
    starts with the period that closed last (not with all of history).
    """
    last_closed = previous_start(schedule, period_start(schedule, today))
    done = [parse_label(schedule, label) for label in rendered]
    newest_done = max(done, default=previous_start(schedule, last_closed))
    due = []
    start = last_closed
    while start > newest_done:
        due.append(period_label(schedule, start))
        start = previous_start(schedule, start)
    return due[::-1]


# -- retries ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Held:
    """An input that failed on earlier runs and is not tried on this one."""

    path: Path
    sha256: str
    failures: int
    parked: bool
    retry_after: dt.datetime | None

    def to_record(self) -> dict[str, object]:
        return {
            "path": shown(self.path),
            "sha256": self.sha256,
            "status": "parked" if self.parked else "deferred",
            "failures": self.failures,
            "retry_after": self.retry_after.isoformat() if self.retry_after else None,
        }


def _failures(store: Store) -> dict[str, dict[str, list[dt.datetime]]]:
    """path -> sha256 -> when a scheduled run found that content unreadable, oldest first."""
    failed: dict[str, dict[str, list[dt.datetime]]] = {}
    for record in store.runs(containing='"unreadable"'):
        if record.get("kind") != "run":
            continue
        try:
            started = dt.datetime.fromisoformat(str(record.get("started")))
        except ValueError:
            continue
        for entry in record.get("inputs") or []:
            if isinstance(entry, dict) and entry.get("status") == "unreadable":
                by_sha = failed.setdefault(str(entry.get("path")), {})
                by_sha.setdefault(str(entry.get("sha256")), []).append(started)
    return failed


def held_back(
    store: Store,
    files: list[Path],
    retry: RetryConfig,
    now: dt.datetime,
    failures: dict[str, dict[str, list[dt.datetime]]],
) -> list[Held]:
    """The files not to try on this run: parked, or still inside their back-off.

    Only files whose path failed before are hashed, so a large inbox costs nothing extra.
    """
    held = []
    for path in files:
        by_sha = failures.get(shown(path))
        if not by_sha:
            continue
        try:
            sha = store.identify(path).sha256
        except InputError:
            continue  # unreadable even to hash: ingest reports it
        times = by_sha.get(sha)
        if not times:
            continue  # new content under the old name: a fresh start
        count, last = len(times), max(times)
        if count >= retry.max_failures:
            held.append(Held(path, sha, count, True, None))
            continue
        retry_after = last + dt.timedelta(hours=retry.backoff_hours * 2 ** (count - 1))
        if now < retry_after:
            held.append(Held(path, sha, count, False, retry_after))
    return held


# -- results ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportOutcome:
    """One rendering of one report for one period and country."""

    name: str
    period: str
    country: str | None
    draft: bool
    paths: tuple[Path, ...] = ()
    error: str | None = None

    def to_record(self) -> dict[str, object]:
        return {
            "name": self.name,
            "period": self.period,
            "country": self.country,
            "draft": self.draft,
            "paths": [str(p) for p in self.paths],
            "error": self.error,
        }


@dataclass
class RunResult:
    """What one run did; ``exit_code`` is 0 when all went well, 1 when something failed."""

    started: dt.datetime
    finished: dt.datetime | None = None
    inputs: list[tuple[str, InputOutcome]] = field(default_factory=list)
    """(source name, outcome) for every file the sources matched."""
    batches: list[str] = field(default_factory=list)
    reports: list[ReportOutcome] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    held: list[Held] = field(default_factory=list)
    """Inputs that failed before and wait for their next try, or are parked."""
    sources: list[SourceReport] = field(default_factory=list)
    """What each live source fetched, skipped and failed, and why."""

    @property
    def stored(self) -> list[InputOutcome]:
        return [i for _, i in self.inputs if i.status is Status.STORED]

    @property
    def failed(self) -> list[InputOutcome]:
        return [i for _, i in self.inputs if i.status is Status.UNREADABLE]

    @property
    def figures(self) -> int:
        return sum(i.figures for i in self.stored)

    @property
    def quarantined(self) -> int:
        return sum(i.quarantined for i in self.stored)

    @property
    def written(self) -> list[Path]:
        return [path for report in self.reports for path in report.paths]

    @property
    def nothing_new(self) -> bool:
        fetched = any(s.fetched for s in self.sources)
        return not (self.stored or self.failed or self.reports or self.errors or fetched)

    @property
    def exit_code(self) -> int:
        return 1 if self.failed or self.errors else 0

    def summary(self) -> str:
        """One line for a human reading cron mail or the journal."""
        if self.nothing_new:
            return f"nothing new: {len(self.inputs)} inputs already stored, no report due"
        parts = [
            f"{len(self.stored)} new inputs",
            f"{self.figures:,} figures added",
            f"{self.quarantined:,} rows quarantined",
            f"{len(self.written)} report files written",
        ]
        if self.errors:
            parts.append(f"{len(self.errors)} errors")
        if self.held:
            parked = sum(h.parked for h in self.held)
            parts.append(f"{len(self.held) - parked} inputs waiting to retry, {parked} parked")
        return "run finished: " + ", ".join(parts)

    def to_record(self) -> dict[str, object]:
        """The run log's line for this run."""
        return {
            "kind": "run",
            "started": self.started.isoformat(),
            "finished": self.finished.isoformat() if self.finished else None,
            "batches": self.batches,
            "inputs": [
                {
                    "source": source,
                    "path": shown(i.path),
                    "status": str(i.status),
                    "sha256": i.sha256,
                    "figures": i.figures,
                    "quarantined": i.quarantined,
                    "message": i.message,
                }
                for source, i in self.inputs
                if i.status is not Status.UNCHANGED
            ],
            "unchanged": sum(1 for _, i in self.inputs if i.status is Status.UNCHANGED),
            "figures": self.figures,
            "quarantined": self.quarantined,
            "reports": [r.to_record() for r in self.reports],
            "sources": [s.to_record() for s in self.sources],
            "errors": self.errors,
            "held": [h.to_record() for h in self.held],
            "exit_code": self.exit_code,
        }


# -- the run ----------------------------------------------------------------------------


def source_files(source: SourceConfig) -> list[Path]:
    """Files the source's patterns match now (folders expanded, hidden files left out)."""
    files: set[Path] = set()
    for pattern in source.paths:
        if not glob.has_magic(pattern):
            files.update(expand_paths([pattern]))
            continue
        # a link matched by a pattern must stay under the pattern's folder too
        folder = pattern_folder(pattern)
        matches = [Path(m) for m in glob.glob(pattern, recursive=True)]
        files.update(
            p for p in expand_paths(m for m in matches if inside(m, folder)) if inside(p, folder)
        )
    return sorted(p for p in files if p.is_file() and not p.name.startswith("."))


def _wrong_kind(store: Store, source: SourceConfig, path: Path) -> InputOutcome | None:
    """A file a source of one kind cannot take is an input failure a human should see (its
    hash lets later runs hold it back like any failing input)."""
    if source.kind is None:
        return None
    suffixes = TABLE_SUFFIXES if source.kind is SourceKind.TABLE else TEXT_SUFFIXES
    if path.suffix.lower() in suffixes:
        return None
    problem = f"source {source.name!r} takes {source.kind}s, not {path.suffix or 'bare'} files"
    try:
        sha = store.identify(path).sha256
    except InputError as error:
        return InputOutcome(path, Status.UNREADABLE, message=str(error))
    return InputOutcome(path, Status.UNREADABLE, sha, message=str(InputError(path, problem)))


def _ingest_source(
    store: Store,
    source: SourceConfig,
    config: Config,
    result: RunResult,
    failures: dict[str, dict[str, list[dt.datetime]]],
) -> None:
    files = source_files(source)
    held = held_back(store, files, config.retry, result.started, failures)
    for item in held:
        state = "parked" if item.parked else f"next try after {item.retry_after:%Y-%m-%d %H:%M}"
        log.info("%s: failed on %d runs, %s", shown(item.path), item.failures, state)
    result.held += held
    skipped = {item.path for item in held}
    files = [path for path in files if path not in skipped]
    rejected = {path: outcome for path in files if (outcome := _wrong_kind(store, source, path))}
    for outcome in rejected.values():
        log.warning("%s", outcome.message)
        result.inputs.append((source.name, outcome))
    accepted = [path for path in files if path not in rejected]
    if not accepted:
        return
    ingested = ingest(
        accepted,
        data_dir=store.root,
        mapping=source.mapping,
        defaults=source.meta,
        lock_timeout=0,
        limits=config.limits,
    )
    for outcome in ingested.inputs:
        result.inputs.append((source.name, outcome))
        if outcome.status is Status.STORED:
            log.info(
                "%s: stored %s: %s figures, %s rows quarantined",
                source.name,
                outcome.path,
                f"{outcome.figures:,}",
                f"{outcome.quarantined:,}",
            )
        elif outcome.status is Status.UNREADABLE:
            log.warning("%s", outcome.message)
    if ingested.committed:
        result.batches.append(ingested.batch_id)


def _rendered(store: Store, report: ReportConfig) -> set[str]:
    """The newest period of ``report`` the run log shows rendered, final and without error,
    for every configured country (``due_periods`` needs no older one).

    The log is read from its end and no further than that period's renderings: runs render
    due periods oldest first, so no newer period was completed before it."""
    countries = set(report.countries) or {None}
    done: dict[str, set[str | None]] = {}
    for record in store.runs_newest_first():
        if record.get("kind") != "run":
            continue
        for entry in record.get("reports") or []:
            if (
                isinstance(entry, dict)
                and entry.get("name") == report.name
                and not entry.get("draft")
                and not entry.get("error")
            ):
                done.setdefault(str(entry["period"]), set()).add(entry.get("country"))
        complete = {period for period, rendered in done.items() if countries <= rendered}
        if complete:
            return complete
    return set()


def _render(
    store: Store,
    config: Config,
    report: ReportConfig,
    period: str,
    *,
    draft: bool,
) -> list[ReportOutcome]:
    from humstats.report import render_report

    out_dir = config.store.reports / report.name
    if draft:
        out_dir = out_dir / DRAFT_FOLDER
    options: dict[str, object] = {}
    if config.publishers is not None:
        options["priority"] = config.publishers
    outcomes = []
    for country in report.countries or (None,):
        try:
            paths = store.read(
                lambda country=country: render_report(
                    store.figures(),
                    store.quarantine(),
                    period=period,
                    country=country,
                    formats=report.formats,
                    out_dir=out_dir,
                    template_dir=report.template,
                    sources=store.sources(),
                    stale_after=report.stale_after,
                    **options,
                )
            )
        except Exception as error:
            # Any text in any field must not stop every later report: the failure is named
            # in the log, the traceback kept at debug level, and the next report renders.
            ours = isinstance(error, HumstatsError)
            problem = str(error) if ours else f"unexpected {type(error).__name__}: {error}"
            message = f"report {report.name} {period} {country or 'all'}: {problem}"
            message = message.strip().splitlines()[0]
            log.debug("%s", message, exc_info=not ours)
            log.warning("%s", message)
            outcomes.append(ReportOutcome(report.name, period, country, draft, error=message))
            continue
        outcomes.append(ReportOutcome(report.name, period, country, draft, tuple(paths)))
    return outcomes


def _compact(store: Store, config: Config) -> None:
    """Merge the small files hourly batches leave, once there are enough of them."""
    options: dict[str, object] = {}
    if config.store.compact_files is not None:
        options["threshold"] = config.store.compact_files
    if config.store.retention_days is not None:
        options["retention"] = dt.timedelta(days=config.store.retention_days)
    if config.store.log_retention_hours is not None:
        options["log_retention"] = dt.timedelta(hours=config.store.log_retention_hours)
    done = store.compact_if_needed(**options)
    if done is not None:
        log.info("compacted the store: %s data files -> %s", done.files_before, done.files_after)


def _live_source(
    store: Store,
    source: LiveSourceConfig,
    state_file: StateFile,
    result: RunResult,
    options: _LiveOptions,
) -> None:
    from humstats.sources import fetch_and_ingest, make_client

    with make_client(source, slots=options.slots, **options.http) as client:
        report = fetch_and_ingest(
            source,
            store,
            state_file,
            client,
            environ=options.environ,
            today=options.today,
            failpoint=options.failpoint,
        )
    result.sources.append(report)
    result.inputs += [(source.name, outcome) for outcome in report.inputs]
    result.batches += report.batches
    result.errors += report.errors


def _remember_local(state_file: StateFile, source: SourceConfig, result: RunResult) -> None:
    """Local sources get a line in the state file too, so ``humstats sources`` lists them."""
    outcomes = [i for name, i in result.inputs if name == source.name]
    state = state_file.get(source.name, str(source.kind or "files"))
    state.last_fetch = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    state.fetched = sum(1 for i in outcomes if i.status is Status.STORED)
    state.skipped = sum(1 for i in outcomes if i.status is Status.UNCHANGED)
    state.failed = sum(1 for i in outcomes if i.status is Status.UNREADABLE)
    state.figures = sum(i.figures for i in outcomes if i.status is Status.STORED)
    state.status = (
        "ok" if not state.failed else "partial" if len(outcomes) > state.failed else "failed"
    )
    state.message = next((i.message for i in outcomes if i.message), None)
    state_file.save()


@dataclass
class _LiveOptions:
    environ: Mapping[str, str] | None
    today: dt.date | None
    failpoint: Callable[[str], None] | None
    http: Mapping[str, object]
    slots: dict[str, float] = field(default_factory=dict)
    """Per-host request times, shared by every live source of the run."""


def select_sources(
    config: Config, names: Sequence[str] | None
) -> tuple[SourceConfig | LiveSourceConfig, ...]:
    """The configured sources named (all when ``names`` is None); an unknown name is a
    ``ConfigError`` listing the known ones."""
    if names is None:
        return tuple(config.sources)
    known = {source.name: source for source in config.sources}
    unknown = [name for name in names if name not in known]
    if unknown:
        listed = ", ".join(known) or "none"
        raise ConfigError(f"no source named {unknown[0]!r}; configured: {listed}")
    return tuple(known[name] for name in names)


def run(
    config: Config,
    *,
    draft: bool = False,
    today: dt.date | None = None,
    now: dt.datetime | None = None,
    sources: Sequence[str] | None = None,
    environ: Mapping[str, str] | None = None,
    http: Mapping[str, object] | None = None,
    failpoint: Callable[[str], None] | None = None,
) -> RunResult:
    """One scheduled batch (see the module docstring); ``draft`` renders open periods too.
    ``now`` (default: the clock) decides which failed inputs are due for another try.

    ``sources`` names the sources to run (``humstats run --source``): only those are read and
    no report is rendered, since a report drawn from some sources only would be incomplete.
    ``environ`` is where live sources find their app identifiers (default: the process
    environment); ``http`` overrides the HTTP client's settings (tests pass ``sleep``/``clock``);
    ``failpoint`` is called at each step of a live source (crash tests).

    Raises ``LockedError`` at once when another run holds the store, and ``ConfigError``
    for a configuration problem found only now (a mapping file that does not parse). Input
    and report failures do not raise: they are in the result and in the run log.
    """
    from humstats.sources import clear_leftovers
    from humstats.sources.state import StateFile

    chosen = select_sources(config, sources)
    store = Store(config.store.data)
    now = now or dt.datetime.now(dt.UTC)
    today = today or now.date()
    live = _LiveOptions(environ, today, failpoint, http or {})
    with store.lock(timeout=0):
        result = RunResult(started=now)
        try:
            failures = _failures(store)
            clear_leftovers(store)
            state_file = StateFile.of(store.processed_dir)
            for source in chosen:
                try:
                    if isinstance(source, LiveSourceConfig):
                        _live_source(store, source, state_file, result, live)
                    else:
                        _ingest_source(store, source, config, result, failures)
                        _remember_local(state_file, source, result)
                except (ConfigError, LockedError, StoreError):
                    raise  # every other source would fail alike: stop and say why
                except Exception as error:
                    # a bug met by one source must not block the others or the reports
                    log.debug("source %s failed", source.name, exc_info=True)
                    result.errors.append(
                        f"source {source.name}: unexpected {type(error).__name__}: "
                        + (str(error).strip().splitlines() or [""])[0]
                    )
                    log.warning("%s", result.errors[-1])
            for report in config.reports if sources is None else ():
                for period in due_periods(report.schedule, today, _rendered(store, report)):
                    result.reports += _render(store, config, report, period, draft=False)
                if draft or report.draft:
                    current = period_label(report.schedule, period_start(report.schedule, today))
                    result.reports += _render(store, config, report, current, draft=True)
            _compact(store, config)
            result.errors += [i.message or shown(i.path) for i in result.failed]
            result.errors += [r.error for r in result.reports if r.error]
        except BaseException as error:  # say in the log why the run stopped, then stop
            is_ours = isinstance(error, HumstatsError)
            result.errors.append(str(error) if is_ours else f"{type(error).__name__}: {error}")
            raise
        finally:
            result.finished = dt.datetime.now(dt.UTC)
            store.log_run(result.to_record())
        log.info("%s", result.summary(), extra={"run": result.to_record()})
    return result
