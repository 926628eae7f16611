"""Ingest benchmark: humstats against bare polars (the floor) and pandas + pandera (what a
user would otherwise write), on one generated 1,000,000-row HXL CSV, side by side.

    python bench/ingest.py [--rows N] [--repeat K] [--baseline SRC]

Each contender runs in its own process so that its peak memory (max RSS, after the imports
and the first run) is its own; wall time is the best of ``--repeat`` runs of the work alone
(imports excluded), CPU time that of the same run (all threads: on a shared machine it moves
less than wall time). Targets (issue 12): b/a <= 2.0, c/b >= 5, peak memory of b <= 2x a's.

(b) runs as humstats is installed: pandas and hypothesis, in this environment only for (c)
and the tests, are hidden from it (pandera imports pandas whenever it can, +50 MiB).
``--with-extras`` lets (b) see them. Where (b) spends its time and memory is printed by
stage: one more ingest in its own process, after a small warm-up ingest that pays for the
lazy imports, with each stage's wall time and how far the process's peak memory rose in it.

``--baseline SRC`` runs (b) and its stages once more with humstats imported from another
source tree (``git archive REV src | tar -x -C DIR``, then ``--baseline DIR/src``), in the
same run, so a change is measured side by side with what it replaces.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import importlib.abc
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

INDICATORS = ("killed", "injured", "displaced", "in_need", "food_insecure")
HXL_INDICATOR = "#indicator+name"
MAPPING = """\
# The table is long HXL (#indicator+name, #indicator+value); only its publication date is
# missing, as in most HDX exports.
[constants]
published_date = 2026-01-15
measure = "stock"
"""


def generate(path: Path, rows: int, seed: int = 7) -> None:
    """5 indicators x 200 locations x 3 years of days; 1% bad rows; a third of values "12,345"."""
    rng = random.Random(seed)
    start = dt.date(2023, 1, 1)
    locations = [(f"Province {i:03d}", f"XY{i:03d}") for i in range(200)]
    countries = ("SDN", "SYR", "UKR", "YEM", "COD")
    lines = [
        "Date,Country,Province,Pcode,Indicator,Value,Source",
        f"#date,#country+code,#adm1+name,#adm1+code,{HXL_INDICATOR},#indicator+value,#meta+source",
    ]
    for n in range(rows):
        day = start + dt.timedelta(days=(n // 1000) % 1096)
        name, pcode = locations[n % 200]
        country = countries[n % 200 // 40]
        indicator = INDICATORS[n % 5]
        value = rng.randrange(0, 2_000_000)
        cell = f'"{value:,}"' if n % 3 == 0 else str(value)
        if n % 100 == 99:  # 1% bad rows, of four kinds
            kind = (n // 100) % 4
            if kind == 0:
                cell = str(-value - 1)
            elif kind == 1:
                country = "XXX"
            elif kind == 2:
                day = dt.date(2099, 1, 1)
            else:
                cell = "n/a?"
        lines.append(f"{day.isoformat()},{country},{name},{pcode},{indicator},{cell},OCHA")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def run_floor(path: Path, work: Path) -> None:
    """(a) the least any tool must do: read the CSV, write Parquet."""
    import polars as pl

    pl.read_csv(path, skip_rows_after_header=1).write_parquet(work / "floor.parquet")


def run_humstats(path: Path, work: Path) -> None:
    """(b) what ``humstats ingest`` does, in-process: archive, parse, validate, store."""
    from humstats.run import ingest

    mapping = work / "mapping.toml"
    mapping.write_text(MAPPING)
    result = ingest([path], data_dir=work / "data", mapping=mapping)
    assert result.committed and not result.failed, result.inputs


def run_pandas(path: Path, work: Path) -> None:
    """(c) pandas + pandera (pandas backend): the same checks, written the usual way."""
    import pandas as pd
    import pandera.pandas as pa
    import pycountry

    frame = pd.read_csv(path, skiprows=[1], thousands=",", dtype=str)
    frame["value"] = pd.to_numeric(frame["Value"].str.replace(",", ""), errors="coerce")
    frame["date"] = pd.to_datetime(frame["Date"], errors="coerce")
    iso3 = {c.alpha_3 for c in pycountry.countries}
    today = pd.Timestamp(dt.date.today())
    schema = pa.DataFrameSchema(
        {
            "value": pa.Column(float, [pa.Check.ge(0), pa.Check.lt(1e10)], nullable=False),
            "Country": pa.Column(str, pa.Check.isin(iso3)),
            "Indicator": pa.Column(str, pa.Check.isin(INDICATORS)),
            "date": pa.Column("datetime64[ns]", [pa.Check.le(today)], nullable=False),
            "Source": pa.Column(str, pa.Check.str_length(min_value=1)),
        }
    )
    try:
        schema.validate(frame, lazy=True)
        bad = set()
    except pa.errors.SchemaErrors as errors:
        bad = set(errors.failure_cases["index"].dropna())
    good = frame[~frame.index.isin(bad)]
    good.to_parquet(work / "pandas.parquet")
    frame[frame.index.isin(bad)].to_parquet(work / "pandas-quarantine.parquet")


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def stage_times(path: Path, work: Path) -> dict[str, float]:
    """Where (b)'s time and memory go: one more ingest, in its own process, with a timer
    around each stage (the headline figures above come from runs without these timers), and
    how far each stage raised the process's peak memory ("<stage> MiB")."""
    import humstats.normalize
    import humstats.run
    from humstats.store import Store

    spent: dict[str, float] = {}

    def timed(owner: object, name: str, label: str) -> None:
        original = getattr(owner, name)

        def wrapper(*args: object, **kwargs: object) -> object:
            started, cpu, peak = time.perf_counter(), time.process_time(), _peak_mib()
            try:
                return original(*args, **kwargs)
            finally:
                for key, value in (
                    (label, time.perf_counter() - started),
                    (f"{label} cpu", time.process_time() - cpu),
                    (f"{label} MiB", _peak_mib() - peak),
                ):
                    spent[key] = spent.get(key, 0.0) + value

        setattr(owner, name, wrapper)

    timed(Store, "archive", "archive")
    timed(humstats.run.readers, "read", "read")
    timed(humstats.normalize, "normalize_table", "normalize")
    timed(humstats.run, "_stamp", "stamp")
    timed(humstats.run, "validate_figures", "validate")
    timed(Store, "commit", "commit")
    # a small table first pays for the lazy imports without raising the peak much
    head = work / "head.csv"
    with path.open(encoding="utf-8") as file:
        lines = [line for _, line in zip(range(5_002), file, strict=False)]
    head.write_text("".join(lines), encoding="utf-8")
    (work / "warm").mkdir()
    run_humstats(head, work / "warm")
    spent.clear()
    before = _peak_mib()
    started, cpu = time.perf_counter(), time.process_time()
    (work / "again").mkdir()
    run_humstats(path, work / "again")
    spent["total"] = time.perf_counter() - started
    spent["total cpu"] = time.process_time() - cpu
    spent["total MiB"] = _peak_mib() - before
    spent["at start MiB"] = before  # imports and the warm-up
    return spent


