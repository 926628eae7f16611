"""Score the text extractor on annotated cases (the extraction-dev format, see RULES.md).

    python bench/extract_eval.py [CASES_FILE] [--split all|dev|holdout] [-v]

Prints precision, recall and F1 for (indicator, value); the accuracy of qualifier, measure,
country, attributed_to and period_end on matched figures; the number of traps extracted; and,
when ../shared/seed exists, whether the seed article yields exactly its three figures.
attributed_to counts as right when one name contains the other ("IOM" / "IOM estimates"),
a location also when both are names of one whole country ("DRC" / "Democratic Republic of
the Congo"), period_end only where the annotation states one. The last five lines are a summary.

Scores are per case and per page. A page is the cases that share a ``document`` id (passages
cut from one article or report), or a case alone when it has none. On a page a figure counts
once whichever of its cases states it or finds it: a figure found in another sentence of the
same page than the one annotated is still right, and one found again in a second case is a
false positive (the page states it once).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from collections import Counter
from pathlib import Path

from humstats.countries import country_iso3
from humstats.extract import extract_figures
from humstats.readers import Document
from humstats.schema import SourceMeta

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_CASES = ROOT / "tests" / "data" / "extraction-dev" / "cases.jsonl"
SEED = next(
    (
        path
        for shared in (ROOT.parent / "shared", ROOT.parents[1] / "shared")
        if (path := shared / "seed" / "caspian-post-2024-12-03-syria.txt").exists()
    ),
    ROOT.parent / "shared" / "seed" / "caspian-post-2024-12-03-syria.txt",
)
SEED_EXPECTED = {
    ("killed", 500_000, "exact"),
    ("population", 2_000_000, "exact"),
    ("displaced", 50_000, "at_most"),
}
"""The seed article's annotation (../shared/seed/README.md)."""

UNDATED = dt.date(2026, 11, 28)
"""The date an undated case is read as published on: fixed, so a score never depends on the day
it is run; it is the day the undated real sets were first scored, so earlier scores compare."""
FIELDS = ("qualifier", "measure", "country_iso3", "location_name", "attributed_to", "period_end")


def holdout(case_id: str) -> bool:
    """Every fourth case is held out from iteration (d004, d008, ...)."""
    return int("".join(ch for ch in case_id if ch.isdigit()) or 0) % 4 == 0


def _same_name(expected: str | None, got: str | None) -> bool:
    if not expected or not got:
        return not expected and not got
    a, b = expected.lower(), got.lower()
    return a in b or b in a


_COUNTRY_PARTS = frozenset({"gaza", "gaza strip", "west bank"})
"""Names country_iso3 reads as Palestine that are parts of it, not the whole."""


def _same_place(expected: str | None, got: str | None) -> bool:
    """Two spellings of one country are one place; a country's parts are not the whole."""
    if _same_name(expected, got):
        return True
    if not expected or not got or {expected.lower(), got.lower()} & _COUNTRY_PARTS:
        return False
    code = country_iso3(expected)
    return code is not None and code == country_iso3(got)


def score_case(case: dict, parse: bool | None = None) -> dict:
    # A case without a date still has figures to score; the extractor needs a date to anchor
    # periods, so it gets UNDATED (period_end is scored only where annotated).
    published = dt.date.fromisoformat(case["published"]) if case.get("published") else UNDATED
    meta = SourceMeta(
        publisher=case.get("publisher") or "unknown",
        source_url=case.get("source_url"),
        published_date=published,
    )
    document = Document(case["text"], Path(case["id"]), meta)
    figures = extract_figures(document, parse=parse).to_dicts()
    gold = list(case["figures"])
    matched, extra, unmatched = _match(gold, figures)
    traps = []
    for trap in case.get("traps", []):
        at = case["text"].find(trap)
        if at >= 0 and any(at <= f["span_start"] < at + len(trap) for f in figures):
            traps.append(trap)
    fields: dict[str, list[bool]] = {name: [] for name in FIELDS}
    for want, got in matched:
        fields["qualifier"].append(want["qualifier"] == got["qualifier"])
        fields["measure"].append(want["measure"] == got["measure"])
        fields["country_iso3"].append(want["country_iso3"] == got["country_iso3"])
        fields["location_name"].append(_same_place(want["location_name"], got["location_name"]))
        fields["attributed_to"].append(_same_name(want["attributed_to"], got["attributed_to"]))
        if want["period_end"]:
            fields["period_end"].append(want["period_end"] == str(got["period_end"]))
    return {
        "id": case["id"],
        "tp": len(matched),
        "fp": len(extra),
        "fn": len(unmatched),
        "traps": traps,
        "fields": fields,
        "extra": extra,
        "missed": [gold[i] for i in unmatched],
        "matched": matched,
        "page": case.get("document") or case["id"],
        "gold": gold,
        "figures": figures,
    }


def _match(gold: list[dict], figures: list[dict]) -> tuple[list, list[dict], list[int]]:
    """Pairs (annotated, extracted) on (indicator, value), each annotation used once; the
    extracted figures left over; the indexes of annotations nothing matched."""
    unmatched = list(range(len(gold)))
    matched, extra = [], []
    for figure in figures:
        hit = next(
            (
                i
                for i in unmatched
                if gold[i]["indicator"] == figure["indicator"]
                and gold[i]["value"] == figure["value"]
            ),
            None,
        )
        if hit is None:
            extra.append(figure)
        else:
            unmatched.remove(hit)
            matched.append((gold[hit], figure))
    return matched, extra, unmatched


