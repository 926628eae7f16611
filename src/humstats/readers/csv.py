"""CSV (and TSV) tables: sniff the encoding and delimiter, find the header, keep cells as text.

Real exports carry a title or banner row above the header, a hashtag row below it, blank rows,
and "Source: ..." notes after the data. ``read`` parses the file with polars (fast, and a real
CSV parser, so quoted fields may hold delimiters and newlines) into a grid of text cells, and
:func:`table_from_grid` (shared with the XLSX and JSON readers) decides which row is the header.
"""

from __future__ import annotations

import codecs
import csv
import io
import logging
import math
import re
from collections import Counter
from pathlib import Path

import polars as pl

from humstats.config import DEFAULT_LIMITS, Limits
from humstats.errors import InputError
from humstats.readers import Table
from humstats.readers.hxl import find_hashtag_row, hashtags, is_hashtag

log = logging.getLogger(__name__)

DELIMITERS = (",", ";", "\t", "|")
SAMPLE_BYTES = 64 * 1024
HEAD_ROWS = 30
"""Header, banner and hashtag rows are looked for among this many leading rows."""


def read(path: Path, limits: Limits = DEFAULT_LIMITS) -> Table:
    """Read a delimited text table; every cell stays text (or null when empty).

    A plain UTF-8 file goes to polars by path (memory-mapped, no copy in Python); a file with
    a byte-order mark or in another encoding is re-encoded first.

    >>> table = read(Path("examples/tables/ocha-pin-plans-2022.csv"))  # doctest: +SKIP
    >>> table.hxl["In Need"]  # doctest: +SKIP
    '#inneed'
    """
    try:
        with path.open("rb") as file:
            head = file.read(SAMPLE_BYTES)
            whole = not file.read(1)
    except OSError as e:
        raise InputError(path, e.strerror or str(e)) from e
    if whole and not head.strip():
        raise InputError(path, "the file is empty")
    source: Path | io.BytesIO = path if _utf8_name(path) else io.BytesIO(_read_all(path))
    utf16 = _utf16_without_bom(head)
    if (
        utf16
        or head.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
        or not _utf8_head(head)
    ):
        source = io.BytesIO(_as_utf8(path, _read_all(path), utf16))
    else:
        _refuse_binary(path, head)
        if b"\r" in head and b"\n" not in head:  # classic Mac OS line endings: CR alone
            data = source.getvalue() if isinstance(source, io.BytesIO) else _read_all(path)
            source = io.BytesIO(_unix_newlines(data))
    sample = _sample_text(source.getvalue() if isinstance(source, io.BytesIO) else head, whole)
    separator = sniff_delimiter(sample)
    # one column more than the widest sampled row: a later row with extra cells fills it,
    # so extra cells are seen (and the row quarantined) rather than cut off unseen
    width = _sample_width(sample, separator) + 1
    return table_from_grid(_parse(path, source, separator, width), path, limits=limits)


def _parse(path: Path, source: Path | io.BytesIO, separator: str, width: int) -> pl.DataFrame:
    try:
        return _read_grid(source, separator, width)
    except pl.exceptions.PolarsError as e:
        error = e
    # perhaps not UTF-8 past the sampled head: re-encode the whole file and try again
    data = _as_utf8(path, source.getvalue() if isinstance(source, io.BytesIO) else _read_all(path))
    if not isinstance(source, io.BytesIO):
        try:
            return _read_grid(io.BytesIO(data), separator, width)
        except pl.exceptions.PolarsError as e:
            error = e
    log.info("polars could not parse %s (%s); using the csv module", path, error)
    return _grid_with_csv_module(path, data.decode("utf-8"), separator, width)


def _unix_newlines(data: bytes) -> bytes:
    """CR-only line endings as LF (a CR inside a quoted cell becomes LF too)."""
    return data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")


def _utf16_without_bom(head: bytes) -> str | None:
    """``utf-16-le``/``-be`` when the head looks like UTF-16 text without a byte-order mark:
    mostly-ASCII text in UTF-16 has a zero in every other byte, on one side only."""
    sample = head[: len(head) - len(head) % 2][:4096]
    if len(sample) < 4 or head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None
    even, odd = sample[0::2], sample[1::2]
    zeros_even, zeros_odd = even.count(0) / len(even), odd.count(0) / len(odd)
    for encoding, zeros, other in (
        ("utf-16-le", zeros_odd, zeros_even),
        ("utf-16-be", zeros_even, zeros_odd),
    ):
        if zeros > 0.6 and other < 0.05:
            try:
                sample.decode(encoding)
            except UnicodeDecodeError:
                return None
            return encoding
    return None


