"""Periodic reports: figures → aggregates → charts → one HTML file and a PDF."""

from __future__ import annotations

from humstats.periods import Period
from humstats.report.context import STALE_AFTER_DAYS
from humstats.report.period import parse_period, period_between
from humstats.report.places import load_aliases
from humstats.report.render import FORMATS, render_report

__all__ = [
    "FORMATS",
    "STALE_AFTER_DAYS",
    "Period",
    "load_aliases",
    "parse_period",
    "period_between",
    "render_report",
]
