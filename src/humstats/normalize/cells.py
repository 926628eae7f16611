"""Single cells as tables write them: counts and reference periods (countries: ``countries``).

Each function reads one kind of cell. Counts are parsed over whole polars columns (a native
cast first, cleaning only for the cells that fail it); periods and countries are parsed in
Python because callers resolve each DISTINCT value once and map the results back.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
import zoneinfo
from collections.abc import Iterable
from functools import cache
from typing import NamedTuple

import polars as pl

from humstats.periods import Period, containing
from humstats.schema import DatePrecision

MISSING = ("", "NA", "N/A", "N.A.", "#N/A", "-", "–", "—", "..", "...", "NULL", "NONE", "NAN")
"""Cell texts that mean "no value", in any case; an empty cell is no figure either."""

MAX_DIGITS = 18
"""Integer digits that always fit an Int64; longer numbers are implausible as counts."""


# ---------------------------------------------------------------------------------------------
# Dates

_YEAR = re.compile(r"^(\d{4})(\.0+)?$")
_MONTH = re.compile(r"^(\d{4})[-/](\d{1,2})$")
_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE)
ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")
_SLASHED = re.compile(r"^(\d{1,2})([/.-])(\d{1,2})\2(\d{4})$")
_NAMED = re.compile(r"^(?:(\d{1,2})\s+)?([^\W\d_]{3,}\.?)\s*(?:(\d{1,2}),?\s+)?(\d{4})$")
_NAMED_RANGE = re.compile(r"^([^\W\d_]{3,}\.?)\s*[-–—/]+\s*([^\W\d_]{3,}\.?),?\s+(\d{4})$")


def parse_period(
    text: str,
    formats: tuple[str, ...] = (),
    timezone: str | None = None,
    day_first: bool | None = None,
) -> Period | None:
    """The period a date cell states, or None when it is not a date we can read.

    "2024" is a year, "2024-05" a month, "2024-W19" a week, "2024-05-18" a day; a timestamp
    is read in ``timezone`` when given (IDMC writes local midnight in New Zealand time as
    UTC), else in UTC; ``formats`` are strptime patterns tried next; "18/2/2021" is read
    day-first or month-first only as ``day_first`` says (decided over the whole column).
    """
    text = text.strip()
    try:
        if match := _YEAR.match(text):
            return containing(dt.date(int(match[1]), 1, 1), DatePrecision.YEAR)
        if match := _MONTH.match(text):
            return containing(dt.date(int(match[1]), int(match[2]), 1), DatePrecision.MONTH)
        if match := _WEEK.match(text):
            monday = dt.date.fromisocalendar(int(match[1]), int(match[2]), 1)
            return containing(monday, DatePrecision.WEEK)
        if ISO_DAY.match(text):
            return Period(dt.date.fromisoformat(text), dt.date.fromisoformat(text))
        if _TIMESTAMP.match(text):
            moment = dt.datetime.fromisoformat(text)
            if moment.tzinfo is not None and timezone:
                moment = moment.astimezone(zoneinfo.ZoneInfo(timezone))
            elif moment.tzinfo is not None:
                moment = moment.astimezone(dt.UTC)
            return Period(moment.date(), moment.date())
        for pattern in formats:
            try:
                moment = dt.datetime.strptime(text, pattern)
            except ValueError:
                continue
            start = moment.date()
            if "%d" in pattern or "%j" in pattern:
                return Period(start, start)
            if "%m" in pattern or "%b" in pattern or "%B" in pattern:
                return containing(start, DatePrecision.MONTH)
            return Period(start, dt.date(start.year, 12, 31), DatePrecision.YEAR)
        named = _named_period(" ".join(text.split()))
        if named is not None:
            return named
        if (match := _SLASHED.match(text)) and day_first is not None:
            first, second, year = int(match[1]), int(match[3]), int(match[4])
            day, month = (first, second) if day_first else (second, first)
            value = dt.date(year, month, day)
            return Period(value, value)
    except ValueError:
        return None
    return None


def _named_period(text: str) -> Period | None:
    """A date written with a month's name, in English, French or Spanish: "Septembre 2012",
    "Apr 2023", "17 May 2013", "May 17, 2013", "MARCH – MAY 2022" (a run of months)."""
    from humstats.normalize.headers import month_number

    if match := _NAMED.match(text):
        month = month_number(match[2])
        if month is None:
            return None
        day = match[1] or match[3]
        year = int(match[4])
        if day:
            value = dt.date(year, month, int(day))
            return Period(value, value)
        return containing(dt.date(year, month, 1), DatePrecision.MONTH)
    if match := _NAMED_RANGE.match(text):
        first, last = month_number(match[1]), month_number(match[2])
        if first is None or last is None or last < first:
            return None
        year = int(match[3])
        return containing(dt.date(year, first, 1), DatePrecision.MONTH).through(
            containing(dt.date(year, last, 1), DatePrecision.MONTH)
        )
    return None


def column_day_first(values: Iterable[str]) -> bool | None:
    """Whether the column's n/n/yyyy dates are day-first, judged on all of them at once:
    one "18/2/2021" settles day-first, one "2/18/2021" month-first; otherwise unknown, except
    for dashed dates."""
    day_first = month_first = False
    separators = set()
    for value in values:
        if match := _SLASHED.match(value.strip()):
            day_first |= int(match[1]) > 12
            month_first |= int(match[3]) > 12
            separators.add(match[2])
    if day_first != month_first:
        return day_first
    # "03-03-2022": dashes between day, month and year are written day first (the US writes
    # month first with slashes)
    return True if separators == {"-"} else None


# ---------------------------------------------------------------------------------------------
# Numbers


MISSING_TEXTS = sorted({v for t in MISSING for v in (t, t.lower(), t.title())})


def is_missing(text: pl.Expr) -> pl.Expr:
    """Whether a (stripped) cell holds no value: null, empty, "N/A", "-", ..."""
    return text.is_null() | text.is_in(MISSING_TEXTS)


class Counts(NamedTuple):
    """Parsed count cells: the count, why a cell is not one, and its hedge as a qualifier."""

    value: pl.Series
    check: pl.Series
    hedge: pl.Series


HEDGES: dict[str, str] = {
    "<": "at_most",
    "<=": "at_most",
    "≤": "at_most",
    ">": "at_least",
    ">=": "at_least",
    "≥": "at_least",
    "+": "at_least",
    "~": "approx",
    "approx": "approx",
    "approx.": "approx",
    "ca.": "approx",
    "c.": "approx",
    "about": "approx",
}
"""Signs and words around a count in a cell ("<5", "100+", "~2,000") -> its qualifier."""
_HEDGE = re.compile(r"^(<=|>=|<|>|≤|≥|~|approx\.?|ca\.|c\.|about)?\s*(.*?)\s*(\+?)$", re.IGNORECASE)


_GROUP_SEPARATORS = (" ", "\u00a0", "\u202f", "\u2009", "'", "’", "_")
"""Characters that group thousands in any locale, besides the comma or the dot."""


@cache
def _decimal_digits() -> tuple[list[str], list[str]]:
    """Every decimal digit Unicode knows outside ASCII (Arabic-Indic ٠١٢, Persian ۰۱۲,
    Devanagari ०१२, ...) with its ASCII digit, and the Arabic separators ٬ and ٫."""
    digits = [chr(c) for c in range(0x80, 0x10000) if unicodedata.category(chr(c)) == "Nd"]
    return [*digits, "\u066c", "\u066b"], [
        *(str(unicodedata.decimal(d)) for d in digits),
        ",",
        ".",
    ]


def _regular_grouping(decimal: str) -> str:
    """Numbers whose separators group thousands consistently ("12,500", "1 234 567", the
    Indian "12,34,567"), optionally with decimals; "1,2,3" matches none of them."""
    fraction = rf"(?:\{decimal}\d+)?"
    groupings = [
        rf"\d{{1,3}}(?:{re.escape(separator)}\d{{3}})+"
        for separator in ("." if decimal == "," else ",", *_GROUP_SEPARATORS)
    ]
    if decimal == ".":
        groupings.append(r"\d{1,2}(?:,\d{2})+,\d{3}")
    return rf"^-?(?:{'|'.join(groupings)}){fraction}$"


def parse_counts(text: pl.Series, decimal: str = ".") -> Counts:
    """Counts (Int64), checks (null, or why a cell is not a count) and hedges (the qualifier
    a cell states, "<5" at_most, "100+" at_least) for text cells; missing cells ("N/A", "-",
    empty) give a null count and no check.

    "12,500", "12 500", "12'500" and "243946.0" are counts; "12.500" too when ``decimal`` is
    ",", or when dots group thousands unambiguously ("12.500.000"). Formula-like cells
    (``=HYPERLINK(...)``, ``@SUM``, ``+cmd``) are refused, so a spreadsheet never runs them
    when the quarantine is opened. Negative counts parse: the schema's ``negative-value``
    check quarantines them, in one place for every producer.

    Plain integers take a native cast; only the cells that fail it are cleaned, and their
    results are scattered back, so a million-row column costs little more than the cast.
    """
    value = text.cast(pl.Int64, strict=False)
    check = pl.repeat(None, len(text), dtype=pl.String, eager=True)
    hedge = pl.repeat(None, len(text), dtype=pl.String, eager=True)
    failed = (value.is_null() & text.is_not_null()).arg_true()
    if len(failed) == 0:
        return Counts(value, check, hedge)
    value = value.rechunk()
    # the common case among the rest: thousands grouped by the locale's separator
    separator = "." if decimal == "," else ","
    grouped = (
        pl.DataFrame({"text": text.gather(failed).str.strip_chars()})
        .select(
            pl.when(pl.col("text").str.contains(rf"^-?\d{{1,3}}(?:\{separator}\d{{3}})+$"))
            .then(pl.col("text").str.replace_all(separator, "", literal=True))
            .cast(pl.Int64, strict=False)
        )
        .to_series()
    )
    value = value.scatter(failed, grouped)
    failed = failed.filter(grouped.is_null())
    if len(failed) == 0:
        return Counts(value, check, hedge)
    slow = pl.DataFrame({"text": text.gather(failed).str.strip_chars()})
    slow_value, slow_check, slow_hedge = _clean_counts(slow, decimal)
    # text results are gathered into place rather than scattered: scattering into string
    # views has tripped polars' bounds checks later on
    where = pl.repeat(None, len(text), dtype=pl.UInt32, eager=True).scatter(
        failed, pl.int_range(len(failed), dtype=pl.UInt32, eager=True)
    )
    return Counts(
        value.scatter(failed, slow_value), slow_check.gather(where), slow_hedge.gather(where)
    )


def _clean_counts(frame: pl.DataFrame, decimal: str) -> Counts:
    frame = frame.with_columns(pl.col("text").str.replace_many(*_decimal_digits()))
    hedged = pl.col("text").str.extract_groups(_HEDGE.pattern.replace("^", "(?i)^", 1))
    frame = frame.with_columns(
        pl.when(
            (hedged.struct.field("2") != "")
            & (hedged.struct.field("1").is_not_null() | (hedged.struct.field("3") == "+"))
        )
        .then(
            pl.concat_str(
                hedged.struct.field("1").str.to_lowercase().fill_null(""), hedged.struct.field("3")
            )
        )
        .alias("hedge_text"),
        hedged.struct.field("2").alias("bare"),
    ).with_columns(
        # "100+" (a plus after the number) is "at least"; a plus before it is no hedge
        pl.when(pl.col("hedge_text").is_not_null())
        .then(pl.col("hedge_text").str.strip_chars_end("+").replace("", "+"))
        .alias("hedge_text")
    )
    text = pl.col("bare")
    grouped_dots = text.str.contains(r"^-?\d{1,3}(?:\.\d{3}){2,}$")
    if decimal == ",":
        cleaned = text.str.replace_all(r"[\s\u00a0\u202f\u2009'’_.]", "").str.replace(",", ".")
    else:
        cleaned = (
            pl.when(grouped_dots)
            .then(text.str.replace_all(".", "", literal=True))
            .otherwise(text.str.replace_all(r"[\s\u00a0\u202f\u2009'’_,]", ""))
        )
    thousands = "." if decimal == "," else ","
    separators = "".join(re.escape(s) for s in (thousands, *_GROUP_SEPARATORS))
    grouped = text.str.contains(rf"\d[{separators}]+\d")
    frame = (
        frame.with_columns(
            is_missing(text).alias("missing"),
            text.str.contains(r"^(?:[=@]|[+\-]\s*[^\d\s.,])").alias("formula"),
            cleaned.alias("cleaned"),
            # separators between digits that do not group thousands ("1,2,3" is a list or a
            # typo, never 123)
            (grouped & ~grouped_dots & ~text.str.contains(_regular_grouping(decimal))).alias(
                "irregular"
            ),
        )
        .with_columns(
            pl.col("cleaned").str.extract(r"^(-?\d+)(?:\.0*)?$", 1).alias("integer"),
            pl.col("cleaned").str.contains(r"^-?\d+(?:\.\d+)?[eE]\+?\d+$").alias("scientific"),
            pl.col("cleaned").cast(pl.Float64, strict=False).alias("float"),
        )
        .with_columns(
            pl.col("integer")
            .str.strip_chars_start("-")
            .str.strip_chars_start("0")
            .str.len_chars()
            .alias("digits"),
        )
    )
    integer_ok = pl.col("integer").is_not_null() & (pl.col("digits") <= MAX_DIGITS)
    float_ok = (
        pl.col("scientific")
        & (pl.col("float").abs() < 1e18)
        & (pl.col("float") == pl.col("float").floor())
    )
    too_long = (pl.col("integer").is_not_null() & (pl.col("digits") > MAX_DIGITS)) | (
        pl.col("scientific") & ~float_ok
    )
    check = (
        pl.when(pl.col("missing"))
        .then(pl.lit(None, pl.String))
        .when(pl.col("formula"))
        .then(pl.lit("formula-cell"))
        .when(pl.col("irregular") & (integer_ok | float_ok))
        .then(pl.lit("ambiguous-number"))
        .when(too_long)
        .then(pl.lit("implausible-value"))
        .when(integer_ok | float_ok)
        .then(pl.lit(None, pl.String))
        .when(pl.col("cleaned").str.contains(r"^-?\d*\.\d+$"))
        .then(pl.lit("non-integer-value"))
        .otherwise(pl.lit("unparseable-number"))
    )
    value = (
        pl.when(pl.col("missing") | pl.col("formula") | pl.col("irregular"))
        .then(pl.lit(None, pl.Int64))
        .when(integer_ok)
        .then(pl.col("integer").cast(pl.Int64, strict=False))
        .when(float_ok)
        .then(pl.col("float").cast(pl.Int64, strict=False))
    )
    hedge = pl.col("hedge_text").replace_strict(HEDGES, default=None, return_dtype=pl.String)
    result = frame.select(
        value.alias("value"),
        check.alias("check"),
        pl.when(check.is_null()).then(hedge).alias("hedge"),
    )
    return Counts(result["value"], result["check"], result["hedge"])