def score_pages(results: list[dict]) -> list[dict]:
    """The case results pooled by page (see the module doc): one count of (indicator, value)
    pairs per page, annotations and extractions alike, in case order."""
    pages: dict[str, list[dict]] = {}
    for r in results:
        pages.setdefault(r["page"], []).append(r)
    scored = []
    for page, cases in pages.items():
        gold = [g for r in cases for g in r["gold"]]
        matched, extra, unmatched = _match(gold, [f for r in cases for f in r["figures"]])
        scored.append(
            {
                "id": page,
                "cases": len(cases),
                "tp": len(matched),
                "fp": len(extra),
                "fn": len(unmatched),
                "traps": [t for r in cases for t in r["traps"]],
            }
        )
    return scored


def _prf(results: list[dict]) -> tuple[float, float, float, Counter]:
    total = Counter()
    for r in results:
        total.update({"tp": r["tp"], "fp": r["fp"], "fn": r["fn"], "traps": len(r["traps"])})
    p = total["tp"] / max(1, total["tp"] + total["fp"])
    r_ = total["tp"] / max(1, total["tp"] + total["fn"])
    f1 = 2 * p * r_ / max(1e-9, p + r_)
    return p, r_, f1, total


def seed_result() -> str:
    if not SEED.exists():
        return "seed: not present (../shared/seed)"
    meta = SourceMeta(publisher="The Caspian Post", published_date=dt.date(2024, 12, 3))
    figures = extract_figures(Document(SEED.read_text(encoding="utf-8"), SEED, meta)).to_dicts()
    got = {(f["indicator"], f["value"], f["qualifier"]) for f in figures}
    ok = got == SEED_EXPECTED and len(figures) == 3
    displaced = [f for f in figures if f["indicator"] == "displaced"]
    period = str(displaced[0]["period_end"]) if displaced else "-"
    return (
        f"seed: {len(got & SEED_EXPECTED)}/3 expected, {len(got - SEED_EXPECTED)} extra, "
        f"displaced period_end={period} -> {'OK' if ok else 'FAIL'}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cases", nargs="?", type=Path, default=DEFAULT_CASES)
    parser.add_argument("--split", choices=("all", "dev", "holdout"), default="all")
    parser.add_argument("-v", "--verbose", action="store_true")
    parser.add_argument("--no-parse", action="store_true", help="the rules alone, no spaCy")
    args = parser.parse_args(argv)
    cases = [
        json.loads(line)
        for line in args.cases.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    if args.split != "all":
        cases = [c for c in cases if holdout(c["id"]) == (args.split == "holdout")]
    results = [score_case(case, parse=False if args.no_parse else None) for case in cases]
    if args.verbose:
        for r in results:
            for f in r["extra"]:
                print(f"{r['id']} EXTRA {f['indicator']} {f['value']} | {f['quote'][:90]}")
            for g in r["missed"]:
                print(f"{r['id']} MISSED {g['indicator']} {g['value']} | {g['evidence']}")
            for trap in r["traps"]:
                print(f"{r['id']} TRAP {trap}")
            for want, got in r["matched"]:
                for name in FIELDS:
                    w = want[name]
                    g = got[name] if name != "period_end" else (str(got[name]) if w else None)
                    if name in ("attributed_to", "location_name"):
                        wrong = not _same_name(w, g)
                    else:
                        wrong = w != g and not (name == "period_end" and not w)
                    if wrong:
                        print(f"{r['id']} FIELD {name} want={w} got={g} | {want['evidence']}")
    p, r_, f1, total = _prf(results)
    accuracies = {}
    for name in FIELDS:
        values = [v for r in results for v in r["fields"][name]]
        accuracies[name] = (sum(values) / len(values) if values else 1.0, len(values))
    print(f"cases: {len(cases)} ({args.split}) from {args.cases}")
    print(f"figures: tp={total['tp']} fp={total['fp']} fn={total['fn']}")
    for split in ("dev", "holdout"):
        subset = [r for r in results if holdout(r["id"]) == (split == "holdout")]
        if subset and args.split == "all":
            sp, sr, sf, st = _prf(subset)
            print(f"  {split}: P={sp:.3f} R={sr:.3f} F1={sf:.3f} traps={st['traps']}")
    pages = score_pages(results)
    pp, pr, pf, ptotal = _prf(pages)
    print(
        f"pages: {len(pages)} ({sum(1 for pg in pages if pg['cases'] > 1)} of several cases): "
        f"tp={ptotal['tp']} fp={ptotal['fp']} fn={ptotal['fn']}"
    )
    print(f"P={p:.3f} R={r_:.3f} F1={f1:.3f} traps_extracted={total['traps']}")
    print(f"page-level: P={pp:.3f} R={pr:.3f} F1={pf:.3f}")
    print(
        "accuracy: "
        + " ".join(
            f"{'country' if n == 'country_iso3' else n}={a:.2f}(n={k})"
            for n, (a, k) in accuracies.items()
        )
    )
    print(seed_result())
    return 0


if __name__ == "__main__":
    sys.exit(main())
