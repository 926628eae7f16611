"""Report periods: a month (``2024-12``), an ISO week (``2024-W49``) or a date range.

A period knows its previous period of the same kind (the month or week before, or a range of
the same length ending the day before), which is what changes are measured against, and a
``label`` that is safe in a file name.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from humstats.errors import ConfigError

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_WEEK = re.compile(r"^(\d{4})-W(\d{2})$", re.IGNORECASE)


def format_date(day: dt.date) -> str:
    """``2 Dec 2024``: unambiguous in every locale, unlike 12/02/2024."""
    return f"{day.day} {day:%b %Y}"


@dataclass(frozen=True)
class Period:
    """An inclusive span of days with a name."""

    start: dt.date
    end: dt.date
    kind: str  # "month", "week" or "range"

    @property
    def label(self) -> str:
        """File-name form: ``2024-12``, ``2024-W49`` or ``2024-11-01_2024-12-15``."""
        if self.kind == "month":
            return f"{self.start:%Y-%m}"
        if self.kind == "week":
            year, week, _ = self.start.isocalendar()
            return f"{year}-W{week:02d}"
        return f"{self.start.isoformat()}_{self.end.isoformat()}"

    @property
    def title(self) -> str:
        """Reader's form: ``December 2024``, ``Week 49 of 2024 (2–8 Dec 2024)``."""
        if self.kind == "month":
            return f"{self.start:%B %Y}"
        span = f"{format_date(self.start)} – {format_date(self.end)}"
        if self.kind == "week":
            year, week, _ = self.start.isocalendar()
            return f"Week {week} of {year} ({span})"
        return span

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period just before, of the same kind and length."""
        if self.kind == "month":
            last = self.start - dt.timedelta(days=1)
            return month(last.year, last.month)
        if self.kind == "week":
            return Period(
                self.start - dt.timedelta(days=7), self.start - dt.timedelta(days=1), "week"
            )
        end = self.start - dt.timedelta(days=1)
        return Period(end - dt.timedelta(days=self.days - 1), end, "range")

    def next(self) -> Period:
        """The period just after, of the same kind and length."""
        after = self.end + dt.timedelta(days=1)
        if self.kind == "month":
            return month(after.year, after.month)
        return Period(after, after + dt.timedelta(days=self.days - 1), self.kind)


def month(year: int, number: int) -> Period:
    last = calendar.monthrange(year, number)[1]
    return Period(dt.date(year, number, 1), dt.date(year, number, last), "month")


def parse_period(text: str) -> Period:
    """``2024-12`` → December 2024; ``2024-W49`` → ISO week 49 (Monday to Sunday)."""
    text = text.strip()
    try:
        if match := _MONTH.match(text):
            return month(int(match[1]), int(match[2]))
        if match := _WEEK.match(text):
            monday = dt.date.fromisocalendar(int(match[1]), int(match[2]), 1)
            return Period(monday, monday + dt.timedelta(days=6), "week")
    except ValueError as error:
        raise ConfigError(f"invalid period {text!r}: {error}") from error
    raise ConfigError(f"invalid period {text!r}: expected YYYY-MM or YYYY-Www")


def period_between(start: dt.date, end: dt.date) -> Period:
    """A range from ``start`` to ``end`` inclusive (``--from``/``--to``)."""
    if end < start:
        raise ConfigError(f"period ends ({end}) before it starts ({start})")
    return Period(start, end, "range")
