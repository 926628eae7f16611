"""Numbers as people write them, and the hedges around them.

``find_quantities`` scans a text once with one precompiled pattern and returns every number it
finds ("500,000", "500 000", "2 million", "1.2m", "5M", "300K", "two million", "half a
million", "a dozen", ranges such as "10,000-15,000" and "between 10,000 and 15,000"), each
with its value, bounds, qualifier and — when the number is not a count at all — the reason
(``year``, ``date``, ``money``, ``percent``, ``age``, ``time``, ``code``, ``phone``,
``compound``, ``fraction``, ``ordinal``). Non-counts are returned rather than dropped because
the figure rules use them as boundaries: "killed 212" must not reach back past "48,300".

``parse_number`` is the same parser for one table cell, used by normalisation.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, replace
from functools import cache

from text_to_num import text2num

from humstats.extract.indicators import Folded, Vocabulary, alternation, load_vocabulary
from humstats.schema import MAX_VALUE, Qualifier

_SCALES = {
    "thousand": 1_000,
    "k": 1_000,
    "million": 1_000_000,
    "mn": 1_000_000,
    "m": 1_000_000,
    "billion": 1_000_000_000,
    "bn": 1_000_000_000,
    "lakh": 100_000,  # South Asian copy: "1.2 lakh persons affected"
    "lakhs": 100_000,
    "crore": 10_000_000,
    "crores": 10_000_000,
}
_UNITS = (
    "one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
    "fifteen|sixteen|seventeen|eighteen|nineteen"
)
_TENS = "twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
NUMBER_WORDS = rf"{_UNITS}|{_TENS}|hundred|thousand|million"
"""Spelled numbers as one alternation: where a count may end before "of the ..."."""
_DIGIT_WORDS = "one|two|three|four|five|six|seven|eight|nine"
_SMALL = rf"(?:(?:{_TENS})(?:[- ](?:{_DIGIT_WORDS}))?|{_UNITS})"
_WORDS = (
    rf"(?:(?:a|one|two|three)[\s-]+(?:quarters?|thirds?)\s+of\s+an?\s+(?:million|billion)"
    rf"|(?:{_SMALL})\s+and\s+a\s+(?:half|quarter|third)\s+(?:thousand|million|billion)"
    rf"|half\s+a\s+million|(?:a|one)\s+(?:dozen|hundred|thousand|million|billion)|a\s+dozen"
    rf"|(?:{_SMALL})(?:\s+dozen|(?:\s+hundred(?:\s+(?:and\s+)?{_SMALL})?)?"
    rf"(?:(?:\s+|-)(?:thousand|million|billion))?)"  # "three million", "Three-million"
    rf"|dozen)"
)
_DIGITS = (
    r"\d{1,3},\d{1,2}(?=\s*(?:million|billion|mn|bn|m)\b)"  # 1,2 million (decimal comma)
    r"|(?<!\d,\s)\d{1,3}(?:,\d{3})*, \d{3}(?![\d,.])(?!\s*,\s*\d)"  # 391, 000 (a typed space)
    r"|\d{1,3}(?:,\d{3})+(?:\.\d+)?"  # 500,000
    r"|\d{1,2}(?:,\d\d)+,\d{3}(?!\d)"  # 1,20,000 (South Asian grouping)
    r"|\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?!\d)(?![,.]\d)"  # 500 000
    r"|\d+(?:\.\d+)?"  # 2.3 (million)
)
_SCALE = (
    r"(?:\s*(?:million|billion|thousand|mn|bn|lakhs?|crores?)\b|(?:m|k|bn|mn)\b"
    # "26 m" ends a fact-sheet line, comes before people or opens a key figure's label ("1.6 m
    # Registered refugees"); "a 5 m wall" is a length
    r"|[ \u00a0]m(?=[ \t]*(?:\n|$)|\s+(?:people|persons|individuals|IDPs|refugees)\b"
    r"|[ \t]+(?-i:[A-Z][a-z])))"
)

_DIGIT_NUMBER_RE = Folded.compile(
    rf"(?<![\w.,/:+])(?<![A-Za-z]-)(?P<digits>{_DIGITS})(?P<scale>{_SCALE})?"
    r"(?P<words>(?!x)x)?(?P<wscale>(?!x)x)?"
)
"""``NUMBER_RE``'s digit branch alone (same groups), for positions known to hold a digit."""
NUMBER_RE = re.compile(
    rf"(?<![\w.,/:+])(?<![A-Za-z]-)(?:(?P<digits>{_DIGITS})(?P<scale>{_SCALE})?"
    rf"|(?P<words>\b{_WORDS})\b(?P<wscale>\s+(?:million|billion))?)",
    re.IGNORECASE,
)
"""One number: digits with an optional scale word or suffix, or number words."""

