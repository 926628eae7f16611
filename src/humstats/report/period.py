"""Report periods as a user names them and a reader sees them (the type: ``humstats.periods``).

A report covers a month (``--period 2024-12``), an ISO week (``2024-W49``) or a date range
(``--from``/``--to``); changes are measured against ``Period.previous()``, files are named by
``Period.label``, and ``Period.title`` is what the page says.
"""

from __future__ import annotations

import datetime as dt

from humstats.errors import ConfigError
from humstats.periods import Period, parse_label
from humstats.schema import DatePrecision


def parse_period(text: str) -> Period:
    """``2024-12`` → December 2024; ``2024-W49`` → ISO week 49 (Monday to Sunday)."""
    period = parse_label(text)
    if period is None or period.precision not in (DatePrecision.MONTH, DatePrecision.WEEK):
        raise ConfigError(f"invalid period {text.strip()!r}: expected YYYY-MM or YYYY-Www")
    return period


def period_between(start: dt.date, end: dt.date) -> Period:
    """A range from ``start`` to ``end`` inclusive (``--from``/``--to``)."""
    if end < start:
        raise ConfigError(f"period ends ({end}) before it starts ({start})")
    return Period(start, end)
