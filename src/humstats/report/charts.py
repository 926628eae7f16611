"""Charts as inline SVG strings, drawn with matplotlib (no display, no files).

Charts must survive a black-and-white printer and colour-blind readers: colours come from the
Okabe–Ito palette and every line also differs by marker and dash pattern. Axes carry the unit
and thousands separators. Text stays text in the SVG (``svg.fonttype = none``), which keeps
the files small and the PDF vector.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

import matplotlib as mpl
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

OKABE_ITO: tuple[str, ...] = (
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#000000",  # black
    "#F0E442",  # yellow (last: weak on white)
)
MARKERS: tuple[str, ...] = ("o", "s", "^", "D", "v", "P", "X", "*")
DASHES: tuple[str, ...] = ("-", "--", "-.", ":")

_STYLE = {
    "svg.fonttype": "none",
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#d9d9d9",
    "grid.linewidth": 0.6,
    "axes.axisbelow": True,
    # place names and publishers are data, never TeX: "$5 and $6" stays as written and a
    # stray "$\\foo$" cannot stop a report from rendering
    "text.parse_math": False,
}

_WIDTH_IN = 7.0
_LABEL_CHARS = 28


@dataclass(frozen=True)
class Line:
    """One line of a trend chart: a label and its points in date order; where given,
    ``lows``/``highs`` bound each point (drawn as a range bar) and ``hedged`` marks points
    the source hedged ("at least", "about": drawn as open markers)."""

    label: str
    dates: Sequence[dt.date]
    values: Sequence[int]
    lows: Sequence[int | None] = ()
    highs: Sequence[int | None] = ()
    hedged: Sequence[bool] = ()


def _thousands(value: float, _position: object = None) -> str:
    return f"{value:,.0f}"


def _shorten(label: str, limit: int = _LABEL_CHARS) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def _margins(figure: Figure, *, left: float, right: float, bottom: float, top: float) -> None:
    """Margins in inches. Fixed margins sized from the labels are 2–3× faster than
    matplotlib's constrained layout, which matters with a dozen charts per report."""
    width, height = figure.get_size_inches()
    figure.subplots_adjust(
        left=left / width, right=1 - right / width, bottom=bottom / height, top=1 - top / height
    )


def _svg(figure: Figure, chart_id: str, title: str = "", desc: str = "") -> str:
    """The figure as an ``<svg>`` element whose ids are all prefixed with ``chart_id``,
    carrying ``title`` and ``desc`` for screen readers (and the PDF's tags)."""
    buffer = io.StringIO()
    with mpl.rc_context({**_STYLE, "svg.hashsalt": "humstats"}):
        FigureCanvasSVG(figure).print_svg(buffer, metadata={"Date": None})
    text = buffer.getvalue()
    text = text[text.index("<svg") :]
    # matplotlib numbers its element ids per figure (text_1, line2d_1…): prefix them so
    # that ids stay unique in a page holding several charts.
    text = re.sub(r'\bid="([^"]+)"', rf'id="{chart_id}-\1"', text)
    text = re.sub(r'(href="#|url\(#)', rf"\g<1>{chart_id}-", text)
    head = text.index(">") + 1
    label = (
        f' role="img" aria-labelledby="{chart_id}-title {chart_id}-desc"'
        f'><title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>'
    )
    return text[: head - 1] + label + text[head:]