_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.?"
)
_PHONE_RE = re.compile(
    r"(?<![\w,.])(?:\+\d{1,3}[\s.-]?)?(?:\(?\d{2,4}\)?[\s.-]){2,}\d{2,4}(?!\w)(?!,\d)"
)
_GROUPED_RE = re.compile(r"\d{1,3}(?:[ \u00a0\u202f]\d{3})+")
_RATIO_JOIN = re.compile(r"\s+(?:in|out of)\s+$", re.I)
_NUMERIC_DATE = re.compile(r"\b\d{4}-\d{1,2}-\d{1,2}\b|\b\d{1,2}[/.]\d{1,2}[/.]\d{2,4}\b")
_RANGE_JOIN = re.compile(r"^\s*(?:-|–|—|to)\s*$", re.I)
_CHANGE_BEFORE = re.compile(r"\bby\s+$", re.I)
"""Before "X to Y": the size of a change and its new level ("increased by 1 million to 6.4
million"), not a range."""
_BETWEEN_BEFORE = re.compile(r"\b(?:between|from)\s+$", re.I)

NOT_A_COUNT = (
    "year",
    "date",
    "money",
    "percent",
    "age",
    "time",
    "code",
    "phone",
    "compound",
    "fraction",
    "ordinal",
    "decimal",
)
"""The reasons a number is not a count of anything (``Quantity.kind`` other than ``count``)."""


@dataclass(frozen=True)
class Quantity:
    """A number found in text: its span, what it says, and whether it counts anything.

    ``start``/``end`` cover the number itself (both ends of a range); ``hedge_start`` is
    where its hedge ("more than") begins, so windows around the number skip the hedge.
    """

    start: int
    end: int
    value: int
    low: int | None
    high: int | None
    qualifier: Qualifier
    hedge_start: int
    kind: str = "count"
    spelled: bool = False

    @property
    def is_count(self) -> bool:
        return self.kind == "count"


@dataclass(frozen=True)
class _Token:
    start: int
    end: int
    value: float
    scaled: bool
    spelled: bool
    raw: str


@cache
def _hedge_patterns(vocabulary: Vocabulary) -> tuple[re.Pattern[str], Folded, dict]:
    """The qualifier hedges as one pattern anchored at the number (before) and one after it."""
    qualifiers = {
        phrase: Qualifier(name) for name, phrases in vocabulary.qualifiers for phrase in phrases
    }
    before = re.compile(rf"(?:^|(?<=[\s(\[,;:—–-]))(?P<hedge>{alternation(qualifiers)})\s*$", re.I)
    after = Folded.compile(rf"\W*(?:\w+\s+){{0,3}}?(?:{alternation(vocabulary.approx_after)})\b")
    return before, after, qualifiers


_PARTS = {"half": 2, "quarter": 4, "third": 3}


