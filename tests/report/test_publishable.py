"""What a published report says, one small store per case: a sub-national figure, an alias,
a carried-forward total, a one-event flow, two definitions, a hedge word; asserted on the
HTML (parsed) and on the PDF's text."""

from __future__ import annotations

import base64
import datetime as dt
import io
import re
from pathlib import Path

import polars as pl
import pytest
from pypdf import PdfReader
from report_samples import cards_of

from conftest import figure, figures_frame, quarantine_frame
from humstats.report import render_report

D = dt.date
T = dt.datetime


def _render(tmp_path: Path, *records: dict, period: str = "2024-12", **options) -> str:
    (html,) = render_report(
        figures_frame(*records),
        quarantine_frame(),
        period=period,
        out_dir=tmp_path,
        **options,
    )
    return html.read_text(encoding="utf-8")


def _cards(html: str) -> dict[tuple[str, str], dict[str, str]]:
    return {(c["place"], c["label"]): c for c in cards_of(html)}


def _pdf_text(tmp_path: Path, *records: dict, period: str = "2024-12", **options) -> str:
    (pdf,) = render_report(
        figures_frame(*records),
        quarantine_frame(),
        period=period,
        formats=("pdf",),
        out_dir=tmp_path,
        **options,
    )
    return " ".join(" ".join(p.extract_text().split()) for p in PdfReader(pdf).pages)


SUDAN = {"country_iso3": "SDN", "admin_level": 0, "location_name": None, "pcode": None}


def _sudan_in_need() -> list[dict]:
    return [
        figure(**SUDAN, indicator="in_need", as_of=D(2024, 10, 31), value=24_800_000),
        # A text stored the state's figure at country level: a report must not believe it.
        figure(
            **{**SUDAN, "location_name": "North Darfur"},
            indicator="in_need",
            as_of=D(2024, 12, 4),
            value=1_600_000,
            qualifier="approx",
            method="text-rules@1",
            quote="An estimated 1.6 million people in North Darfur were in need, OCHA said.",
        ),
    ]


def test_a_national_card_never_shows_a_sub_national_figure(tmp_path):
    html = _render(tmp_path, *_sudan_in_need())
    cards = _cards(html)
    national = cards[("Sudan", "People in need")]
    assert national["value"] == "24.8 million"
    assert national["coverage"] == "as of 31 Oct 2024"
    assert all(
        c["value"] != "an estimated 1.6 million" for k, c in cards.items() if k[0] == "Sudan"
    )
    places = html[html.index('id="locations"') : html.index('id="divergence"')]
    assert "North Darfur" in places and "an estimated 1.6 million" in places


def test_aliases_merge_one_place_and_the_fresher_series_wins(tmp_path):
    gaza = {"country_iso3": "PSE", "pcode": None}
    html = _render(
        tmp_path,
        figure(
            **gaza,
            admin_level=0,
            location_name="Gaza",
            as_of=D(2024, 12, 10),
            value=44_786,
            method="text-rules@1",
            quote="The health ministry in Gaza said the death toll had risen to 44,786.",
        ),
        figure(
            **gaza,
            admin_level=None,
            location_name="Gaza Strip",
            as_of=D(2024, 12, 31),
            value=45_541,
            publisher="Tech For Palestine",
        ),
    )
    cards = _cards(html)
    assert list(cards) == [("Gaza Strip (area)", "Killed")]
    assert cards[("Gaza Strip (area)", "Killed")]["value"] == "45,541"


def test_the_latest_total_is_carried_forward_with_its_date_and_a_stale_badge(tmp_path):
    displaced = figure(
        **SUDAN,
        indicator="displaced",
        as_of=D(2024, 11, 30),
        value=11_500_000,
        published_date=D(2024, 12, 5),
    )
    html = _render(tmp_path, displaced)
    card = _cards(html)[("Sudan", "Internally displaced")]
    assert card["value"] == "11.5 million"
    assert card["coverage"] == "as of 30 Nov 2024"
    assert "stale" not in card["coverage"]
    stale = _render(tmp_path / "stale", displaced, stale_after={"displaced": 14})
    card = _cards(stale)[("Sudan", "Internally displaced")]
    assert card["coverage"] == "as of 30 Nov 2024 stale: 31 days old"
    text = _pdf_text(tmp_path / "pdf", displaced, stale_after={"displaced": 14})
    assert "11.5 million" in text and "stale: 31 days old" in text


