from __future__ import annotations

import datetime as dt
import logging
import re
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader
from report_samples import (
    SCRIPT_QUOTE,
    cards_of,
    render_december,
    sample_figures,
    sample_quarantine,
)

from conftest import figure, figures_frame
from humstats.errors import ConfigError, MissingDependencyError
from humstats.report import render_report

D = dt.date

# What a reader must find in December 2024, worked out by hand from the sample.
HEADLINES = {
    "Killed": ("503,000", "OCHA, published 22 Dec 2024, as of 20 Dec 2024"),
    "Injured, new": ("360", "OCHA, sum of 3 figures"),
    "Internally displaced": ("105,000", "IOM, sum over all sub-national areas (3 figures)"),
    "People in need": ("about 16.7 million", "OCHA, published 16 Dec 2024, as of 15 Dec 2024"),
    "Refugees": ("774,000", "UNHCR, published 2 Jan 2025, as of 31 Dec 2024"),
}


@pytest.fixture(scope="module")
def december(tmp_path_factory) -> dict[str, Path]:
    """Rendered once for the module: the PDF takes a second or two."""
    return render_december(tmp_path_factory.mktemp("reports"))


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def test_files_land_under_country_and_period(december):
    out = december["out"]
    assert december["html"] == out / "all" / "2024-12.html"
    assert december["pdf"] == out / "all" / "2024-12.pdf"


def test_each_headline_number_carries_its_footnote(december):
    cards = {card["label"]: card for card in cards_of(_text(december["html"]))}
    assert set(cards) == set(HEADLINES)
    for label, (value, footnote) in HEADLINES.items():
        assert cards[label]["value"] == value
        assert footnote in cards[label]["footnote"]


def test_headlines_show_change_against_the_previous_period(december):
    cards = {card["label"]: card for card in cards_of(_text(december["html"]))}
    assert cards["Killed"]["change"] == "▲ +13,000 (+2.7%) since 20 Nov 2024"
    assert cards["Injured, new"]["change"] == "▲ +75 (+26.3%) vs 285 for 1–3 Nov"
    assert cards["Injured, new"]["coverage"] == "new, 1–3 Dec, 3 reports, 3 of 3 days reported"
    assert cards["Internally displaced"]["change"].startswith("▲ +35,000 (+50.0%)")
    assert cards["Refugees"]["change"] == "no earlier figure of this kind for November 2024"
    assert "Range across 2 sources: 503,000 – 560,000" in cards["Killed"]["range"]
    assert {cards[label]["place"] for label in HEADLINES} == {"Syria", "Lebanon"}


def test_pdf_text_holds_the_same_numbers(december):
    text = " ".join(
        " ".join(page.extract_text().split()) for page in PdfReader(december["pdf"]).pages
    )
    for value, footnote in HEADLINES.values():
        assert value in text
        assert footnote.split(",")[0] in text
    assert re.search(r"Page 1 of \d+", text)


def test_a_quote_with_markup_is_escaped(december):
    html = _text(december["html"])
    assert "<script" not in html
    assert "&lt;script&gt;alert(" in html
    assert SCRIPT_QUOTE.split("<")[0] in html


def test_every_reference_resolves_and_no_internal_id_is_shown(december):
    html = _text(december["html"])
    numbers = set(map(int, re.findall(r'href="#fig-(\d+)"', html)))
    anchors = set(map(int, re.findall(r'<p class="entry" id="fig-(\d+)"', html)))
    assert numbers and numbers <= anchors
    datasets = set(map(int, re.findall(r'href="#src-(\d+)"', html)))
    rows = set(map(int, re.findall(r'<tr id="src-(\d+)"', html)))
    assert datasets and datasets <= rows
    assert 'href="https://caspian.example/syria"' in html
    assert "The Caspian Post citing the Syrian Observatory" in html
    assert "fig-0" not in re.sub(r'(id|href)="#?fig-\d+"', "", html)
    assert "appendix limit" not in html


def test_divergence_and_quarantine_sections(december):
    html = _text(december["html"])
    section = html[html.index('id="divergence"') : html.index('id="quality"')]
    assert "503,000" in section and "560,000" in section
    assert "different sources (OCHA, The Caspian Post)" in section
    quality = html[html.index('id="quality"') : html.index('id="sources"')]
    # Only the rows of the inputs behind this report are its quality section's business.
    assert "No quarantined rows in the inputs behind this report" in quality