def _utf8_name(path: Path) -> bool:
    """Whether polars can be given the path itself (it takes only UTF-8 names)."""
    try:
        str(path).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _read_all(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as e:
        raise InputError(path, e.strerror or str(e)) from e


def _read_grid(source: Path | io.BytesIO, separator: str, width: int) -> pl.DataFrame:
    """The file as text cells, one chunk per column.

    polars parses a large file in chunks; left so, every later frame mixing these columns
    with ones computed whole (parsed counts, quotes) is silently rechunked, i.e. copied,
    each time a column is added. One copy here is cheaper.
    """
    if isinstance(source, io.BytesIO):
        source.seek(0)
    # scanned with glob=False: a path is a file name, never a pattern ("x*.csv", "r[1].csv")
    return (
        pl.scan_csv(
            source,
            has_header=False,
            separator=separator,
            schema={f"column_{i + 1}": pl.String for i in range(width)},
            truncate_ragged_lines=True,
            raise_if_empty=False,
            glob=False,
            missing_columns="insert",
        )
        .collect()
        .rechunk()
    )


def _utf8_head(head: bytes) -> bool:
    """Whether the sampled head is UTF-8 (a character cut at the sample's end is fine)."""
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return True


def _as_utf8(path: Path, data: bytes, utf16: str | None = None) -> bytes:
    """The file's bytes as UTF-8 without a byte-order mark, with LF or CRLF line endings.

    UTF-8 is tried first (with or without BOM), then UTF-16 when a UTF-16 BOM (Excel's
    "Unicode text") or the pattern of zero bytes says so. A file that is not UTF-8 is decoded
    line by line: a line that is UTF-8 stays so, any other is Windows-1252 (a superset of
    Latin-1 for printable text, what spreadsheets in Western Europe save; Latin-1 itself
    decodes any byte left over). So a UTF-8 export with one line pasted from a Latin-1 file
    keeps every other name intact. Binary content is refused before a guess turns it into
    mojibake.
    """
    try:
        if data.startswith(codecs.BOM_UTF8):
            data = data[len(codecs.BOM_UTF8) :]
        elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return _newlines(data.decode("utf-16").encode("utf-8"))
        elif utf16:
            return _newlines(data.decode(utf16).encode("utf-8"))
    except UnicodeDecodeError as error:
        raise InputError(path, f"not UTF-16 text ({error.reason} at byte {error.start})") from error
    _refuse_binary(path, data[:SAMPLE_BYTES])
    try:
        _check_utf8(data)
    except UnicodeDecodeError:
        lines = data.splitlines(keepends=True)
        decoded, legacy = [], []
        for number, line in enumerate(lines, start=1):
            try:
                decoded.append(line.decode("utf-8"))
            except UnicodeDecodeError:
                try:
                    decoded.append(line.decode("cp1252"))
                except UnicodeDecodeError:
                    decoded.append(line.decode("latin-1"))
                legacy.append(number)
        log.info(
            "%s: %d of %d lines are not UTF-8; read them as Windows-1252/Latin-1 (first: line %d)",
            path,
            len(legacy),
            len(lines),
            legacy[0],
        )
        data = "".join(decoded).encode("utf-8")
    return _newlines(data)


def _newlines(data: bytes) -> bytes:
    head = data[:SAMPLE_BYTES]
    return _unix_newlines(data) if b"\r" in head and b"\n" not in head else data


def _check_utf8(data: bytes, chunk: int = 1 << 20) -> None:
    """Raise ``UnicodeDecodeError`` unless ``data`` is UTF-8, without building the whole
    text in memory (a large file would otherwise be held twice)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(data)
    for start in range(0, len(data), chunk):
        decoder.decode(view[start : start + chunk])
    decoder.decode(b"", final=True)


def _refuse_binary(path: Path, head: bytes) -> None:
    if head.startswith(b"PK\x03\x04"):
        raise InputError(path, "this is a ZIP archive (an XLSX workbook?), not delimited text")
    control = sum(1 for byte in head if byte < 9 or 13 < byte < 32)
    if b"\x00" in head or control > len(head) * 0.01:
        raise InputError(path, "binary content, not a text table")


def _sample_text(data: bytes, whole: bool = True) -> str:
    """The first complete lines of the file, enough to sniff its dialect."""
    sample = data[:SAMPLE_BYTES]
    if len(data) > SAMPLE_BYTES or not whole:
        sample = sample[: sample.rfind(b"\n") + 1] or sample
    return sample.decode("utf-8", errors="ignore")


def sniff_delimiter(sample: str) -> str:
    """The delimiter that splits the most sample rows into the same number (> 1) of fields.

    ``csv.Sniffer`` guesses from character frequencies and is thrown by quoted text full of
    commas; parsing the sample with each candidate and counting consistent rows is not.
    """
    declared = re.match(r'"?sep=(.)"?\r?\n', sample)
    if declared:  # Excel's hint line, "sep=;", written by European exports
        return declared[1]
    best, best_score = ",", (0, 0)
    for delimiter in DELIMITERS:
        counts = [len(row) for row in _sample_rows(sample, delimiter) if any(row)]
        if not counts:
            continue
        width, rows = Counter(counts).most_common(1)[0]
        score = (rows, width) if width > 1 else (0, 0)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _sample_rows(sample: str, delimiter: str) -> list[list[str]]:
    try:
        return list(csv.reader(io.StringIO(sample), delimiter=delimiter))[:200]
    except csv.Error:
        return []


def _sample_width(sample: str, delimiter: str) -> int:
    return max((len(row) for row in _sample_rows(sample, delimiter)), default=1)


def _grid_with_csv_module(path: Path, text: str, delimiter: str, width: int) -> pl.DataFrame:
    """The strict csv module, for what polars cannot parse: it either reads the file or says
    where it breaks (an unbalanced quote swallowing the rest of the file is refused, not
    read as one long cell)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    rows: list[list[str]] = []
    good_line = 0
    try:
        for row in reader:
            rows.append(row)
            good_line = reader.line_num
    except csv.Error as error:
        where = f"line {good_line + 1}"
        problem = str(error)
        if "end of data" in problem or "EOF" in problem:
            problem = "a quoted cell is never closed (unbalanced quote)"
        raise InputError(path, f"{where}: {problem}") from error
    width = max([width, *(len(row) for row in rows)])
    columns = [[] for _ in range(width)]
    for row in rows:
        for index in range(width):
            cell = row[index] if index < len(row) else ""
            columns[index].append(cell or None)
    return pl.DataFrame(
        {f"column_{i + 1}": column for i, column in enumerate(columns)},
        schema={f"column_{i + 1}": pl.String for i in range(width)},
    )


def table_from_grid(
    grid: pl.DataFrame, path: Path, sheet: str | None = None, limits: Limits = DEFAULT_LIMITS
) -> Table:
    """Turn a grid of text cells (no header yet) into a ``Table``.

    Leading title or banner rows are skipped: the header is the first row filled at least
    half as much as the fullest leading row, unless a hashtag row says otherwise (then the row
    just above it is the header, or the hashtags themselves when nothing is there). Blank rows
    inside the data stay, so frame row ``i`` is always input row ``first_row + i``; trailing
    blank and note rows ("Source: ...") go. Cells past the last named column, in some rows
    only, are extra cells of ragged rows: those rows go to ``Table.rejected``, never cut off.
    A cell longer than ``limits.max_cell_chars`` refuses the table.
    """
    if grid.height == 0 or grid.width == 0:
        raise InputError(path, "the file is empty")
    grid = grid.select(pl.all().cast(pl.String))
    head = [[_clean(cell) for cell in row] for row in grid.head(HEAD_ROWS).rows()]
    filled = [sum(cell is not None for cell in row) for row in head]
    hxl_index = find_hashtag_row(head)
    if hxl_index is not None:
        header_index = hxl_index - 1 if hxl_index > 0 and filled[hxl_index - 1] else None
        data_start = hxl_index + 1
    else:
        header_index = _header_index(head, filled)
        data_start = header_index + 1
    names, named = _column_names(head, header_index, hxl_index)
    frame = grid.slice(data_start).rename(dict(zip(grid.columns, names, strict=True)))
    frame = frame.head(frame.height - _trailing_notes(frame))
    tags = hashtags(names, head[hxl_index]) if hxl_index is not None else None
    last_named = max((i for i, is_named in enumerate(named) if is_named), default=-1)
    frame, rejected = _ragged_rows(frame, names[last_named + 1 :], data_start + 1)
    frame = frame.select(
        name
        for name in frame.columns
        if not _unnamed(name) or frame[name].null_count() < frame.height
    )
    if frame.height == 0:
        raise InputError(path, "the table has a header but no data rows")
    check_cell_length(frame, path, data_start + 1, limits.max_cell_chars)
    return Table(
        frame=frame,
        path=path,
        first_row=data_start + 1,
        hxl=tags or None,
        sheet=sheet,
        rejected=rejected,
    )


def _ragged_rows(
    frame: pl.DataFrame, extra: list[str], first_row: int
) -> tuple[pl.DataFrame, pl.DataFrame | None]:
    """Split off the cells past the header. A column there filled in every row that has data
    is a column without a header (kept); otherwise the rows with cells there are ragged, and
    are returned as ``(input_row, failing_value)`` with their extra cells."""
    filled = [name for name in extra if frame[name].null_count() < frame.height]
    if not filled:
        return frame.drop(extra), None
    has_data = pl.any_horizontal(pl.all().is_not_null())
    has_extra = pl.any_horizontal(pl.col(filled).is_not_null())
    counts = frame.select(has_data.sum().alias("data"), has_extra.sum().alias("extra"))
    if counts["data"][0] == counts["extra"][0]:
        return frame, None
    rejected = (
        frame.with_row_index("input_row", offset=first_row)
        .filter(has_extra)
        .select(
            pl.col("input_row").cast(pl.Int64),
            pl.concat_str(pl.col(filled), separator=" | ", ignore_nulls=True).alias(
                "failing_value"
            ),
        )
    )
    return frame.drop(extra), rejected


def check_cell_length(frame: pl.DataFrame, path: Path, first_row: int, limit: int) -> None:
    """Refuse a table with a cell longer than ``limit`` characters, naming row and column.

    Byte lengths are free to read from polars' strings and never below the character
    count, so characters are counted only in a column that has a long cell at all."""
    longest_bytes = frame.select(pl.col(pl.String).str.len_bytes().max()).row(0, named=True)
    for name, size in longest_bytes.items():
        if (size or 0) <= limit:
            continue
        lengths = frame[name].str.len_chars()
        longest = lengths.arg_max()
        if longest is not None and lengths[longest] > limit:
            raise InputError(
                path,
                f"row {first_row + longest}, column {name!r}: a cell of {lengths[longest]:,} "
                f"characters is over the limit of {limit:,} (limits.max_cell_chars)",
            )


def _clean(cell: object) -> str | None:
    text = str(cell).strip() if cell is not None else ""
    return text or None


def _header_index(head: list[list[str | None]], filled: list[int]) -> int:
    fullest = max(filled)
    for index, count in enumerate(filled):
        if count >= max(1, math.ceil(fullest / 2)) and not _banner(head, index):
            return index
    return 0


def _banner(head: list[list[str | None]], index: int) -> bool:
    """A row of merged-cell remnants repeating a few group names over the real header."""
    cells = [cell for cell in head[index] if cell is not None]
    below = [cell for cell in head[index + 1] if cell is not None] if index + 1 < len(head) else []
    repeats = len(set(cells)) * 2 <= len(cells)
    return len(cells) > 2 and repeats and len(set(below)) > len(set(cells))


def _column_names(
    head: list[list[str | None]], header_index: int | None, hxl_index: int | None
) -> tuple[list[str], list[bool]]:
    """Column names (``column_N`` where neither header nor hashtag names one), and which
    columns are named."""
    width = len(head[0])
    if header_index is None:
        row = head[hxl_index] if hxl_index is not None else [None] * width
        raw = [cell if is_hashtag(cell) else None for cell in row]
    else:
        tags = head[hxl_index] if hxl_index is not None else [None] * width
        raw = [
            cell or (tag if is_hashtag(tag) else None)
            for cell, tag in zip(head[header_index], tags, strict=True)
        ]
    if header_index and len(set(filter(None, raw))) < len(list(filter(None, raw))):
        raw = _with_banner(head[:header_index], raw)
    names: list[str] = []
    seen: Counter[str] = Counter()
    for index, cell in enumerate(raw):
        name = cell or f"column_{index + 1}"
        seen[name] += 1
        names.append(name if seen[name] == 1 else f"{name}_{seen[name]}")
    return names, [cell is not None for cell in raw]


def _with_banner(above: list[list[str | None]], raw: list[str | None]) -> list[str | None]:
    """Prefix repeated header names with the banner over them ("2023 Male", "2024 Male")."""
    banner = above[-1]
    group: str | None = None
    named: list[str | None] = []
    for cell, over in zip(raw, banner, strict=True):
        group = over or group
        named.append(f"{group} {cell}" if cell and group else cell)
    return named


def _unnamed(name: str) -> bool:
    return name.startswith("column_")


def _trailing_notes(frame: pl.DataFrame) -> int:
    """How many rows at the end are blank or notes: one filled cell in a wider table."""
    tail = frame.tail(50).rows()
    dropped = 0
    for row in reversed(tail):
        cells = [cell for cell in row if cell is not None and str(cell).strip()]
        if cells and not (len(cells) == 1 and frame.width >= 3 and not _numeric(cells[0])):
            break
        dropped += 1
    return dropped


def _numeric(cell: str) -> bool:
    return cell.strip().replace(",", "").replace(".", "").isdigit()
