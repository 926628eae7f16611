"""XLSX workbooks: pick the sheet that holds the data, then read it like a CSV grid.

Workbooks published on HDX often carry a tidy data sheet next to summary sheets made of
stacked pivot tables. A pivot's "Total Result"/"Grand Total" rows would be read as data (and
double counted), so sheets with such subtotal markers are passed over, and among the rest the
largest sheet wins. Cells are read as text by the calamine engine (fastexcel), so number and
date formatting are decided in normalisation, as for every other format.
"""

from __future__ import annotations

import io
import logging
import zipfile
from pathlib import Path

import fastexcel
import polars as pl

from humstats.config import DEFAULT_LIMITS, Limits
from humstats.errors import InputError
from humstats.readers import Table
from humstats.readers.csv import table_from_grid

log = logging.getLogger(__name__)

SUBTOTAL = r"(?i)^(total result|grand total|.+ total result)$"
"""Cells marking a pivot table's subtotal rows (LibreOffice "Total Result", Excel "Grand Total")."""


def read(path: Path, limits: Limits = DEFAULT_LIMITS) -> Table:
    """Read the data sheet of an XLSX workbook; every cell stays text.

    The workbook's parts are measured before anything is inflated: a few megabytes of zip
    can declare gigabytes of XML (a zip bomb), refused past ``limits.max_xlsx_mb``.
    """
    try:
        content = path.read_bytes()
    except OSError as e:
        raise InputError(path, e.strerror or str(e)) from e
    _refuse_bomb(path, content, limits)
    try:
        workbook = fastexcel.read_excel(content)
    except (OSError, fastexcel.FastExcelError) as e:
        first = (str(e).strip().splitlines() or [type(e).__name__])[0]
        raise InputError(path, f"not a readable XLSX workbook ({first})") from e
    grids: dict[str, pl.DataFrame] = {}
    for name in workbook.sheet_names:
        sheet = workbook.load_sheet(name, header_row=None, dtypes="string")
        grids[name] = sheet.to_polars()
    name = pick_sheet(grids)
    if name is None:
        raise InputError(path, "the workbook has no sheet with data")
    log.info("%s: reading sheet %r", path, name)
    return table_from_grid(grids[name], path, sheet=name, limits=limits)


def _refuse_bomb(path: Path, content: bytes, limits: Limits) -> None:
    """Refuse a workbook whose parts would inflate past the limit, by what its zip
    directory declares and by how much it actually inflates, read in bounded chunks (a
    directory can lie)."""
    limit = int(limits.max_xlsx_mb * 1024 * 1024)
    over = f"its parts inflate to more than {limits.max_xlsx_mb:g} MB (limits.max_xlsx_mb)"
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
            if sum(member.file_size for member in members) > limit:
                raise InputError(path, over)
            total = 0
            for member in members:
                with archive.open(member) as part:
                    while chunk := part.read(1 << 20):
                        total += len(chunk)
                        if total > limit:
                            raise InputError(path, over)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError) as e:
        raise InputError(path, f"not a readable XLSX workbook (not a zip archive: {e})") from e
    except (OSError, ValueError, RuntimeError) as e:  # zlib and crc errors, encrypted parts
        raise InputError(path, f"not a readable XLSX workbook ({e})") from e


def pick_sheet(grids: dict[str, pl.DataFrame]) -> str | None:
    """The name of the largest sheet that is not pivot-table output (or the largest at all)."""
    sizes = {
        name: grid.height * sum(grid[c].null_count() < grid.height for c in grid.columns)
        for name, grid in grids.items()
    }
    candidates = [name for name, size in sizes.items() if size > 0]
    tidy = [name for name in candidates if not _has_subtotals(grids[name])]
    pool = tidy or candidates
    return max(pool, key=sizes.__getitem__) if pool else None


def _has_subtotals(grid: pl.DataFrame) -> bool:
    hits = grid.select(
        pl.any_horizontal(pl.all().cast(pl.String).str.strip_chars().str.contains(SUBTOTAL))
    )
    return bool(hits.to_series().any())
