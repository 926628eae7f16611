"""Sentences and asides: the spans the figure rules read.

``split_sentences`` cuts prose at sentence ends (not at "Dec." or "U.N.") and at line ends that
close a heading, a bullet or a paragraph, while hard-wrapped lines run on. ``mask_asides``
blanks parenthetical asides ("— nearly 40% of the population —", ", including nine
children,") so the words on either side of an aside read as adjacent.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

_ABBREVIATIONS = frozenset(
    {
        "Jan",
        "Feb",
        "Mar",
        "Apr",
        "Jun",
        "Jul",
        "Aug",
        "Sep",
        "Sept",
        "Oct",
        "Nov",
        "Dec",
        "No",
        "Nos",
        "Mr",
        "Mrs",
        "Ms",
        "Dr",
        "St",
        "Gen",
        "Lt",
        "Col",
        "Sgt",
        "Capt",
        "Gov",
        "Sen",
        "Rep",
        "Rev",
        "Prof",
        "approx",
        "vs",
        "Inc",
        "Ltd",
        "Co",
        "Corp",
        "Jr",
        "Sr",
        "est",
        "fig",
        "al",
    }
)
_SENTENCE_BREAK = re.compile(r"[\n.!?](?:(?<=\n)|(?<=[.!?])[\"”’')\]]*\s+(?=[\"“‘(\[]?[A-Z0-9•]))")
"""A newline, or end punctuation with closing quotes before the next sentence's capital.
Starting with one character class lets the regex engine skip to candidates at C speed."""
_ITEM_START = re.compile(r"\s*(?:[•*·▪‣◦–—-]|\d{1,2}[.)]\s)")
_LINE_END = frozenset('.!?:;"”’')
_HEADING_LENGTH = 60
_LABEL_LINE = re.compile(
    r"\s*(?:[•*·▪‣◦–—-]\s*)?[^:\n]{1,60}:\s*[~≈]?\s*[\d][\d.,\s\u00a0]*"
    r"(?:\s*(?:million|billion|thousand|[mMkK]|bn|mn))?\s*(?:\([^()\n]{0,40}\))?\s*",
    re.I,
)
_CLAUSE_COMMA = re.compile(r",(?!\d{3}(?!\d))")
"""A comma that is not a thousands separator: a hard-wrapped line of prose holds one."""
_ASIDE = re.compile(
    r"\s[—–]\s[^—–;]{1,140}?\s[—–](?=\s)|\([^()]{1,140}\)|"
    r",\s(?:including|among them|or|about|nearly|roughly|some|more than half|mostly|mainly)"
    r"\b(?:[^,;]|,(?=\d{3}\b)){1,80}(?=,(?!\d{3}\b))"  # a thousands comma ("2,106") ends none
)
"""An aside: a dash pair, brackets, or a comma clause ending at a comma that is no thousands
separator (", including 3,106 children and 1,970 women,")."""

_NAMING_ASIDES = ("(IPC ", "(Phase ", "(phase ")
"""Brackets that name the class of the words before them ("in Emergency (IPC Phase 4)"): read
as words of the sentence, not blanked as an aside."""


def _line_ends_sentence(text: str, at: int) -> bool:
    """Whether the newline at ``at`` ends a sentence.

    It does after end punctuation, before a blank line or a bullet, and after a short line
    without a comma (a heading, a date line); hard-wrapped prose runs on across the newline.
    """
    line = text[text.rfind("\n", 0, at) + 1 : at].rstrip()
    if (
        not line
        or line[-1] in _LINE_END
        or (
            len(line) < _HEADING_LENGTH
            and ("," not in line or not (_CLAUSE_COMMA.search(line) or "|" in line))
        )
    ):
        return True  # a comma inside a count ("Returnees 610,000") is no clause's comma
    if _LABEL_LINE.fullmatch(line):
        return True  # "Fatalities: 1,542", a fact-sheet line: read like a table's cell
    if _ITEM_START.match(text, at + 1):
        return True
    return not text[at + 1 : text.find("\n", at + 1) if "\n" in text[at + 1 :] else None].strip()


def _abbreviation(text: str, at: int) -> bool:
    """Whether the period at ``at`` closes an abbreviation ("Dec.", "U.N.", "Gen.")."""
    word = text[max(0, at - 6) : at].rpartition(" ")[2].lstrip('("“')
    return word in _ABBREVIATIONS or (len(word) == 1 and word.isupper()) or "." in word


def _breaks(text: str) -> Iterator[re.Match[str]]:
    """``_SENTENCE_BREAK.finditer(text)``, tried only where ``str.find`` finds a line end or end
    punctuation (at C speed, where the regex engine tests every character against its
    opening class), each after the previous break as the scan would."""
    marks = []
    for mark in _BREAK_MARKS:
        at = text.find(mark)
        while at >= 0:
            marks.append(at)
            at = text.find(mark, at + 1)
    marks.sort()
    after = 0
    for at in marks:
        if at >= after and (match := _SENTENCE_BREAK.match(text, at)) is not None:
            after = match.end()
            yield match


_BREAK_MARKS = ("\n", ".", "!", "?")
"""The characters ``_SENTENCE_BREAK`` opens with."""


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans: one regex pass, abbreviations ("Dec. 7", "U.N.") do not end one."""
    spans = []
    start = 0
    for match in _breaks(text):
        at = match.start()
        if text[at] == "\n":
            if not _line_ends_sentence(text, at):
                continue
            end, following = at, at + 1
        else:
            if text[at] == "." and _abbreviation(text, at):
                continue
            end, following = at + 1, match.end()
        if end > start and not text[start:end].isspace():
            spans.append((start, end))
        start = following
    if start < len(text) and not text[start:].isspace():
        spans.append((start, len(text)))
    return spans


def last_words(text: str, start: int, end: int, count: int) -> int:
    """Where the last ``count`` words of ``text[start:end]`` begin (``start`` if it holds no
    more): a pattern that must end at ``end`` and spans at most ``count`` words matches from
    there if anywhere, and the regex engine need not try it at every position before."""
    words = text[start:end].rsplit(None, count)
    return start + len(words[0]) if len(words) > count else start


def mask_asides(text: str, start: int, end: int) -> tuple[str, list[tuple[int, int]]]:
    """The text with asides in ``[start, end)`` blanked out, and the asides' spans."""
    asides = [
        m.span()
        for m in _ASIDE.finditer(text, start, end)
        if not text.startswith(_NAMING_ASIDES, m.start())
    ]
    if not asides:
        return text, []
    pieces = []
    last = 0
    for a, b in asides:
        pieces.append(text[last:a])
        pieces.append(" " * (b - a))
        last = b
    pieces.append(text[last:])
    return "".join(pieces), asides


def unmask(masked: str, text: str, aside: tuple[int, int]) -> str:
    a, b = aside
    return masked[:a] + text[a:b] + masked[b:]