def _words_value(words: str) -> int | None:
    """Spelled-out numbers via text2num, plus the idioms it does not know."""
    text = re.sub(r"\s+", " ", words.lower().replace("-", " ")).strip()
    if text == "half a million":
        return 500_000
    fraction = re.fullmatch(r"(a|one|two|three) (quarter|third)s? of an? (million|billion)", text)
    if fraction:
        parts = {"a": 1, "one": 1, "two": 2, "three": 3}[fraction[1]]
        return _SCALES[fraction[3]] * parts // _PARTS[fraction[2]]
    and_a = re.fullmatch(r"(.+) and a (half|quarter|third) (thousand|million|billion)", text)
    if and_a:
        whole = _words_value(and_a[1])
        scale = _SCALES[and_a[3]]
        return None if whole is None else whole * scale + scale // _PARTS[and_a[2]]
    if text in {"a dozen", "dozen", "one dozen"}:
        return 12
    if text.endswith(" dozen"):
        dozens = _words_value(text.removesuffix(" dozen"))
        return None if dozens is None else dozens * 12
    text = re.sub(r"^a ", "one ", text)
    try:
        return int(text2num(text, "en"))
    except ValueError:
        return None


def _token(match: re.Match[str]) -> _Token | None:
    if match["digits"] is not None:
        raw = match["digits"]
        if _DECIMAL_COMMA.fullmatch(raw):
            raw = raw.replace(",", ".")
        digits = _SEPARATORS.sub("", raw)
        if len(digits) > _MAX_DIGITS:
            return None  # an identifier or garbage, and too long for a float
        value = float(digits)
        scale = (match["scale"] or "").strip().lower()
        if scale:
            # rounded: in binary 4.1 * 1e6 is 4099999.9999999995, no whole count
            value = round(value * _SCALES[scale], 6)
        return _Token(match.start(), match.end(), value, bool(scale), False, match["digits"])
    value = _words_value(match["words"])
    if value is None:
        return None
    if match["wscale"]:
        value = round(value * _SCALES[match["wscale"].strip().lower()], 6)
    return _Token(match.start(), match.end(), float(value), value >= 1000, True, match["words"])


_KIND_AFTER = re.compile(
    r"(?P<percent>\s*(?:%|per\s?cent\b|percent\b|pc\b|percentage\b))"
    r"|(?P<age>(?:-|\s)(?:years?|months?|weeks?)(?:-|\s)old\b)"
    r"|(?P<time>\s*(?::\d\d|[ap]\.?m\.?\b|hours?\s+GMT|GMT|UTC|local time))"
    r"|(?P<ordinal>(?:st|nd|rd|th)\b)"
    rf"|(?P<date>(?:st|nd|rd|th)?\s+(?:of\s+)?(?-i:{_MONTH})(?![a-z]))"
    r"|(?P<fraction>/\d|\s+(?:thirds?|quarters?|halves|fifths?|tenths?)\b)"
    r"|(?P<compound>-(?!\d)[A-Za-z])",
    re.I,
)
"""What after a number makes it no count, tried in this order; one match per number."""
_MONTH_WORDS = frozenset(
    f"{name}{dot}" for name in re.findall(r"[A-Z][a-z]+", _MONTH) for dot in ("", ".")
)
_CODE_WORDS = frozenset(
    {
        "resolution",
        "resolutions",
        "article",
        "articles",
        "phase",
        "route",
        "road",
        "highway",
        "no.",
        "number",
        "chapter",
        "section",
        "paragraph",
        "level",
        "category",
        "grade",
        "flight",
        "nationale",
        "rn",
        "km",
        "kilometre",
        "hotline",
        "line",
        "on",
        "call",
        "calling",
        "dial",
        "ext",
        "ext.",
        "magnitude",
        "scale",
    }
)
_CURRENCY_WORDS = frozenset({"usd", "eur", "gbp", "chf", "us", "us$", "$", "€", "£", "¥"})
_AGE_WORDS = frozenset({"aged", "ages"})
_AGE_PHRASES = frozenset({"age of", "ages of"})
_AGE_LINKS = frozenset({"between", "from", "over", "under"})
_AGE_BOUNDS = frozenset({"under", "over", "below", "above"})
_AGE_GROUPS = frozenset(
    {"children", "child", "kids", "infants", "babies", "adults", "people", "those", "girls", "boys"}
)
""""children under five", "people over 60": an age limit after the group it bounds."""


