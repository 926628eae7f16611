"""Fuzz harness: hostile CSV, HXL, JSON and text inputs through ``humstats ingest``.

Hypothesis generates files with hostile bytes, encodings, line endings, quoting, nesting,
numbers and names, and ingests them with the command line. Whatever it makes:

- no traceback, and the exit code is 0, 1 or 2;
- every input is archived byte for byte under its content hash;
- every data row of a table that was read is stored as a figure or quarantined with a
  reason (never dropped), and an input that was not read is reported with its reason.

CI runs a bounded number of examples; ``HUMSTATS_FUZZ_EXAMPLES=5000 pytest
tests/test_fuzz.py -s`` runs a longer local session and prints how many inputs it tried.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import polars as pl
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from humstats.cli import cli
from humstats.store import Store

EXAMPLES = int(os.environ.get("HUMSTATS_FUZZ_EXAMPLES", "15"))
TRIED: list[int] = []
"""Inputs tried, for the long mode's closing line."""
ROWS_CHECKED: list[int] = []


@dataclass(frozen=True)
class Input:
    name: str
    data: bytes
    rows: int | None
    """Data rows a reader must account for, when the file's structure is known."""


# -- pieces ---------------------------------------------------------------------------------

HOSTILE_TEXT = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30
)
NUMBERS = st.one_of(
    st.integers(min_value=-10, max_value=10**20).map(str),
    st.sampled_from(
        [
            "1,2,3",
            "12,500",
            "١٢٣",
            "۱۲٬۰۰۰",
            "=1+1",
            "@SUM(A1)",
            "+5",
            "-",
            "N/A",
            "1e400",
            "9" * 400,
            "",
            " 7 ",
            "<5",
            "100+",
            "12.5",
            "0x1F",
            "\u00a0",
            "$5 and $6",
        ]
    ),
    HOSTILE_TEXT,
)
DATES = st.one_of(
    st.dates().map(str), st.sampled_from(["2024-02-30", "yesterday", "", "2024"]), HOSTILE_TEXT
)
PLACES = st.one_of(
    st.sampled_from(["Aleppo", "Homs", "Idlib", "$x$", "=cmd", "Tall ʿAfar", "\\x00"]),
    HOSTILE_TEXT.filter(lambda t: t.strip() and not t.strip().startswith("#")),
)
NAMES = st.text(
    alphabet=st.sampled_from(list("abcxyz019 _-*?[]{}\\'\"$%&;~é中\t")), min_size=1, max_size=24
)
ENCODINGS = st.sampled_from(
    ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "cp1252", "latin-1", "mixed"]
)


def _encode(text: str, encoding: str) -> bytes:
    if encoding == "mixed":  # UTF-8 with every other line in Latin-1
        lines = text.splitlines(keepends=True)
        return b"".join(
            line.encode("latin-1", "replace") if i % 2 else line.encode("utf-8")
            for i, line in enumerate(lines)
        )
    return codecs.encode(text, encoding, "replace")


@st.composite
def tables(draw: st.DrawFn) -> Input:
    """An HXL table: its data rows are known when it is written as valid CSV."""
    rows = draw(
        st.lists(
            st.tuples(PLACES, NUMBERS, DATES, st.sampled_from(["SYR", "SDN", "", "X"])),
            min_size=1,
            max_size=8,
        )
    )
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    header = [
        ["Place", "Killed", "Date", "Country"],
        ["#adm1+name", "#affected+killed", "#date", "#country+code"],
    ]
    well_formed = draw(st.booleans())
    if well_formed:
        buffer = io.StringIO()
        writer = csv.writer(
            buffer, delimiter=delimiter, lineterminator=newline, quoting=csv.QUOTE_ALL
        )
        writer.writerows([*header, *rows])
        text = buffer.getvalue()
    else:  # cells pasted as they are: quotes, delimiters and newlines break the structure
        text = newline.join(delimiter.join(cells) for cells in [*header, *rows])
        text += draw(st.sampled_from(["", newline, '"', delimiter * 3]))
    encoding = draw(ENCODINGS)
    data = _encode(text, encoding)
    if draw(st.integers(0, 9)) == 0:
        data = draw(st.binary(max_size=16)) + data
    suffix = ".tsv" if delimiter == "\t" and draw(st.booleans()) else ".csv"
    simple = (
        well_formed
        and encoding in ("utf-8", "utf-8-sig")
        and all("\r" not in "".join(row) and "\n" not in "".join(row) for row in rows)
    )
    return Input(draw(NAMES) + suffix, data, len(rows) if simple else None)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | HOSTILE_TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(HOSTILE_TEXT, inner, max_size=3),
    max_leaves=10,
)