def test_a_one_event_flow_is_labelled_with_the_day_it_covers(tmp_path):
    shelling = figure(
        country_iso3="SDN",
        admin_level=None,
        location_name="El Fasher",
        pcode=None,
        measure="flow",
        as_of=D(2024, 12, 3),
        value=27,
        qualifier="at_least",
        method="text-rules@1",
        quote="At least 27 people were killed when shells struck a market in El Fasher.",
    )
    html = _render(tmp_path, shelling)
    card = _cards(html)[("El Fasher (area)", "Killed, new")]
    assert card["value"] == "at least 27"
    assert card["coverage"] == "new, 3 Dec, 1 report"
    assert "new in December" not in html
    trends = html[html.index('id="trends"') : html.index('id="locations"')]
    assert "<svg" not in trends and "the only figure in" in trends


def test_missing_days_are_gaps_and_counted_not_zeros(tmp_path):
    days = [1, 2, 3, 7, 8]
    html = _render(
        tmp_path,
        *(
            figure(**SUDAN, measure="flow", as_of=D(2024, 12, d), value=10, source_file="raw/d.csv")
            for d in days
        ),
    )
    card = _cards(html)[("Sudan", "Killed, new")]
    assert card["value"] == "50"
    assert card["coverage"] == "new, 1–8 Dec, 5 reports, 5 of 8 days reported"


UKRAINE = {"country_iso3": "UKR", "admin_level": 0, "location_name": None, "pcode": None}


def test_two_definitions_are_never_merged_and_the_panel_says_why(tmp_path):
    records = [
        figure(
            **UKRAINE,
            period_start=D(2022, 2, 24),
            period_end=D(2022, 3, 27),
            value=1_232,
            publisher="OHCHR",
            quote="OHCHR has verified 1,232 civilian deaths since 24 February.",
        ),
        *(
            figure(
                **{**UKRAINE, "location_name": None},
                measure="flow",
                as_of=D(2022, 3, day),
                value=value,
                publisher="ACLED",
                source_file="raw/acled.csv",
                span_start=day,
            )
            for day, value in ((2, 1_500), (9, 1_400), (16, 1_369))
        ),
    ]
    html = _render(tmp_path, *records, period="2022-03")
    cards = _cards(html)
    toll = cards[("Ukraine", "Killed (civilian, verified, since 24 Feb 2022)")]
    assert toll["value"] == "1,232"
    assert "range" not in toll
    assert cards[("Ukraine", "Killed, new")]["value"] == "4,269"
    panel = html[html.index('id="divergence"') : html.index('id="quality"')]
    assert "different definitions" in panel and "different sources (ACLED, OHCHR)" in panel
    assert "total to date, civilian, verified, since 24 Feb 2022" in panel
    # ACLED's rows are cited by dataset and row range, not one by one.
    assert re.search(r"\[S\d rows 2–16\]|\[S\d 3 rows in 2–16\]", html)


def test_tolls_counted_from_different_dates_are_different_lines(tmp_path):
    records = [
        figure(**UKRAINE, period_start=D(2011, 3, 15), period_end=D(2024, 12, d), value=v)
        for d, v in ((5, 600_000), (20, 601_000))
    ] + [
        figure(
            **UKRAINE,
            period_start=D(2023, 10, 7),
            period_end=D(2024, 12, d),
            value=v,
            publisher="Other",
        )
        for d, v in ((6, 44_000), (21, 45_000))
    ]
    html = _render(tmp_path, *records)
    trends = html[html.index('id="trends"') : html.index('id="locations"')]
    assert "since 15 Mar 2011" in trends and "since 7 Oct 2023" in trends
    # 600,000 and 45,000 are more than 10× apart: a panel each.
    assert trends.count("<svg") == 2


def test_hedge_words_are_kept_and_zero_is_never_at_least_zero(tmp_path):
    records = [
        figure(
            country_iso3="PSE",
            admin_level=1,
            location_name="Gaza Strip",
            pcode=None,
            indicator="displaced",
            as_of=D(2024, 12, 9),
            value=1_900_000,
            qualifier="at_most",
            method="text-rules@1",
            quote="Nearly 1.9 million people in the Gaza Strip remain displaced, UNRWA said.",
        ),
        figure(**SUDAN, measure="flow", as_of=D(2024, 12, 2), value=0, qualifier="at_least"),
        figure(
            **SUDAN,
            indicator="injured",
            as_of=D(2024, 12, 2),
            value=12_500,
            value_low=10_000,
            value_high=15_000,
            qualifier="range",
        ),
    ]
    html = _render(tmp_path, *records)
    cards = _cards(html)
    assert cards[("Gaza Strip (area)", "Internally displaced")]["value"] == "nearly 1.9 million"
    assert cards[("Sudan", "Killed, new")]["value"] == "0"
    assert cards[("Sudan", "Injured")]["value"] == "10,000–15,000"
    assert "up to" not in html and "at least 0" not in html
    text = _pdf_text(tmp_path / "pdf", *records)
    assert "nearly 1.9 million" in text and "at least 0" not in text


