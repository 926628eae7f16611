"""Figures from prose: numbers, indicators, places and dates read by rules, not models.

``extract_figures(document)`` reads one document, ``extract_many(documents)`` many (the
sentences that need the dependency parse are parsed in batches across documents); the
readers below them (``numbers``, ``indicators``, ``places``, ``dates``, ``attribution``) are
usable alone, e.g. ``numbers.parse_number`` by table normalisation.

In data-flow order: ``sentences`` and ``tables`` cut the text; ``context`` holds a count's
sentence window and what the document said before; ``classification`` decides whether a
count is a figure and of which indicator; ``measure``, ``place_choice``, ``source_choice``
and ``period_choice`` pick its measure, place, source and period; ``figures`` walks the
document and writes the rows.
"""

from __future__ import annotations

from humstats.extract.figures import METHOD, PERIOD_DEFAULTED, extract_figures, extract_many
from humstats.extract.indicators import load_vocabulary

__all__ = [
    "METHOD",
    "PERIOD_DEFAULTED",
    "extract_figures",
    "extract_many",
    "load_vocabulary",
]
