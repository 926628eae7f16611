"""When a figure holds: reference periods from phrases, anchored on the publication date.

News and situation reports rarely give a full date: "as of the end of November" in an article
of 2024-12-03 means 2024-11-30, "on Monday" means the Monday before publication, "in the past
two weeks" the fortnight up to it. ``find_periods`` returns every such phrase in a text with
its offsets and the period it denotes (a ``TextPeriod``: a ``humstats.periods.Period`` that
knows where it was stated); ``period_choice`` gives each figure one. Weekdays and dates
without a year resolve to the latest one on or before publication.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass, replace

from humstats.extract.indicators import Folded
from humstats.periods import Period, containing, last_weekday, on_or_before
from humstats.schema import DatePrecision

_MONTHS = {
    name.lower(): number
    for number in range(1, 13)
    for name in (calendar.month_name[number], calendar.month_abbr[number])
} | {"sept": 9}
_WEEKDAYS = {calendar.day_name[i].lower(): i for i in range(7)}
_MONTH = (
    r"(?P<month>January|February|March|April|May|June|July|August|September|October|November"
    r"|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.?"
)
_WEEKDAY = r"(?P<weekday>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_FROM_MONTH = re.compile(
    rf"\bfrom\s+(?:(?:early|mid|late|the\s+(?:start|beginning|end)\s+of)[\s-]+)?{_MONTH}"
    rf"(?:\s+(?P<year>(?:19|20)\d\d))?\b(?!\s*(?:to|through|till|[-–—]|\d))",
    re.I,
)


def starts_later(text: str, start: int, end: int, published: dt.date) -> bool:
    """Whether ``text[start:end]`` says a state begins in the month of publication or later
    ("800,000 people are in need of food aid from August", written on 1 August): a need
    foreseen, not one counted yet. A month before publication ("from January", written in
    May) says since when; a window with its end ("from May to July") is ``find_periods``'."""
    match = _FROM_MONTH.search(text, start, end)
    if match is None:
        return False
    month = _MONTHS[match["month"].lower().rstrip(".")]
    year = int(match["year"]) if match["year"] else published.year
    return (year, month) >= (published.year, published.month)


DAY_MONTH = (
    rf"(?:(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}"
    rf"|{_MONTH.replace('month', 'month2')}\s+(?P<day2>\d{{1,2}})(?:st|nd|rd|th)?\b)"
    rf"(?:,?\s+(?P<year>(?:19|20)\d\d))?"
)
"""A day and month in either order, the year optional: shared with source_choice, whose
bracketed citations ("(OCHA, 3 March 2025)") are dated the way the periods here are."""
_NUMBER_WORDS = {
    "a": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fourteen": 14,
    "several": 3,
    "few": 3,
    "24": 1,
    "48": 2,
    "72": 3,
}

