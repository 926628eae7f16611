"""The annotated extraction cases: each case as one test, and the aggregate scores.

``tests/data/extraction-dev/cases.jsonl`` was written for the project (RULES.md beside it);
``tests/data/extract/own-cases.jsonl`` holds passages written for these tests in the same
format; ``tests/data/extraction-audit/`` passages written by an annotator who did not read
the extractor (only their aggregate score is guarded). A case passes when its figures are
exactly the annotated (indicator, value) pairs and none of its traps is extracted. Known
failures are marked with the reason, strictly: a fix that makes one pass must remove its mark.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path

import pytest

from humstats.extract import extract_figures
from humstats.readers import Document
from humstats.schema import SourceMeta

DATA = Path(__file__).parents[1] / "data"
DEV = DATA / "extraction-dev" / "cases.jsonl"
OWN = DATA / "extract" / "own-cases.jsonl"
AUDIT = DATA / "extraction-audit" / "cases.jsonl"
AUDIT_2 = DATA / "extraction-audit" / "cases-2.jsonl"

KNOWN = {
    "d065": "'a body was recovered' counts one death; the rules read no number in 'a body'",
    "o012": "'the entire population of 2.2 million is facing ... food insecurity' is read as "
    "population (nearest cue) where the annotation says food_insecure",
    "o013": "'the largest number, about 700,000, in Chad': an appositive with no cue word",
    "o027": "'150 migrants are feared dead' is read as killed; annotated as a trap",
    "o041": "'870,000 people needed hot meals': the need is named by what is needed",
}


def load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def run(case: dict) -> tuple[Counter, Counter, list[str]]:
    published = case.get("published")
    meta = SourceMeta(
        publisher=case.get("publisher") or "unknown",
        published_date=dt.date.fromisoformat(published) if published else dt.date.today(),
    )
    figures = extract_figures(Document(case["text"], Path(case["id"]), meta))
    got = Counter(figures.select("indicator", "value").rows())
    want = Counter((f["indicator"], f["value"]) for f in case["figures"])
    starts = figures["span_start"].to_list()
    traps = [
        trap
        for trap in case["traps"]
        if (at := case["text"].find(trap)) >= 0 and any(at <= s < at + len(trap) for s in starts)
    ]
    return got, want, traps


def params(path: Path) -> list:
    return [
        pytest.param(
            case,
            id=case["id"],
            marks=[pytest.mark.xfail(strict=True, reason=KNOWN[case["id"]])]
            if case["id"] in KNOWN
            else [],
        )
        for case in load(path)
    ]


@pytest.mark.parametrize("case", params(DEV) + params(OWN))
def test_case(case: dict) -> None:
    got, want, traps = run(case)
    assert traps == []
    assert got == want


@pytest.mark.parametrize("path", [DEV, OWN, AUDIT, AUDIT_2], ids=["dev", "own", "audit", "audit-2"])
def test_aggregate_f1_and_no_traps(path: Path) -> None:
    tp = fp = fn = traps = 0
    for case in load(path):
        got, want, trapped = run(case)
        tp += sum((got & want).values())
        fp += sum((got - want).values())
        fn += sum((want - got).values())
        traps += len(trapped)
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    f1 = 2 * precision * recall / (precision + recall)
    assert f1 >= (0.95 if path == DEV else 0.9)
    if path == DEV:
        assert traps == 0
