"""Read-only SQL over a store: DuckDB views on the Parquet files of the store's tables.

Views: ``figures``, ``quarantine`` and ``sources`` (the Parquet files of one version of the
store's tables, as ``Store.snapshot`` lists them: DuckDB reads them with ``read_parquet``,
so no DuckDB extension is needed),
``runs`` (the run log, one row per line) and ``latest`` (``aggregate.latest`` over the
figures, so SQL and Python agree on what "latest" means).

Read-only is enforced twice. DuckDB's own parser classifies each statement and only a single
``SELECT`` (which includes ``DESCRIBE``, ``SUMMARIZE``, ``SHOW`` and ``FROM t``) may run; and
the connection is an in-memory database whose file access is limited to the store's Parquet
files, with its configuration locked so no statement can lift that limit. Values come in as
DuckDB parameters (``$name``), never spliced into the SQL text.

Every statement runs within limits: ``timeout`` seconds (then it is interrupted), DuckDB's
``memory_limit``, and Ctrl-C interrupts it. DuckDB spills to a private temporary folder made
for the connection (and removed with it): DuckDB lets SQL read its temporary folder, so it
must never be a shared one such as ``<cwd>/.tmp``.

A connection is a snapshot: it sees the batches committed when it was opened, or those of
``as_of`` (``Database.is_current`` says when that is no longer so; ``humstats.open`` then
reopens).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from types import TracebackType

import duckdb
import polars as pl

from humstats.errors import ConfigError, QueryError
from humstats.store import AsOf, Snapshot, Store

VIEWS: tuple[str, ...] = ("figures", "quarantine", "sources", "runs", "latest")
"""The names a query may read."""

RUN_DTYPES: dict[str, pl.DataType] = {
    "kind": pl.String(),
    "batch_id": pl.String(),
    "started": pl.Datetime("us", "UTC"),
    "finished": pl.Datetime("us", "UTC"),
    "inputs": pl.Int64(),
    "failed": pl.Int64(),
    "figures": pl.Int64(),
    "quarantined": pl.Int64(),
    "reports": pl.List(pl.String()),
    "errors": pl.List(pl.String()),
    "record": pl.String(),
}
"""The ``runs`` view: what every log line has in common, and the whole line as JSON."""

_TABLE_VIEWS: tuple[str, ...] = ("figures", "quarantine", "sources")
"""Views over the tables' Parquet files, named like the ``Store`` methods that scan them."""
_ALLOWED = frozenset({duckdb.StatementType.SELECT})
DEFAULT_TIMEOUT = 300.0
"""Seconds a statement may run; an analyst's question over a store takes far less."""
DEFAULT_MEMORY_LIMIT = "2GB"
"""DuckDB's own default is 80% of the machine's memory: too much next to other work."""


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0]


def _quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _quote_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _timestamp(value: object) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        stamp = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.UTC)


def _count(value: object) -> int | None:
    if isinstance(value, list):
        return len(value)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def runs_frame(records: Sequence[Mapping[str, object]]) -> pl.DataFrame:
    """The run log as a table: ingests (``humstats ingest``) and scheduled runs alike.

    ``inputs`` and ``failed`` count the inputs a line lists (and those that could not be
    read), ``reports`` lists the files written, ``errors`` the messages of what went wrong;
    ``record`` keeps the whole line for anything else (``record->>'$.exit_code'``).
    """
    rows = []
    for record in records:
        inputs = record.get("inputs")
        listed = inputs if isinstance(inputs, list) else []
        unreadable = [i for i in listed if isinstance(i, dict) and i.get("status") == "unreadable"]
        errors = record.get("errors")
        if not isinstance(errors, list):
            errors = [str(i.get("message")) for i in unreadable]
        reports = record.get("reports")
        rows.append(
            {
                "kind": record.get("kind"),
                "batch_id": record.get("batch_id"),
                "started": _timestamp(record.get("started")),
                "finished": _timestamp(record.get("finished")),
                "inputs": _count(inputs),
                "failed": len(unreadable),
                "figures": _count(record.get("figures")),
                "quarantined": _count(record.get("quarantined")),
                "reports": [
                    str(path)
                    for report in (reports if isinstance(reports, list) else [])
                    for path in (report.get("paths", []) if isinstance(report, dict) else [report])
                ],
                "errors": [str(e) for e in errors],
                "record": json.dumps(record, default=str, ensure_ascii=False),
            }
        )
    return pl.DataFrame(rows, schema=RUN_DTYPES)