def trend_chart(
    lines: Sequence[Line],
    *,
    ylabel: str,
    chart_id: str,
    span: tuple[dt.date, dt.date] | None = None,
    gap: dt.timedelta | None = None,
    title: str = "",
    desc: str = "",
) -> str:
    """Lines over time; a single point per line still shows, thanks to the markers. ``span``
    fixes the time axis to the report's period, however sparse the points. Points further
    apart than ``gap`` are not joined: for counts of new events a missing day is unknown,
    not a straight line."""
    with mpl.rc_context(_STYLE):
        height = 1.6
        figure = Figure(figsize=(_WIDTH_IN, height))
        # The legend goes under the plot, where long country names have the full width.
        labels = [_shorten(line.label, 40) for line in lines] if len(lines) > 1 else []
        columns = 3 if max(map(len, labels), default=0) <= 24 else 2
        legend_rows = -(-len(labels) // columns)
        bottom, top = 0.5 + (0.2 * legend_rows + 0.1 if labels else 0), 0.12
        height += bottom - 0.5
        figure.set_size_inches(_WIDTH_IN, height)
        _margins(figure, left=1.0, right=0.2, bottom=bottom, top=top)
        axes = figure.add_subplot()
        styles = zip(
            itertools.cycle(OKABE_ITO),
            itertools.cycle(MARKERS),
            itertools.cycle(DASHES),
            strict=False,
        )
        for line, (colour, marker, dash) in zip(lines, styles, strict=False):
            few = len(line.dates) <= 40
            dates, values = _break_gaps(line, gap)
            axes.plot(
                dates,
                values,
                color=colour,
                linestyle=dash,
                linewidth=1.6,
                marker=marker,
                markersize=4 if few else 3,
                markevery=1 if few else max(1, len(line.dates) // 12),
                label=_shorten(line.label, 40),
            )
            _uncertainty(axes, line, colour, marker)
        locator = AutoDateLocator(minticks=3, maxticks=8)
        axes.xaxis.set_major_locator(locator)
        axes.xaxis.set_major_formatter(ConciseDateFormatter(locator))
        axes.yaxis.set_major_formatter(FuncFormatter(_thousands))
        axes.yaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
        highest = max(
            (v for line in lines for v in (*line.values, *line.highs) if v is not None),
            default=0,
        )
        axes.set_ylim(0, max(highest * 1.08, 1))  # room above the highest marker
        if span is not None:
            # A little room at both ends, so that points on the first and last day show.
            room = dt.timedelta(days=max(1, (span[1] - span[0]).days // 60))
            axes.set_xlim(span[0] - room, span[1] + room)
        axes.set_ylabel(ylabel)
        if labels:
            axes.legend(
                loc="upper center",
                bbox_to_anchor=(0.5, -0.5 / (height - bottom - top)),
                bbox_transform=axes.transAxes,
                ncol=columns,
                frameon=False,
                fontsize=8,
                handlelength=3.2,
            )
        return _svg(figure, chart_id, title, desc)


def _uncertainty(axes: Any, line: Line, colour: str, marker: str) -> None:
    """Range bars from each point's low to high; open markers where the source hedged."""
    bounded = [
        (day, low, high)
        for day, low, high in zip(line.dates, line.lows, line.highs, strict=False)
        if low is not None and high is not None and low != high
    ]
    if bounded:
        days, lows, highs = zip(*bounded, strict=True)
        axes.vlines(days, lows, highs, colors=colour, linewidth=1.2)
    hedged = [
        (day, value)
        for day, value, flag in zip(line.dates, line.values, line.hedged, strict=False)
        if flag
    ]
    if hedged:
        days, values = zip(*hedged, strict=True)
        axes.plot(
            days,
            values,
            linestyle="none",
            marker=marker,
            markersize=6,
            markerfacecolor="white",
            markeredgecolor=colour,
            markeredgewidth=1.4,
        )


def _break_gaps(line: Line, gap: dt.timedelta | None) -> tuple[list[dt.date], list[float | None]]:
    dates: list[dt.date] = []
    values: list[float | None] = []
    for day, value in zip(line.dates, line.values, strict=True):
        if gap is not None and dates and day - dates[-1] > gap:
            dates.append(dates[-1] + (day - dates[-1]) / 2)
            values.append(None)  # matplotlib lifts the pen at a missing value
        dates.append(day)
        values.append(value)
    return dates, values


def bar_chart(
    labels: Sequence[str],
    values: Sequence[int],
    *,
    xlabel: str,
    chart_id: str,
    title: str = "",
    desc: str = "",
) -> str:
    """Horizontal bars, largest on top, each labelled with its value: names of any length
    stay readable and never overlap, unlike rotated tick labels."""
    with mpl.rc_context(_STYLE):
        height = 0.75 + 0.24 * max(len(labels), 1)
        figure = Figure(figsize=(_WIDTH_IN, height))
        longest = max((len(_shorten(label)) for label in labels), default=4)
        _margins(figure, left=0.2 + 0.068 * longest, right=0.25, bottom=0.5, top=0.08)
        axes = figure.add_subplot()
        positions = range(len(labels))[::-1]
        bars = axes.barh(
            list(positions),
            list(values),
            color=OKABE_ITO[0],
            edgecolor="#000000",
            linewidth=0.4,
            height=0.7,
        )
        axes.bar_label(bars, labels=[_thousands(v) for v in values], padding=3, fontsize=8)
        axes.set_yticks(list(positions), [_shorten(label) for label in labels])
        axes.xaxis.set_major_formatter(FuncFormatter(_thousands))
        axes.xaxis.set_major_locator(MaxNLocator(nbins=5, integer=True))
        axes.set_xlim(right=max(values, default=1) * 1.15 or 1)
        axes.set_xlabel(xlabel)
        axes.grid(axis="y", visible=False)
        axes.tick_params(axis="y", length=0)
        return _svg(figure, chart_id, title, desc)


def safe_id(text: str) -> str:
    """A string usable as an HTML/SVG id."""
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-") or "chart"