def _kind_before(text: str, start: int) -> str | None:
    """What right before a number makes it no count ("$", "aged", "March", "resolution")."""
    previous = text[start - 1] if start else " "
    if previous in "$€£¥":
        return "money"
    if previous == ":":
        return "time"
    if previous == "/":
        return "fraction"
    words = text[max(0, start - 25) : start].split()[-3:]
    if not words:
        return None
    last = words[-1]
    lowered = [w.lower() for w in words]
    if lowered[-1] in _CURRENCY_WORDS or lowered[-1].endswith("$"):
        return "money"
    if (
        lowered[-1] in _AGE_WORDS
        or " ".join(lowered[-2:]) in _AGE_PHRASES
        or (
            lowered[-1] in _AGE_LINKS
            and len(lowered) > 1
            and (lowered[-2] in _AGE_WORDS or " ".join(lowered[-3:-1]) in _AGE_PHRASES)
        )
        or (lowered[-1] in _AGE_BOUNDS and len(lowered) > 1 and lowered[-2] in _AGE_GROUPS)
    ):
        return "age"
    if last in _MONTH_WORDS:
        return "date"
    if lowered[-1] in _CODE_WORDS:
        return "code"
    return None


_PEOPLE_AFTER = re.compile(
    r"\s+(?:people|persons|civilians|residents|refugees|migrants|children|families|households|"
    r"individuals|IDPs|dead|deaths|killed|injured|wounded|casualties|cases)\b"
)
"""After a year-like number, a people noun makes it a count ("over 2000 people dead"): a year
does not take a plural noun right after it."""


def _kind(text: str, token: _Token, phones: list[tuple[int, int]]) -> str:
    """Why a number is not a count, or ``count``."""
    if phones and any(start <= token.start < end for start, end in phones):
        return "phone"
    previous = text[token.start - 1] if token.start else " "
    following = text[token.end : token.end + 1]
    if following.isdigit() and "," in token.raw:
        return "code"  # "over 105,1570 houses": a group of four digits is a typo, no count
    if (following and following in "-/.") or previous in "-/.":
        for match in _NUMERIC_DATE.finditer(text, max(0, token.start - 11), token.end + 11):
            if match.start() <= token.start < match.end():
                return "date"
    after = _KIND_AFTER.match(text, token.end)
    after_kind = after.lastgroup if after else None
    before_kind = _kind_before(text, token.start)
    if before_kind == "date" and (token.scaled or "," in token.raw or token.value > 9999):
        # no day or year has a thousands separator: "People displaced since 20 October\n52,340"
        # is a fact sheet's label and its count, "in March 2,000 people fled" a count
        before_kind = None
    if after_kind == "percent" or before_kind == "money":
        return after_kind if after_kind == "percent" else "money"
    if token.spelled:
        if before_kind == "age":
            return "age"
        return "compound" if after_kind in {"compound", "fraction"} else "count"
    for kind in ("age", "time", "ordinal", "date", "fraction", "compound"):
        if after_kind == kind or (before_kind == kind and kind != "compound"):
            return kind
    if (
        not token.scaled
        and len(token.raw) == 4
        and token.raw.isdigit()
        and 1800 <= token.value <= 2100
        and not _PEOPLE_AFTER.match(text, token.end)
    ):
        return "year"
    if before_kind == "code" and not token.scaled and "," not in token.raw:
        return "code"
    if token.value != int(token.value):
        return "decimal"
    if token.value >= MAX_VALUE:
        return "code"  # no count of people reaches ten billion: an identifier, not a figure
    return "count"


