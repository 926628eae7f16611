from __future__ import annotations

import datetime as dt
import re

from humstats.report import charts

DAYS = [dt.date(2024, 12, 1) + dt.timedelta(days=n) for n in range(10)]


def _ids(svg: str) -> set[str]:
    return set(re.findall(r'\bid="([^"]+)"', svg))


def test_charts_in_one_page_never_share_an_id():
    line = charts.Line("Syria", DAYS, [1_000 * n for n in range(10)])
    first = charts.trend_chart([line], ylabel="Killed (people)", chart_id="a")
    second = charts.trend_chart([line], ylabel="Killed (people)", chart_id="b")
    assert _ids(first) and not _ids(first) & _ids(second)
    for svg, prefix in ((first, "a"), (second, "b")):
        for target in re.findall(r'(?:href="#|url\(#)([^")]+)', svg):
            assert target.startswith(f"{prefix}-") and target in _ids(svg)


def test_axes_carry_the_unit_and_thousands_separators():
    svg = charts.bar_chart(
        ["Aleppo", "Idlib"], [1_234_567, 89_000], xlabel="Displaced (people)", chart_id="bars"
    )
    assert "Displaced (people)" in svg
    assert "1,234,567" in svg and "89,000" in svg


def test_every_line_differs_by_more_than_colour():
    lines = [charts.Line(f"Country {n}", DAYS, list(range(10))) for n in range(4)]
    svg = charts.trend_chart(lines, ylabel="Injured (people)", chart_id="t")
    assert len(set(re.findall(r"stroke-dasharray: ([\d.,\s]+)", svg))) >= 2
    assert all(f"Country {n}" in svg for n in range(4))


def test_a_gap_in_new_events_breaks_the_line():
    days = [*DAYS[:3], *DAYS[7:]]
    line = charts.Line("Syria", days, [5] * len(days))
    joined = charts.trend_chart([line], ylabel="Injured (people)", chart_id="j")
    broken = charts.trend_chart(
        [line], ylabel="Injured (people)", chart_id="k", gap=dt.timedelta(days=1)
    )
    assert broken.count(" M ") + broken.count("M ") > joined.count(" M ") + joined.count("M ")


HOSTILE_LABELS = ["$5 and $6", r"Al-$\frac{1}{0}$", r"$\undefinedmacro$ camp", "<script>&"]


def test_any_text_in_a_label_is_drawn_as_written():
    bars = charts.bar_chart(HOSTILE_LABELS, [4, 3, 2, 1], xlabel="$ people", chart_id="b")
    lines = [charts.Line(label, DAYS[:2], [1, 2]) for label in HOSTILE_LABELS]
    trend = charts.trend_chart(lines, ylabel=r"$\alpha$ (people)", chart_id="t")
    assert "$5 and $6" in bars and r"$\undefinedmacro$ camp" in bars
    assert r"$\alpha$ (people)" in trend and r"Al-$\frac{1}{0}$" in trend
    assert "<script>" not in bars and "&lt;script&gt;&amp;" in bars
