"""What one reader sees: every table at one version, and which of its rows are visible."""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING

import polars as pl
from deltalake import DeltaTable

from humstats.store.layout import _MIGRATED, _SCHEMAS, SOURCE_DTYPES, TABLES

if TYPE_CHECKING:
    from humstats.store.core import Store


def _winners(sources: pl.LazyFrame) -> pl.LazyFrame:
    """The first stored row of each content hash: the inputs whose rows are visible."""
    return sources.sort("sha256", "ingested_at", "batch_id").unique(
        "sha256", keep="first", maintain_order=True
    )


def _scan(
    files: list[str],
    schema: Mapping[str, pl.DataType],
    storage_options: Mapping[str, str] | None = None,
) -> pl.LazyFrame:
    if not files:
        return pl.LazyFrame(schema=dict(schema))
    # paths are never patterns: a data folder named "data[1]" is read as it is
    return pl.scan_parquet(
        files,
        schema=dict(schema),
        missing_columns="insert",
        glob=False,
        storage_options=dict(storage_options) if storage_options else None,
    )


class Snapshot:
    """The store as one reader sees it: every table at one version (the latest, or the one
    ``as_of`` names), and the batch-folder files not yet migrated. Tables are opened when
    first read, so reading the figures does not pay for the quarantine's log.

    Damaged data files are left out, with the batches their statistics say they hold (see
    ``humstats.store``), so figures and sources stay in step.

    With ``known_at`` the tables are read at their latest version and only the inputs
    ingested by then, and of no batch in ``hidden``, are shown: the store is append-only, so
    that is what it held then (``Store.snapshot`` uses it for moments and versions older
    than the tables' log: a version hides the batches committed after it, and names itself
    as ``version``)."""

    def __init__(
        self,
        store: Store,
        open_table: Callable[[str], DeltaTable | None],
        legacy: Mapping[str, list[str]],
        known_at: dt.datetime | None = None,
        *,
        hidden: frozenset[str] = frozenset(),
        version: int | None = None,
        latest: bool = False,
    ) -> None:
        self._store = store
        self._known_at = known_at
        self._hidden_later = hidden
        self._asked = version
        self._latest = latest
        """Whether the tables are read at their newest versions (so the kept file lists of
        ``Store._kept_files`` may stand in for opening them)."""
        self._file_versions: dict[str, int | None] = {}
        self._open_table = open_table
        self._tables: dict[str, DeltaTable | None] = {}
        self._versions: dict[str, int] = {}
        self._actions: dict[str, pl.DataFrame] = {}
        self._sources: pl.DataFrame | None = None
        self._winning: pl.DataFrame | None = None
        self._hidden: list[tuple[str, str]] | None = None
        self.legacy: dict[str, list[str]] = {}
        if any(legacy.values()):  # folders a migration has carried over only await deletion
            sources = self.table("sources")
            migrated = sources is not None and sources.transaction_version(_MIGRATED) is not None
            self.legacy = {} if migrated else dict(legacy)

    def table(self, name: str) -> DeltaTable | None:
        """``name``'s Delta table at this snapshot's version (None when it has none yet)."""
        if name not in self._tables:
            delta = self._tables[name] = self._open_table(name)
            if delta is not None:
                self._versions[name] = delta.version()
        delta = self._tables[name]
        if delta is not None and delta.version() != self._versions[name]:
            # the Store brought its shared copy up to date since: read our version apart
            delta = self._tables[name] = self._store._open(name, self._versions[name])
        return delta

    @property
    def version(self) -> int | None:
        """The sources table's version (the store's version); None for an empty store, and
        for a moment older than the log, which no longer says what the version was then."""
        return self._asked if self._known_at is not None else self._version("sources")

    def _version(self, table: str) -> int | None:
        """``table``'s version in this snapshot (None: no such table)."""
        self._files(table)
        return self._file_versions[table]

    def _listing(self, table: str) -> tuple[int | None, pl.DataFrame]:
        """``table``'s version and data files (``_FILES`` and ``uri``): kept from the last
        reader when no commit came since, else from the table's log (and kept)."""
        if self._latest and (kept := self._store._kept_files(table)) is not None:
            return kept
        delta = self.table(table)
        if delta is None:
            return None, pl.DataFrame(schema={**_FILES, "uri": pl.String()})
        frame = _files_of(delta)
        if self._latest:
            self._store._keep_files(table, delta.version(), frame, _base(delta))
        return delta.version(), frame

    def _files(self, table: str) -> pl.DataFrame:
        """``table``'s data files: ``uri``, rows, the range of ``batch_id`` (``low``,
        ``high``) and of ``sha256`` they hold, and ``problem`` (null when the file is sound
        as far as a ``stat`` can tell)."""
        if table not in self._actions:
            version, frame = self._listing(table)
            self._file_versions[table] = version
            problems = [
                self._store.file_problem(uri, size)
                for uri, size in frame.select("uri", "size").iter_rows()
            ]
            self._actions[table] = frame.with_columns(pl.Series("problem", problems, pl.String()))
        return self._actions[table]

    def files(self, table: str) -> list[str]:
        """The sound Parquet files of ``table``'s Delta table in this snapshot (not the batch
        folders: ``read`` joins those in)."""
        return self._files(table).filter(pl.col("problem").is_null())["uri"].to_list()

    def tables(self) -> pl.DataFrame:
        """``table``, ``version``, ``files`` and ``damaged`` (data files left out) of each
        Delta table this snapshot holds, from the log alone."""
        rows = [
            {
                "table": name,
                "version": version,
                "files": self._files(name).height,
                "damaged": self._files(name)["problem"].drop_nulls().len(),
            }
            for name in TABLES
            if (version := self._version(name)) is not None
        ]
        schema = {"table": pl.String, "version": pl.Int64, "files": pl.Int64, "damaged": pl.Int64}
        return pl.DataFrame(rows, schema=schema)

    def damaged(self) -> list[tuple[str, str]]:
        """``(uri, problem)`` of every data file left out of this snapshot."""
        return [
            row
            for table in TABLES
            for row in self._files(table)
            .filter(pl.col("problem").is_not_null())
            .select("uri", "problem")
            .iter_rows()
        ]

    def _hidden_batches(self) -> pl.Expr | None:
        """True for a ``batch_id`` a damaged file may hold; None when no file is damaged."""
        if self._hidden is None:
            self._hidden = [
                (low, high)
                for table in TABLES
                for uri, low, high, problem in self._files(table)
                .select("uri", "low", "high", "problem")
                .iter_rows()
                if problem is not None and self._store.warn(uri, problem) and low and high
            ]
        if not self._hidden:
            return None
        hidden = pl.lit(False)
        for low, high in self._hidden:
            hidden = hidden | pl.col("batch_id").is_between(pl.lit(low), pl.lit(high))
        return hidden

    def sources_among(self, hashes: set[str]) -> set[str]:
        """Which of ``hashes`` the visible sources hold, reading only the files whose
        statistics may hold them."""
        if self._version("sources") is None or self.legacy or self._known_at is not None:
            return hashes & set(self.sources().collect()["sha256"].to_list())
        wanted = sorted(hashes)
        sound = self._files("sources").filter(pl.col("problem").is_null())
        files = [  # only the files whose range of hashes may hold one of them
            uri
            for uri, low, high in sound.select("uri", "sha_low", "sha_high").iter_rows()
            if low is None
            or high is None
            or bisect.bisect_left(wanted, low) < bisect.bisect_right(wanted, high)
        ]
        found = _scan(files, SOURCE_DTYPES, self._store.storage_options).filter(
            pl.col("sha256").is_in(wanted)
        )
        hidden = self._hidden_batches()
        if hidden is not None:
            found = found.filter(~hidden)
        return set(found.select("sha256").collect()["sha256"].to_list())

    def hashes(self) -> set[str]:
        """Content hashes of the visible inputs, reading only that column (and the batch, when
        a damaged file hides some): the inputs that won a race and those that lost it share
        their hash, so no winner need be chosen."""
        if self.legacy or self._sources is not None or self._known_at is not None:
            return set(self.sources().collect()["sha256"].to_list())
        found = _scan(self.files("sources"), SOURCE_DTYPES, self._store.storage_options)
        hidden = self._hidden_batches()
        if hidden is not None:
            found = found.filter(~hidden)
        return set(found.select(pl.col("sha256").unique()).collect()["sha256"].to_list())

    def _delta_sources(self) -> pl.DataFrame:
        if self._sources is None:
            sources = _scan(self.files("sources"), SOURCE_DTYPES, self._store.storage_options)
            hidden = self._hidden_batches()
            if hidden is not None:
                sources = sources.filter(~hidden)
            if self._known_at is not None:
                sources = sources.filter(pl.col("ingested_at") <= self._known_at)
            if self._hidden_later:
                sources = sources.filter(~pl.col("batch_id").is_in(list(self._hidden_later)))
            self._sources = sources.collect()
        return self._sources

    def _winning_sources(self) -> pl.DataFrame:
        """The visible rows of the Delta sources table: all of them unless two writers stored
        the same content (counting hashes is cheap; choosing winners sorts every row)."""
        if self._winning is None:
            sources = self._delta_sources()
            unique = sources["sha256"].n_unique() == sources.height
            self._winning = sources if unique else _winners(sources.lazy()).collect()
        return self._winning

    def all_sources(self) -> pl.DataFrame:
        """Every sources row this snapshot holds, visible or not (small: one per input)."""
        legacy = _scan(self.legacy.get("sources", []), SOURCE_DTYPES).collect()
        return pl.concat([self._delta_sources(), legacy])

    def _legacy_sources(self) -> pl.LazyFrame:
        """Batch-folder inputs the Delta tables do not hold."""
        stored = self._delta_sources()["sha256"].unique().implode()
        legacy = _scan(self.legacy.get("sources", []), SOURCE_DTYPES)
        return _winners(legacy.filter(pl.col("sha256").is_in(stored).not_()))

    def sources(self) -> pl.LazyFrame:
        """The visible sources rows: the first stored row of each content hash."""
        delta = self._winning_sources().lazy()
        return pl.concat([delta, self._legacy_sources()]) if self.legacy else delta

    def visible_keys(self, table: str) -> pl.DataFrame | None:
        """``(batch_id, source_file)`` of the inputs whose rows in ``table``'s Delta table are
        visible, or None when all are (the common case, which then needs no join).

        Rows are hidden when a writer was killed before its sources commit, lost a race to
        store the same content, or shares a batch with a damaged file; the first two are
        counted from the log, which costs no read of the data."""
        sources = self._delta_sources()
        winners = self._winning_sources()
        column = "figures" if table == "figures" else "quarantined"
        files = self._files(table)
        records = files.filter(pl.col("problem").is_null())["num_records"].sum()
        clean = files["problem"].null_count() == files.height
        if clean and winners.height == sources.height and records == sources[column].sum():
            return None
        return winners.select("batch_id", "source_file")

    def counts(self, table: str, keys: Sequence[str]) -> pl.DataFrame:
        """How many visible rows of ``table`` hold each combination of ``keys`` (``rows``).

        A data file never changes once written, so the counts of each file are kept beside
        the tables the first time they are read (``Store.counts_path``), and when every row
        is visible (the common case) their sum is the answer: a status reads only the files
        added since the last one, however large the table. Otherwise (rows of a killed or
        losing writer, a damaged file, batch folders, an object store) the rows are
        grouped."""
        keys = list(keys)
        files = self._files(table)
        everything = (
            self.visible_keys(table) is None
            and files["problem"].null_count() == files.height
            and not self.legacy
            and self._known_at is None
            and self._store.url is None
        )
        if not everything:
            return self.read(table).group_by(keys).agg(pl.len().alias("rows")).collect()
        uris = files["uri"].to_list()
        wanted = pl.DataFrame({"file": [u.rsplit("/", 1)[-1] for u in uris], "uri": uris})
        kept = self._store._file_counts(table, keys)
        known = kept.join(wanted.select("file"), on="file", how="semi")
        missing = wanted.join(known.select("file").unique(), on="file", how="anti")
        if missing.height:
            paths = missing["uri"].to_list()
            fresh = (
                pl.scan_parquet(paths, glob=False, include_file_paths="uri")
                .select("uri", *keys)
                .group_by("uri", *keys)
                .agg(pl.len().cast(pl.Int64).alias("rows"))
                .join(missing.lazy(), on="uri")
                .select("file", *keys, "rows")
                .collect()
            )
            known = pl.concat([known, fresh.cast(known.schema)])
            self._store._save_file_counts(table, known)
        return known.group_by(keys).agg(pl.col("rows").sum())

    def read(self, table: str) -> pl.LazyFrame:
        """``table``'s visible rows, in the store's schema."""
        if table == "sources":
            return self.sources()
        keys = ["batch_id", "source_file"]
        frame = _scan(self.files(table), _SCHEMAS[table], self._store.storage_options)
        visible = self.visible_keys(table)
        if visible is not None:
            frame = frame.join(visible.lazy(), on=keys, how="semi")
        if not self.legacy:
            return frame
        legacy = _scan(self.legacy.get(table, []), _SCHEMAS[table])
        legacy = legacy.join(self._legacy_sources().select(keys), on=keys, how="semi")
        return pl.concat([frame, legacy])