@st.composite
def json_tables(draw: st.DrawFn) -> Input:
    records = draw(
        st.lists(
            st.fixed_dictionaries(
                {
                    "#adm1+name": PLACES,
                    "#affected+killed": NUMBERS | JSON_VALUES,
                    "#date": DATES,
                    "#country+code": st.just("SYR"),
                },
                optional={"extra": JSON_VALUES},
            ),
            min_size=1,
            max_size=6,
        )
    )
    shape = draw(st.sampled_from(["array", "wrapper", "ndjson", "deep", "long-number"]))
    rows: int | None = len(records)
    if shape == "array":
        text = json.dumps(records, ensure_ascii=draw(st.booleans()))
    elif shape == "wrapper":
        text = json.dumps({"meta": {"x": 1}, "data": records})
    elif shape == "ndjson":
        text = "\n".join(json.dumps(r) for r in records) + "\n"
    elif shape == "deep":
        depth = draw(st.integers(50, 20_000))
        text, rows = "[" * depth + "]" * depth, None
    else:
        text, rows = '[{"#affected+killed": ' + "7" * draw(st.integers(90, 6000)) + "}]", None
    return Input(draw(NAMES) + ".json", text.encode("utf-8"), rows)


@st.composite
def texts(draw: st.DrawFn) -> Input:
    words = st.sampled_from(
        [
            "killed",
            "displaced",
            "1,200",
            "at least",
            "Aleppo",
            "Syria",
            "<script>var n=9000;",
            "</script>",
            "$5 and $6",
            "said",
            "OCHA",
            "\u202e",
            "\x00",
            "١٢٣",
            "\n",
            "people",
        ]
    )
    text = " ".join(draw(st.lists(words | HOSTILE_TEXT, max_size=40)))
    suffix = draw(st.sampled_from([".txt", ".md", ".html"]))
    if suffix == ".md" and draw(st.booleans()):
        text = f"---\ntitle: {draw(HOSTILE_TEXT)}\npublished: {draw(DATES)}\n---\n" + text
    data = _encode(text, draw(st.sampled_from(["utf-8", "cp1252", "utf-16"])))
    return Input(draw(NAMES) + suffix, data, None)


@st.composite
def feeds(draw: st.DrawFn) -> Input:
    lines = draw(
        st.lists(
            st.fixed_dictionaries({"text": HOSTILE_TEXT, "published": DATES, "url": HOSTILE_TEXT})
            | JSON_VALUES,
            max_size=4,
        )
    )
    text = "\n".join(json.dumps(line) for line in lines)
    return Input(draw(NAMES) + ".ndjson", text.encode("utf-8"), None)


INPUTS = st.lists(
    st.one_of(tables(), json_tables(), texts(), feeds()),
    min_size=1,
    max_size=3,
    unique_by=lambda i: i.name,
)


# -- the property ---------------------------------------------------------------------------


def _archived(data_dir: Path, data: bytes) -> bytes | None:
    sha = hashlib.sha256(data).hexdigest()
    copies = [p for p in (data_dir / "raw" / sha[:2]).glob(f"{sha}*") if ".meta." not in p.name]
    return copies[0].read_bytes() if copies else None


def _accounted_rows(data_dir: Path, data: bytes) -> int:
    sha = hashlib.sha256(data).hexdigest()
    store = Store(data_dir)
    figures = store.figures().filter(pl.col("source_file").str.contains(sha)).collect()
    quarantine = store.quarantine().filter(pl.col("source_file").str.contains(sha)).collect()
    rows = set(figures["span_start"].drop_nulls().to_list())
    return len(rows | set(quarantine["input_row"].drop_nulls().to_list()))


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(inputs=INPUTS)
def test_hostile_inputs_are_archived_and_accounted_for(inputs: list[Input]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        data_dir, inbox = root / "data", root / "inbox"
        inbox.mkdir()
        paths = []
        for item in inputs:
            path = inbox / item.name
            path.write_bytes(item.data)
            paths.append(str(path))
        TRIED.append(len(paths))
        result = CliRunner().invoke(
            cli,
            [
                "--data",
                str(data_dir),
                "ingest",
                "--publisher",
                "Fuzz",
                "--published",
                "2024-12-02",
                *paths,
            ],
        )
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            result.exception
        )
        assert result.exit_code in (0, 1, 2), result.output
        assert "Traceback" not in result.output
        for item in inputs:
            assert _archived(data_dir, item.data) == item.data, item.name
        (record,) = [r for r in Store(data_dir).runs() if r.get("kind") == "ingest"] or [None]
        outcomes = {Path(i["path"]).name: i for i in (record or {}).get("inputs", [])}
        for item in inputs:
            outcome = outcomes.get(item.name)
            if outcome is None or outcome["status"] == "unchanged":
                continue  # the same bytes under two names: stored once, under the first
            if outcome["status"] == "unreadable":
                assert outcome["message"] and "\n" not in outcome["message"]
            elif item.rows is not None:
                assert _accounted_rows(data_dir, item.data) == item.rows, item
                ROWS_CHECKED.append(item.rows)


def teardown_module() -> None:
    if "HUMSTATS_FUZZ_EXAMPLES" in os.environ:
        print(
            f"\nfuzz: {len(TRIED)} examples, {sum(TRIED)} inputs, every one archived; "
            f"{sum(ROWS_CHECKED)} data rows of {len(ROWS_CHECKED)} tables each stored or "
            "quarantined"
        )