PERIOD_RE = Folded.compile(
    rf"(?P<asof>\b(?:as of|as at|by|up to|until|at)\s+(?:the\s+)?"
    # a clock time before the date: "(as of 6pm, 27 October)", "as at 18:00 on 3 May"
    rf"(?:(?:\d{{1,2}}(?:[:.]\d\d)?\s*[ap]\.?m\.?|\d{{1,2}}[:.]\d\d)(?:\s+\w{{2,5}})?,?\s+(?:on\s+)?)?"
    rf"(?:(?P<end_of>end|close)(?:\s+of|-)\s*(?:(?P<last_year>last year)"
    rf"|(?P<year4>(?:19|20)\d\d)\b"
    rf"|{_MONTH.replace('month', 'month3')}(?:\s+(?P<year3>(?:19|20)\d\d))?)"
    # "as at the end of 14 September 2014": the end of a day is that day
    rf"|(?:(?:end|close)\s+of\s+)?{DAY_MONTH}|{_WEEKDAY}|(?P<asof_rel>yesterday|today)\b))"
    rf"|(?P<since>\bsince\s+(?:{DAY_MONTH.replace('<', '<s_')}"
    rf"|(?:(?:early|mid|late)[- ])?{_MONTH.replace('month', 'sm')}"
    rf"(?:\s+(?P<sm_year>(?:19|20)\d\d))?\b"
    rf"|(?:last\s+)?{_WEEKDAY.replace('<', '<s_')}"
    rf"|the\s+(?:start|beginning)\s+of\s+(?:the\s+(?P<since_start>year|month|week)"
    rf"|{_MONTH.replace('month', 'ssm')}(?:\s+(?P<ssm_year>(?:19|20)\d\d))?\b"
    rf"|(?P<ss_year>(?:19|20)\d\d)\b)))"
    rf"|(?P<on>\b(?:on|late on|early on|late|early|last|this past)\s+{_WEEKDAY.replace('<', '<o_')}"
    rf"|\b{_WEEKDAY.replace('<', '<p_')}(?:’s|'s)|\bon\s+{DAY_MONTH.replace('<', '<o_')}"
    rf"(?![–—-]\d))"
    rf"|(?P<past>\b(?:(?:in|over|during)\s+the\s+(?:past|last|previous)"
    # "within a fortnight", "within 48 hours", "within the past week"; not a vague "within days"
    rf"|within(?:\s+the\s+(?:past|last))?(?:\s+an?)?(?!\s+(?:days|weeks|months|hours)\b))"
    rf"\s+(?:(?P<count>\w+)\s+)?"
    rf"(?P<unit>days?|weeks?|months?|hours?|fortnight))"
    rf"|(?P<rel>\b(?:last|this|past)\s+(?P<rel_unit>week|month|year|weekend)\b|\bso far this year\b"
    rf"|\b(?P<weekend>(?:over|at|during)\s+the\s+weekend)\b"
    rf"|\bovernight\b|\byesterday\b|\btoday\b)"
    # "between 1 and 15 October", "from 1 to 15 October", "from 3 May until 9 June 2024"
    rf"|(?P<between>\b(?:between|from)\s+(?P<bd1>\d{{1,2}})(?:\s+{_MONTH.replace('month', 'bm1')}"
    rf"(?:,?\s+(?P<by1>(?:19|20)\d\d))?)?\s+(?:and|to|until|till|through)\s+"
    rf"(?P<bd2>\d{{1,2}})\s+{_MONTH.replace('month', 'bm2')}(?:,?\s+(?P<by2>(?:19|20)\d\d))?)"
    # "9–15 July", "1 January – 3 March 2025": a dated window written with a dash
    rf"|(?P<dash>\b(?P<dd1>\d{{1,2}})(?:\s+{_MONTH.replace('month', 'dm1')}"
    rf"(?:,?\s+(?P<dy1>(?:19|20)\d\d))?)?\s*[–—-]\s*"
    rf"(?P<dd2>\d{{1,2}})\s+{_MONTH.replace('month', 'dm2')}(?:,?\s+(?P<dy2>(?:19|20)\d\d))?"
    # month first, as US and wire style write it: "Sept. 10-11", "Oct 3–5, 2024"
    rf"|\b{_MONTH.replace('month', 'dm3')}\s+(?P<dd3>\d{{1,2}})\s*[–—-]\s*(?P<dd4>\d{{1,2}})\b"
    rf"(?:,?\s+(?P<dy3>(?:19|20)\d\d))?)"
    rf"|(?P<in_period>\b(?:in|during)\s+(?:the\s+month\s+of\s+)?(?:(?:early|late|mid)[- ])?"
    rf"(?:{_MONTH.replace('month', 'im')}(?:\s+(?P<iy>(?:19|20)\d\d))?|(?P<iyear>(?:19|20)\d\d))\b)"
    # "in the first seven months of the year", "during the first half of 2024"
    rf"|(?P<first>\b(?:in|during|over)\s+the\s+first\s+(?:(?P<fm_n>\w+)\s+months|(?P<fm_part>half|"
    rf"quarter))\s+of\s+(?:the\s+year|this\s+year|(?P<fm_y>(?:19|20)\d\d))\b)"
    # a source cited in brackets with its date: "(Ministry of Health, 11 Feb)", "(CMP, 31 July)"
    rf"|(?P<cited>(?<=, ){DAY_MONTH.replace('<', '<c_')}(?=\s*\)))"
    # "in the week to 14 April", "the fortnight ending 3 May": a window named by its last day
    rf"|(?P<week_to>\b(?:(?:in|during|over)\s+)?the\s+(?P<wt_unit>week|fortnight|seven\s+days)"
    rf"\s+(?:to|ending|up\s+to|through)\s+(?:(?:Sunday|Saturday|Friday),?\s+)?"
    rf"{DAY_MONTH.replace('<', '<w_')})"
    # "between May and September 2023", "May to September 2023", "from January to the end of
    # July", "April–June 2024": a window of whole months
    rf"|(?P<months>(?:\bbetween\s+{_MONTH.replace('month', 'mm1')}(?:\s+(?P<my1>(?:19|20)\d\d))?"
    rf"\s+and\s+|\b(?:from\s+)?{_MONTH.replace('month', 'mm3')}(?:\s+(?P<my3>(?:19|20)\d\d))?"
    rf"\s*(?:\s(?:to|until|till|through)\s+(?:the\s+end\s+of\s+)?|[–—-]\s*))"
    rf"{_MONTH.replace('month', 'mm2')}(?:\s+(?P<my2>(?:19|20)\d\d))?\b)",
)
"""Every reference-period phrase the rules understand, one alternative per kind."""

