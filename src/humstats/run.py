"""Ingest: the one place where the stages meet.

read → normalise (tables) or extract (texts) → stamp → validate → store. Every input of one
call becomes one batch, committed all at once under the store's lock, so a crash or a
concurrent ingest never leaves part of a batch behind.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

import polars as pl

from humstats import readers
from humstats.config import DEFAULT_LIMITS, Limits
from humstats.errors import InputError, shown
from humstats.schema import COLUMNS, SourceMeta, breakdown_key, is_projected, is_total
from humstats.store import SOURCE_DTYPES, Archived, Store, new_batch_id
from humstats.validate import empty_quarantine, to_quarantine, validate_figures

log = logging.getLogger(__name__)


class Status(StrEnum):
    STORED = "stored"
    UNCHANGED = "unchanged"
    UNREADABLE = "unreadable"


@dataclass(frozen=True)
class InputOutcome:
    """What became of one input."""

    path: Path
    status: Status
    sha256: str | None = None
    source_file: str | None = None
    figures: int = 0
    quarantined: int = 0
    message: str | None = None


@dataclass
class IngestResult:
    """The outcome of one ingest: per input, and the frames it stored (or would store)."""

    batch_id: str
    inputs: list[InputOutcome] = field(default_factory=list)
    figures: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=COLUMNS))
    quarantine: pl.DataFrame = field(default_factory=empty_quarantine)
    committed: bool = False

    @property
    def failed(self) -> list[InputOutcome]:
        return [i for i in self.inputs if i.status is Status.UNREADABLE]

    @property
    def unchanged(self) -> list[InputOutcome]:
        return [i for i in self.inputs if i.status is Status.UNCHANGED]


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files as given, and the files inside folders (sorted, hidden ones left out).

    A symbolic link inside a folder is followed only when it points inside that folder: a
    drop folder must not become a way to ingest (and archive) any file on the machine.
    """
    files: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            files.extend(
                p
                for p in sorted(path.rglob("*"))
                if p.is_file()
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
                and inside(p, path)
            )
        else:
            files.append(path)
    return files


def inside(path: Path, folder: Path) -> bool:
    """Whether ``path``, its links resolved, lies in ``folder``; says so when it does not."""
    if path.resolve().is_relative_to(folder.resolve()):
        return True
    log.warning(
        "skipping %s: a link to %s, outside %s", shown(path), shown(path.resolve()), shown(folder)
    )
    return False


def _first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0] if text else "no message"


def read_candidates(
    path: Path,
    *,
    meta: SourceMeta = SourceMeta(),
    mapping: object | None = None,
    defaults: SourceMeta = SourceMeta(),
    limits: Limits = DEFAULT_LIMITS,
) -> tuple[pl.DataFrame, pl.DataFrame, str, SourceMeta]:
    """Candidate figures and early quarantine rows of one input, its kind and its metadata.

    ``meta`` holds what the caller knows (command-line flags): it overrides what the input
    says about itself. ``defaults`` (a configured source's metadata) fill only what the input
    leaves out.
    """
    content = readers.read(path, limits)
    if isinstance(content, readers.Table):
        from humstats.normalize import normalize_table

        table_meta = defaults.overridden_by(content.meta).overridden_by(meta)
        normalized = normalize_table(content, table_meta, mapping)
        return normalized.figures, normalized.quarantine, "table", table_meta
    from humstats.extract import extract_many

    documents = [
        readers.Document(
            d.text, d.path, defaults.overridden_by(d.meta).overridden_by(meta), d.index, d.offset
        )
        for d in content
    ]
    frames = list(extract_many(documents))  # a feed's articles are parsed in batches
    figures = pl.concat(frames, how="vertical") if frames else pl.DataFrame()
    doc_meta = documents[0].meta if len(documents) == 1 else defaults.overridden_by(meta)
    return figures, empty_quarantine(), "text", doc_meta


def _stamp(
    frame: pl.DataFrame, archived: Archived, batch_id: str, ingested_at: dt.datetime
) -> pl.DataFrame:
    """Give candidates their store identity: the same input always yields the same ids."""
    stamps = [
        pl.lit(archived.source_file).alias("source_file"),
        pl.lit(batch_id).alias("batch_id"),
        pl.lit(ingested_at, pl.Datetime("us", "UTC")).alias("ingested_at"),
    ]
    if "origin" in frame.columns:
        # A total keeps the id it had before breakdowns existed; a part adds its breakdown
        # ("…:Deaths:sex=f"), so a part and its total from one cell never collide. Most
        # tables hold totals only: one look at the breakdown columns spares building an
        # empty key for each of a million rows.
        key = breakdown_key()
        has_parts = frame.select((~is_total() | is_projected()).any()).item()
        stamps.append(
            pl.concat_str(
                pl.lit(archived.sha256[:16]),
                pl.col("input_row").cast(pl.String),
                pl.col("origin"),
                *([pl.when(key != "").then(key)] if has_parts else []),
                separator=":",
                ignore_nulls=True,
            ).alias("figure_id")
        )
    return frame.with_columns(stamps)


def _source_row(
    archived: Archived,
    kind: str,
    meta: SourceMeta,
    figures: pl.DataFrame,
    quarantined: int,
    batch_id: str,
    ingested_at: dt.datetime,
) -> dict[str, object]:
    publisher = meta.publisher
    if publisher is None and not figures.is_empty():
        publisher = figures["publisher"].drop_nulls().mode().sort().first()
    return {
        "sha256": archived.sha256,
        "source_file": archived.source_file,
        "original_name": shown(archived.original.name),
        "original_path": shown(archived.original),
        "size": archived.size,
        "kind": kind,
        "publisher": publisher,
        "source_url": meta.source_url,
        "published_date": meta.published_date,
        "title": meta.title,
        "figures": figures.height,
        "quarantined": quarantined,
        "batch_id": batch_id,
        "ingested_at": ingested_at,
    }