CONTENDERS = {"a": run_floor, "b": run_humstats, "c": run_pandas}
IMPORTS = {
    "a": ["polars"],
    "b": ["polars", "humstats.run", "humstats.normalize", "humstats.validate"],
    "c": ["pandas", "pandera.pandas", "pycountry", "pyarrow"],
}


class _NotInstalled(importlib.abc.MetaPathFinder):
    """Packages humstats does not depend on, hidden as if not installed."""

    HIDDEN = ("pandas", "hypothesis")

    def find_spec(self, name: str, path: object, target: object = None) -> None:
        if name.partition(".")[0] in self.HIDDEN:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


def child(name: str, path: Path, repeat: int, extras: bool = False) -> None:
    if name in ("b", "stages") and not extras:
        sys.meta_path.insert(0, _NotInstalled())
    if name == "stages":
        with tempfile.TemporaryDirectory(dir=path.parent) as work:
            print(json.dumps(stage_times(path, Path(work))))
        return
    for module in IMPORTS[name]:  # time the work, not the interpreter loading libraries
        importlib.import_module(module)
    best, cpu, peak_mib = float("inf"), float("inf"), 0.0
    for run in range(repeat):
        with tempfile.TemporaryDirectory(dir=path.parent) as work:
            started, started_cpu = time.perf_counter(), time.process_time()
            CONTENDERS[name](path, Path(work))
            if time.perf_counter() - started < best:
                best, cpu = time.perf_counter() - started, time.process_time() - started_cpu
        if run == 0:
            # the peak of imports and one run, as a user's one ingest would see it; later
            # runs in the same process add what the allocator kept of the earlier ones
            peak_mib = _peak_mib()
    print(json.dumps({"wall": best, "cpu": cpu, "peak_mib": peak_mib}))


