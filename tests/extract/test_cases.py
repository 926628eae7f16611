"""The annotated extraction cases: each case as one test, and the aggregate scores.

``tests/data/extraction-dev/cases.jsonl`` was written for the project (RULES.md beside it);
``tests/data/extract/own-cases.jsonl`` holds passages written for these tests in the same
format, and ``behaviours.jsonl`` one short text per rule of the extractor, each read on every
field; ``tests/data/extraction-audit/`` passages written by an annotator who did not read
the extractor (only their aggregate score is guarded); ``recall.jsonl`` and its held-out
``recall-holdout.jsonl`` passages in ordinary words outside the cue lists (revisions,
partitives, month-first ranges, "since" windows); ``wording.jsonl`` and its held-out
``wording-holdout.jsonl`` the same for moves that end abroad, parts that are a verb's object,
an illness's onset, searches and increases; ``places-4.jsonl`` and its held-out half places
and sources named across the document (a later sentence's village, a paragraph's citation, a
disputed area's claimant); ``places-5.jsonl`` and its held-out half the place refugees and
returnees went to, regions spanning countries, countries named as actors, coordinated places,
and sources lent by a report's heading or a body's statement; ``places-6.jsonl`` and its held-out
half towns named as such once and bare later, "the X area", "mainly in X", places paired by
"respectively", and sources from a document's issuer or a verb of finding; ``recall-2.jsonl``
counts whose noun is elided ("41,500 in Balochistan"), fact-sheet key figures with their labels
on lines of their own, borders crossed and countries left, and the traps of forecasts, changes
and breakdown lists; ``tolls.jsonl`` and its held-out half the stock or flow of an incident's
toll by RULES.md's one rule (a hazard or an attack as the subject, still missing, a dated
incident told the sentence before), "dead or missing" and "civilian casualties";
``recall-s23.jsonl`` and its held-out half number formats ("391, 000", "26 m"), counts in
brackets after a share of the population or a listed place, running tolls with a forecast after
them, the size of a place ("a city of 350,000"), key-figure lines, IPC phase counts, "had to
leave their homes", and sentences opening "This includes"; ``measure-s23.jsonl`` and its
held-out part the measure a passage gives a figure: a bare toll after the passage's toll, an
elided count, the day a source spoke, a window told in an increment's clause, running-total
wording, a restated figure; ``places-s23.jsonl`` and its held-out half illnesses and societies
named after places, names several countries share, a neighbour's or donor's country beside the
figure's, refugees counted across a region, a region's word for one country, bracketed sources
and counts of areas; ``traps-s23.jsonl`` and its held-out half counts that are no figures though
a cue is near: parts of a total told just before ("Of them, ...", "Most IDPs ... (319,854
individuals)"), households restated in people, earlier values the text has replaced,
forecasts and plans, and counts of things ("155 primary and secondary schools", "22 of 23
governorates"). A case passes when its figures are exactly the annotated (indicator, value)
pairs and none of its traps is extracted. Known failures are marked with the reason, strictly: a
fix that makes one pass must remove its mark.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import polars as pl
import pytest

from humstats.extract import extract_figures
from humstats.readers import Document
from humstats.schema import SourceMeta

DATA = Path(__file__).parents[1] / "data"
DEV = DATA / "extraction-dev" / "cases.jsonl"
OWN = DATA / "extract" / "own-cases.jsonl"
AUDIT = DATA / "extraction-audit" / "cases.jsonl"
AUDIT_2 = DATA / "extraction-audit" / "cases-2.jsonl"
REWRITES = DATA / "extract" / "rewrites.jsonl"
REWRITES_HELD = DATA / "extract" / "rewrites-holdout.jsonl"
PASSAGES = DATA / "extract" / "passages.jsonl"
PASSAGES_HELD = DATA / "extract" / "passages-holdout.jsonl"
REWRITES_2 = DATA / "extract" / "rewrites-2.jsonl"
PASSAGES_2 = DATA / "extract" / "passages-2.jsonl"
REWRITES_HELD_2 = DATA / "extract" / "rewrites-holdout-2.jsonl"
PASSAGES_HELD_2 = DATA / "extract" / "passages-holdout-2.jsonl"
REWRITES_3 = DATA / "extract" / "rewrites-3.jsonl"
REWRITES_HELD_3 = DATA / "extract" / "rewrites-holdout-3.jsonl"
PERIODS_SOURCES = DATA / "extract" / "periods-sources.jsonl"
PLACES = DATA / "extract" / "places.jsonl"
BEHAVIOURS = DATA / "extract" / "behaviours.jsonl"
PASSAGES_3 = DATA / "extract" / "passages-3.jsonl"
PASSAGES_HELD_3 = DATA / "extract" / "passages-holdout-3.jsonl"
PASSAGES_4 = DATA / "extract" / "passages-4.jsonl"
PASSAGES_5 = DATA / "extract" / "passages-5.jsonl"
MEASURE = DATA / "extract" / "measure.jsonl"
MEASURE_HELD = DATA / "extract" / "measure-holdout.jsonl"
PLACES_2 = DATA / "extract" / "places-2.jsonl"
PLACES_HELD_2 = DATA / "extract" / "places-holdout-2.jsonl"
PLACES_3 = DATA / "extract" / "places-3.jsonl"
PLACES_HELD_3 = DATA / "extract" / "places-holdout-3.jsonl"
PLACES_4 = DATA / "extract" / "places-4.jsonl"
PLACES_HELD_4 = DATA / "extract" / "places-holdout-4.jsonl"
PLACES_5 = DATA / "extract" / "places-5.jsonl"
PLACES_HELD_5 = DATA / "extract" / "places-holdout-5.jsonl"
PLACES_6 = DATA / "extract" / "places-6.jsonl"
PLACES_HELD_6 = DATA / "extract" / "places-holdout-6.jsonl"
RECALL = DATA / "extract" / "recall.jsonl"
RECALL_HELD = DATA / "extract" / "recall-holdout.jsonl"
WORDING = DATA / "extract" / "wording.jsonl"
WORDING_HELD = DATA / "extract" / "wording-holdout.jsonl"
NUMBERS = DATA / "extract" / "numbers.jsonl"
NUMBERS_HELD = DATA / "extract" / "numbers-holdout.jsonl"
COUNTS = DATA / "extract" / "counts.jsonl"
COUNTS_HELD = DATA / "extract" / "counts-holdout.jsonl"
RECALL_2 = DATA / "extract" / "recall-2.jsonl"
RECALL_HELD_2 = DATA / "extract" / "recall-holdout-2.jsonl"
PLACES_S23 = DATA / "extract" / "places-s23.jsonl"
PLACES_HELD_S23 = DATA / "extract" / "places-s23-holdout.jsonl"
TOLLS = DATA / "extract" / "tolls.jsonl"
TOLLS_HELD = DATA / "extract" / "tolls-holdout.jsonl"
RECALL_S23 = DATA / "extract" / "recall-s23.jsonl"
RECALL_S23_HELD = DATA / "extract" / "recall-s23-holdout.jsonl"
MEASURE_S23 = DATA / "extract" / "measure-s23.jsonl"
MEASURE_S23_HELD = DATA / "extract" / "measure-s23-holdout.jsonl"
TRAPS_S23 = DATA / "extract" / "traps-s23.jsonl"
TRAPS_S23_HELD = DATA / "extract" / "traps-s23-holdout.jsonl"
FIELDS = ("qualifier", "measure", "country_iso3", "location_name", "attributed_to")

KNOWN = {
    "d065": "'a body was recovered' counts one death; the rules read no number in 'a body'",
    "o012": "'the entire population of 2.2 million is facing ... food insecurity' is read as "
    "population (nearest cue) where the annotation says food_insecure",
    "o013": "'the largest number, about 700,000, in Chad': an appositive with no cue word",
    "o027": "'150 migrants are feared dead' is read as killed; annotated as a trap",
    "o041": "'870,000 people needed hot meals': the need is named by what is needed",
}
KNOWN_FIELDS = {
    "b087": "'new arrivals who had returned home' are returnees but not read as a flow",
}


def load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def extract(case: dict, parse: bool | None = None) -> pl.DataFrame:
    published = case.get("published")
    meta = SourceMeta(
        publisher=case.get("publisher") or "unknown",
        published_date=dt.date.fromisoformat(published) if published else dt.date.today(),
    )
    return extract_figures(Document(case["text"], Path(case["id"]), meta), parse=parse)


def run(case: dict, parse: bool | None = None) -> tuple[Counter, Counter, list[str]]:
    figures = extract(case, parse)
    got = Counter(figures.select("indicator", "value").rows())
    want = Counter((f["indicator"], f["value"]) for f in case["figures"])
    starts = figures["span_start"].to_list()
    traps = [
        trap
        for trap in case["traps"]
        if (at := case["text"].find(trap)) >= 0 and any(at <= s < at + len(trap) for s in starts)
    ]
    return got, want, traps


def params(path: Path, known: dict[str, str] = KNOWN) -> list:
    """One test parameter per case, known failures marked strictly with their reason."""
    return [
        pytest.param(
            case,
            id=case["id"],
            marks=[pytest.mark.xfail(strict=True, reason=known[case["id"]])]
            if case["id"] in known
            else [],
        )
        for case in load(path)
    ]


@pytest.mark.parametrize(
    "case", params(DEV) + params(OWN) + params(PERIODS_SOURCES) + params(PLACES)
)
def test_case(case: dict) -> None:
    got, want, traps = run(case)
    assert traps == []
    assert got == want


def scores(path: Path, parse: bool | None = None) -> tuple[float, float, int]:
    """F1 and recall over (indicator, value) of every case in ``path``, and traps extracted."""
    tp = fp = fn = traps = 0
    for case in load(path):
        got, want, trapped = run(case, parse)
        tp += sum((got & want).values())
        fp += sum((got - want).values())
        fn += sum((want - got).values())
        traps += len(trapped)
    precision, recall = tp / max(1, tp + fp), tp / max(1, tp + fn)
    return 2 * precision * recall / max(1e-9, precision + recall), recall, traps


FLOORS = {  # F1, recall: measured when written, less a margin for honest trade-offs
    DEV: (0.95, 0.95),
    OWN: (0.9, 0.9),
    AUDIT: (0.9, 0.9),
    AUDIT_2: (0.9, 0.85),
    REWRITES: (0.9, 0.85),
    REWRITES_HELD: (0.8, 0.75),
    PASSAGES: (0.85, 0.8),
    PASSAGES_HELD: (0.75, 0.7),
    PERIODS_SOURCES: (0.95, 0.95),
    REWRITES_2: (0.9, 0.85),
    PASSAGES_2: (0.9, 0.88),
    REWRITES_HELD_2: (0.8, 0.7),
    PASSAGES_HELD_2: (0.88, 0.88),
    PLACES: (0.95, 0.95),
    REWRITES_3: (0.9, 0.9),
    REWRITES_HELD_3: (0.8, 0.75),
    PASSAGES_3: (0.88, 0.85),
    PASSAGES_HELD_3: (0.95, 0.95),
    PASSAGES_4: (0.9, 0.9),
    PASSAGES_5: (0.9, 0.9),
    MEASURE: (0.95, 0.95),
    MEASURE_HELD: (0.9, 0.9),
    PLACES_2: (0.9, 0.9),
    PLACES_HELD_2: (0.9, 0.9),
    PLACES_3: (0.94, 0.95),
    PLACES_HELD_3: (0.95, 0.95),
    RECALL: (0.95, 0.95),
    RECALL_HELD: (0.75, 0.7),
    WORDING: (0.95, 0.95),
    WORDING_HELD: (0.9, 0.9),
    NUMBERS: (0.9, 0.9),
    NUMBERS_HELD: (0.95, 0.95),
    PLACES_4: (0.95, 0.95),
    PLACES_HELD_4: (0.95, 0.95),
    PLACES_5: (0.9, 0.88),
    PLACES_HELD_5: (0.95, 0.95),
    # two figures read by no cue yet ("had gathered at", "moved to higher ground")
    PLACES_6: (0.85, 0.75),
    # held out: scored at the start and the end of the session only (F1 0.769 both times)
    PLACES_HELD_6: (0.75, 0.7),
    COUNTS: (0.95, 0.95),
    COUNTS_HELD: (0.9, 0.9),
    RECALL_2: (0.9, 0.85),
    # held out while the rules were written: F1 .571 before them, .690 after
    RECALL_HELD_2: (0.65, 0.55),
    TOLLS: (0.95, 0.95),
    TOLLS_HELD: (0.9, 0.9),
    RECALL_S23: (0.93, 0.9),
    # held out while the rules were written: F1 .667 before them, .900 after
    RECALL_S23_HELD: (0.85, 0.78),
    MEASURE_S23: (0.95, 0.95),
    # held out: "a cumulative 41,500 measles cases, including 730 deaths" is not read (recall)
    MEASURE_S23_HELD: (0.9, 0.8),
    PLACES_S23: (0.9, 0.9),
    # held out: scored at the start and the end of the session only (F1 0.867, then 0.938 with
    # the session's recall work merged; country 0.69 -> 1.00, location 0.69 -> 0.93)
    PLACES_HELD_S23: (0.85, 0.8),
    # one toll told as "had reached 87" is not read yet, so its earlier values stay
    TRAPS_S23: (0.85, 0.85),
    # held out: F1 .696 (5 traps) at the start of the session, 1.000 (0 traps) at the end
    TRAPS_S23_HELD: (0.9, 0.9),
}


@pytest.mark.parametrize("path", list(FLOORS), ids=lambda p: p.stem + "@" + p.parent.name)
def test_aggregate_f1_and_no_traps(path: Path) -> None:
    f1, recall, traps = scores(path)
    assert f1 >= FLOORS[path][0]
    assert recall >= FLOORS[path][1]
    if path in (
        DEV,
        REWRITES,
        REWRITES_HELD,
        PERIODS_SOURCES,
        REWRITES_2,
        REWRITES_HELD_2,
        REWRITES_3,
        RECALL,
        WORDING,
        WORDING_HELD,
        NUMBERS,
        NUMBERS_HELD,
        PLACES_4,
        PLACES_HELD_4,
        PLACES_5,
        PLACES_HELD_5,
        PLACES_6,
        PLACES_HELD_6,
        COUNTS,
        COUNTS_HELD,
        RECALL_2,
        TOLLS,
        TOLLS_HELD,
        RECALL_S23,
        RECALL_S23_HELD,
        PLACES_S23,
        PLACES_HELD_S23,
    ):
        assert traps == 0


def test_rules_only_still_reads_the_dev_set() -> None:
    """Without spaCy (or with the parse switched off) the rules alone keep their score."""
    f1, _, traps = scores(DEV, parse=False)
    assert f1 >= 0.95
    assert traps == 0


def _fields_wrong(case: dict) -> list[str]:
    """Each field of an annotated figure that the extracted one gets wrong, as
    ``indicator value field: want != got``; periods only where the case states them."""
    wrong = []
    for want, got in matched_figures(case):
        checks = [*FIELDS, *(b for b in ("period_start", "period_end") if want.get(b))]
        for name in checks:
            value = str(got[name]) if name.startswith("period") else got[name]
            same = (
                _same_name(want[name], value)
                if name in ("location_name", "attributed_to")
                else want[name] == value
            )
            if not same:
                wrong.append(f"{want['indicator']} {want['value']} {name}: {want[name]} != {value}")
    return wrong


@pytest.mark.parametrize("case", params(BEHAVIOURS, KNOWN_FIELDS))
def test_behaviour_on_every_field(case: dict) -> None:
    """``behaviours.jsonl``: exactly the annotated figures, no trap, and every field right."""
    got, want, traps = run(case)
    assert traps == []
    assert got == want
    assert _fields_wrong(case) == []


def _same_name(want: str | None, got: str | None) -> bool:
    if not want or not got:
        return not want and not got
    return want.lower() in got.lower() or got.lower() in want.lower()


def matched_figures(case: dict) -> Iterator[tuple[dict, dict]]:
    """Each annotated figure with the extracted one of the same indicator and value, each
    extracted figure matched once."""
    figures = extract(case).to_dicts()
    for want in case["figures"]:
        key = (want["indicator"], want["value"])
        got = next((f for f in figures if (f["indicator"], f["value"]) == key), None)
        if got is not None:
            figures.remove(got)
            yield want, got


def field_accuracy(paths: list[Path]) -> dict[str, float]:
    """Per field, the share of matched figures (same indicator and value) where it is right;
    names (place, source) are right when one contains the other ("IOM" / "IOM's DTM")."""
    right: Counter = Counter()
    matched = 0
    for path in paths:
        for case in load(path):
            for want, got in matched_figures(case):
                matched += 1
                for name in FIELDS:
                    if name in ("location_name", "attributed_to"):
                        right[name] += _same_name(want[name], got[name])
                    else:
                        right[name] += want[name] == got[name]
    return {name: right[name] / matched for name in FIELDS}


@pytest.mark.parametrize(
    ("paths", "floors"),
    [
        (
            [DEV, AUDIT, AUDIT_2],
            {
                "qualifier": 0.97,
                "measure": 0.93,
                "country_iso3": 0.93,
                "location_name": 0.78,
                "attributed_to": 0.87,
            },
        ),
        (
            [
                REWRITES,
                REWRITES_HELD,
                PASSAGES,
                PASSAGES_HELD,
                REWRITES_2,
                PASSAGES_2,
                REWRITES_HELD_2,
                PASSAGES_HELD_2,
                REWRITES_3,
                REWRITES_HELD_3,
            ],
            {
                "qualifier": 0.97,
                "measure": 0.85,
                "country_iso3": 0.92,
                "location_name": 0.88,
                "attributed_to": 0.88,
            },
        ),
        (
            [PASSAGES_3, PASSAGES_HELD_3],
            {
                "qualifier": 0.97,
                "measure": 0.9,
                "country_iso3": 0.95,
                "location_name": 0.82,
                "attributed_to": 0.93,
            },
        ),
        (
            [MEASURE, MEASURE_HELD],
            {
                "qualifier": 0.97,
                "measure": 0.93,
                "country_iso3": 0.93,
                "location_name": 0.85,
                "attributed_to": 0.95,
            },
        ),
        (
            [PLACES_2, PLACES_HELD_2],
            {
                "qualifier": 0.97,
                "measure": 0.65,
                "country_iso3": 0.92,
                "location_name": 0.85,
                "attributed_to": 0.93,
            },
        ),
        (
            [PLACES_3, PLACES_HELD_3],
            {
                "qualifier": 0.99,
                "measure": 0.8,
                "country_iso3": 0.98,
                "location_name": 0.83,
                "attributed_to": 0.91,
            },
        ),
        (
            [PLACES_4, PLACES_HELD_4],
            {
                "qualifier": 0.97,
                "measure": 0.8,
                "country_iso3": 0.97,
                "location_name": 0.83,
                "attributed_to": 0.95,
            },
        ),
        (
            [PLACES_5, PLACES_HELD_5],
            {
                "qualifier": 0.97,
                # stock or flow of returns and of an incident's toll is the measure rules'
                "measure": 0.8,
                "country_iso3": 0.95,
                # measured 0.90: towns the gazetteer lacks ("registered in Kamanyola")
                "location_name": 0.85,
                "attributed_to": 0.95,
            },
        ),
        (
            [PLACES_6, PLACES_HELD_6],
            {
                # measured 0.93 (qualifier, country) with the held-out half, 1.00 without it
                "qualifier": 0.9,
                # an incident's toll and a since-January count: the measure rules' (h12m)
                "measure": 0.65,
                "country_iso3": 0.85,
                "location_name": 0.85,
                "attributed_to": 0.85,
            },
        ),
        (
            [RECALL, RECALL_HELD],
            {
                "qualifier": 0.97,
                # 0.93 until three more figures were read (an illness's onset, a search, a
                # part "later died"): found, but their measure is stock where annotated flow
                "measure": 0.9,
                "country_iso3": 0.95,
                "location_name": 0.83,
                "attributed_to": 0.9,
            },
        ),
        (
            [WORDING, WORDING_HELD],
            {
                "qualifier": 0.97,
                # stock or flow of an incident's toll is read by the measure rules, not
                # these: measured 0.53 when written
                "measure": 0.5,
                "country_iso3": 0.95,
                "location_name": 0.9,
                "attributed_to": 0.9,
            },
        ),
        (
            [NUMBERS, NUMBERS_HELD],
            {
                "qualifier": 0.97,
                "measure": 0.85,
                "country_iso3": 0.95,
                "location_name": 0.82,
                "attributed_to": 0.75,
            },
        ),
        (
            [COUNTS, COUNTS_HELD],
            {
                "qualifier": 0.97,
                "measure": 0.95,
                "country_iso3": 0.95,
                "location_name": 0.8,
                "attributed_to": 0.8,
            },
        ),
        (
            [RECALL_2, RECALL_HELD_2],
            {
                "qualifier": 0.97,
                "measure": 0.85,
                "country_iso3": 0.85,
                "location_name": 0.8,
                "attributed_to": 0.8,
            },
        ),
        (
            [MEASURE_S23, MEASURE_S23_HELD],
            {
                "qualifier": 0.97,
                # measured 0.98 at the end of session 23 (0.49 before its rules)
                "measure": 0.92,
                "country_iso3": 0.93,
                "location_name": 0.85,
                # measured 0.78: sources are not what these passages test ("IOM's tracking teams")
                "attributed_to": 0.7,
            },
        ),
        (
            [TOLLS, TOLLS_HELD],
            {
                # measured 0.96: the toll rule of RULES.md is what these files are about
                "qualifier": 0.97,
                "measure": 0.92,
                # measured 0.81 / 0.77: towns and regions the gazetteer lacks (Tanwalbougou,
                # Mashonaland), not this file's subject
                "country_iso3": 0.75,
                "location_name": 0.7,
                "attributed_to": 0.8,
            },
        ),
        (
            [PLACES_S23, PLACES_HELD_S23],
            {
                "qualifier": 0.9,
                # an incident's toll and a since-date count: the measure rules', not this file's
                "measure": 0.6,
                "country_iso3": 0.95,
                "location_name": 0.85,
                "attributed_to": 0.9,
            },
        ),
    ],
    ids=[
        "dev+audit",
        "rewrites+passages",
        "passages-3",
        "measure",
        "places-2",
        "places-3",
        "places-4",
        "places-5",
        "places-6",
        "recall",
        "wording",
        "numbers",
        "counts",
        "recall-2",
        "measure-s23",
        "tolls",
        "places-s23",
    ],
)
def test_per_field_accuracy_floors(paths: list[Path], floors: dict[str, float]) -> None:
    accuracy = field_accuracy(paths)
    assert {n: a for n, a in accuracy.items() if a < floors[n]} == {}


def test_districts_and_towns_locate_figures() -> None:
    """``places.jsonl``: figures placed by a district, county or town of the bundled gazetteer,
    named in the figure's sentence or earlier, in the document's country."""
    accuracy = field_accuracy([PLACES])
    assert accuracy["location_name"] >= 0.9
    assert accuracy["country_iso3"] >= 0.95


def test_periods_and_sources_read_on_every_field() -> None:
    """Windows, "another"/"N more", "since <crisis start>", sources after other verbs, inverted
    and stand-in sources (``periods-sources.jsonl``): measure, source and the stated period
    are right on the figures matched, not only (indicator, value)."""
    right: Counter = Counter()
    total: Counter = Counter()
    for case in load(PERIODS_SOURCES):
        for want, got in matched_figures(case):
            checks = {
                "measure": want["measure"] == got["measure"],
                "attributed_to": _same_name(want["attributed_to"], got["attributed_to"]),
            }
            for bound in ("period_start", "period_end"):
                if want[bound]:
                    checks[bound] = want[bound] == str(got[bound])
            right.update(name for name, ok in checks.items() if ok)
            total.update(checks)
    accuracy = {name: right[name] / total[name] for name in total}
    floors = {"measure": 0.9, "attributed_to": 0.95, "period_start": 0.95, "period_end": 0.95}
    assert {n: a for n, a in accuracy.items() if a < floors[n]} == {}
    assert total["period_start"] >= 5


def test_stated_periods_of_numbers_cases() -> None:
    """``numbers.jsonl`` and its held-out part: windows written as whole months ("May to
    September 2023", "April–June 2024"), "from 1 to 15 October", the earlier value of a
    comparison: the stated period's end is right on the figures matched."""
    right = total = 0
    for case in [*load(NUMBERS), *load(NUMBERS_HELD)]:
        for want, got in matched_figures(case):
            if want["period_end"]:
                total += 1
                right += want["period_end"] == str(got["period_end"])
    assert total >= 10
    assert right / total >= 0.65
