"""HXL: find a table's hashtag row and say what each hashtag means for a figure.

The Humanitarian Exchange Language (https://hxlstandard.org) puts a row of hashtags such as
``#affected+killed`` or ``#adm1+name`` under (or instead of) the header row. Readers call
:func:`find_hashtag_row` to spot it; :func:`parse_hashtag` splits a hashtag into its tag and
attributes, which normalisation turns into figure fields. Indicator hashtags come from
``schema.INDICATOR_HXL`` so there is one list of them in the code base.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from humstats.schema import INDICATOR_HXL, Indicator

HASHTAG = re.compile(r"^#[A-Za-z][\w-]*(\s*\+\s*[A-Za-z][\w-]*)*$")
"""A hashtag with optional ``+attributes``; a lone ``#`` (a row-number header) is not one."""


@dataclass(frozen=True)
class Hashtag:
    """A parsed hashtag: ``#affected+killed+min`` is tag ``affected``, attributes
    ``{killed, min}``. Case and attribute order do not matter in HXL, so neither matters here.
    """

    tag: str
    attributes: frozenset[str]


def is_hashtag(cell: str | None) -> bool:
    return cell is not None and HASHTAG.match(cell.strip()) is not None


def parse_hashtag(cell: str) -> Hashtag:
    """Split ``cell`` (which :func:`is_hashtag` accepted) into tag and attributes."""
    parts = [part.strip().lower() for part in cell.strip().lstrip("#").split("+")]
    return Hashtag(parts[0], frozenset(parts[1:]))


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


@cache
def indicator_hashtags() -> tuple[tuple[Indicator, Hashtag], ...]:
    """``schema.INDICATOR_HXL`` parsed, most specific hashtag first, so ``#affected+killed``
    is tried before the bare ``#affected``."""
    parsed = [(indicator, parse_hashtag(tag)) for indicator, tag in INDICATOR_HXL.items()]
    return tuple(sorted(parsed, key=lambda pair: -len(pair[1].attributes)))


GROUP_TAGS = frozenset({"population", "affected"})
"""Tags that count a group named by an attribute: ``#population+idps`` (UNHCR's population
figures) counts IDPs just as ``#affected+idps`` does."""


def indicator_of(hashtag: Hashtag) -> tuple[Indicator, frozenset[str]] | None:
    """The indicator a hashtag counts and its attributes left over (``+min``, ``+hh``, ...)."""
    for indicator, known in indicator_hashtags():
        same_tag = hashtag.tag == known.tag or (
            hashtag.tag in GROUP_TAGS and known.tag in GROUP_TAGS and known.attributes
        )
        if same_tag and known.attributes <= hashtag.attributes:
            return indicator, hashtag.attributes - known.attributes
    return None
