"""What normalisation hands on: candidate figures and quarantine candidates."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from humstats.schema import (
    COLUMNS,
    STAMPED,
)


@dataclass
class Normalized:
    """Candidate figures (schema columns minus the stamped ones, plus ``input_row`` and
    ``origin``) and quarantine candidates (``empty_quarantine()``'s columns, text)."""

    figures: pl.DataFrame
    quarantine: pl.DataFrame


CANDIDATE_COLUMNS = tuple(c for c in COLUMNS if c not in STAMPED)
