"""When a figure holds: the choice among the periods its sentence and document state.

``dates.find_periods`` reads every period phrase; the rules here decide which one a count
takes: not one dating an earlier value ("up from 30,000 in June"), a "since <event>" date as
the start of a running count, an "as of" in a heading for the block below it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

from humstats.extract.classification import COMPARED
from humstats.extract.context import Candidate, Context, tail
from humstats.extract.dates import TextPeriod, find_periods
from humstats.extract.indicators import Folded, lowered
from humstats.extract.measure import SINCE_EVENT
from humstats.extract.numbers import Quantity
from humstats.extract.sentences import last_words


def own_periods(
    text: str,
    masked: str,
    published: dt.date,
    sentence: tuple[int, int],
    quantities: list[Quantity],
) -> list[TextPeriod]:
    """The sentence's periods, less those dating an earlier value ("up from 30,000 in June")."""
    s0, s1 = sentence
    compared = [
        o.end
        for o in quantities
        if o.is_count
        and tail(masked, max(s0, o.hedge_start - 25), o.hedge_start).endswith(COMPARED)
    ]
    return [
        _since(p, text, published, s0)
        for p in find_periods(text, published, s0, s1)
        if not any(0 <= p.span[0] - end <= 15 for end in compared)
    ]


def compared_period(
    text: str, masked: str, published: dt.date, q: Quantity, lower: int, upper: int
) -> TextPeriod | None:
    """The period of an earlier value itself ("1,932 cases in June" in "2,604 cases in July,
    compared with 1,932 cases in June"): the one written right after it, which
    ``own_periods`` keeps from the sentence's other counts."""
    if not tail(masked, max(lower, q.hedge_start - 25), q.hedge_start).endswith(COMPARED):
        return None
    found = find_periods(text, published, q.end, min(upper, q.end + 60))
    return next((p for p in found if p.span[0] - q.end <= 15), None)


def _since(period: TextPeriod, text: str, published: dt.date, s0: int) -> TextPeriod:
    """A date inside a "since ..." phrase ("since the onset of floods on 28 May") starts a
    count that runs to publication; it does not end one."""
    if period.as_of:
        return period
    if not SINCE_EVENT.search(text, max(s0, period.span[0] - 60), period.span[0]):
        return period
    return TextPeriod(
        period.start,
        max(period.start, published),
        period.precision,
        False,
        period.span,
        period.flow,
    )


def period_for(
    q: Quantity,
    periods: list[TextPeriod],
    lower: int,
    upper: int,
    sentence_start: int,
    first_count: int,
) -> TextPeriod | None:
    """The period of one count: an "as of" opening its sentence dates every count; else the
    nearest period in its window; else an event date the sentence gives ("on Tuesday")."""
    for period in periods:
        if period.as_of and period.span[1] <= first_count and period.span[0] >= sentence_start:
            return period
    inside = [p for p in periods if lower <= p.span[0] and p.span[1] <= upper + 40]
    if not inside:
        # "27 people were killed and 64 injured ... on Tuesday": the event dates them all.
        inside = [p for p in periods if p.flow]
    if not inside:
        return None
    return min(inside, key=lambda p: min(abs(p.span[0] - q.end), abs(q.hedge_start - p.span[1])))


_AS_OF = Folded.compile(r"\bas (?:of|at)\b", ("as of", "as at"))


def remember_heading_period(
    context: Context, sentence: tuple[int, int], found: list[tuple[Candidate, dict]]
) -> None:
    """An "as of" date in a heading (a sentence with no figure, or in brackets) dates the
    block below it; in a sentence of figures it dates those alone. A window in a heading
    that ends with a colon ("Key figures (1 January – 3 March 2025):") is the window of the
    list below it."""
    s0, s1 = sentence
    as_of = _AS_OF.search(context.text, s0, s1)
    if as_of is None:
        if not found and context.text[s0:s1].rstrip().endswith(":"):
            windows = [
                p
                for p in find_periods(context.text, context.published, s0, s1)
                if p.flow and p.start < p.end
            ]
            if len(windows) == 1:
                context.heading_period = windows[0]
        return
    if found and not context.text[s0 : as_of.start()].rstrip().endswith("("):
        return
    periods = find_periods(context.text, context.published, as_of.start(), s1)
    if periods and periods[0].as_of and periods[0].span[0] == as_of.start():
        context.heading_period = periods[0]


_SAME_PERIOD = Folded.compile(
    r"\b(?:(?:over|in|during|for|within)\s+)?(?:the\s+same|that|this)\s+"
    r"(?:period|week|month|fortnight|timeframe|time\s?frame|days)\b"
)


def same_period(context: Context, sentence: tuple[int, int]) -> TextPeriod | None:
    """ "27 deaths ... over the same period": the window the figure before was given, here
    where the phrase stands: a window (a flow) as it was, or a count since a crisis began
    (a stock) as it was."""
    previous = context.previous_period
    if previous is None or previous.as_of:
        return None
    match = _SAME_PERIOD.search(context.text, *sentence)
    if match is None:
        return None
    return dataclasses.replace(previous, span=match.span())


def as_of_heading(context: Context, period: TextPeriod | None) -> TextPeriod | None:
    """A window left open to publication ("since 1 August") ends at the "as of" date of the
    report's heading, when one dates the block it stands in."""
    heading = context.heading_period
    if period is None or heading is None or period.as_of or period.end != context.published:
        return period
    if not period.start <= heading.end < period.end:
        return period
    return dataclasses.replace(period, end=heading.end)


_FOOTER = re.compile(
    r"\b(?:data|figures|statistics|numbers|information)\s+(?:(?:are|is)\s+)?(?=as\s+(?:of|at)\b)",
    re.I,
)

_AS_OF_LOWER = re.compile(r"as\s+(?:of|at)\b")
"""Where every note ends, in lower-cased text: a literal start the engine finds at C
speed, where ``_FOOTER`` (case-blind, opening with ``\b``) is tried at every position."""
_FOOTER_WORDS = 2
"""The most words a ``_FOOTER`` match spans ("figures are ")."""


def _footers(text: str) -> list[re.Match[str]]:
    """``_FOOTER.finditer(text)``: tried only over the last words before each "as of" (where
    every match ends, found in the text lower-cased where that keeps its offsets), from the
    first word on as the scan would."""
    low = lowered(text)
    if low is None:
        return list(_FOOTER.finditer(text))
    found: list[re.Match[str]] = []
    for note in _AS_OF_LOWER.finditer(low):
        start = max(
            last_words(text, 0, note.start(), _FOOTER_WORDS), found[-1].end() if found else 0
        )
        for word in _WORD.finditer(text, start, note.start()):
            match = _FOOTER.match(text, word.start())
            if match is not None and match.end() == note.start():
                found.append(match)
                break
    return found


_WORD = re.compile(r"\w+")


def footer_periods(text: str, published: dt.date) -> list[tuple[int, int, TextPeriod]]:
    """A "Data as of 31 Dec 2024" note after the figures of its paragraph dates those the text
    left undated: each note's paragraph start, its own start, and its date."""
    found: list[tuple[int, int, TextPeriod]] = []
    for match in _footers(text):
        periods = find_periods(text, published, match.end(), min(len(text), match.end() + 40))
        if periods and periods[0].as_of and periods[0].span[0] == match.end():
            paragraph = text.rfind("\n\n", 0, match.start()) + 1
            found.append((paragraph, match.start(), periods[0]))
    return found