def _duckdb_types(
    con: duckdb.DuckDBPyConnection, schema: Mapping[str, pl.DataType]
) -> dict[str, str]:
    """DuckDB's names for a polars schema's types, as DuckDB itself converts them."""
    con.register("_humstats_schema", pl.DataFrame(schema=dict(schema)))
    try:
        return {row[0]: row[1] for row in con.execute("DESCRIBE _humstats_schema").fetchall()}
    finally:
        con.unregister("_humstats_schema")


def _table_view(
    con: duckdb.DuckDBPyConnection,
    name: str,
    files: Sequence[str],
    types: Mapping[str, str],
    visible: pl.DataFrame | None,
) -> None:
    """``name`` over ``files`` with exactly the columns of ``types``, in order.

    A column that older files lack reads as NULL and one stored with another type is cast,
    so the view keeps the store's schema whatever the files hold; with no files at all it is
    an empty relation that still has every column. ``visible`` (when some rows belong to
    batches that never committed) keeps only the rows of the inputs it lists.
    """
    if files:
        paths = ", ".join(_quote_literal(str(f)) for f in files)
        source = f"read_parquet([{paths}], union_by_name = true)"
        described = con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()
        present = {row[0]: row[1] for row in described}
    else:
        source, present = None, {}
    columns = []
    for column, kind in types.items():
        quoted = _quote_identifier(column)
        if present.get(column) == kind:
            columns.append(quoted)
        elif column in present:
            columns.append(f"CAST({quoted} AS {kind}) AS {quoted}")
        else:
            columns.append(f"CAST(NULL AS {kind}) AS {quoted}")
    body = f"SELECT {', '.join(columns)}"
    if source and visible is not None:
        keys = f"_humstats_{name}_visible"
        con.register(keys, visible)
        body += f" FROM {source} SEMI JOIN {keys} USING (batch_id, source_file)"
    else:
        body += f" FROM {source}" if source else " WHERE false"
    con.execute(f"CREATE VIEW {_quote_identifier(name)} AS {body}")


