"""Articles per second on one core: humstats' extractor with and without the dependency
parse, and quantulum3, on the same texts in one run.

    python bench/extract_speed.py [--articles 2000] [--quantulum 200] [--repeats 3] [--seed 7]

The parse (spaCy en_core_web_sm) runs only on sentences whose counts may belong to different
words; "rules-only" is ``parse=False``, what runs where spaCy or its model is missing. Both
humstats modes read the articles through ``extract_many``, as ingestion does: the sentences
that need the parse are parsed in batches across documents.

Articles (~3,000 characters) are assembled from the project's own test passages
(tests/data/extract/own-cases.jsonl and tests/data/extraction-dev/cases.jsonl, written for the
project) mixed with number-free filler sentences, so most sentences carry no figure — as in
real news. Each use of a passage gets fresh digits, so no sentence repeats verbatim across
articles and the parse cache (which pays off on republished wire copy) saves nothing here.
Each repeat builds new articles (seed + repeat) and times the three readers one after the
other on them; the ratios are medians over repeats. quantulum3 is much slower, so it is timed
on the first ``--quantulum`` articles of each repeat (the ratio compares rates, i.e. articles
per CPU-second). Each tool gets one untimed warm-up article (gazetteer and model loading are
not what is measured).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import re
import statistics
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

    def fresh_digits(text: str) -> str:  # "killed 84 people" -> "killed 37 people"
        return re.sub(
            r"\d+",
            lambda m: str(rng.randrange(10 ** (len(m.group()) - 1), 10 ** len(m.group()))),
            text,
        )

    articles = []
    for _ in range(count):
        parts: list[str] = []
        published = rng.choice(passages)[1]
        while sum(len(p) + 1 for p in parts) < 3000:
            if rng.random() < 0.06:
                parts.append(fresh_digits(rng.choice(passages)[0]))
            else:
                parts.append(rng.choice(FILLER))
        articles.append((" ".join(parts), dt.date.fromisoformat(published)))
    return articles


def time_humstats(articles: list[tuple[str, dt.date]], parse: bool) -> tuple[float, int]:
    from humstats.extract import extract_figures, extract_many
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
    for frame in extract_many(documents, parse=parse):
        figures += frame.height
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
    cli.add_argument(
        "--quantulum",
        type=int,
        default=200,
        help="how many of the same articles quantulum3 parses (0 = all)",
    )
    cli.add_argument("--repeats", type=int, default=3)
    cli.add_argument("--seed", type=int, default=7)
    args = cli.parse_args(argv)
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})  # one core
    from humstats.extract import syntax

    if not syntax.available():
        print("spaCy or en_core_web_sm missing: cannot time the parse", file=sys.stderr)
        return 1
    rates: dict[str, list[float]] = {"parse": [], "rules": [], "quantulum": []}
    for repeat in range(args.repeats):
        articles = build_articles(args.articles, args.seed + repeat)
        mean_chars = sum(len(t) for t, _ in articles) / len(articles)
        p_seconds, p_figures = time_humstats(articles, parse=True)
        r_seconds, r_figures = time_humstats(articles, parse=False)
        q_articles = articles[: args.quantulum] if args.quantulum else articles
        q_seconds, q_found = time_quantulum(q_articles)
        rates["parse"].append(len(articles) / p_seconds)
        rates["rules"].append(len(articles) / r_seconds)
        rates["quantulum"].append(len(q_articles) / q_seconds)
        print(
            f"repeat {repeat + 1}: {len(articles)} articles x {mean_chars:.0f} chars (CPU time):"
            f" with parse {p_seconds:.2f} s ({p_figures} figures), rules-only {r_seconds:.2f} s"
            f" ({r_figures}); quantulum3 {len(q_articles)} in {q_seconds:.2f} s ({q_found})"
            f" -> {rates['parse'][-1] / rates['quantulum'][-1]:.1f}x /"
            f" {rates['rules'][-1] / rates['quantulum'][-1]:.1f}x"
        )
    p_rate, r_rate, q_rate = (statistics.median(rates[k]) for k in ("parse", "rules", "quantulum"))
    p_ratio, r_ratio = (
        statistics.median(a / b for a, b in zip(rates[k], rates["quantulum"], strict=True))
        for k in ("parse", "rules")
    )
    print(f"humstats with parse {p_rate:,.0f} articles/s, rules-only {r_rate:,.0f} articles/s")
    print(f"quantulum3 {q_rate:,.1f} articles/s")
    print(f"ratio with parse {p_ratio:,.1f}x (target >= 10x), median of {args.repeats}")
    print(f"ratio rules-only {r_ratio:,.1f}x (target >= 25x), median of {args.repeats}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