_DIGIT_RUN = re.compile(r"[0-9]+")
_MAX_DIGITS = 15
_SEPARATORS = re.compile(r"[,\s\u00a0\u202f]")
_DECIMAL_COMMA = re.compile(r"\d{1,3},\d{1,2}")
_NUMBER_WORDS = frozenset(
    [
        *_UNITS.split("|"),
        *_TENS.split("|"),
        "dozen",
        "hundred",
        "thousand",
        "million",
        "billion",
    ]
)
_NUMBER_TOKENS: dict[str, str] = (
    {
        f"{prefix}{word}{suffix}": word
        for word in _NUMBER_WORDS
        for prefix in ("", "(", '"', "“")
        for suffix in ("", ",", ".", ";", ":", ")", '"', "”", "'s", "’s")
    }
    | {
        f"{tens}-{unit}{suffix}": tens
        for tens in _TENS.split("|")
        for unit in _DIGIT_WORDS.split("|")
        for suffix in ("", ",", ".", ";", ":", ")")
    }
    | {
        f"{small}-{scale}{suffix}": small
        for small in (*_UNITS.split("|"), *_TENS.split("|"))
        for scale in ("thousand", "million")
        for suffix in ("", ",", ".", ";", ":", ")")
    }
)
_NUMBER_TOKEN_SET = frozenset(_NUMBER_TOKENS)
"""The keys as a set: intersecting it with a text's words does not copy a thousand keys."""
"""Number words as ``str.split`` leaves them in prose ("two," "(twenty-six") → the word."""


_QUARTER_BEFORE = re.compile(r"\b(?:a|one|two|three)[\s-](?:quarters?|thirds?) of an? $")


def _word_starts(lowered: str, word: str) -> list[int]:
    """Where ``word`` stands as a whole word, moved back over "a " / "half a " before it."""
    starts = []
    at = lowered.find(word)
    while at >= 0:
        end = at + len(word)
        if (at == 0 or not lowered[at - 1].isalnum()) and not lowered[end : end + 1].isalnum():
            quarter = _QUARTER_BEFORE.search(lowered, max(0, at - 24), at)
            if quarter is not None:
                at = quarter.start()  # "a quarter of a million", not "a million"
            elif lowered.endswith("half a ", 0, at):
                at -= 7
            elif lowered.endswith(" a ", 0, at) or (at == 2 and lowered.startswith("a ")):
                at -= 2
            starts.append(at)
        at = lowered.find(word, end)
    return starts


def _digit_run_starts(text: str) -> list[int]:
    """Where runs of digits start (``_DIGIT_RUN``), found with ``str.find`` per digit.

    Prose holds a few dozen digits in thousands of characters: ten C-speed finds beat the
    regex stepping through every character. Digit-dense text (a table) goes to the regex,
    whose cost does not grow with the digits.
    """
    cap = len(text) // 25
    positions: list[int] = []
    for digit in "0123456789":
        at = text.find(digit)
        while at >= 0:
            positions.append(at)
            if len(positions) > cap:
                return [run.start() for run in _DIGIT_RUN.finditer(text)]
            at = text.find(digit, at + 1)
    present = set(positions)
    return sorted(at for at in positions if at - 1 not in present)


def _matches(text: str) -> list[re.Match[str]]:
    """``NUMBER_RE`` matches, found fast: the full pattern is tried only where a number starts.

    Scanning prose with the full pattern at every character is the extractor's largest cost;
    digit runs and number words (in lower-cased text) are cheap to find first.
    """
    starts = _digit_run_starts(text)
    lowered = text.lower()
    # Number words are rare in prose: find which occur with one split, then only those.
    for word in {_NUMBER_TOKENS[t] for t in _NUMBER_TOKEN_SET.intersection(lowered.split())}:
        starts.extend(_word_starts(lowered, word))
    starts.sort()
    found = []
    end = -1
    for start in starts:
        if start < end:
            continue
        pattern = _DIGIT_NUMBER_RE if text[start].isdigit() else NUMBER_RE
        match = pattern.match(text, start)
        if match is not None:
            found.append(match)
            end = match.end()
    return found