ATTRIBUTION_DATE_RE = Folded.compile(
    rf"\b(?:said|says|reported|announced|confirmed|told|added|stated|warned|informed|disclosed|"
    rf"estimated|estimates|acknowledged|verified|"
    # when a report came out: "the latest update, shared on 28 January, reported ..."
    rf"shared|published|released|issued|posted|circulated|dated)\s+"
    rf"(?:(?:in|at|during)\s+(?:a|an|its|their|the|his|her)\s+(?:[\w-]+\s+){{0,3}}?)?(?:on\s+)?"
    rf"(?:{_WEEKDAY.replace('<', '<a_')}|\d{{1,2}}\s+{_MONTH.replace('month', 'am')}"
    rf"|{_MONTH.replace('month', 'am2')}\s+\d{{1,2}}|today\b|yesterday\b)"
)
"""When a source spoke ("UNHCR said on Friday", "reported today that") or its report came out
("shared on 28 January") is not when its figure holds."""
_SPOKEN_AFTER = re.compile(
    rf"(?:,?\s+{DAY_MONTH})?,\s+(?:(?![^\s\d]*\d)(?!\w+ed\b)[\w'’().&-]+\s+){{1,6}}?"
    r"(?:reports|says|announces|confirms|states)\b",
    re.I,
)
_OPENS = re.compile(r"(?:(?:on|early|late|and|but)\s+)*$", re.I)
"""A date opening its sentence and followed by its subject and a reporting verb in the present
("Early Wednesday, May 31, DMC reports 202 people dead"): the time of the report, like "said on
Monday". In the past ("On Wednesday, police said they had detained 367") the day may be the
events' too."""


def _spoken_before(text: str, match: re.Match[str], start: int) -> bool:
    lower = max(start, match.start() - 12)
    lead = _OPENS.search(text, lower, match.start())
    if lead is None or _SPOKEN_AFTER.match(text, match.end()) is None:
        return False
    return lead.start() == start or text[lower : lead.start()].rstrip()[-1:] in (".", "\n", "•")


@dataclass(frozen=True)
class TextPeriod(Period):
    """A reference period as a text states it: where (``span``), and how it dates a figure:
    ``as_of`` marks a stock date ("as of 30 June"), ``flow`` a window or an event ("in the
    past week", "on Monday")."""

    as_of: bool = False
    span: tuple[int, int] = (0, 0)
    flow: bool = False


