from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import make_figures, make_sources
from humstats.cli import cli
from humstats.schema import empty_quarantine
from humstats.store import Store


@pytest.fixture
def store(data_dir: Path) -> Store:
    store = Store(data_dir)
    figures = make_figures(
        {
            "indicator": "killed",
            "value": 500_000,
            "admin_level": 0,
            "location_name": None,
            "pcode": None,
            "period_start": dt.date(2024, 12, 3),
            "period_end": dt.date(2024, 12, 3),
            "published_date": dt.date(2024, 12, 3),
        },
        {
            "indicator": "displaced",
            "value": 50_000,
            "period_start": dt.date(2024, 12, 1),
            "period_end": dt.date(2024, 12, 1),
            "published_date": dt.date(2024, 12, 3),
        },
    )
    sources = make_sources(figures)
    with store.lock():
        store.commit("b1", figures, empty_quarantine(), sources)
    return store


def _invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_report_writes_html_and_pdf_from_the_store(store: Store, tmp_path: Path) -> None:
    out = tmp_path / "reports"
    code, stdout, _ = _invoke(
        "--data",
        str(store.root),
        "report",
        "--period",
        "2024-12",
        "--format",
        "html,pdf",
        "--out",
        str(out),
        "--country",
        "SYR",
    )
    assert code == 0
    assert stdout.split() == [str(out / "SYR" / "2024-12.html"), str(out / "SYR" / "2024-12.pdf")]
    html = (out / "SYR" / "2024-12.html").read_text()
    assert "500,000" in html and "OCHA, published 3 Dec 2024, as of 3 Dec 2024" in html


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--period", "2024-12", "--from", "2024-12-01"], "Use either --period or --from/--to"),
        (["--from", "2024-12-01"], "Give --period, or both --from and --to."),
        (["--period", "December"], "invalid period 'December'"),
        (["--period", "2024-12", "--format", "docx"], "unknown report format docx"),
    ],
)
def test_bad_options_exit_2_with_one_line(store: Store, tmp_path: Path, args, message) -> None:
    code, _, stderr = _invoke("--data", str(store.root), "report", "--out", str(tmp_path), *args)
    assert code == 2
    assert message in stderr


def test_any_text_in_any_field_renders(data_dir: Path, tmp_path: Path) -> None:
    """Places and publishers are data: TeX, markup and formulas are drawn as written."""
    hostile = ["$5 and $6", r"Al-$\frac{1}{0}$", r"$\undefinedmacro$", "<script>x</script>&"]
    figures = make_figures(
        *(
            {
                "indicator": "displaced",
                "value": 1_000 * (n + 1),
                "location_name": text,
                "pcode": f"SY0{n}",
                "publisher": text,
                "period_start": dt.date(2024, 12, day),
                "period_end": dt.date(2024, 12, day),
                "published_date": dt.date(2024, 12, 20),
            }
            for n, text in enumerate(hostile)
            for day in (2, 9)
        )
    )
    store = Store(data_dir)
    sources = make_sources(figures)
    with store.lock():
        store.commit("b1", figures, empty_quarantine(), sources)
    out = tmp_path / "reports"
    code, stdout, _ = _invoke(
        "--data", str(data_dir), "report", "--period", "2024-12", "--out", str(out)
    )
    assert code == 0
    html = Path(stdout.strip()).read_text()
    assert "$5 and $6" in html and "<script>x</script>" not in html