def _phone_spans(text: str) -> list[tuple[int, int]]:
    spans = []
    for match in _PHONE_RE.finditer(text):
        number = match.group().strip()
        grouped = _GROUPED_RE.fullmatch(number)
        if number.startswith(("+", "0", "(")) or not grouped:
            spans.append((match.start(), match.end()))
    return spans


def find_quantities(text: str, vocabulary: Vocabulary | None = None) -> list[Quantity]:
    """Every number in ``text``, in order, ranges merged, with qualifier and kind."""
    vocabulary = vocabulary or load_vocabulary()
    tokens = [t for t in map(_token, _matches(text)) if t is not None]
    if not tokens:
        return []
    phones = _phone_spans(text) if "+" in text or " 0" in text else []
    hedge_before, hedge_after, hedges = _hedge_patterns(vocabulary)
    quantities: list[Quantity] = []
    ratios = {
        index
        for i, (a, b) in enumerate(itertools.pairwise(tokens))
        if _RATIO_JOIN.match(text, a.end, b.start) and a.value < b.value
        for index in (i, i + 1)
    }
    i = 0
    while i < len(tokens):
        token = tokens[i]
        kind = "fraction" if i in ratios else _kind(text, token, phones)
        low = high = None
        start, end, value = token.start, token.end, token.value
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        if nxt is not None:
            joint = text[token.end : nxt.start]
            between = _BETWEEN_BEFORE.search(text[max(0, token.start - 9) : token.start])
            is_range = (
                _RANGE_JOIN.match(joint)
                or (between is not None and re.fullmatch(r"\s+and\s+", joint, re.I))
            ) and not _CHANGE_BEFORE.search(text, max(0, token.start - 30), token.start)
            if is_range:
                first, second = token.value, nxt.value
                if not token.scaled and nxt.scaled and first < second:
                    first *= second / _unscaled(nxt)
                next_kind = _kind(text, nxt, phones)
                compatible = (
                    kind == next_kind
                    or "age" in (kind, next_kind)
                    or (kind == "date" and second <= 31)
                    or (next_kind == "date" and first <= 31)
                )
                if first < second and compatible and "date" in (kind, next_kind):
                    kind = "date"
                elif first < second and compatible and "age" in (kind, next_kind):
                    kind = "age"
                if first < second and compatible:
                    start, end = token.start, nxt.end
                    low, high = int(first), int(second)
                    value = (low + high) // 2
                    kind = kind if kind != "count" else next_kind
                    i += 1
        qualifier, hedge_start = _qualifier(
            text, start, end, low, hedge_before, hedge_after, hedges
        )
        if low is not None and (between := _BETWEEN_BEFORE.search(text, max(0, start - 9), start)):
            hedge_start = between.start()
        quantities.append(
            Quantity(start, end, int(value), low, high, qualifier, hedge_start, kind, token.spelled)
        )
        i += 1
    if "(" in text:
        _hedge_by_share(text, quantities)
    return quantities


def _hedge_by_share(text: str, quantities: list[Quantity]) -> None:
    """A count in brackets after a share restates it in people ("About 96 percent of the
    population (2.15M people)"): the share's hedge is the count's, written once before both."""
    for i, q in enumerate(quantities):
        if i == 0 or q.qualifier is not Qualifier.EXACT or not q.is_count:
            continue
        opened = text.rfind("(", max(0, q.start - 3), q.start)
        share = quantities[i - 1]
        if (
            opened < 0
            or text[opened + 1 : q.start].strip()
            or share.kind != "percent"
            or share.qualifier is Qualifier.EXACT
            or opened - share.end > 80
            or any(c in text[share.end : opened] for c in "().;")
        ):
            continue
        quantities[i] = replace(q, qualifier=share.qualifier)