def ingest(
    paths: Sequence[str | Path],
    *,
    data_dir: str | Path = "data",
    mapping: object | None = None,
    meta: SourceMeta = SourceMeta(),
    defaults: SourceMeta = SourceMeta(),
    dry_run: bool = False,
    lock_timeout: float = 60.0,
    on_input: Callable[[Path], None] | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> IngestResult:
    """Ingest files (or folders of files) into the store at ``data_dir``.

    Inputs already stored (same content hash) are skipped and reported ``unchanged``; an input
    that cannot be read is still archived and reported ``unreadable`` while the others go on.
    With ``dry_run`` nothing is archived or stored: the result says what would be.
    ``mapping`` is a mapping file path or a loaded mapping, used for every table input.
    ``defaults`` is metadata used where an input carries none (a configured source's).
    ``limits`` bound what one input may make the readers hold (cell length, JSON depth, ...).
    Raises ``StoreError`` when the data directory cannot be written.
    """
    store = Store(data_dir)
    if isinstance(mapping, str | Path):
        from humstats.normalize import load_mapping

        mapping = load_mapping(Path(mapping))
    batch_id = new_batch_id()
    ingested_at = dt.datetime.now(dt.UTC)
    result = IngestResult(batch_id=batch_id)
    known = store.ingested_hashes()
    figure_parts: list[pl.DataFrame] = []
    quarantine_parts: list[pl.DataFrame] = []
    source_rows: list[dict[str, object]] = []

    for path in expand_paths(paths):
        if on_input is not None:
            on_input(path)
        try:
            archived = store.identify(path) if dry_run else store.archive(path)
        except InputError as error:
            result.inputs.append(InputOutcome(path, Status.UNREADABLE, message=str(error)))
            continue
        if archived.sha256 in known:
            result.inputs.append(
                InputOutcome(path, Status.UNCHANGED, archived.sha256, archived.source_file)
            )
            continue
        try:
            candidates, early, kind, input_meta = read_candidates(
                path, meta=meta, mapping=mapping, defaults=defaults, limits=limits
            )
            validation = validate_figures(_stamp(candidates, archived, batch_id, ingested_at))
            quarantine = pl.concat(
                [
                    to_quarantine(_stamp(early, archived, batch_id, ingested_at)),
                    validation.quarantine,
                ]
            )
        except InputError as error:
            result.inputs.append(
                InputOutcome(
                    path,
                    Status.UNREADABLE,
                    archived.sha256,
                    archived.source_file,
                    message=str(error),
                )
            )
            continue
        except Exception as error:
            # A bug met by one input (a parser's corner case) must not take the other inputs
            # of the batch, or every later scheduled run, down with it: the input is marked
            # unreadable with the reason, archived, and logged; the traceback goes to the log.
            log.debug("unexpected error reading %s", shown(path), exc_info=True)
            problem = f"unexpected {type(error).__name__}: {_first_line(error)}"
            result.inputs.append(
                InputOutcome(
                    path,
                    Status.UNREADABLE,
                    archived.sha256,
                    archived.source_file,
                    message=str(InputError(path, problem)),
                )
            )
            continue
        known.add(archived.sha256)
        figure_parts.append(validation.figures)
        quarantine_parts.append(quarantine)
        source_rows.append(
            _source_row(
                archived,
                kind,
                input_meta,
                validation.figures,
                quarantine.height,
                batch_id,
                ingested_at,
            )
        )
        result.inputs.append(
            InputOutcome(
                path,
                Status.STORED,
                archived.sha256,
                archived.source_file,
                figures=validation.figures.height,
                quarantined=quarantine.height,
            )
        )

    if figure_parts:
        result.figures = pl.concat(figure_parts)
        result.quarantine = pl.concat(quarantine_parts)
    if dry_run or not (source_rows or result.failed):
        return result  # nothing to store and nothing that went wrong: no log line
    sources = pl.DataFrame(source_rows, schema=SOURCE_DTYPES)
    with store.lock(lock_timeout):
        # Another process may have stored the same content while we were reading it.
        stored_meanwhile = store.ingested_hashes(set(sources["sha256"].to_list()))
        if stored_meanwhile:
            raced = pl.col("source_file").is_in(
                sources.filter(pl.col("sha256").is_in(stored_meanwhile))["source_file"].to_list()
            )
            result.figures = result.figures.filter(~raced)
            result.quarantine = result.quarantine.filter(~raced)
            sources = sources.filter(~pl.col("sha256").is_in(stored_meanwhile))
        if sources.height:
            store.commit(batch_id, result.figures, result.quarantine, sources)
            result.committed = True
        store.log_run(
            {
                "kind": "ingest",
                "batch_id": batch_id,
                "started": ingested_at.isoformat(),
                "finished": dt.datetime.now(dt.UTC).isoformat(),
                "inputs": [
                    {
                        "path": shown(i.path),
                        "status": str(i.status),
                        "sha256": i.sha256,
                        "figures": i.figures,
                        "quarantined": i.quarantined,
                        "message": i.message,
                    }
                    for i in result.inputs
                ],
                "figures": result.figures.height,
                "quarantined": result.quarantine.height,
                "committed": result.committed,
            }
        )
    return result