def measure(
    name: str, path: Path, repeat: int, source: Path | None = None, extras: bool = False
) -> dict[str, float]:
    env = dict(os.environ)
    if source is not None:  # this tree's humstats is found before the installed one
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(source), env.get("PYTHONPATH")]))
    command = [sys.executable, __file__, "--child", name, "--file", str(path)]
    command += ["--repeat", str(repeat), *(["--with-extras"] if extras else [])]
    out = subprocess.run(
        command,
        check=True,
        capture_output=True,
        text=True,
        env=env,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure_cli(path: Path) -> float:
    with tempfile.TemporaryDirectory(dir=path.parent) as work:
        mapping = Path(work) / "mapping.toml"
        mapping.write_text(MAPPING)
        humstats = Path(sys.executable).with_name("humstats")
        started = time.perf_counter()
        subprocess.run(
            [
                str(humstats),
                "--data",
                f"{work}/data",
                "ingest",
                "--mapping",
                str(mapping),
                str(path),
            ],
            check=True,
            capture_output=True,
        )
        return time.perf_counter() - started


def _load() -> str:
    """The machine's load: on a shared machine wall times move with it, CPU times less."""
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (5 min {five:.1f}) on {os.cpu_count()} cores"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", choices=[*sorted(CONTENDERS), "stages"])
    parser.add_argument("--file", type=Path)
    parser.add_argument("--baseline", type=Path, help="another humstats source tree (its src/)")
    parser.add_argument(
        "--with-extras", action="store_true", help="let (b) import pandas and hypothesis"
    )
    args = parser.parse_args()
    if args.child:
        child(args.child, args.file, args.repeat, args.with_extras)
        return
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "bench.csv"
        generate(path, args.rows)
        size = path.stat().st_size / 2**20
        print(f"input: {args.rows:,} rows, {size:.1f} MiB HXL CSV; {_load()}")
        extras = args.with_extras
        results = {name: measure(name, path, args.repeat, extras=extras) for name in CONTENDERS}
        stages = {"b": measure("stages", path, 1, extras=extras)}
        if args.baseline:
            results["b0"] = measure("b", path, args.repeat, args.baseline, extras)
            stages["b0"] = measure("stages", path, 1, args.baseline, extras)
        cli = measure_cli(path)
    print(f"done; {_load()}")
    labels = {
        "a": "polars read_csv + write_parquet",
        "b": "humstats ingest (library)",
        "b0": f"baseline {args.baseline}",
        "c": "pandas + pandera (pandas)",
    }
    for name, label in labels.items():
        if name in results:
            r = results[name]
            print(
                f"({name}) {label[:34]:34} {r['wall']:7.3f} s   cpu {r['cpu']:7.3f} s"
                f"   peak {r['peak_mib']:7.0f} MiB"
            )
    print(f"    humstats ingest (CLI, end to end)  {cli:7.3f} s")
    for name, spent in stages.items():
        times = ", ".join(f"{k} {v:.3f}" for k, v in spent.items() if " " not in k)
        cpus = ", ".join(
            f"{k.removesuffix(' cpu')} {v:.3f}" for k, v in spent.items() if k.endswith(" cpu")
        )
        raised = ", ".join(
            f"{k.removesuffix(' MiB')} {'' if k.startswith('at start') else '+'}{v:.0f}"
            for k, v in spent.items()
            if k.endswith(" MiB")
        )
        print(f"    ({name}) by stage: {times} s")
        print(f"    ({name}) cpu by stage: {cpus} s")
        print(f"    ({name}) peak memory raised by stage: {raised} MiB")
    a, c = results["a"], results["c"]
    for name in ("b", "b0"):
        if name in results:
            b = results[name]
            print(
                f"({name}) b/a time {b['wall'] / a['wall']:.2f} (target <= 2.0), "
                f"b/a cpu {b['cpu'] / a['cpu']:.2f}, "
                f"c/b time {c['wall'] / b['wall']:.2f} (target >= 5), "
                f"b/a memory {b['peak_mib'] / a['peak_mib']:.2f} (target <= 2.0)"
            )


if __name__ == "__main__":
    main()
