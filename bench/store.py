"""Store benchmark: what a store costs after many small runs, against its cost after 100.

    python bench/store.py [--runs 100,1000] [--figures 20] [--repeat 5] [--never-compact]
    python bench/store.py --runs 100,1000,10000                # the long mode (about an hour)
    python bench/store.py --runs 100 --against DATA            # a store built elsewhere

One store is built by ``--figures``-row ingests, in-process and one after another, as
``humstats run`` does every hour. When the number of runs reaches each checkpoint, four
operations are timed (the best of ``--repeat`` after one untimed call, each on freshly
opened objects, as a new command would see the store):

- ``status``  ``humstats.status.store_status`` (counts by indicator, country, publisher);
- ``query``   a filtered ``humstats query`` (one country and indicator since a date);
- ``report``  an HTML report for one month, every country;
- ``ingest``  one more small ingest (which stays in the store).

If the store can compact (``Store.compact``), the checkpoint is timed again after a full
compaction; runs in between compact themselves when the file count passes the threshold,
as ``humstats run`` does (``--never-compact`` turns that off, to show the cost without it).

The baseline is measured side by side: at the first checkpoint the store is copied (as
built, and again after compaction), and at every checkpoint each operation runs on the
copy and on the grown store in turn, so both see the same load from other processes (on
two shared cores a baseline timed an hour earlier is a different machine). The ratio at
the first checkpoint compares the store with its own copy: it shows the noise. Targets
(issue 12): at the last checkpoint, after compaction, each of status, query and ingest
<= 1.5x its cost at 100 runs (compacted); before compaction <= 3x (as built).

``--log-retain HOURS`` compacts with the tables' logs kept that long rather than the default
minute (``Store.compact(log_retention=...)``; ``--log-retain 168`` keeps them as long as
the files, as before the store recorded its versions): in a burst every log entry younger
than that stays, and every open and commit lists them all.

``--against DATA`` times a copy of a store built elsewhere (a year of real runs, or the
store of a long run kept with ``--keep``) against a fresh one of the first checkpoint.

``--hourly`` models runs an hour apart rather than the bench's burst (10,000 runs in about
half an hour, where no log entry is ever old enough to expire): after each run, every entry
of the tables' ``_delta_log`` folders is given the modification time it would have if the
runs so far had come an hour apart (the run that wrote it N runs ago: N hours old). Compaction
deletes log entries by that time (``delta.logRetentionDuration``, the ``--retain`` window), so
the log holds about a week of runs, as in hourly use. Each file compaction replaces leaves a
tombstone that every checkpoint carries for a week (``delta.deletedFileRetentionDuration``),
and every open of a table reads it (2,000 cost about 2 ms an open): before each timed
checkpoint that week is set to the real time the last 168 runs took, and a checkpoint
written, so the checkpoint holds a week of runs' tombstones, as in hourly use. What is not
modelled: the commits' own timestamps and the rows' ``ingested_at`` stay real (no timed
operation reads them).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import os
import random
import shutil
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import polars as pl
from deltalake import DeltaTable

import humstats.store
from humstats.query import query
from humstats.report import render_report
from humstats.run import IngestResult, ingest
from humstats.status import store_status
from humstats.store import SOURCE_DTYPES, TABLES, Store, new_batch_id

WEEK = 7 * 24
"""Runs in a week of hourly runs: how long Delta keeps a removed file's tombstone."""

COUNTRIES = ("SDN", "SYR", "UKR", "YEM", "COD")
INDICATORS = ("killed", "injured", "displaced", "in_need")
MAPPING = """\
[constants]
publisher = "OCHA"
measure = "stock"
"""
FILTERED = (
    "SELECT location_name, count(*) AS figures, max(value) AS highest FROM figures "
    "WHERE country_iso3 = $country AND indicator = $indicator AND period_end >= $since "
    "GROUP BY ALL ORDER BY highest DESC"
)
PARAMS = {"country": "SDN", "indicator": "displaced", "since": "2025-01-01"}
FIRST_DAY = dt.date(2024, 1, 1)
REPORT_PERIOD = "2025-06"
OPERATIONS = ("status", "query", "report", "ingest")
TARGETED = ("status", "query", "ingest")
PROGRESS = 500