def test_the_front_page_says_what_changed_since_the_last_issue(tmp_path):
    before, after = T(2024, 12, 1, tzinfo=dt.UTC), T(2025, 1, 2, tzinfo=dt.UTC)
    common = {**SUDAN}
    records = [
        figure(
            **common, indicator="displaced", as_of=D(2024, 11, 15), value=100, ingested_at=before
        ),
        figure(
            **common, indicator="displaced", as_of=D(2024, 12, 20), value=120, ingested_at=after
        ),
        figure(**common, indicator="in_need", as_of=D(2024, 11, 15), value=500, ingested_at=before),
        figure(
            **common,
            indicator="in_need",
            as_of=D(2024, 11, 15),
            value=550,
            published_date=D(2024, 12, 10),
            ingested_at=after,
        ),
        figure(**common, indicator="refugees", as_of=D(2024, 12, 3), value=9, ingested_at=after),
    ]
    html = _render(tmp_path, *records, last_issue=T(2024, 12, 15, tzinfo=dt.UTC))
    front = html[html.index('id="front"') : html.index('id="headlines"')]
    assert "data cut-off <strong>2 Jan 2025, 00:00 UTC</strong>" in html
    assert "next issue 1 Feb 2025 (January 2025)" in html
    assert len(re.findall(r"<li>", front[: front.index("<table")])) == 3
    assert "Superseded: Sudan, internally displaced 100 (as of 15 Nov 2024) → 120" in front
    assert "Revised: Sudan, people in need for 15 Nov 2024: 500 → 550" in front
    assert "Added: Sudan, refugees 9" in front


def test_quality_lists_only_the_report_inputs_countries_and_period(tmp_path):
    used = figure(**SUDAN, as_of=D(2024, 12, 3), source_file="raw/used.csv")
    quarantine = quarantine_frame(
        {
            "check": "negative-value",
            "reason": "in scope",
            "source_file": "raw/used.csv",
            "country_iso3": "SDN",
        },
        {
            "check": "other-file",
            "reason": "x",
            "source_file": "raw/other.csv",
            "country_iso3": "SDN",
        },
        {
            "check": "other-country",
            "reason": "x",
            "source_file": "raw/used.csv",
            "country_iso3": "SYR",
        },
        {"check": "unknown-country", "reason": "no country", "source_file": "raw/used.csv"},
    )
    (html,) = render_report(figures_frame(used), quarantine, period="2024-12", out_dir=tmp_path)
    quality = html.read_text()
    quality = quality[quality.index('id="quality"') : quality.index('id="sources"')]
    assert "negative-value" in quality and "unknown-country" in quality
    assert "other-file" not in quality and "other-country" not in quality


def test_sources_table_appendix_csv_and_a_tagged_pdf(tmp_path):
    rows = [
        figure(
            **SUDAN,
            as_of=D(2024, 12, d),
            measure="flow",
            value=d,
            span_start=d + 1,
            source_file="raw/table.csv",
            source_url="https://data.example/table.csv",
        )
        for d in (1, 2, 3)
    ]
    html = _render(tmp_path, *rows)
    sources = html[html.index('id="sources"') : html.index('id="appendix"')]
    assert 'href="https://data.example/table.csv"' in sources
    assert "3 figures" in sources and "1 Dec 2024 – 3 Dec 2024" in sources
    assert "[S1 rows 2–4]" in html
    uri = re.search(r'href="data:text/csv;base64,([^"]+)"', html)[1]
    csv = pl.read_csv(io.BytesIO(base64.b64decode(uri)))
    assert sorted(csv["value"].to_list()) == [1, 2, 3]
    (pdf,) = render_report(
        figures_frame(*rows),
        quarantine_frame(),
        period="2024-12",
        formats=("pdf",),
        out_dir=tmp_path / "pdf",
    )
    reader = PdfReader(pdf)
    assert "/StructTreeRoot" in reader.trailer["/Root"]
    attached = [
        annotation.get_object()["/FS"]["/F"]
        for page in reader.pages
        for annotation in page.get("/Annots") or []
        if annotation.get_object()["/Subtype"] == "/FileAttachment"
    ]
    assert attached == ["all-2024-12-figures.csv"]


