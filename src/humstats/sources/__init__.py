"""Live sources: HDX datasets, HDX HAPI and ReliefWeb reports, fetched for a scheduled run.

One module per kind (``hdx``, ``hapi``, ``reliefweb``) turns a configured source into
``Download``s: files on disk plus what the service said about them (publisher, URL, date).
``fetch_and_ingest`` then hands those files to the same ``run.ingest`` that local inputs go
through, so every download is archived under ``raw/`` like any input and its figures keep the
resource's or report's URL, publisher and date. What was fetched, skipped or failed, and why,
is returned as a ``SourceReport`` for the run log, and the validators that make the next run
cheap (ETag, Last-Modified, content hash, ReliefWeb's resume point) go to the state file.

Exactly once, even across crashes: a download is only marked done in the state file after
its batch is committed, and the store's content hashes turn anything fetched twice into
"unchanged". A run killed anywhere simply fetches again what it had not finished.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import importlib
import logging
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from humstats.config import (
    Config,
    HapiSourceConfig,
    HdxSourceConfig,
    LiveSourceConfig,
    ReliefwebSourceConfig,
)
from humstats.errors import ConfigError
from humstats.run import IngestResult, InputOutcome, Status, ingest
from humstats.schema import SourceMeta
from humstats.sources.http import FetchError, HttpClient
from humstats.sources.state import ItemState, SourceState, StateFile
from humstats.store import Store

__all__ = [
    "Download",
    "FetchError",
    "Fetched",
    "HttpClient",
    "SourceReport",
    "StateFile",
    "describe_sources",
    "fetch_and_ingest",
]

log = logging.getLogger(__name__)

FETCH_FOLDER = ".fetch"
"""Downloads wait here, under the data directory, until they are ingested (then archived)."""

Failpoint = Callable[[str], None]
"""Called with ``"<step>:<source>"`` at each step; tests use it to kill a run there."""

_MODULES = {
    HdxSourceConfig: "hdx",
    HapiSourceConfig: "hapi",
    ReliefwebSourceConfig: "reliefweb",
}


@dataclass
class Download:
    """A file a live source fetched, and what the service told us about it."""

    key: str
    """The item's key in the state file: resource id, report id, query."""
    url: str
    """Where it came from (without secrets): the figures' ``source_url``."""
    path: Path
    meta: SourceMeta = field(default_factory=SourceMeta)
    """Defaults for what the file does not say itself (publisher, date, URL)."""
    mapping: Path | None = None
    validators: ItemState | None = None
    """ETag and Last-Modified to remember once the file is safely stored."""
    cursor: str | None = None
    """ReliefWeb: the report's posting time, for the resume point."""


@dataclass
class Skip:
    """An item not ingested, and why (not modified, no text, unreadable…)."""

    key: str
    url: str
    reason: str
    cursor: str | None = None


@dataclass
class Fetched:
    """What one source's fetch produced."""

    downloads: list[Download] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)
    failed: list[Skip] = field(default_factory=list)


@dataclass
class SourceReport:
    """One live source in one run: the run log's entry for it and the `sources` listing."""

    name: str
    kind: str
    status: str = "ok"
    message: str | None = None
    fetched: list[str] = field(default_factory=list)
    """URLs downloaded and stored."""
    skipped: list[tuple[str, str]] = field(default_factory=list)
    """(URL, why): not modified, same content as stored, no text…"""
    fetch_failed: list[tuple[str, str]] = field(default_factory=list)
    """(URL, why) of items that could not be downloaded."""
    unreadable: list[tuple[str, str]] = field(default_factory=list)
    """(URL, why) of downloads that were archived but could not be read."""
    inputs: list[InputOutcome] = field(default_factory=list)
    batches: list[str] = field(default_factory=list)
    requests: int = 0

    @property
    def figures(self) -> int:
        return sum(i.figures for i in self.inputs if i.status is Status.STORED)

    @property
    def failed(self) -> list[tuple[str, str]]:
        return [*self.fetch_failed, *self.unreadable]

    @property
    def errors(self) -> list[str]:
        """What failed before ingest (unreadable downloads are the run's failed inputs)."""
        problems = [f"{self.name}: {message}" for _, message in self.fetch_failed]
        if self.status == "failed" and not self.failed and self.message:
            problems.insert(0, f"{self.name}: {self.message}")
        return problems

    def summary(self) -> str:
        parts = [f"fetched {len(self.fetched)}", f"skipped {len(self.skipped)}"]
        if self.failed:
            parts.append(f"failed {len(self.failed)}")
        parts.append(f"{self.figures:,} figures added")
        reasons = sorted({reason for _, reason in self.skipped})
        text = f"{self.name} ({self.kind}): {', '.join(parts)}"
        if reasons:
            text += f"; skipped because: {'; '.join(reasons)}"
        if self.status == "failed" and self.message:
            text += f"; failed: {self.message}"
        return text

    def to_record(self) -> dict[str, object]:
        return {
            "source": self.name,
            "kind": self.kind,
            "status": self.status,
            "message": self.message,
            "fetched": self.fetched,
            "skipped": [{"url": url, "reason": reason} for url, reason in self.skipped],
            "failed": [{"url": url, "message": message} for url, message in self.failed],
            "figures": self.figures,
            "requests": self.requests,
        }