def test_charts_are_inline_svg_with_units_and_thousands(december):
    html = _text(december["html"])
    assert html.count("<svg") >= 4
    assert "Killed (people)" in html
    assert re.search(r">\d{1,3},\d{3}<", html)
    assert not re.search(r"<(img|link|script|iframe)\b", html)
    assert not re.search(r'\bsrc=|url\(\s*["\']?https?:', html)
    for svg in re.findall(r"<svg.*?</svg>", html, flags=re.S):
        assert re.search(r"<title id=[^>]+>[^<]+</title><desc id=[^>]+>[^<]+</desc>", svg)


def test_country_filter_and_households_kept_apart(tmp_path):
    (html,) = render_report(
        sample_figures(), sample_quarantine(), period="2024-12", country="lbn", out_dir=tmp_path
    )
    assert html == tmp_path / "LBN" / "2024-12.html"
    cards = cards_of(_text(html))
    assert [c["label"] for c in cards] == ["Refugees"]
    assert "unparseable-number" not in _text(html)  # Syria's are not shown


def test_a_period_without_data_says_so(tmp_path):
    (html,) = render_report(
        sample_figures(), sample_quarantine(), period="2023-W10", out_dir=tmp_path
    )
    text = _text(html)
    assert "No figures in the store are dated on or before 12 Mar 2023" in text
    assert cards_of(text) == []


def test_template_dir_overrides_the_builtin_template(tmp_path):
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "report.html.j2").write_text("<h1>{{ title }}</h1>{{ countries|length }}")
    (html,) = render_report(
        sample_figures(),
        sample_quarantine(),
        period="2024-12",
        out_dir=tmp_path,
        template_dir=templates,
    )
    assert _text(html) == "<h1>All countries: humanitarian figures, December 2024</h1>2"


def test_bad_format_and_missing_template_dir_are_config_errors(tmp_path):
    with pytest.raises(ConfigError, match="unknown report format docx"):
        render_report(
            sample_figures(),
            sample_quarantine(),
            period="2024-12",
            formats=("docx",),
            out_dir=tmp_path,
        )
    with pytest.raises(ConfigError, match="does not exist"):
        render_report(
            sample_figures(),
            sample_quarantine(),
            period="2024-12",
            out_dir=tmp_path,
            template_dir=tmp_path / "nope",
        )


def test_pdf_without_its_engine_says_how_to_install_it(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "weasyprint", None)
    with pytest.raises(MissingDependencyError, match='pip install "weasyprint"'):
        render_report(
            sample_figures(),
            sample_quarantine(),
            period="2024-12",
            formats=("pdf",),
            out_dir=tmp_path,
        )


def test_a_country_known_only_by_one_area_shows_that_area(tmp_path):
    gaza = {"country_iso3": "PSE", "admin_level": 1, "location_name": "Gaza Strip"}
    figures = figures_frame(
        figure(
            **gaza,
            indicator="killed",
            as_of=D(2024, 12, 31),
            value=45_541,
            published_date=D(2025, 1, 2),
        ),
        figure(**gaza, indicator="killed", as_of=D(2024, 11, 30), value=44_382),
        figure(
            country_iso3="PSE",
            admin_level=1,
            location_name="West Bank",
            indicator="injured",
            as_of=D(2024, 12, 31),
            value=900,
            published_date=D(2025, 1, 2),
        ),
    )
    (html,) = render_report(figures, sample_quarantine(), period="2024-12", out_dir=tmp_path)
    cards = {(card["place"], card["label"]): card for card in cards_of(_text(html))}
    assert cards[("Gaza Strip (area)", "Killed")]["value"] == "45,541"
    assert cards[("Gaza Strip (area)", "Killed")]["change"] == "▲ +1,159 (+2.6%) since 30 Nov 2024"
    assert cards[("West Bank (area)", "Injured")]["value"] == "900"


def test_pdf_engine_warns_about_the_template_not_about_chart_styles(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from humstats.report.render import write_pdf

    chart = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="40" height="20">'
        '<path d="M 0 0 L 40 20" style="fill: none; stroke: #0072b2; stroke-width: 1.6"/></svg>'
    )
    style = "<style>p { colour: red }</style>"
    html = f"<html><head>{style}</head><body><p>x</p>{chart}</body></html>"
    with caplog.at_level(logging.WARNING, logger="weasyprint"):
        write_pdf(html, tmp_path / "r.pdf")
    warned = [r.getMessage() for r in caplog.records if r.name == "weasyprint"]
    assert any("colour" in m for m in warned)  # a template's own mistake still shows
    assert not any("stroke" in m or "fill" in m for m in warned)
    assert (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF")