def write_input(path: Path, run: int, figures: int, rng: random.Random) -> None:
    """One hourly input: ``figures`` rows of long HXL, a day further on for every 24 runs, so
    a long store spans years of reference dates (as a year of hourly runs would)."""
    day = FIRST_DAY + dt.timedelta(days=(run // 24) % 900)
    lines = [
        "Date,Published,Country,Province,Pcode,Indicator,Value",
        "#date,#date+reported,#country+code,#adm1+name,#adm1+code,#indicator+name,#indicator+value",
    ]
    for row in range(figures):
        country = COUNTRIES[row % len(COUNTRIES)]
        province = f"Province {row % 7}"
        indicator = INDICATORS[(row // len(COUNTRIES)) % len(INDICATORS)]
        value = rng.randrange(0, 500_000)
        lines.append(
            f"{day},{day},{country},{province},{country[:2]}{row % 7:02d},{indicator},{value}"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


class Bench:
    def __init__(
        self,
        work: Path,
        figures: int,
        repeat: int,
        auto_compact: bool,
        fill: str,
        hourly: bool = False,
    ) -> None:
        self.work = work
        self.data = work / "data"
        self.inbox = work / "inbox"
        self.inbox.mkdir()
        self.mapping = work / "mapping.toml"
        self.mapping.write_text(MAPPING)
        self.figures = figures
        self.repeat = repeat
        self.auto_compact = auto_compact
        self.runs = 0
        self.rng = random.Random(12)
        self.fill_by = fill
        self.template: IngestResult | None = None
        self.hourly = hourly
        self.written: dict[str, int] = {}
        """Each log entry seen (``--hourly``) and the run that wrote it."""
        self.finished: list[float] = []
        """When each run of this bench finished (``--hourly``)."""

    def copy(self, work: Path, seed: int) -> Bench:
        """Another bench over a copy of this store (its ingests made of other numbers)."""
        work.mkdir()
        twin = Bench(work, self.figures, self.repeat, self.auto_compact, self.fill_by, self.hourly)
        shutil.copytree(self.data, twin.data, symlinks=True)  # log entries keep their times
        twin.runs, twin.rng = self.runs, random.Random(seed)
        return twin

    def ingest_one(self) -> None:
        path = self.inbox / f"run-{self.runs:06d}.csv"
        write_input(path, self.runs, self.figures, self.rng)
        result = ingest([path], data_dir=self.data, mapping=self.mapping)
        assert result.committed and not result.failed, result.inputs
        path.unlink()
        self.after_run()

    def commit_one(self) -> None:
        """What ``ingest_one`` stores, committed directly: the same rows, commits and files
        for the store, without reading and validating a CSV each time (``--fill commit``)."""
        if self.template is None:
            path = self.inbox / "template.csv"
            write_input(path, 0, self.figures, self.rng)
            self.template = ingest([path], data_dir=self.data, mapping=self.mapping, dry_run=True)
        sha = hashlib.sha256(f"run {self.runs}".encode()).hexdigest()
        batch_id = new_batch_id()
        now = dt.datetime.now(dt.UTC)
        shift = dt.timedelta(days=(self.runs // 24) % 900)
        stamp = [
            pl.lit(f"raw/{sha[:2]}/{sha}.csv").alias("source_file"),
            pl.lit(batch_id).alias("batch_id"),
            pl.lit(now).alias("ingested_at"),
        ]
        figures = self.template.figures.with_columns(
            *stamp,
            pl.concat_str(pl.lit(sha[:16]), pl.int_range(pl.len()), separator=":").alias(
                "figure_id"
            ),
            pl.Series("value", [self.rng.randrange(0, 500_000) for _ in range(self.figures)]),
            *(pl.col(c) + shift for c in ("period_start", "period_end", "published_date")),
        )
        sources = pl.DataFrame(
            [
                {
                    "sha256": sha,
                    "source_file": f"raw/{sha[:2]}/{sha}.csv",
                    "original_name": f"run-{self.runs:06d}.csv",
                    "size": 1000,
                    "kind": "table",
                    "publisher": "OCHA",
                    "figures": figures.height,
                    "quarantined": 0,
                    "batch_id": batch_id,
                    "ingested_at": now,
                }
            ],
            schema=SOURCE_DTYPES,
        )
        store = Store(self.data)
        with store.lock():
            store.commit(batch_id, figures, self.template.quarantine.clear(), sources)
        self.after_run()

    def age_log(self) -> None:
        """``--hourly``: date every log entry as if the runs had come an hour apart."""
        now, present = time.time(), {}
        for table in humstats.store.TABLES:
            folder = Store(self.data).table_path(table) / "_delta_log"
            if not folder.is_dir():
                continue
            for entry in os.scandir(folder):
                run = present[entry.path] = self.written.get(entry.path, self.runs)
                if run < self.runs:
                    age = now - (self.runs - run) * 3600
                    os.utime(entry.path, (age, age))
        self.written = present

    def expire_tombstones(self) -> None:
        """``--hourly``: keep the tombstones of the last week of runs, not of the whole burst
        (the table property, then a checkpoint that applies it)."""
        if len(self.finished) <= WEEK:
            return  # nothing is a week old
        seconds = max(1, int(time.time() - self.finished[-WEEK]))
        for table in TABLES:
            path = Store(self.data).table_path(table)
            if (path / "_delta_log").is_dir():
                delta = DeltaTable(str(path))
                delta.alter.set_table_properties(
                    {"delta.deletedFileRetentionDuration": f"interval {seconds} seconds"}
                )
                DeltaTable(str(path)).create_checkpoint()

    def after_run(self) -> None:
        self.runs += 1
        if self.hourly:
            self.finished.append(time.time())
            self.age_log()
        if self.auto_compact:
            maybe_compact = getattr(Store(self.data), "compact_if_needed", None)
            if maybe_compact is not None:
                maybe_compact()

    def fill(self, runs: int) -> float:
        """Add runs up to ``runs``, printing the pace every ``PROGRESS`` runs: how the cost of
        one run (ingest and automatic compaction) moves as the store grows."""
        started = lap = time.perf_counter()
        while self.runs < runs:
            self.commit_one() if self.fill_by == "commit" else self.ingest_one()
            if self.runs % PROGRESS == 0:
                now = time.perf_counter()
                print(f"   {self.runs:,} runs: {(now - lap) / PROGRESS * 1000:.0f} ms a run")
                lap = now
        return time.perf_counter() - started

    def operations(self) -> dict[str, Callable[[], object]]:
        out = self.work / "reports"
        return {
            "status": lambda: store_status(self.data),
            "query": lambda: query(self.data, FILTERED, PARAMS),
            "report": lambda: render_report(
                Store(self.data).figures(),
                Store(self.data).quarantine(),
                period=REPORT_PERIOD,
                out_dir=out,
            ),
            "ingest": self.ingest_one,
        }


def side_by_side(bench: Bench, base: Bench) -> tuple[dict[str, float], dict[str, float]]:
    """Each operation on ``bench`` and on ``base`` in turn, ``repeat`` times after one
    untimed call each (imports, caches); the best of each: on shared cores the minimum is
    what the store costs, the rest is other processes."""
    costs: dict[str, float] = {}
    ref: dict[str, float] = {}
    # no automatic compaction while timing: a store measured "as built" stays so throughout
    auto = bench.auto_compact, base.auto_compact
    bench.auto_compact = base.auto_compact = False
    mine, theirs = bench.operations(), base.operations()
    for name in OPERATIONS:
        mine[name](), theirs[name]()
        samples: dict[str, list[float]] = {"mine": [], "theirs": []}
        for _ in range(bench.repeat):
            for who, operation in (("mine", mine[name]), ("theirs", theirs[name])):
                started = time.perf_counter()
                operation()
                samples[who].append(time.perf_counter() - started)
        costs[name], ref[name] = min(samples["mine"]), min(samples["theirs"])
    bench.auto_compact, base.auto_compact = auto
    return costs, ref


def data_files(data: Path) -> int:
    return sum(1 for _ in (data / "processed").rglob("*.parquet"))


def log_entries(data: Path) -> int:
    """Entries in the tables' ``_delta_log`` folders: what every open of a table lists."""
    folders = (data / "processed" / table / "_delta_log" for table in humstats.store.TABLES)
    return sum(len(os.listdir(f)) for f in folders if f.is_dir())


def describe(label: str, costs: dict[str, float], base: dict[str, float]) -> str:
    parts = []
    for name in OPERATIONS:
        ratio = f" ({costs[name] / base[name]:.2f}x of {base[name] * 1000:.0f})"
        parts.append(f"{name} {costs[name] * 1000:6.1f} ms{ratio}")
    return f"{label:28} " + "   ".join(parts)


def listing(data: Path, repeat: int = 5) -> float:
    """What delta-rs pays to list the figures table's ``_delta_log`` once: the best of
    ``repeat`` updates that find no new commit. Opening a table lists it, and so does each
    commit, twice (before, for a newer version; after, to update the table): an ingest lists
    each table it writes three times, which is how its cost grows with the log."""
    table = DeltaTable(str(Store(data).table_path("figures")))
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        table.update_incremental()
        best = min(best, time.perf_counter() - started)
    return best


def on_disk(data: Path) -> str:
    """What the store holds on disk: every data file kept for time travel, the active ones,
    and the log entries each open lists (and what one listing costs)."""
    return (
        f"   data files on disk: {data_files(data):,}, "
        f"{Store(data).data_files():,} active; {log_entries(data):,} log entries "
        f"(one listing of the figures log: {listing(data) * 1000:.1f} ms)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", default="100,1000", help="checkpoints, comma-separated")
    parser.add_argument("--figures", type=int, default=20, help="figures per ingest")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--never-compact", action="store_true")
    parser.add_argument(
        "--hourly",
        action="store_true",
        help="date the log as if the runs came an hour apart (see the module docstring)",
    )
    parser.add_argument(
        "--fill",
        choices=["ingest", "commit"],
        default="ingest",
        help="build the store by ingests, or by committing the same rows directly (faster; "
        "the timed operations are the same either way)",
    )
    parser.add_argument(
        "--partition", metavar="COLUMN", help="partition the figures table by this column"
    )
    parser.add_argument("--against", type=Path, metavar="DATA", help="time this store")
    parser.add_argument("--keep", type=Path, metavar="DIR", help="keep the stores in DIR")
    parser.add_argument(
        "--grow",
        type=Path,
        metavar="DATA",
        help="grow a copy of the store at DATA (its inputs count as runs) instead of an empty one",
    )
    parser.add_argument(
        "--log-retain",
        type=float,
        metavar="HOURS",
        help="keep the tables' logs this long at each checkpoint's compaction, not a minute "
        "(Store.compact's log_retention: what a burst pays for its log)",
    )
    parser.add_argument(
        "--zorder",
        action="store_true",
        help="cluster the whole table at each checkpoint's compaction (what it would cost "
        "if compaction were not incremental)",
    )
    args = parser.parse_args()
    if args.partition:
        humstats.store.PARTITION_BY = {"figures": (args.partition,)}
    checkpoints = sorted(int(n) for n in args.runs.split(","))
    kept = None if args.log_retain is None else dt.timedelta(hours=args.log_retain)
    print(
        f"layout: {humstats.store.__doc__.splitlines()[0]}\n"
        f"{args.figures} figures per ingest; best of {args.repeat}; "
        f"{'no compaction' if args.never_compact else 'auto-compaction on'}"
        f"{'; figures partitioned by ' + args.partition if args.partition else ''}"
        f"; filled by {args.fill}; baseline measured side by side"
        f"; {'runs modelled an hour apart' if args.hourly else 'runs in one burst'}"
        f"{'' if kept is None else f'; logs kept {args.log_retain:g} hours at compaction'}"
    )
    if args.keep:
        args.keep.mkdir(parents=True)
    with tempfile.TemporaryDirectory() as tmp:
        work = args.keep or Path(tmp)
        (work / "store").mkdir()
        bench = Bench(
            work / "store",
            args.figures,
            args.repeat,
            not args.never_compact,
            args.fill,
            args.hourly,
        )
        built = compacted = None
        if args.grow:  # the baseline from scratch, the grown store from the copy
            (work / "first").mkdir()
            first = Bench(work / "first", args.figures, args.repeat, True, args.fill, args.hourly)
            first.fill(checkpoints[0])
            built = first.copy(work / "base-built", seed=1)
            Store(first.data).compact(log_retention=kept)
            compacted = first.copy(work / "base-compacted", seed=2)
            shutil.copytree(args.grow, bench.data, symlinks=True)
            bench.runs = Store(bench.data).sources().collect().height
            bench.rng = random.Random(bench.runs)
            print(f"-- grown from {args.grow}: {bench.runs:,} inputs")
        verdicts: list[str] = []
        for runs in [*checkpoints, *(["given"] if args.against else [])]:
            if runs != "given" and runs <= bench.runs:
                continue
            if runs == "given":
                (work / "given").mkdir()
                bench = Bench(work / "given", args.figures, args.repeat, False, args.fill)
                shutil.copytree(args.against, bench.data, symlinks=True)
                runs = bench.runs = Store(bench.data).sources().collect().height
                print(f"-- {args.against}: {runs:,} inputs")
            else:
                spent = bench.fill(runs)
                print(f"-- {runs:,} runs (built in {spent:.1f} s)")
                if bench.hourly:
                    bench.expire_tombstones()
            built = built or bench.copy(work / "base-built", seed=1)
            costs, ref = side_by_side(bench, built)
            print(describe("as built", costs, ref))
            print(on_disk(bench.data))
            started = time.perf_counter()
            done = Store(bench.data).compact(
                zorder=True if args.zorder else None, log_retention=kept
            )
            print(
                f"   compacted in {time.perf_counter() - started:.2f} s "
                f"({done.files_before:,} -> {done.files_after:,} files)"
            )
            if compacted is None:
                compacted = bench.copy(work / "base-compacted", seed=2)
            after, ref_after = side_by_side(bench, compacted)
            print(describe("after compaction", after, ref_after))
            print(on_disk(bench.data))
            verdicts = [
                "as built: "
                + ", ".join(f"{n} {costs[n] / ref[n]:.2f}x (<= 3.0)" for n in TARGETED),
                "compacted: "
                + ", ".join(f"{n} {after[n] / ref_after[n]:.2f}x (<= 1.5)" for n in TARGETED),
            ]
        print(f"at the last checkpoint, against {checkpoints[0]:,} runs measured beside it:")
        for line in verdicts:
            print("  " + line)


if __name__ == "__main__":
    main()