def make_client(source: LiveSourceConfig, **overrides: object) -> HttpClient:
    """A client with the source's timeout, retries and rate (tests override sleep/clock)."""
    options: dict[str, object] = {
        "timeout": source.timeout,
        "retries": source.retries,
        "requests_per_second": source.requests_per_second,
    }
    return HttpClient(**(options | overrides))  # type: ignore[arg-type]


def fetch(
    source: LiveSourceConfig,
    client: HttpClient,
    state: SourceState,
    workdir: Path,
    *,
    environ: Mapping[str, str] | None = None,
    today: dt.date | None = None,
) -> Fetched:
    """Fetch what is new for ``source``; raises ``FetchError`` when nothing can be read."""
    module = importlib.import_module(f"humstats.sources.{_MODULES[type(source)]}")
    return module.fetch(source, client, state, workdir, environ=environ, today=today)


def fetch_and_ingest(
    source: LiveSourceConfig,
    store: Store,
    state_file: StateFile,
    client: HttpClient,
    *,
    environ: Mapping[str, str] | None = None,
    today: dt.date | None = None,
    lock_timeout: float = 0,
    failpoint: Failpoint | None = None,
) -> SourceReport:
    """Fetch one source and ingest what it brought; never raises for the source's failures.

    Call with the store's lock held (a scheduled run holds it throughout).
    """
    kind = _MODULES[type(source)]
    report = SourceReport(source.name, kind)
    state = state_file.get(source.name, kind)
    requests_before = client.requests
    # One folder per source, the same on every run, so an item keeps its path from run to run
    # (the run log names inputs by path). Only the lock holder writes here.
    workdir = store.root / FETCH_FOLDER / source.name
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    try:
        try:
            fetched = fetch(source, client, state, workdir, environ=environ, today=today)
        except FetchError as error:
            report.status, report.message = "failed", str(error)
            log.warning("%s: %s", source.name, error)
            _remember(state, report, client.requests - requests_before)
            state_file.save()
            return report
        if failpoint is not None:
            failpoint(f"downloaded:{source.name}")
        report.skipped = [(s.url, s.reason) for s in fetched.skipped]
        report.fetch_failed = [(s.url, f"cannot fetch {s.url}: {s.reason}") for s in fetched.failed]
        for failure in fetched.failed:
            item = state.items.setdefault(failure.key, ItemState(url=failure.url))
            item.etag = item.last_modified = None
            item.status, item.message = "failed", failure.reason
        _ingest_downloads(source, store, fetched.downloads, report, state, lock_timeout)
        if failpoint is not None:
            failpoint(f"ingested:{source.name}")
        if kind == "reliefweb":
            _advance_cursor(state, fetched, report)
        if report.failed:
            report.status = "partial" if report.fetched or report.skipped else "failed"
            report.message = report.message or f"{len(report.failed)} item(s) failed"
        _remember(state, report, client.requests - requests_before)
        state_file.save()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        with contextlib.suppress(OSError):
            workdir.parent.rmdir()  # the last source out leaves no empty folder behind
    for line in [report.summary(), *(f"{source.name}: {m}" for _, m in report.failed)]:
        (log.warning if report.failed else log.info)("%s", line)
    return report


