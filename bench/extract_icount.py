"""Instructions per article of the rules-only extractor, for this tree and a base, side by side.

    python bench/extract_icount.py [--base main] [--articles 100] [--seed 7] [--keep DIR]

Wall-clock rates on a shared two-core machine spread by 5-10% between runs, so a change of a
few percent (one lane's new patterns, one cut) cannot be told from noise with
``extract_speed.py``. Instruction counts can: under valgrind's callgrind they repeat to a few
parts in a million. This script runs the same articles (``extract_speed.build_articles``,
from this tree) through the extractor of this tree and of ``--base`` (a git revision, exported
with ``git archive``, or a directory holding a ``src/``), each in its own process under
callgrind, and prints the instructions per article of both and their ratio. Run it before a
merge: a ratio above 1 is what the merge would add to the rules-only cost.

What is counted: only ``extract_many(..., parse=False)`` over the articles, after an untimed
warm-up that loads the gazetteer and fills the memos as a long run would (callgrind starts
with instrumentation off, the child switches it on with ``callgrind_control`` and collects
only inside one ``operator.call``). Needs valgrind (``apt-get install valgrind``), which CI
does not install: this is a developer's tool, not a test. ``--keep DIR`` keeps the callgrind
output files for ``callgrind_annotate``.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent


def _child(src: Path, articles: int, seed: int) -> int:
    """Runs inside callgrind: import the extractor from ``src``, warm up, count the loop."""
    import datetime as dt
    import operator

    sys.path.insert(0, str(src))
    sys.path.insert(0, str(BENCH))
    from extract_speed import build_articles

    from humstats.extract import extract_many
    from humstats.readers import Document
    from humstats.schema import SourceMeta

    if not Path(sys.modules["humstats"].__file__).is_relative_to(src):
        print(f"humstats was not imported from {src}", file=sys.stderr)
        return 1

    def documents(texts: list[tuple[str, dt.date]], stem: str) -> list[Document]:
        return [
            Document(t, Path(f"{stem}-{i}.txt"), SourceMeta(publisher="bench", published_date=d))
            for i, (t, d) in enumerate(texts)
        ]

    measured = documents(build_articles(articles, seed), "article")
    for _ in extract_many(documents(build_articles(200, seed + 1000), "warm"), parse=False):
        pass  # steady state: gazetteer loaded, patterns compiled, memos filled
    subprocess.run(
        ["callgrind_control", "-i", "on", str(os.getpid())], check=True, capture_output=True
    )

    def loop() -> int:
        return sum(frame.height for frame in extract_many(measured, parse=False))

    print(operator.call(loop))  # only what runs inside operator.call is collected
    return 0


def _count(src: Path, articles: int, seed: int, out: Path) -> tuple[int, int]:
    """Instructions collected and figures found for the extractor under ``src``."""
    env = dict(os.environ, PYTHONHASHSEED="0", POLARS_MAX_THREADS="1")
    run = subprocess.run(
        [
            "valgrind",
            "--tool=callgrind",
            "--instr-atstart=no",
            "--collect-atstart=no",
            "--toggle-collect=_operator_call",
            f"--callgrind-out-file={out}",
            sys.executable,
            __file__,
            "--child",
            str(src),
            "--articles",
            str(articles),
            "--seed",
            str(seed),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if run.returncode:
        raise SystemExit(f"callgrind run of {src} failed:\n{run.stderr[-2000:]}")
    summary = re.search(r"^(?:summary|totals): (\d+)", out.read_text(), re.MULTILINE)
    if summary is None:
        raise SystemExit(f"no instruction total in {out}")
    return int(summary.group(1)), int(run.stdout.split()[-1])


def _export(base: str, into: Path) -> Path:
    """The ``src/`` of ``base``: a directory as given, or a git revision exported into ``into``."""
    if Path(base, "src").is_dir():
        return Path(base, "src").resolve()
    archive = into / "base.tar"
    with archive.open("wb") as f:
        subprocess.run(["git", "-C", str(ROOT), "archive", base, "src"], stdout=f, check=True)
    with tarfile.open(archive) as tar:
        tar.extractall(into / "base", filter="data")
    return into / "base" / "src"


def main(argv: list[str] | None = None) -> int:
    cli = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    cli.add_argument("--base", default="main", help="git revision or directory (default: main)")
    cli.add_argument("--articles", type=int, default=100)
    cli.add_argument("--seed", type=int, default=7)
    cli.add_argument("--keep", type=Path, help="keep the callgrind output files here")
    cli.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = cli.parse_args(argv)
    if args.child:
        return _child(args.child, args.articles, args.seed)
    if not (shutil.which("valgrind") and shutil.which("callgrind_control")):
        print(
            "valgrind (with callgrind_control) is needed: apt-get install valgrind", file=sys.stderr
        )
        return 1
    with tempfile.TemporaryDirectory() as tmp:
        outdir = args.keep or Path(tmp)
        outdir.mkdir(parents=True, exist_ok=True)
        counts = {}
        for name, src in (("base", _export(args.base, Path(tmp))), ("tree", ROOT / "src")):
            counts[name] = _count(src, args.articles, args.seed, outdir / f"callgrind.{name}.out")
            instructions, figures = counts[name]
            label = args.base if name == "base" else "this tree"
            print(
                f"{label}: {instructions / args.articles / 1e6:,.2f} M instructions per article"
                f" ({args.articles} articles, {figures} figures)"
            )
    ratio = counts["tree"][0] / counts["base"][0]
    print(f"ratio this tree / {args.base}: {ratio:.4f} ({(ratio - 1) * 100:+.2f}% instructions)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