@pytest.mark.parametrize("places, svg", [(1, False), (4, True)])
def test_few_places_are_a_table_many_a_chart(tmp_path, places, svg):
    rows = [
        figure(
            country_iso3="SDN",
            admin_level=1,
            location_name=f"State {n}",
            pcode=f"SD{n}",
            indicator="displaced",
            as_of=D(2024, 12, 5),
            value=1_000 * (n + 1),
        )
        for n in range(places)
    ] + [figure(**SUDAN, indicator="displaced", as_of=D(2024, 12, 5), value=99_000)]
    html = _render(tmp_path, *rows)
    block = html[html.index('id="locations"') : html.index('id="divergence"')]
    assert "State 0" in block
    assert ("<svg" in block) is svg


def test_daily_new_events_come_with_a_seven_day_average_of_the_days_reported(tmp_path):
    reported = [d for d in range(1, 29) if d % 5]  # every fifth day without a report
    html = _render(
        tmp_path,
        *(figure(**SUDAN, measure="flow", as_of=D(2024, 12, d), value=10 * d) for d in reported),
    )
    trends = html[html.index('id="trends"') : html.index('id="locations"')]
    assert "with the 7-day average of the days reported" in trends
    assert "Sudan, 7-day average" in trends
    # The average of 16–22 Dec leaves out the 20th (no report): (16+17+18+19+21+22)/6 × 10.
    assert re.search(
        r"<td>Sudan, 7-day average</td><td>22 Dec 2024</td><td class=\"num\">188<", trends
    )


def test_events_at_many_places_add_up_to_the_country_and_meet_the_toll(tmp_path):
    towns = ["Mariupol", "Kharkiv", "Kyiv", "Chernihiv", "Sumy"]
    records = [
        figure(
            **UKRAINE,
            as_of=D(2022, 3, 27),
            value=1_232,
            publisher="OCHA",
            attributed_to="OHCHR",
            quote="Civilian casualties (OHCHR): 1,232 killed.",
        ),
        *(
            figure(
                country_iso3="UKR",
                admin_level=None,
                location_name=town,
                pcode=None,
                measure="flow",
                as_of=D(2022, 3, n + 1),
                value=100 * (n + 1),
                publisher="ACLED",
                source_file="raw/acled.csv",
                span_start=n + 10,
            )
            for n, town in enumerate(towns)
        ),
    ]
    html = _render(tmp_path, *records, period="2022-03")
    cards = _cards(html)
    events = cards[("Ukraine", "Killed, new")]
    assert events["value"] == "1,500"
    assert events["footnote"].startswith("ACLED, sum of new events at 5 places (5 figures)")
    assert "[S2 rows 10–14]" in events["footnote"]
    panel = html[html.index('id="divergence"') : html.index('id="quality"')]
    assert "Ukraine — Killed" in panel
    assert "new in the period vs total to date, civilian" in panel
    assert "different sources (ACLED, OCHA)" in panel


def test_a_plan_for_a_year_is_not_a_change_from_a_dated_figure(tmp_path):
    records = [
        figure(
            **UKRAINE,
            indicator="in_need",
            period_start=D(2022, 1, 1),
            period_end=D(2022, 12, 31),
            date_precision="year",
            value=2_900_000,
        ),
        figure(**UKRAINE, indicator="in_need", as_of=D(2022, 3, 3), value=12_000_000),
    ]
    card = _cards(_render(tmp_path, *records, period="2022-03"))[("Ukraine", "People in need")]
    assert card["value"] == "12 million"
    assert card["change"] == (
        "February 2022: 2,900,000 for 1 Jan 2022 – 31 Dec 2022 "
        "(a figure for a longer period: not compared)"
    )
    assert "%" not in card["change"]


def test_a_projection_is_labelled_and_never_merged_with_a_count(tmp_path):
    records = [
        figure(**SUDAN, indicator="food_insecure", as_of=D(2024, 12, 1), value=24_600_000),
        figure(
            **SUDAN,
            indicator="food_insecure",
            period_start=D(2024, 12, 1),
            period_end=D(2025, 2, 28),
            value=26_000_000,
            projected=True,
        ),
    ]
    cards = _cards(_render(tmp_path, *records))
    assert cards[("Sudan", "Food insecure")]["value"] == "24.6 million"
    projection = cards[("Sudan", "Food insecure (projected)")]
    assert projection["value"] == "26 million"
    assert "range" not in projection


