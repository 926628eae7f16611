"""Texts on disk to candidate figures: read each path, apply metadata overrides, extract.

This is the one call the ``extract`` command makes; ingestion routes ``Document``s to
``extract_many`` itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import polars as pl

from humstats.errors import InputError
from humstats.extract.figures import CANDIDATE_SCHEMA, extract_many
from humstats.readers import Document, Table, read
from humstats.schema import SourceMeta


def extract_paths(paths: Iterable[Path], override: SourceMeta | None = None) -> pl.DataFrame:
    """The figures of every text in ``paths``; fields set in ``override`` win over the input's.

    A table (CSV, or NDJSON without text) is refused: its figures come from normalisation.
    """
    override = override or SourceMeta()
    frames = [pl.DataFrame(schema=CANDIDATE_SCHEMA)]
    for path in paths:
        documents = read(Path(path))
        if isinstance(documents, Table):
            raise InputError(path, "is a table, not text; use `humstats ingest` for tables")
        frames.extend(
            extract_many(
                Document(
                    document.text,
                    document.path,
                    document.meta.overridden_by(override),
                    document.index,
                    document.offset,
                )
                for document in documents
            )
        )
    return pl.concat(frames, how="vertical")