def _column(actions: pl.DataFrame, name: str) -> pl.Series:
    if name in actions.columns:
        return actions[name].cast(pl.String)
    return pl.Series(name, [None] * actions.height, pl.String())


_FILES: dict[str, pl.DataType] = {
    "path": pl.String(),
    "size": pl.Int64(),
    "num_records": pl.Int64(),
    "low": pl.String(),
    "high": pl.String(),
    "sha_low": pl.String(),
    "sha_high": pl.String(),
}
"""A table's data files as a reader needs them: the path in the table, size, rows, and the
range of ``batch_id`` (which batches a damaged file held) and of ``sha256`` (sources)."""


def _base(delta: DeltaTable) -> str:
    """The table's folder as delta-rs begins its files' uris (``/abs/path/figures/``)."""
    base = delta.table_uri.removeprefix("file://")
    return base if base.endswith("/") else base + "/"


def _files_of(delta: DeltaTable) -> pl.DataFrame:
    """``delta``'s data files (``_FILES``) and each one's ``uri`` as delta-rs gives it."""
    actions = pl.DataFrame(delta.get_add_actions(flatten=True))
    by_name = {uri.rsplit("/", 1)[-1]: uri for uri in delta.file_uris()}
    frame = pl.DataFrame(
        {
            "path": actions["path"],
            "size": actions["size_bytes"],
            "num_records": actions["num_records"],
            "low": _column(actions, "min.batch_id"),
            "high": _column(actions, "max.batch_id"),
            "sha_low": _column(actions, "min.sha256"),
            "sha_high": _column(actions, "max.sha256"),
        },
        schema=_FILES,
    )
    uris = [by_name.get(p.rsplit("/", 1)[-1], p) for p in frame["path"]]
    return frame.with_columns(pl.Series("uri", uris, pl.String()))
