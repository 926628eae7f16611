"""HXL: find a table's hashtag row.

The Humanitarian Exchange Language (https://hxlstandard.org) puts a row of hashtags such as
``#affected+killed`` or ``#adm1+name`` under (or instead of) the header row. Readers call
:func:`find_hashtag_row` to spot it and :func:`hashtags` to pair it with the columns; what the
hashtags mean is ``humstats.hxl``'s business.
"""

from __future__ import annotations

from collections.abc import Sequence

from humstats.hxl import is_hashtag

__all__ = ["find_hashtag_row", "hashtags", "is_hashtag"]


def find_hashtag_row(rows: Sequence[Sequence[str | None]], limit: int = 25) -> int | None:
    """The index of the hashtag row among the first ``limit`` rows, or None.

    A row is the hashtag row when at least one cell is a hashtag and hashtags are the majority
    of its non-empty cells: HXL leaves untagged columns blank, and some files put a stray label
    in the row (the IOM DTM master list has "Show location" under a link column). Counting only
    non-empty cells also keeps a header cell that is literally ``#`` from making the header row
    look tagged, while the blank cell under it does not spoil the real hashtag row.
    """
    for index, row in enumerate(rows[:limit]):
        cells = [cell.strip() for cell in row if cell is not None and cell.strip()]
        tagged = sum(1 for cell in cells if is_hashtag(cell))
        if tagged and tagged * 2 > len(cells):
            return index
    return None


def hashtags(columns: Sequence[str], row: Sequence[str | None]) -> dict[str, str]:
    """Column name -> hashtag as written, for the tagged cells of the hashtag ``row``."""
    return {
        column: cell.strip() for column, cell in zip(columns, row, strict=False) if is_hashtag(cell)
    }