def _weekday(published: dt.date, name: str) -> dt.date:
    return last_weekday(published, _WEEKDAYS[name.lower()])


def _group(match: re.Match[str], *names: str) -> str | None:
    for name in names:
        value = match.group(name)
        if value:
            return value
    return None


def _day_month(match: re.Match[str], prefix: str, published: dt.date) -> dt.date | None:
    month = _group(match, f"{prefix}month", f"{prefix}month2")
    if month is None:
        return None
    day = int(_group(match, f"{prefix}day", f"{prefix}day2") or 0) or None
    year = _group(match, f"{prefix}year")
    try:
        return on_or_before(
            published, _MONTHS[month.lower().rstrip(".")], day, int(year) if year else None
        )
    except ValueError:
        return None


def _window(start: dt.date, published: dt.date) -> bool:
    """Whether "since <date>" opens a reporting window (a flow) rather than naming the start of
    a crisis, counted from ever since (a running total, a stock).

    A window is recent ("since 3 May" in a text of 20 May, like "since Thursday") or the
    start of the publication's year ("since January", "since 1 January", like "since the
    start of the year"); an older date ("since 7 October", "since April 2023", "since
    March") is when the crisis being counted began.
    """
    year_start = start == dt.date(published.year, 1, 1)
    return year_start or (published - start).days <= _WINDOW_DAYS


_WHEN_YEAR = re.compile(r"\b((?:19|20)\d\d),?\s+when\b[^.;]*$")


def _year_before(match: re.Match[str], published: dt.date) -> int:
    """The year "the year" means: one a "when" clause opens ("compared with 2016, when …
    in the first seven months of the year"), else the year of publication."""
    when = _WHEN_YEAR.search(match.string, max(0, match.start() - 120), match.start())
    return int(when[1]) if when else published.year