def test_a_single_point_sentence_keeps_the_hedge(tmp_path):
    html = _render(
        tmp_path,
        figure(
            country_iso3="PSE",
            admin_level=1,
            location_name="Gaza Strip",
            pcode=None,
            indicator="displaced",
            as_of=D(2024, 12, 9),
            value=1_900_000,
            qualifier="at_most",
            method="text-rules@1",
            quote="Nearly 1.9 million people in the Gaza Strip remain displaced.",
        ),
    )
    trends = html[html.index('id="trends"') : html.index('id="locations"')]
    assert "Gaza Strip: nearly 1.9 million as of 9 Dec 2024 — the only figure" in trends


def test_the_pdf_says_the_same_as_the_html(tmp_path):
    shelling = figure(
        country_iso3="SDN",
        admin_level=None,
        location_name="El Fasher",
        pcode=None,
        measure="flow",
        as_of=D(2024, 12, 3),
        value=27,
        qualifier="at_least",
        method="text-rules@1",
        quote="At least 27 people were killed when shells struck a market in El Fasher.",
    )
    toll = figure(
        **SUDAN,
        period_start=D(2023, 4, 15),
        period_end=D(2024, 12, 20),
        value=20_000,
        publisher="WHO",
        quote="WHO has verified 20,000 deaths since April 2023.",
    )
    text = _pdf_text(tmp_path, *_sudan_in_need(), shelling, toll, country="SDN")
    assert "24.8 million as of 31 Oct 2024" in text
    assert "People in need" in text and "an estimated 1.6 million" in text
    # The national toll is the country's; the shelling is El Fasher's, named as such.
    assert "Sudan Killed (verified, since 15 Apr 2023) 20,000 as of 20 Dec 2024" in text
    assert "El Fasher: Killed, new at least 27 new, 3 Dec, 1 report" in text
    assert "new in December" not in text


def test_a_panel_of_one_point_is_a_sentence_beside_the_drawn_lines(tmp_path):
    daily = [
        figure(
            country_iso3="PSE",
            admin_level=1,
            location_name="Gaza Strip",
            pcode=None,
            indicator="killed",
            as_of=D(2024, 12, day),
            value=45_000 + 10 * day,
        )
        for day in range(1, 11)
    ]
    toll = figure(
        country_iso3="SYR",
        indicator="killed",
        as_of=D(2024, 12, 3),
        value=500_000,
        qualifier="at_least",
        method="text-rules@1",
        quote="The war has left more than 500,000 people dead.",
    )
    html = _render(tmp_path, *daily, toll)
    trends = html[html.index('id="trends"') : html.index('id="locations"')]
    assert "more than 500,000 as of 3 Dec 2024, a single figure, so no line is drawn" in trends
    assert trends.count("<svg") == 1  # the Gaza line is drawn; the lone Syria dot is not
    assert "Magnitudes 10× apart" not in trends


@pytest.mark.parametrize("per_row", [False, True])
def test_an_appendix_entry_repeats_a_url_only_where_its_dataset_has_none(tmp_path, per_row):
    article = "https://example.org/news/one-article"
    records = [
        figure(
            country_iso3="SDN",
            indicator=indicator,
            as_of=D(2024, 12, 3),
            value=value,
            method="text-rules@2",
            quote=f"{value:,} people were {indicator}.",
            source_file="raw/article.txt",
            source_url=f"{article}#{indicator}" if per_row else article,
        )
        for indicator, value in (("killed", 41), ("displaced", 12_000))
    ]
    html = _render(tmp_path, *records)
    appendix = html[html.index('id="appendix"') :]
    sources = html[html.index('id="sources"') : html.index('id="appendix"')]
    entries = re.findall(r'<p class="entry".*?</p>', appendix, flags=re.S)
    assert len(entries) == 2 and all('href="#src-1"' in e for e in entries)
    if per_row:  # the dataset has no single link: each entry carries its own
        assert all(f'href="{article}#' in e for e in entries)
    else:  # the sources table holds the link once; entries cite it
        assert sources.count(f'href="{article}"') == 1
        assert not any(article in e for e in entries)
