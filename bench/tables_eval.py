"""Score table ingestion on real tables with hand-checked figures (the datasets-wild format).

    python bench/tables_eval.py DIR [DIR ...] [--mode none,draft,mapping] [--mappings DIR] [-v]

Each DIR is a folder of tables, one sub-folder each (or one such sub-folder itself) holding the
data file, ``expected.json`` (figures and traps, see datasets-wild/INDEX.md) and ``SOURCE.md``.
Every table is ingested as a dry run in each mode:

- ``none``: no configuration, only ``--publisher`` and ``--published`` (from expected.json, else
  the first date in SOURCE.md), as a new user would;
- ``draft``: with the mapping ``humstats map`` drafts, unedited;
- ``mapping``: with a hand-written mapping, ``mapping.toml`` in the table's folder (or
  ``<folder name>.toml`` under ``--mappings``).

A figure is found when a stored figure has its indicator, value, country and period year
(strict). Figures marked ``derived`` (a total summed from declared partitions) are scored on
their own line. A trap is stored when a *total* figure (a part stored as a part is right) sits
at the trap's row and comes from the trap's column or has the value its note quotes; a trap
cell that is also an expected figure's cell counts only when stored at another admin level; a
trap on a column the table has and whose note quotes no number cannot be scored and is left
out. The last lines compare the modes side by side, HXL and untagged tables apart.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import re
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from humstats.errors import HumstatsError
from humstats.readers import Table, read
from humstats.run import ingest
from humstats.schema import SourceMeta, is_total

MODES = ("none", "draft", "mapping")
_DATE = re.compile(r"\b(\d{4})-(\d{2})(?:-(\d{2}))?\b")
_NUMBER = re.compile(r"(?<![\w.])\d[\d,]*(?:\.\d+)?")


@dataclass
class Score:
    figures: int = 0
    found: int = 0
    derived: int = 0
    derived_found: int = 0
    traps: int = 0
    traps_stored: int = 0
    stored: int = 0
    quarantined: int = 0
    error: str | None = None
    missed: list[str] = field(default_factory=list)
    trapped: list[str] = field(default_factory=list)

    def add(self, other: Score) -> None:
        for name in ("figures", "found", "derived", "derived_found", "traps", "traps_stored"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def tables_in(folders: list[Path]) -> list[Path]:
    found = []
    for folder in folders:
        if (folder / "expected.json").exists():
            found.append(folder)
        else:
            found.extend(sorted(p.parent for p in folder.glob("*/expected.json")))
    return found


def published_of(table: Path, expected: dict) -> dt.date:
    """expected.json's ``published`` (a month means its first day), else SOURCE.md's first
    date: what a user would pass as ``--published``."""
    texts = [expected.get("published") or ""]
    source = table / "SOURCE.md"
    if source.exists():
        texts.append(source.read_text(encoding="utf-8"))
    for text in texts:
        match = _DATE.search(text)
        if match:
            year, month, day = match.groups()
            return dt.date(int(year), int(month), int(day or 1))
    raise SystemExit(f"{table}: no publication date in expected.json or SOURCE.md")


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^0-9a-z+]+", " ", text.lower()).split())


def _same_column(trap: str, origin: str) -> bool:
    a, b = _norm(trap), _norm(origin)
    return bool(a) and bool(b) and (a == b or a.startswith(b) or b.startswith(a))


def _row_offset(data_file: Path) -> int:
    """expected.json counts JSON records from 0; humstats numbers them from 1."""
    return 1 if data_file.suffix.lower() in (".json", ".ndjson") else 0


def score(table: Path, mode: str, mappings: Path | None) -> Score | None:
    expected = json.loads((table / "expected.json").read_text(encoding="utf-8"))
    data_file = table / expected["file"]
    meta = SourceMeta(publisher=expected["publisher"], published_date=published_of(table, expected))
    mapping: object | None = None
    if mode == "mapping":
        candidates = [table / "mapping.toml"]
        if mappings is not None:
            candidates.insert(0, mappings / f"{table.name}.toml")
        mapping = next((p for p in candidates if p.exists()), None)
        if mapping is None:
            return None
    elif mode == "draft":
        try:
            from humstats.normalize.draft import draft_mapping
        except ImportError:
            return None
        try:
            mapping = draft_mapping(data_file, meta).mapping
        except HumstatsError as error:
            return Score(error=str(error), **_totals(expected))
    with tempfile.TemporaryDirectory() as tmp:
        try:
            result = ingest([data_file], data_dir=tmp, mapping=mapping, meta=meta, dry_run=True)
        except HumstatsError as error:
            return Score(error=str(error), **_totals(expected))
    outcome = result.inputs[0]
    if outcome.message:
        return Score(error=outcome.message, **_totals(expected))
    figures = result.figures.with_columns(
        pl.col("figure_id").str.splitn(":", 3).struct.field("field_2").alias("origin"),
        is_total().alias("total"),
    )
    table = read(data_file)
    names = list(table.frame.columns) if isinstance(table, Table) else []
    return _score(expected, figures, result.quarantine.height, _row_offset(data_file), names)


def _totals(expected: dict) -> dict[str, int]:
    derived = sum(1 for f in expected["figures"] if f.get("derived"))
    return {
        "figures": len(expected["figures"]) - derived,
        "derived": derived,
        "traps": len(expected.get("traps", [])),
    }


def _score(
    expected: dict, figures: pl.DataFrame, quarantined: int, offset: int, names: list[str]
) -> Score:
    result = Score(stored=figures.height, quarantined=quarantined)
    keys = {
        (r["indicator"], r["value"], r["country_iso3"], r["period_end"].year)
        for r in figures.select("indicator", "value", "country_iso3", "period_end").to_dicts()
    }
    for figure in expected["figures"]:
        key = (
            figure["indicator"],
            figure["value"],
            figure["country_iso3"],
            int(str(figure["period_end"])[:4]),
        )
        hit = key in keys
        if figure.get("derived"):
            result.derived += 1
            result.derived_found += hit
        else:
            result.figures += 1
            result.found += hit
        if not hit:
            result.missed.append(f"row {figure['row']} {figure['column']}: {key}")
    cells = {(f["row"], _norm(f["column"])): f for f in expected["figures"] if not f.get("derived")}
    totals = figures.filter("total")
    for trap in expected.get("traps", []):
        row = trap["row"] + offset
        at_row = totals.filter(pl.col("span_start") == row)
        numbers = [float(n.replace(",", "")) for n in _NUMBER.findall(trap["why"])[:1]]
        real_column = not trap["column"].startswith("(") and any(
            _same_column(trap["column"], c) for c in [*names, *figures["origin"].unique().to_list()]
        )
        from_column = at_row.filter(
            pl.col("origin").map_elements(
                lambda origin, column=trap["column"]: _same_column(column, origin),
                return_dtype=pl.Boolean,
            )
        )
        overlap = next(
            (
                f
                for (r, c), f in cells.items()
                if r == trap["row"] and _same_column(c, trap["column"])
            ),
            None,
        )
        if overlap is not None:
            stored = from_column.filter(pl.col("admin_level") != overlap["admin_level"]).height > 0
        elif numbers:
            by_value = at_row.filter(pl.col("value").cast(pl.Float64).is_in(numbers))
            stored = by_value.height > 0 or from_column.height > 0
        elif not real_column:
            stored = at_row.height > 0  # a title, header or HXL row: nothing there is a figure
        else:
            continue  # a column of the table, no number to look for: not scorable
        result.traps += 1
        result.traps_stored += stored
        if stored:
            result.trapped.append(f"row {trap['row']} {trap['column']}")
    return result


def kind_of(table: Path) -> str:
    """ "hxl" for a table whose expected.json says it carries HXL, else "untagged"."""
    expected = json.loads((table / "expected.json").read_text(encoding="utf-8"))
    return "hxl" if "hxl" in expected.get("format", "").lower() else "untagged"


def summarize(
    folders: list[Path], modes: tuple[str, ...] = MODES, mappings: Path | None = None
) -> dict[tuple[str, str], Score]:
    """Scores summed per (table kind, mode), and over all tables as kind "all"."""
    summary: dict[tuple[str, str], Score] = {}
    for table in tables_in(folders):
        for mode in modes:
            result = score(table, mode, mappings)
            if result is None:
                continue
            summary.setdefault((kind_of(table), mode), Score()).add(result)
            summary.setdefault(("all", mode), Score()).add(result)
    return summary


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:5.1f}%" if whole else "    – "


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("folders", nargs="+", type=Path)
    parser.add_argument("--mode", default=",".join(MODES))
    parser.add_argument("--mappings", type=Path)
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    modes = [m for m in args.mode.split(",") if m]
    tables = tables_in(args.folders)
    if not tables:
        print("no tables with expected.json found", file=sys.stderr)
        return 2
    summary: dict[tuple[str, str], Score] = {}
    print(f"{'table':<36} {'mode':<8} {'figures':>14} {'derived':>10} {'traps':>9}  stored/quar.")
    for table in tables:
        expected = json.loads((table / "expected.json").read_text(encoding="utf-8"))
        kind = "hxl" if "hxl" in expected.get("format", "").lower() else "untagged"
        for mode in modes:
            result = score(table, mode, args.mappings)
            if result is None:
                print(f"{table.name:<36} {mode:<8} {'n/a':>14}")
                continue
            summary.setdefault((kind, mode), Score()).add(result)
            summary.setdefault(("all", mode), Score()).add(result)
            line = (
                f"{table.name:<36} {mode:<8} {result.found:>3}/{result.figures:<3}"
                f"{_pct(result.found, result.figures)}"
                f" {result.derived_found:>2}/{result.derived:<2}"
                f"     {result.traps_stored:>2}/{result.traps:<2}   "
            )
            counts = f"{result.stored}/{result.quarantined}"
            line += f"ERROR {result.error}" if result.error else counts
            print(line)
            if args.verbose:
                for text in result.missed:
                    print(f"      missed  {text}")
                for text in result.trapped:
                    print(f"      trapped {text}")
    print()
    print(f"{'tables':<10} {'mode':<8} {'figures found':>16} {'derived':>9} {'traps stored':>15}")
    for (kind, mode), total in sorted(summary.items()):
        print(
            f"{kind:<10} {mode:<8} {total.found:>4}/{total.figures:<4}"
            f"{_pct(total.found, total.figures)}"
            f" {total.derived_found:>3}/{total.derived:<3}"
            f" {total.traps_stored:>4}/{total.traps:<4}{_pct(total.traps_stored, total.traps)}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