def _period(match: re.Match[str], published: dt.date) -> TextPeriod | None:
    day = DatePrecision.DAY
    span = match.span()
    if match["asof"]:
        if match["last_year"]:
            end = dt.date(published.year - 1, 12, 31)
            return TextPeriod(end, end, day, True, span)
        if match["year4"]:
            end = dt.date(int(match["year4"]), 12, 31)
            return TextPeriod(end, end, day, True, span)
        if match["end_of"]:
            year = int(match["year3"]) if match["year3"] else None
            end = on_or_before(published, _MONTHS[match["month3"].lower().rstrip(".")], None, year)
            return TextPeriod(end, end, day, True, span)
        if match["weekday"]:
            end = _weekday(published, match["weekday"])
            return TextPeriod(end, end, day, True, span)
        if match["asof_rel"]:  # "registered as of yesterday"
            end = published - dt.timedelta(days=match["asof_rel"].lower() == "yesterday")
            return TextPeriod(end, end, day, True, span)
        end = _day_month(match, "", published)
        return TextPeriod(end, end, day, True, span) if end else None
    if match["since"]:
        if match["since_start"]:
            unit = DatePrecision(match["since_start"].lower())
            start = containing(published, unit).start
            return TextPeriod(start, published, unit, False, span, True)
        if match["ss_year"]:
            start = dt.date(int(match["ss_year"]), 1, 1)
            return TextPeriod(
                start, published, DatePrecision.YEAR, False, span, _window(start, published)
            )
        if match["sm"] or match["ssm"]:
            month, year_text = (
                (match["sm"], match["sm_year"])
                if match["sm"]
                else (match["ssm"], match["ssm_year"])
            )
            year = int(year_text) if year_text else None
            start = on_or_before(published, _MONTHS[month.lower().rstrip(".")], 1, year)
            return TextPeriod(
                start, published, DatePrecision.MONTH, False, span, _window(start, published)
            )
        if match["s_weekday"]:
            start = _weekday(published, match["s_weekday"])
            return TextPeriod(start, published, day, False, span, True)
        start = _day_month(match, "s_", published)
        if start is None:
            return None
        return TextPeriod(start, published, day, False, span, _window(start, published))
    if match["on"]:
        weekday = match["o_weekday"] or match["p_weekday"]
        date = _weekday(published, weekday) if weekday else _day_month(match, "o_", published)
        return TextPeriod(date, date, day, False, span, True) if date else None
    if match["past"]:
        count = (match["count"] or "one").lower()
        number = int(count) if count.isdigit() and len(count) < 5 else _NUMBER_WORDS.get(count)
        if number is None:
            return None
        unit = match["unit"].lower().rstrip("s")
        days = {"day": 1, "week": 7, "month": 30, "hour": 1 / 24, "fortnight": 14}[unit] * number
        if days > _LONGEST_WINDOW_DAYS:
            return None
        start = published - dt.timedelta(days=max(int(days), 1))
        precision = DatePrecision.WEEK if unit in {"week", "fortnight"} else day
        return TextPeriod(start, published, precision, False, span, True)
    if match["rel"]:
        phrase = match["rel"].lower()
        if phrase in {"overnight", "today"}:
            return TextPeriod(published, published, day, False, span, True)
        if phrase == "yesterday":
            date = published - dt.timedelta(days=1)
            return TextPeriod(date, date, day, False, span, True)
        if match["weekend"]:  # the latest Saturday and Sunday, up to publication
            saturday = last_weekday(published, 5)
            end = min(saturday + dt.timedelta(days=1), published)
            return TextPeriod(saturday, end, day, False, span, True)
        word = (match["rel_unit"] or "year").lower()
        unit = DatePrecision.WEEK if word == "weekend" else DatePrecision(word)
        current = containing(published, unit)
        if phrase.startswith("last"):  # the whole week, month or year before
            before = current.previous()
            return TextPeriod(before.start, before.end, unit, False, span, True)
        return TextPeriod(current.start, published, unit, False, span, True)  # so far this one
    if match["in_period"]:
        if match["iyear"]:
            year = int(match["iyear"])
            end = min(dt.date(year, 12, 31), published)
            return TextPeriod(dt.date(year, 1, 1), end, DatePrecision.YEAR, False, span, True)
        end = on_or_before(
            published,
            _MONTHS[match["im"].lower().rstrip(".")],
            None,
            int(match["iy"]) if match["iy"] else None,
        )
        end = min(end, published)
        return TextPeriod(end.replace(day=1), end, DatePrecision.MONTH, False, span, True)
    if match["months"]:
        end = on_or_before(
            published,
            _MONTHS[match["mm2"].lower().rstrip(".")],
            None,
            int(match["my2"]) if match["my2"] else None,
        )
        first, first_year = (
            (match["mm1"], match["my1"]) if match["mm1"] else (match["mm3"], match["my3"])
        )
        start = on_or_before(
            end, _MONTHS[first.lower().rstrip(".")], 1, int(first_year) if first_year else None
        )
        return TextPeriod(start, end, DatePrecision.MONTH, False, span, True)
    if match["first"]:
        months = {"half": 6, "quarter": 3}.get((match["fm_part"] or "").lower())
        if months is None:
            count = match["fm_n"].lower()
            vague = count in {"few", "several"}
            months = None if vague else int(count) if count.isdigit() else _NUMBER_WORDS.get(count)
        if not months or months > 12:
            return None
        year = int(match["fm_y"]) if match["fm_y"] else _year_before(match, published)
        end = dt.date(year, months, calendar.monthrange(year, months)[1])
        return TextPeriod(dt.date(year, 1, 1), end, DatePrecision.MONTH, False, span, True)
    if match["cited"]:
        text = match.string
        if text.rfind("(", 0, match.start()) <= text.rfind(")", 0, match.start()):
            return None  # no bracket open: a list's date, not a citation's
        end = _day_month(match, "c_", published)
        return TextPeriod(end, end, day, True, span) if end else None
    if match["week_to"]:
        end = _day_month(match, "w_", published)
        if end is None:
            return None
        days = 13 if match["wt_unit"].lower() == "fortnight" else 6
        return TextPeriod(end - dt.timedelta(days=days), end, DatePrecision.WEEK, False, span, True)
    if match["between"] or match["dash"]:
        d1, m1, y1, d2, m2, y2 = (
            ("bd1", "bm1", "by1", "bd2", "bm2", "by2")
            if match["between"]
            else ("dd3", "dm3", "dy3", "dd4", "dm3", "dy3")
            if match["dm3"]
            else ("dd1", "dm1", "dy1", "dd2", "dm2", "dy2")
        )
        end = on_or_before(
            published,
            _MONTHS[match[m2].lower().rstrip(".")],
            int(match[d2]),
            int(match[y2]) if match[y2] else None,
        )
        start_month = match[m1] or match[m2]
        start_year = match[y1] or match[y2]
        start = on_or_before(
            end,
            _MONTHS[start_month.lower().rstrip(".")],
            int(match[d1]),
            int(start_year) if start_year else None,
        )
        return TextPeriod(min(start, end), end, day, False, span, True)
    return None