def _unscaled(token: _Token) -> float:
    """The number a scaled token was written with ("3" for "3 million")."""
    digits = _SEPARATORS.sub("", token.raw)
    try:
        return float(digits)
    except ValueError:
        return float(_words_value(token.raw) or 1)


def _qualifier(
    text: str,
    start: int,
    end: int,
    low: int | None,
    hedge_before: re.Pattern[str],
    hedge_after: Folded,
    hedges: dict[str, Qualifier],
) -> tuple[Qualifier, int]:
    if low is not None:
        return Qualifier.RANGE, start
    window = max(0, start - 30)
    found = _literal_hedge(text, window, start, hedges)
    if found is not None:
        return found
    if text[start - 1 : start] in "~." and (match := hedge_before.search(text, window, start)):
        return _hedge_qualifier(match["hedge"], hedges), match.start()
    if hedge_after.match(text, end, end + 60):
        return Qualifier.APPROX, start
    if text[end : end + 11].lower() == " estimated ":
        return Qualifier.APPROX, start  # a key figure's label: "22,000 Estimated refugee ..."
    return Qualifier.EXACT, start


_HEDGE_WORDS = 4
_LEADING_PUNCTUATION = "([,;:—–-\"“'‘"


def _literal_hedge(
    text: str, window: int, start: int, hedges: dict[str, Qualifier]
) -> tuple[Qualifier, int] | None:
    """The hedge ending right before the number, by looking its last words up (fast path).

    Hedges written as patterns ("approx\\.", "~") are left to the regex.
    """
    if start == 0 or not text[start - 1].isspace():
        return None
    words = text[window:start].split()[-_HEDGE_WORDS:]
    if not words or words[-1].lower() not in _hedge_last_words(hedges):
        return None  # most numbers carry no hedge: one set lookup says so
    chunk_end = start
    positions = []
    for word in reversed(words):
        chunk_end = text.rfind(word, window, chunk_end)
        positions.append(chunk_end)
    positions.reverse()
    for count in range(len(words), 0, -1):
        first = words[-count].lstrip(_LEADING_PUNCTUATION)
        phrase = " ".join([first, *words[len(words) - count + 1 :]]).lower()
        qualifier = hedges.get(phrase)
        if qualifier is not None:
            at = positions[-count]
            return qualifier, at + len(words[-count]) - len(first)
    return None


@cache
def _hedge_last_words_of(phrases: frozenset[str]) -> frozenset[str]:
    return frozenset(phrase.split()[-1] for phrase in phrases)


_LAST_WORDS: dict[int, tuple[dict[str, Qualifier], frozenset[str]]] = {}


def _hedge_last_words(hedges: dict[str, Qualifier]) -> frozenset[str]:
    """Kept per hedge dict (``_hedge_patterns`` returns one per vocabulary): freezing its
    phrases for every number cost more than the one set lookup they serve."""
    cached = _LAST_WORDS.get(id(hedges))
    if cached is None or cached[0] is not hedges:
        cached = _LAST_WORDS[id(hedges)] = (hedges, _hedge_last_words_of(frozenset(hedges)))
    return cached[1]


def _hedge_qualifier(found: str, hedges: dict[str, Qualifier]) -> Qualifier:
    """Which vocabulary phrase a matched hedge is (phrases may be patterns, e.g. "approx\\.")."""
    lowered = found.lower()
    if lowered in hedges:
        return hedges[lowered]
    return next(q for phrase, q in hedges.items() if re.fullmatch(phrase, found, re.I))


def parse_number(cell: str) -> int | None:
    """The count a table cell states ("1,200", "2.3 million", "5M"), or None if it states none.

    >>> parse_number("2.3 million")
    2300000
    """
    text = cell.strip()
    match = NUMBER_RE.fullmatch(text)
    if match is None:
        return None
    token = _token(match)
    if token is None or token.value != int(token.value):
        return None
    return int(token.value)
