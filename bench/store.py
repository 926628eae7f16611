"""Store benchmark: what a store costs after many small runs, against its cost after 100.

    python bench/store.py [--runs 100,1000] [--figures 20] [--repeat 3] [--never-compact]
    python bench/store.py --runs 100,1000,10000 --fill commit   # the long mode

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
Every line prints the cost and its ratio to the cost at the first checkpoint, measured in
the same run. Targets (issue 12): at the last checkpoint, after compaction, each of status,
query and ingest <= 1.5x its cost at 100 runs; before compaction <= 3x.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import random
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import polars as pl

import humstats.store
from humstats.query import query
from humstats.report import render_report
from humstats.run import IngestResult, ingest
from humstats.status import store_status
from humstats.store import SOURCE_DTYPES, Store, new_batch_id

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
        self, work: Path, figures: int, repeat: int, auto_compact: bool, fill: str
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

    def after_run(self) -> None:
        self.runs += 1
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

    def timed(self, operation: Callable[[], object]) -> float:
        """Best of ``repeat`` after one untimed call (imports, caches): on two shared cores
        the minimum is what the store costs, the rest is other processes."""
        operation()
        samples = []
        for _ in range(self.repeat):
            started = time.perf_counter()
            operation()
            samples.append(time.perf_counter() - started)
        return min(samples)

    def checkpoint(self) -> dict[str, float]:
        out = self.work / "reports"
        return {
            "status": self.timed(lambda: store_status(self.data)),
            "query": self.timed(lambda: query(self.data, FILTERED, PARAMS)),
            "report": self.timed(
                lambda: render_report(
                    Store(self.data).figures(),
                    Store(self.data).quarantine(),
                    period=REPORT_PERIOD,
                    out_dir=out,
                )
            ),
            "ingest": self.timed(self.ingest_one),
        }


def data_files(data: Path) -> int:
    return sum(1 for _ in (data / "processed").rglob("*.parquet"))


def active_files(data: Path) -> int | None:
    count = getattr(Store(data), "data_files", None)
    return count() if count is not None else None


def describe(label: str, costs: dict[str, float], base: dict[str, float] | None) -> str:
    parts = []
    for name in OPERATIONS:
        ratio = f" ({costs[name] / base[name]:.2f}x)" if base else ""
        parts.append(f"{name} {costs[name] * 1000:7.1f} ms{ratio}")
    return f"{label:28} " + "   ".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", default="100,1000", help="checkpoints, comma-separated")
    parser.add_argument("--figures", type=int, default=20, help="figures per ingest")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--never-compact", action="store_true")
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
    args = parser.parse_args()
    if args.partition:
        humstats.store.PARTITION_BY = {"figures": (args.partition,)}
    checkpoints = sorted(int(n) for n in args.runs.split(","))
    can_compact = hasattr(Store, "compact")
    print(
        f"layout: {humstats.store.__doc__.splitlines()[0]}\n"
        f"{args.figures} figures per ingest; best of {args.repeat}; "
        f"{'auto-compaction on' if can_compact and not args.never_compact else 'no compaction'}"
        f"{'; figures partitioned by ' + args.partition if args.partition else ''}"
        f"; filled by {args.fill}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        bench = Bench(Path(tmp), args.figures, args.repeat, not args.never_compact, args.fill)
        base: dict[str, float] | None = None
        base_after: dict[str, float] | None = None
        for runs in checkpoints:
            spent = bench.fill(runs)
            print(f"-- {runs:,} runs (built in {spent:.1f} s)")
            costs = bench.checkpoint()
            print(describe("as built", costs, base))
            files = active_files(bench.data)
            active = f", {files:,} active" if files is not None else ""
            print(f"   data files on disk: {data_files(bench.data):,}{active}")
            base = base or costs
            if can_compact:
                started = time.perf_counter()
                Store(bench.data).compact()
                print(f"   compacted in {time.perf_counter() - started:.2f} s")
                after = bench.checkpoint()
                print(describe("after compaction", after, base_after))
                files = active_files(bench.data)
                print(f"   data files on disk: {data_files(bench.data):,}, {files:,} active")
                base_after = base_after or after
        if len(checkpoints) > 1:
            last = costs
            verdict = ", ".join(
                f"{name} {last[name] / base[name]:.2f}x (<= 3.0)" for name in TARGETED
            )
            print(f"as built, {checkpoints[-1]:,} vs {checkpoints[0]:,} runs: {verdict}")
            if can_compact and base_after:
                verdict = ", ".join(
                    f"{name} {after[name] / base[name]:.2f}x (<= 1.5)" for name in TARGETED
                )
                print(f"compacted, {checkpoints[-1]:,} vs {checkpoints[0]:,} runs: {verdict}")


if __name__ == "__main__":
    main()