_ANCHORS = (
    *(name.lower() for name in calendar.day_name),
    *(name.lower() for name in calendar.month_name[1:]),
    *(name.lower() for name in calendar.month_abbr[1:]),
    "since",
    "past",
    "previous",
    "within",
    "last",
    "this",
    "overnight",
    "yesterday",
    "today",
    "end",
    "close",
    "start",
    "between",
    "weekend",
    "first",
)
_YEAR = re.compile(r"(?:19|20)\d\d")
_WORD_START = re.compile(r"\b\w")
_REACH = 32
_WINDOW_DAYS = 21
"""A "since" date further back than this starts a crisis, not a window."""
_LONGEST_WINDOW_DAYS = 3660
"""A window reaching back more than ten years is no reference period ("in the past 300 years")."""


def _period_matches(text: str, start: int, stop: int) -> list[re.Match[str]]:
    """``PERIOD_RE`` matches in ``text[start:stop]``, tried only near words that anchor one.

    Every period phrase holds a weekday, a month, a year or one of a few words ("since",
    "past", "overnight"); ``str.find`` locates those far faster than the full pattern can scan
    prose, and the pattern is then tried only at the word starts just before each.
    """
    lowered = text[start:stop].lower()
    anchors = []
    for word in _ANCHORS:
        at = lowered.find(word)
        while at >= 0:
            anchors.append(start + at)
            at = lowered.find(word, at + len(word))
    anchors.extend(m.start() for m in _YEAR.finditer(text, start, stop))
    if not anchors:
        return []
    # the word starts in the union of the windows before the anchors: overlapping windows
    # (a sentence holds dozens of anchors, "jan" inside "january") are scanned once
    anchors.sort()
    candidates = []
    low, high = max(start, anchors[0] - _REACH), anchors[0] + 1
    for anchor in anchors:
        if anchor - _REACH > high:
            candidates.extend(word.start() for word in _WORD_START.finditer(text, low, high))
            low = anchor - _REACH
        high = anchor + 1
    candidates.extend(word.start() for word in _WORD_START.finditer(text, low, high))
    matches = []
    end = -1
    for candidate in candidates:
        if candidate < end:
            continue
        match = PERIOD_RE.match(text, candidate, stop)
        if match is not None:
            matches.append(match)
            end = match.end()
    return matches


_EVENT_SINCE = re.compile(
    r"\b(?:rains?|rainfall|downpours|monsoon|floods?|flooding|storms?|fighting|clashes|violence|"
    r"hostilities|war|conflict|outbreak|epidemic|drought|offensive|bombardment|shelling|unrest|"
    r"insecurity|attacks|strikes|airstrikes|raids|protests|crackdown|heatwave|fires|wildfires|"
    r"landslides|mudslides|cyclones?|hurricanes?|typhoons?|earthquakes?|aftershocks|eruptions?)"
    r"(?:\s+(?:in|around|across|near|along|over|on)\s+(?:[\w'’.-]+\s+){1,4}?)?\s*$",
    re.I,
)
"""Before "since <date>": the date is when that event began ("Flash floods since 21 August
have affected", "Fighting in the area since late October has uprooted"), so its count runs
from the start of the crisis: a running total however recent the date."""
_ALONE = re.compile(r"\s+alone\b", re.I)
""""since 1 June alone": a part of a longer count, in a window of its own."""