def _ingest_downloads(
    source: LiveSourceConfig,
    store: Store,
    downloads: list[Download],
    report: SourceReport,
    state: SourceState,
    lock_timeout: float,
) -> None:
    """Ingest downloads in as few batches as their metadata allows (one per resource at most)."""
    groups: dict[tuple[SourceMeta, Path | None], list[Download]] = {}
    for download in downloads:
        groups.setdefault((download.meta, download.mapping), []).append(download)
    overrides = SourceMeta(publisher=source.publisher, attributed_to=source.attributed_to)
    for (meta, mapping), group in groups.items():
        try:
            result = ingest(
                [d.path for d in group],
                data_dir=store.root,
                mapping=mapping,
                defaults=meta.overridden_by(overrides),
                lock_timeout=lock_timeout,
            )
        except ConfigError as error:  # a mapping that does not load: every file fails
            result = IngestResult(batch_id="")
            result.inputs = [
                InputOutcome(d.path, Status.UNREADABLE, message=str(error)) for d in group
            ]
        if result.committed:
            report.batches.append(result.batch_id)
        by_path = {outcome.path: outcome for outcome in result.inputs}
        for download in group:
            outcome = by_path[download.path]
            if outcome.message:  # name the URL, not the downloaded file it was read from
                message = outcome.message.replace(str(download.path), download.url)
                outcome = dataclasses.replace(outcome, message=message)
            report.inputs.append(outcome)
            _settle(download, outcome, report, state)


def _settle(
    download: Download, outcome: InputOutcome, report: SourceReport, state: SourceState
) -> None:
    """Record a download in the state only as far as it is safely in the store."""
    item = download.validators or ItemState(url=download.url)
    item.sha256 = outcome.sha256
    item.message = outcome.message
    if outcome.status is Status.UNREADABLE:
        # Forget the validators: the next run downloads it again and retries.
        item.etag = item.last_modified = None
        item.status = "unreadable"
        report.unreadable.append((download.url, outcome.message or "unreadable"))
    elif outcome.status is Status.UNCHANGED:
        item.status = "unchanged"
        report.skipped.append((download.url, "same content as already stored"))
    else:
        item.status = "stored"
        report.fetched.append(download.url)
    if download.cursor is None or item.status == "unreadable":
        state.items[download.key] = item
    else:
        state.items.pop(download.key, None)  # a stored report needs no item: the cursor covers it


def _advance_cursor(state: SourceState, fetched: Fetched, report: SourceReport) -> None:
    """Resume after the newest report stored, but never past one that failed."""
    failed_urls = {url for url, _ in report.failed}
    seen = [(d.url, d.cursor) for d in fetched.downloads]
    seen += [(s.url, s.cursor) for s in [*fetched.skipped, *fetched.failed]]
    done = [cursor for url, cursor in seen if cursor and url not in failed_urls]
    blocked = [cursor for url, cursor in seen if cursor and url in failed_urls]
    if not done:
        return
    newest = max(done)
    if blocked:
        earlier = [c for c in done if c < min(blocked)]
        if not earlier:
            return
        newest = max(earlier)
    if state.cursor is None or newest > state.cursor:
        state.cursor = newest


def _remember(state: SourceState, report: SourceReport, requests: int) -> None:
    report.requests = requests
    state.last_fetch = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    state.status, state.message = report.status, report.message
    state.fetched, state.skipped = len(report.fetched), len(report.skipped)
    state.failed, state.figures = len(report.failed), report.figures


def clear_leftovers(store: Store) -> None:
    """Remove downloads a killed run left behind; call with the store's lock held."""
    shutil.rmtree(store.root / FETCH_FOLDER, ignore_errors=True)


def _where(source: object) -> str:
    """What a source reads, in a few words, for the listing."""
    if isinstance(source, HdxSourceConfig):
        return f"{source.base_url}/dataset/{source.dataset}"
    if isinstance(source, HapiSourceConfig):
        from humstats.sources.hapi import query_url

        return query_url(source)
    if isinstance(source, ReliefwebSourceConfig):
        query = {k: list(v) for k, v in dataclasses.asdict(source.query).items() if v}
        return f"{source.base_url}/v2/reports {query}"
    return ", ".join(getattr(source, "paths", ()))


def describe_sources(config: Config) -> list[dict[str, object]]:
    """Every configured source with its last fetch, status and counts (``humstats sources``).

    Counts are those of the last run that read the source: items fetched and stored, skipped
    (not modified, same content, no text) and failed, and figures added.
    """
    state_file = StateFile.of(Store(config.store.data).processed_dir)
    rows = []
    for source in config.sources:
        kind = _MODULES.get(type(source)) or str(getattr(source, "kind", None) or "files")
        state = state_file.sources.get(source.name)
        rows.append(
            {
                "name": source.name,
                "kind": kind,
                "reads": _where(source),
                "last_fetch": state.last_fetch if state else None,
                "status": state.status if state else "never run",
                "fetched": state.fetched if state else 0,
                "skipped": state.skipped if state else 0,
                "failed": state.failed if state else 0,
                "figures": state.figures if state else 0,
                "message": state.message if state else None,
            }
        )
    return rows
