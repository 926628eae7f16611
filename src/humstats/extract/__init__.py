"""Figures from prose: numbers, indicators, places and dates read by rules, not models.

``extract_figures(document)`` is the one entry point ingestion calls; the modules below it
(``numbers``, ``indicators``, ``places``, ``dates``, ``attribution``) are usable alone, e.g.
``numbers.parse_number`` by table normalisation.
"""

from __future__ import annotations

from humstats.extract.figures import METHOD, PERIOD_DEFAULTED, extract_figures
from humstats.extract.indicators import load_vocabulary

__all__ = ["METHOD", "PERIOD_DEFAULTED", "extract_figures", "load_vocabulary"]