class Database:
    """A read-only SQL connection to a store (see the module docstring).

    >>> with Database("data") as db:                                      # doctest: +SKIP
    ...     db.query("SELECT count(*) AS n FROM figures WHERE country_iso3 = $c", {"c": "SDN"})

    Each view is built the first time a statement names it (a statement naming none, such as
    ``SHOW TABLES``, gets them all but ``latest``), so a query pays only for what it reads.
    """

    def __init__(
        self,
        data_dir: str | os.PathLike[str],
        *,
        priority: Sequence[str] | None = None,
        as_of: AsOf | None = None,
        timeout: float | None = DEFAULT_TIMEOUT,
        memory_limit: str = DEFAULT_MEMORY_LIMIT,
    ) -> None:
        self.store = Store(data_dir)
        self.priority = tuple(priority) if priority is not None else None
        self.as_of = as_of
        self.timeout = timeout or None
        self._state = self.store.state()
        # the store's readable files only: a damaged file is skipped with a warning
        self._snapshot: Snapshot = self.store.snapshot(as_of)
        self._files = {name: self._snapshot.files(name) for name in _TABLE_VIEWS}
        self._built: set[str] = set()
        self._con = duckdb.connect(
            ":memory:",
            config={"autoinstall_known_extensions": False, "autoload_known_extensions": False},
        )
        self._con.execute("SET TimeZone = 'UTC'")  # like the store's timestamps, on any machine
        self._temp = tempfile.mkdtemp(prefix="humstats-duckdb-")
        self._con.execute("SET temp_directory = $dir", {"dir": self._temp})
        try:
            self._con.execute("SET memory_limit = $limit", {"limit": memory_limit})
        except duckdb.Error as error:
            self.close()
            raise ConfigError(f"memory limit {memory_limit!r}: {_first_line(error)}") from error
        readable = [str(f) for paths in self._files.values() for f in paths]
        self._con.execute("SET allowed_paths = $paths", {"paths": readable})
        self._con.execute("SET enable_external_access = false")
        self._con.execute("SET lock_configuration = true")

    def is_current(self) -> bool:
        """False once a batch was committed or a run logged after this connection opened."""
        return not self.store.changed_since(self._state)

    def _build(self, view: str) -> None:
        if view in self._built:
            return
        if view == "sources" or (view in _TABLE_VIEWS and self._snapshot.legacy):
            # Small (one row per input), or a store not yet migrated: polars reads it.
            self._con.register(view, self._snapshot.read(view))
        elif view in _TABLE_VIEWS:
            frame = self._snapshot.read(view)
            types = _duckdb_types(self._con, frame.collect_schema())
            visible = self._snapshot.visible_keys(view)
            _table_view(self._con, view, self._files[view], types, visible)
        elif view == "runs":
            self._con.register("runs", runs_frame(self.store.runs()))
        else:
            # ``aggregate.latest`` over the figures: DuckDB scans this lazy frame only when a
            # query reads it, and the aggregate stage is imported only then.
            from humstats.aggregate import latest

            figures = self._snapshot.read("figures")
            frame = latest(figures) if self.priority is None else latest(figures, self.priority)
            self._con.register("latest", frame)
        self._built.add(view)

    def query(self, sql: str, params: Mapping[str, object] | None = None) -> pl.DataFrame:
        """Run one read-only statement; ``params`` fill its ``$name`` placeholders.

        Raises ``QueryError`` (one line) when the statement writes, is not a single
        statement, misses or gets unknown parameters, or fails in DuckDB.
        """
        params = dict(params or {})
        try:
            statements = duckdb.extract_statements(sql)
        except duckdb.Error as error:
            raise QueryError(_first_line(error)) from error
        if not statements:
            raise QueryError("no SQL statement given")
        if len(statements) > 1:
            raise QueryError(f"one statement at a time, got {len(statements)}")
        statement = statements[0]
        if statement.type not in _ALLOWED:
            raise QueryError(
                f"refused {statement.type.name} statement: queries are read-only "
                "(SELECT, DESCRIBE, SUMMARIZE, SHOW)"
            )
        wanted = set(statement.named_parameters)
        if any(name.isdigit() for name in wanted):
            raise QueryError("use named parameters ($name), not ? or $1")
        if missing := sorted(wanted - params.keys()):
            raise QueryError(f"no value for parameter ${missing[0]}: pass {missing[0]}=VALUE")
        if unused := sorted(params.keys() - wanted):
            raise QueryError(f"parameter {unused[0]} is not used: the query has no ${unused[0]}")
        named = [view for view in VIEWS if view in _identifiers(sql)]
        try:
            return self._run(sql, params, named)
        except (duckdb.Error, pl.exceptions.PolarsError) as error:
            if not self.store.find_unreadable():
                raise QueryError(_first_line(error)) from error
        # a data file was damaged inside (its footer sound): build the views without its
        # batch, as the store's own reads do, and run the statement again
        for view in self._built:
            kind = "TABLE" if view in ("runs", "latest") else "VIEW"
            with contextlib.suppress(duckdb.Error):
                self._con.execute(f"DROP {kind} IF EXISTS {_quote_identifier(view)}")
            if kind == "TABLE":
                self._con.unregister(view)
        self._built.clear()
        self._snapshot = self.store.snapshot(self.as_of)
        self._files = {name: self._snapshot.files(name) for name in _TABLE_VIEWS}
        try:
            return self._run(sql, params, named)
        except (duckdb.Error, pl.exceptions.PolarsError) as error:
            raise QueryError(_first_line(error)) from error

    def _run(self, sql: str, params: dict[str, object], named: list[str]) -> pl.DataFrame:
        for view in named or (*_TABLE_VIEWS, "runs"):
            self._build(view)
        return self._interruptible(lambda: self._con.sql(sql, params=params or None).pl())

    def _interruptible(self, work: Callable[[], pl.DataFrame]) -> pl.DataFrame:
        """Run ``work`` on a helper thread while this one waits, so that the timeout and
        Ctrl-C (KeyboardInterrupt, delivered to the main thread) can interrupt DuckDB."""
        outcome: dict[str, object] = {}
        # an Event, not Thread.is_alive: a join() cut short by Ctrl-C can leave a running
        # thread reported dead (CPython 3.11)
        done = threading.Event()

        def target() -> None:
            try:
                outcome["frame"] = work()
            except duckdb.Error as error:  # handed to the waiting thread, raised there
                # as a fresh error: the original's traceback holds DuckDB's pending result,
                # and with it the connection, busy for as long as the error lives
                outcome["error"] = type(error)(str(error))
            except BaseException as error:
                outcome["error"] = error
            finally:
                done.set()

        worker = threading.Thread(target=target, name="humstats-query", daemon=True)
        deadline = None if self.timeout is None else time.monotonic() + self.timeout
        launched = True  # before start(): Ctrl-C may land inside it, with the worker running
        try:
            try:
                worker.start()
            except RuntimeError:  # no thread could be started: nothing to wait for
                launched = False
                raise
            while not done.wait(0.1 if deadline is None else max(0, deadline - time.monotonic())):
                if deadline is not None and time.monotonic() >= deadline:
                    raise QueryError(
                        f"the query ran longer than {self.timeout:g} s and was stopped "
                        "(raise --timeout)"
                    )
        finally:
            # stopped by the timeout or by Ctrl-C (KeyboardInterrupt, wherever it landed):
            # interrupt DuckDB and wait, so the connection is free for the next statement
            while launched and not done.is_set():
                self._con.interrupt()
                done.wait(0.1)
        if "error" in outcome:
            raise outcome["error"]  # type: ignore[misc]
        return outcome["frame"]  # type: ignore[return-value]

    def close(self) -> None:
        # after Ctrl-C DuckDB may still call the connection busy: it goes with the process
        with contextlib.suppress(duckdb.Error):
            self._con.close()
        shutil.rmtree(self._temp, ignore_errors=True)

    def __enter__(self) -> Database:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def _identifiers(sql: str) -> set[str]:
    """Names in ``sql`` as DuckDB's tokenizer sees them (lower-cased, unquoted): a view's
    name in a string literal or a comment does not count."""
    tokens = duckdb.tokenize(sql)
    ends = [start for start, _ in tokens[1:]] + [len(sql)]
    return {
        sql[start:end].strip().strip('"').lower()
        for (start, kind), end in zip(tokens, ends, strict=True)
        if kind == duckdb.token_type.identifier
    }


def query(
    data_dir: str | os.PathLike[str],
    sql: str,
    params: Mapping[str, object] | None = None,
    *,
    priority: Sequence[str] | None = None,
    as_of: AsOf | None = None,
    timeout: float | None = DEFAULT_TIMEOUT,
    memory_limit: str = DEFAULT_MEMORY_LIMIT,
) -> pl.DataFrame:
    """One read-only statement over the store at ``data_dir`` (as it was at ``as_of``, when
    given); see ``Database.query``."""
    with Database(
        data_dir, priority=priority, as_of=as_of, timeout=timeout, memory_limit=memory_limit
    ) as database:
        return database.query(sql, params)
