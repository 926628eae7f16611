"""humstats: humanitarian figures with their provenance.

>>> import humstats                                                       # doctest: +SKIP
>>> humstats.open("data").figures().collect()
"""

from __future__ import annotations

from humstats.api import Dataset, open

__all__ = ["Dataset", "open"]
