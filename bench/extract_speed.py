"""Articles per second on one core: humstats' extractor with and without the dependency
parse, and quantulum3, on the same texts in one run.

    python bench/extract_speed.py [--articles 2000] [--quantulum 200] [--seed 7]

The parse (spaCy en_core_web_sm) runs only on sentences with several counts; "rules-only" is
``extract_figures(..., parse=False)``, what runs where spaCy or its model is missing.

Articles (~3,000 characters) are assembled from the project's own test passages
(tests/data/extract/own-cases.jsonl and tests/data/extraction-dev/cases.jsonl, written for the
project) mixed with number-free filler sentences, so most sentences carry no figure — as in
real news. Both tools run in this one process, one after the other, on the same texts;
quantulum3 is much slower, so by default it is timed on the first ``--quantulum`` articles
(the ratio compares rates, i.e. articles per CPU-second). Each tool gets one untimed warm-up
article (gazetteer and model loading are not what is measured).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import sys
import time
from pathlib import Path

os.environ.setdefault("POLARS_MAX_THREADS", "1")

ROOT = Path(__file__).resolve().parents[1]
PASSAGES = (
    ROOT / "tests" / "data" / "extract" / "own-cases.jsonl",
    ROOT / "tests" / "data" / "extraction-dev" / "cases.jsonl",
)
FILLER = (
    "Aid agencies say access to the affected areas remains difficult.",
    "The government has appealed for international support to respond to the crisis.",
    "Humanitarian partners are scaling up their response despite funding shortfalls.",
    "Roads leading to the region have been damaged and bridges washed away.",
    "Local volunteers have been distributing water and food to families in need.",
    "The United Nations called on all parties to respect international humanitarian law.",
    "Residents described scenes of devastation after the disaster struck overnight.",
    "Officials said the situation could deteriorate further in the coming days.",
    "Health workers warned of the risk of disease outbreaks in overcrowded shelters.",
    "Talks between the warring parties have so far failed to produce a ceasefire.",
    "Markets in the capital reopened, although prices of staple foods remain high.",
    "The rainy season is expected to complicate the delivery of assistance.",
)


def build_articles(count: int, seed: int) -> list[tuple[str, dt.date]]:
    passages = []
    for path in PASSAGES:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                case = json.loads(line)
                passages.append((case["text"], case.get("published") or "2025-01-15"))
    rng = random.Random(seed)
    articles = []
    for _ in range(count):
        parts: list[str] = []
        published = rng.choice(passages)[1]
        while sum(len(p) + 1 for p in parts) < 3000:
            if rng.random() < 0.06:
                parts.append(rng.choice(passages)[0])
            else:
                parts.append(rng.choice(FILLER))
        articles.append((" ".join(parts), dt.date.fromisoformat(published)))
    return articles


def time_humstats(articles: list[tuple[str, dt.date]], parse: bool) -> tuple[float, int]:
    from humstats.extract import extract_figures
    from humstats.extract.places import default_gazetteer
    from humstats.readers import Document
    from humstats.schema import SourceMeta

    documents = [
        Document(text, Path(f"article-{i}.txt"), SourceMeta(publisher="bench", published_date=d))
        for i, (text, d) in enumerate(articles)
    ]
    default_gazetteer()  # warm-up: the gazetteer is built once per process, on first use
    extract_figures(documents[0], parse=parse)  # and the patterns compiled, the model loaded
    figures = 0
    start = time.process_time()
    for document in documents:
        figures += extract_figures(document, parse=parse).height
    return time.process_time() - start, figures


def time_quantulum(articles: list[tuple[str, dt.date]]) -> tuple[float, int]:
    from quantulum3 import parser

    parser.parse(articles[0][0])  # warm-up: loads its unit tables and classifier
    quantities = 0
    start = time.process_time()
    for text, _ in articles:
        quantities += len(parser.parse(text))
    return time.process_time() - start, quantities


def main(argv: list[str] | None = None) -> int:
    cli = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    cli.add_argument("--articles", type=int, default=2000)
    cli.add_argument("--quantulum", type=int, default=200,
                     help="how many of the same articles quantulum3 parses (0 = all)")
    cli.add_argument("--seed", type=int, default=7)
    args = cli.parse_args(argv)
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core
    articles = build_articles(args.articles, args.seed)
    mean_chars = sum(len(t) for t, _ in articles) / len(articles)
    from humstats.extract import syntax

    if not syntax.available():
        print("spaCy or en_core_web_sm missing: cannot time the parse", file=sys.stderr)
        return 1
    p_seconds, p_figures = time_humstats(articles, parse=True)
    r_seconds, r_figures = time_humstats(articles, parse=False)
    q_articles = articles[: args.quantulum] if args.quantulum else articles
    q_seconds, q_found = time_quantulum(q_articles)
    p_rate = len(articles) / p_seconds
    r_rate = len(articles) / r_seconds
    q_rate = len(q_articles) / q_seconds
    print(f"articles: {len(articles)} x {mean_chars:.0f} chars on one core (CPU time)")
    for name, seconds, figures in (
        ("with parse", p_seconds, p_figures),
        ("rules-only", r_seconds, r_figures),
    ):
        print(f"humstats {name}: {len(articles)} articles in {seconds:.2f} s, {figures} figures")
    print(f"quantulum3: {len(q_articles)} articles in {q_seconds:.2f} s, {q_found} quantities")
    print(f"humstats with parse {p_rate:,.0f} articles/s, rules-only {r_rate:,.0f} articles/s")
    print(f"quantulum3 {q_rate:,.1f} articles/s")
    print(f"ratio with parse {p_rate / q_rate:,.0f}x (target >= 10x)")
    print(f"ratio rules-only {r_rate / q_rate:,.0f}x (target >= 25x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
