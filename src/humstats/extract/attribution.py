"""Who a figure is credited to inside the text: "according to X", "X said", "X estimates".

The source is taken as written ("the rights group HRANA" -> "HRANA", "Lebanon's health
ministry" -> "health ministry"); pronouns ("it said", "they said") resolve to the source the
text named before.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from humstats.extract.indicators import alternation

_ACCORDING = re.compile(r"\baccording to\s+(?P<src>[^,.;:()—–]+)", re.I)
_BY = re.compile(
    r"\b(?:registered|recorded|compiled|published|verified|documented|reported|counted) by\s+"
    r"(?P<src>(?:the\s+)?[A-Z][\w'’&.-]*(?:\s+(?:of|for|and|the|de)?\s*[A-Z][\w'’&.-]*)*)"
)
_VERBS = [
    "said",
    "says",
    "reported",
    "reports",
    "estimated",
    "estimates",
    "estimate",
    "found",
    "finds",
    "announced",
    "confirmed",
    "warned",
    "stated",
    "added",
    "noted",
    "told",
    "shows",
    "show",
    "showed",
    "put",
    "puts",
    "recorded",
    "registered",
]
_VERB = re.compile(rf"\s(?:{alternation(_VERBS)})\b")
_LEFT_BOUNDARY = re.compile(
    r"[,;:()—–\"“”]|\b(?:while|and|but|that|as|when|after|which|where|with|adding)\b"
)
_PRONOUNS = {"it", "they", "he", "she", "we"}
_VERB_STEMS = (
    "said",
    "say",
    "report",
    "estimat",
    "found",
    "find",
    "announc",
    "confirm",
    "warn",
    "stat",
    "added",
    "noted",
    "told",
    "show",
    "put",
    "record",
    "regist",
)
_GENERIC = re.compile(
    r"(?:the|this|that)\s+(?:agency|group|organi[sz]ation|office|body|ministry|mission|report|"
    r"government|authorities|officials|UN agency|agencies|charity|monitor|commission)",
    re.I,
)
_AGENTS = re.compile(
    r"\b(?:officials?|authorities|police|ministry|group|agency|office|government|rescuers|"
    r"partners|activists|witnesses|medics|sources|army|military|spokesperson|spokesman|"
    r"spokeswoman|governor|commissioner|institute|council|commission|coast guard|force|"
    r"forces|mission|residents|ombudsman|media|press|rapporteur|envoy|chief|volunteers|workers|organi[sz]ation|agencies|"
    r"department|directorate|doctors|hospital|officers|observatory|monitor|platform|"
    r"administration|service|centre|center|team|teams|committee|administrator)\b",
    re.I,
)
_NOT_LAST = {
    "a",
    "an",
    "the",
    "has",
    "have",
    "had",
    "is",
    "are",
    "was",
    "were",
    "be",
    "been",
    "being",
    "it",
    "they",
    "which",
    "who",
    "that",
    "of",
    "to",
    "in",
    "on",
}
_LEADING = re.compile(r"^(?:the|a|an|latest|new|its|their|his|her)\s+", re.I)
_TRAILING = re.compile(r"\s+(?:estimates|figures|data|statistics|on|in a statement)$", re.I)


@dataclass(frozen=True)
class Attribution:
    source: str
    start: int
    end: int
    generic: bool = False
    """A descriptor ("the agency") that names the source the text gave before, if any."""


def _clean(source: str) -> str | None:
    source = " ".join(source.split()).strip(" '\"“”‘’")
    if not re.search(r"(?:\b[A-Z]\.){2,}$", source):  # keep the dot of "U.N."
        source = source.rstrip(".")
    while _LEADING.match(source):
        source = _LEADING.sub("", source, count=1)
    source = _TRAILING.sub("", source)
    possessive = re.match(r"^.*?(?:’s|'s)\s+(?=[a-z])", source)
    if possessive:
        source = source[possessive.end() :]
    words = source.split()
    if not words or len(words) > 9 or re.search(r"\b\d", source):
        return None
    if words[-1].lower() in _NOT_LAST and not words[-1].isupper():
        return None
    tail = re.search(r"\s([A-Z][A-Z0-9]{2,})$", source)
    if tail and source[: tail.start()].split()[-1].islower():
        return tail.group(1)
    if not (any(w[:1].isupper() for w in words) or _AGENTS.search(source)):
        return None
    return source


def short_names(
    organisations: tuple[tuple[str, tuple[str, ...]], ...],
) -> list[tuple[str, re.Pattern[str]]]:
    """(acronym, pattern of its full names) from the vocabulary's ``[organisations]``."""
    return [
        (short, re.compile(rf"\b(?:{'|'.join(names)})\b", re.I))
        for short, names in organisations
        if names
    ]


def with_short_name(source: str, names: list[tuple[str, re.Pattern[str]]]) -> str:
    """ "UN Office for the Coordination of Humanitarian Affairs (OCHA)": the name as written,
    plus the acronym analysts group by, when the text spelled the agency out."""
    for short, pattern in names:
        if pattern.search(source) and not re.search(rf"\b{short}\b", source):
            return f"{source} ({short})"
    return source


def find_attributions(text: str, start: int, end: int) -> list[Attribution]:
    """Sources credited in ``text[start:end]`` with their offsets (pronouns as ``it``)."""
    found: list[Attribution] = []
    lowered = text[start:end].lower()
    patterns = [p for p, word in ((_ACCORDING, "according to"), (_BY, " by ")) if word in lowered]
    for pattern in patterns:
        for match in pattern.finditer(text, start, end):
            source = _clean(match["src"])
            if source:
                found.append(Attribution(source, match.start(), match.end()))
    if not any(verb in lowered for verb in _VERB_STEMS):
        return found
    for match in _VERB.finditer(text, start, end):
        left = text[max(start, match.start() - 90) : match.start()]
        boundary = None
        for boundary in _LEFT_BOUNDARY.finditer(left):  # noqa: B007 - the last one counts
            pass
        phrase = left[boundary.end() :] if boundary else left
        if boundary is None and match.start() - 90 > start:
            continue
        if phrase.strip().lower() in _PRONOUNS:
            found.append(Attribution("it", match.start() - len(phrase), match.end()))
            continue
        if _GENERIC.fullmatch(phrase.strip()):
            found.append(
                Attribution(
                    _LEADING.sub("", phrase.strip()),
                    match.start() - len(phrase),
                    match.end(),
                    generic=True,
                )
            )
            continue
        source = _clean(phrase)
        if source:
            found.append(Attribution(source, match.start() - len(phrase), match.end()))
    return found
