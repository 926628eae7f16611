"""Benchmark: reports and aggregations over a store of about a million figures.

Generates 3 years × 200 locations × 6 indicators of daily figures (a share of days missing,
a second publisher on some days) as Parquet, then times, in one run:

- ``render_report`` for one month to HTML, and to PDF (targets: 3 s and 8 s on 2 cores);
- ``aggregate.latest`` and ``aggregate.discrepancies`` over the whole Parquet file, each next
  to a bare polars ``group_by`` over the same file and keys as the floor (target: ≤ 3×).

Run: ``python bench/report.py [--keep DIR]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import polars as pl

from humstats import aggregate, schema
from humstats.report import render_report

COUNTRIES = ("SYR", "SDN", "UKR", "COD")
LOCATIONS_PER_COUNTRY = 50  # one national, 49 provinces
INDICATORS = {
    "killed": "stock",
    "injured": "flow",
    "displaced": "stock",
    "refugees": "stock",
    "in_need": "stock",
    "population": "stock",
}
FIRST_DAY, DAYS = dt.date(2022, 1, 1), 3 * 365 + 1
KEPT_SHARE, SECOND_SOURCE_SHARE = 0.72, 0.06
MONTH = "2024-06"


def generate(seed: int = 7) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Figures and a quarantine with the store's columns and dtypes."""
    rng = np.random.default_rng(seed)
    places = pl.DataFrame(
        {
            "country_iso3": [c for c in COUNTRIES for _ in range(LOCATIONS_PER_COUNTRY)],
            "number": [i for _ in COUNTRIES for i in range(LOCATIONS_PER_COUNTRY)],
        }
    ).with_columns(
        admin_level=pl.when(pl.col("number") == 0).then(0).otherwise(1).cast(pl.Int8),
        location_name=pl.when(pl.col("number") == 0)
        .then(None)
        .otherwise(pl.format("Province {}", pl.col("number"))),
        pcode=pl.when(pl.col("number") == 0)
        .then(None)
        .otherwise(pl.col("country_iso3").str.slice(0, 2) + pl.col("number").cast(pl.String)),
    )
    indicators = pl.DataFrame({"indicator": list(INDICATORS), "measure": list(INDICATORS.values())})
    days = pl.DataFrame(
        {"day": pl.date_range(FIRST_DAY, FIRST_DAY + dt.timedelta(DAYS - 1), eager=True)}
    )
    grid = places.join(indicators, how="cross").join(days, how="cross")
    grid = grid.filter(pl.Series(rng.random(grid.height) < KEPT_SHARE))
    second = grid.filter(pl.Series(rng.random(grid.height) < SECOND_SOURCE_SHARE))
    n_main, n_second = grid.height, second.height
    base = rng.integers(1_000, 400_000, n_main + n_second)
    noise = np.concatenate([np.ones(n_main), rng.uniform(0.7, 1.3, n_second)])
    figures = (
        pl.concat(
            [
                grid.with_columns(publisher=pl.lit("OCHA")),
                second.with_columns(publisher=pl.lit("Daily Courier")),
            ]
        )
        .with_row_index("row")
        .with_columns(
            value=pl.when(pl.col("measure") == "flow")
            .then(pl.Series(base // 1_000))
            .otherwise(pl.Series(base) + pl.col("day").dt.ordinal_day() * 10)
            .mul(pl.Series(noise))
            .cast(pl.Int64),
        )
        .select(
            figure_id=pl.format("bench-{}", pl.col("row")),
            indicator="indicator",
            measure="measure",
            value="value",
            value_low=pl.lit(None, pl.Int64),
            value_high=pl.lit(None, pl.Int64),
            qualifier=pl.lit("exact"),
            unit=pl.lit("people"),
            location_name="location_name",
            country_iso3="country_iso3",
            admin_level="admin_level",
            pcode="pcode",
            period_start="day",
            period_end="day",
            date_precision=pl.lit("day"),
            published_date=pl.col("day") + pl.duration(days=2),
            publisher="publisher",
            attributed_to=pl.lit(None, pl.String),
            source_url=pl.format("https://example.org/{}/{}", pl.col("publisher"), pl.col("day")),
            source_file=pl.format("raw/{}.csv", pl.col("day")),
            quote=pl.format(
                "{} {} in {}: {}",
                pl.col("indicator"),
                pl.col("measure"),
                pl.coalesce("location_name", "country_iso3"),
                pl.col("value"),
            ),
            span_start=pl.lit(None, pl.Int64),
            span_end=pl.lit(None, pl.Int64),
            method=pl.lit("table"),
            confidence=pl.lit(1.0),
            batch_id=pl.lit("bench"),
            ingested_at=pl.lit(dt.datetime(2025, 1, 1, tzinfo=dt.UTC)),
        )
        # Every generated figure is a total (no sex, age or cause split, not a projection).
        .with_columns(
            pl.lit(value, schema.DTYPES[name]).alias(name)
            for name, value in schema.BREAKDOWN_DEFAULTS.items()
        )
        .select(schema.COLUMNS)
        .cast(schema.DTYPES)
    )
    quarantine = (
        figures.head(2_000)
        .select(pl.all().cast(pl.String))
        .with_columns(
            check=pl.when(pl.col("figure_id").str.ends_with("7"))
            .then(pl.lit("unknown-country"))
            .otherwise(pl.lit("unparseable-number")),
            reason=pl.format("value {} rejected", pl.col("value")),
            column=pl.lit("value"),
            failing_value="value",
            input_row=pl.int_range(pl.len()).cast(pl.Int64),
            raw=pl.lit("{}"),
        )
        .select(schema.QUARANTINE_COLUMNS)
    )
    return figures, quarantine


def best(function: Callable[[], object], runs: int) -> float:
    """Fastest wall-clock time of ``runs`` calls: the least disturbed by other processes."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def cpu(function: Callable[[], object]) -> float:
    """CPU seconds of this process for one call (all threads): a check on wall times taken
    while other jobs share the cores."""
    start = time.process_time()
    function()
    return time.process_time() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep", type=Path, help="write the Parquet and reports here")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    folder = args.keep or Path(tempfile.mkdtemp(prefix="humstats-bench-"))
    folder.mkdir(parents=True, exist_ok=True)

    start = time.perf_counter()
    figures, quarantine = generate()
    figures_path, quarantine_path = folder / "figures.parquet", folder / "quarantine.parquet"
    figures.write_parquet(figures_path)
    quarantine.write_parquet(quarantine_path)
    print(f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}")
    print(
        f"store: {figures.height:,} figures, {quarantine.height:,} quarantined, "
        f"{figures_path.stat().st_size / 1e6:.1f} MB Parquet "
        f"(generated in {time.perf_counter() - start:.1f} s)"
    )
    del figures

    def scan() -> pl.LazyFrame:
        return pl.scan_parquet(figures_path)

    raw_keys = list(aggregate.RAW_KEYS)
    period_keys = [*raw_keys, "period_start", "period_end"]

    def floor_latest() -> object:
        return scan().group_by(raw_keys).agg(pl.col("period_end").max()).collect()

    def floor_discrepancies() -> object:
        return (
            scan()
            .group_by(period_keys)
            .agg(pl.col("value").min().alias("low"), pl.col("value").max().alias("high"))
            .collect()
        )

    timings = {
        "floor: group_by location×indicator, max period_end": best(floor_latest, args.runs),
        "aggregate.latest": best(lambda: aggregate.latest(scan()).collect(), args.runs),
        "floor: group_by location×indicator×period, min/max value": best(
            floor_discrepancies, args.runs
        ),
        "aggregate.discrepancies": best(
            lambda: aggregate.discrepancies(scan()).collect(), args.runs
        ),
    }
    rows = len(aggregate.latest(scan()).collect())
    found = len(aggregate.discrepancies(scan()).collect())
    names = list(timings)
    for name in names:
        print(f"{name:<60} {timings[name]:7.3f} s")
    ratio_latest = timings[names[1]] / timings[names[0]]
    ratio_disc = timings[names[3]] / timings[names[2]]
    print(f"latest: {rows:,} values, {ratio_latest:.2f}× its floor (target ≤ 3×)")
    print(
        f"discrepancies: {found:,} found, {ratio_disc:.2f}× its floor (target ≤ 3×), "
        f"{timings[names[3]] / timings[names[0]]:.2f}× the location×indicator floor"
    )

    out = folder / "reports"
    for fmt, target in (("html", 3.0), ("pdf", 8.0)):

        def run(fmt: str = fmt) -> list[Path]:
            return render_report(
                scan(),
                pl.scan_parquet(quarantine_path),
                period=MONTH,
                formats=(fmt,),
                out_dir=out,
            )

        seconds = best(run, 2 if fmt == "pdf" else args.runs)
        cpu_seconds = cpu(run)
        paths = run()
        size = paths[0].stat().st_size / 1e6
        print(
            f"report --period {MONTH} --format {fmt:<4} {seconds:7.3f} s "
            f"(target ≤ {target:.0f} s; {cpu_seconds:.2f} s CPU) -> {paths[0]} ({size:.1f} MB)"
        )
        country = render_report(
            scan(),
            pl.scan_parquet(quarantine_path),
            period=MONTH,
            country="SYR",
            formats=(fmt,),
            out_dir=out,
        )
        print(f"  and for one country (--country SYR): {country[0]}")


if __name__ == "__main__":
    main()