_DAYS_EVENT = re.compile(r"(?:\s+(?:night|morning|afternoon|evening))?(?:'s|’s)\s", re.I)
"""After "since <weekday>": the day names an event ("since Sunday night's floods"), whose start
begins a running count (RULES.md: "since the floods"), not a window ("since Friday")."""


def _since_scope(text: str, match: re.Match[str], period: TextPeriod) -> TextPeriod:
    """A "since <date>" period's kind from its words, where they say more than its age."""
    if _ALONE.match(text, match.end()):
        return replace(period, flow=True)
    if _EVENT_SINCE.search(text, max(0, match.start() - 60), match.start()):
        return replace(period, flow=False)
    return period


_STARTED = Folded.compile(
    r"\b(?:began|begun|started|erupted|broke\s+out|flared(?:\s+up)?|(?:was|were)\s+declared|"
    r"plunged\s+into)\b[^.;:\d]{0,60}$"
)
"""Before a date: the date is when something began ("an uprising first erupted in March
2011", "plunged into war one year ago on 15 April"), read like "since <date>"."""


def _began(period: TextPeriod, published: dt.date) -> TextPeriod:
    """A date something began on starts a count that runs to publication: a window when it
    is recent, a crisis start (a running total) when older, as "since <date>" is read."""
    return replace(period, end=published, as_of=False, flow=_window(period.start, published))


_COLLECTED = Folded.compile(
    r"\b(?:collected|gathered|conducted|carried\s+out|surveyed|assessed|analysed|analyzed|"
    r"(?:data|survey|assessment|fieldwork|collection)\s+(?:period|round|window))\s*(?:in|on|during|over|from)?\s*$"
)
"""Before a window: when data were gathered ("data collected February–March 2025"), so the
counts it dates are what stood then, not what happened in it."""


def find_periods(
    text: str, published: dt.date, start: int = 0, end: int | None = None
) -> list[TextPeriod]:
    """Every reference-period phrase in ``text[start:end]`` resolved against ``published``.

    Phrases that date a statement ("said on Friday") are skipped: they say when the source
    spoke, not when the figure holds. Periods ending after publication are dropped.
    """
    stop = len(text) if end is None else end
    matches = _period_matches(text, start, stop)
    if not matches:
        return []
    spoken = [m.span() for m in ATTRIBUTION_DATE_RE.finditer(text, start, stop)]
    periods = []
    for match in matches:
        if any(s <= match.start() < e or match.start() <= s < match.end() for s, e in spoken):
            continue
        if match["mm3"] and text[match.start("mm3")].islower():
            continue  # "they march to May Day": a verb, not a month (the match may be folded)
        period = _period(match, published)
        if period is None or period.end > published or period.start > period.end:
            continue
        if (
            not period.as_of
            and text[match.end() : match.end() + 1] == ","
            and _spoken_before(text, match, start)
        ):
            continue
        began = _STARTED.search(text, max(start, match.start() - 80), match.start())
        if began and not period.as_of:
            period = _began(period, published)
        if match["since"] and not (match["s_weekday"] or match["since_start"]):
            period = _since_scope(text, match, period)
        elif match["s_weekday"] and _DAYS_EVENT.match(text, match.end()):
            period = replace(period, flow=False)
        elif period.flow and _COLLECTED.search(text, max(start, match.start() - 40), match.start()):
            period = replace(period, as_of=True, flow=False)
        periods.append(period)
    return periods


def publication_period(published: dt.date) -> TextPeriod:
    """The default: a figure holds on the day it was published."""
    return TextPeriod(published, published, DatePrecision.DAY, False)
