"""Periods: the span of days a figure, a table cell, a report or a schedule step covers.

A text says "as of 30 November" or "in the past two weeks", a table "2024-05" or "2024-W19",
a report is asked for ``--period 2024-12``, a schedule renders the month or week that closed.
Each is one ``Period``: an inclusive span of days and the precision it is known to (a stated
day, or a whole ISO week, month or year). This module owns the type, its labels and the
calendar arithmetic they share; the wording each source uses (phrases in ``extract.dates``,
cell formats in ``normalize.cells``, report titles in ``report.period``) stays with its reader.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from humstats.schema import DatePrecision

_ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Period:
    """An inclusive span of days; ``precision`` says how it was stated.

    A period of week, month or year precision usually is that whole calendar unit ("2024-12");
    one that is not ("so far this year": 1 January to the day of publication) is a span
    known to that precision. Day precision is any span of days ("between 3 and 9 May").
    """

    start: dt.date
    end: dt.date
    precision: DatePrecision = DatePrecision.DAY

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def whole(self) -> bool:
        """Whether the period is exactly its precision's calendar unit (the month, the week)."""
        return self.precision is not DatePrecision.DAY and self == containing(
            self.start, self.precision
        )

    @property
    def label(self) -> str:
        """``2024``, ``2024-12`` or ``2024-W49`` for a whole year, month or ISO week, else
        ``2024-11-01_2024-12-15``: short, sortable within a kind, and safe in a file name."""
        if self.whole and self.precision is DatePrecision.YEAR:
            return f"{self.start:%Y}"
        if self.whole and self.precision is DatePrecision.MONTH:
            return f"{self.start:%Y-%m}"
        if self.whole and self.precision is DatePrecision.WEEK:
            year, week, _ = self.start.isocalendar()
            return f"{year}-W{week:02d}"
        return f"{self.start.isoformat()}_{self.end.isoformat()}"

    @property
    def title(self) -> str:
        """What a reader sees: ``December 2024``, ``Week 49 of 2024 (2–8 Dec 2024)``, else
        ``1 Nov 2024 – 15 Dec 2024``."""
        if self.whole and self.precision is DatePrecision.MONTH:
            return f"{self.start:%B %Y}"
        span = f"{format_date(self.start)} – {format_date(self.end)}"
        if self.whole and self.precision is DatePrecision.WEEK:
            year, week, _ = self.start.isocalendar()
            return f"Week {week} of {year} ({span})"
        return span

    def previous(self) -> Period:
        """The period just before: the previous week, month or year for a whole one, else a
        span of the same length ending the day before (what a change is measured against)."""
        if self.whole:
            return containing(self.start - _ONE_DAY, self.precision)
        end = self.start - _ONE_DAY
        return Period(end - dt.timedelta(days=self.days - 1), end, self.precision)

    def next(self) -> Period:
        """The period just after, of the same kind and length."""
        after = self.end + _ONE_DAY
        if self.whole:
            return containing(after, self.precision)
        return Period(after, after + dt.timedelta(days=self.days - 1), self.precision)

    def through(self, last: Period) -> Period:
        """From this period's start to ``last``'s end ("2022-10/2022-12", "March – May"): of
        their precision when they share one, else a span of days."""
        precision = self.precision if self.precision is last.precision else DatePrecision.DAY
        return Period(self.start, last.end, precision)


def format_date(day: dt.date) -> str:
    """``2 Dec 2024``: unambiguous in every locale, unlike 12/02/2024."""
    return f"{day.day} {day:%b %Y}"


def containing(day: dt.date, precision: DatePrecision) -> Period:
    """The day itself, or the whole ISO week (Monday to Sunday), month or year holding it."""
    if precision is DatePrecision.WEEK:
        monday = day - dt.timedelta(days=day.weekday())
        return Period(monday, monday + dt.timedelta(days=6), precision)
    if precision is DatePrecision.MONTH:
        last = calendar.monthrange(day.year, day.month)[1]
        return Period(day.replace(day=1), day.replace(day=last), precision)
    if precision is DatePrecision.YEAR:
        return Period(dt.date(day.year, 1, 1), dt.date(day.year, 12, 31), precision)
    return Period(day, day, DatePrecision.DAY)


def on_or_before(anchor: dt.date, month: int, day: int | None, year: int | None) -> dt.date:
    """The date of ``month`` and ``day`` (the month's last day when None, or when the month
    is shorter) in ``year``, or without a year the latest one on or before ``anchor``: "30
    November" in a text of 3 December 2024 is 2024-11-30, "in December" 2023-12-31."""

    def build(y: int) -> dt.date:
        last = calendar.monthrange(y, month)[1]
        return dt.date(y, month, min(day or last, last))

    if year is not None:
        return build(year)
    candidate = build(anchor.year)
    return candidate if candidate <= anchor else build(anchor.year - 1)


def last_weekday(anchor: dt.date, weekday: int) -> dt.date:
    """The latest date on or before ``anchor`` falling on ``weekday`` (Monday is 0)."""
    return anchor - dt.timedelta(days=(anchor.weekday() - weekday) % 7)


_LABEL = re.compile(
    r"^(?P<year>\d{4})(?:-(?P<month>\d{2})|-W(?P<week>\d{2}))?$"
    r"|^(?P<first>\d{4}-\d{2}-\d{2})(?:_(?P<last>\d{4}-\d{2}-\d{2}))?$",
    re.IGNORECASE,
)


def parse_label(text: str) -> Period | None:
    """The period a ``label`` names (``2024``, ``2024-12``, ``2024-W49``, ``2024-12-03`` or
    ``2024-11-01_2024-12-15``), or None when the text is no label or no such period."""
    match = _LABEL.match(text.strip())
    if match is None:
        return None
    try:
        if match["first"]:
            first = dt.date.fromisoformat(match["first"])
            last = dt.date.fromisoformat(match["last"]) if match["last"] else first
            return Period(first, last) if first <= last else None
        year = int(match["year"])
        if match["week"]:
            monday = dt.date.fromisocalendar(year, int(match["week"]), 1)
            return containing(monday, DatePrecision.WEEK)
        if match["month"]:
            return containing(dt.date(year, int(match["month"]), 1), DatePrecision.MONTH)
        return containing(dt.date(year, 1, 1), DatePrecision.YEAR)
    except ValueError:
        return None
