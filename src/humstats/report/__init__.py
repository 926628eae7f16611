"""Periodic reports: figures → aggregates → charts → one HTML file and a PDF."""

from __future__ import annotations

from humstats.report.period import Period, parse_period, period_between
from humstats.report.render import FORMATS, render_report

__all__ = ["FORMATS", "Period", "parse_period", "period_between", "render_report"]
