"""Who a figure is credited to inside the text: "according to X", "X said", "X estimates".

The source is taken as written ("the rights group HRANA" -> "HRANA", "Lebanon's health
ministry" -> "health ministry"); pronouns ("it said", "they said") resolve to the source the
text named before.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from humstats.extract.indicators import Folded, alternation

_ACRONYM = r"\s*\([A-Z][A-Za-z]*[A-Z]\)"
"""An organisation's short name in brackets after its full name: "... Institute (INM)"."""
_ACCORDING = re.compile(
    rf"\b(?:according to|as per|(?<=, )citing|per(?=\s+(?-i:[A-Z])))"
    rf"\s+(?P<src>[^,.;:()—–]+(?:{_ACRONYM})?)",
    re.I,
)
""""according to X", "as per X", "Per UNHCR, ...", "..., the news agency reported, citing
local authorities": who the figure comes from."""
_BY = re.compile(
    r"\b(?:registered|recorded|compiled|published|verified|documented|reported|counted|"
    r"released|issued|collected|gathered) by\s+"
    r"(?P<src>(?:the\s+)?[A-Z][\w'’&.-]*(?:\s+(?:of|for|and|the|de)?\s*[A-Z][\w'’&.-]*)*)"
)
_FROM = re.compile(
    r"\b(?:update|report|bulletin|statement|assessment|analysis|survey|figures|data|tally|"
    rf"estimates?)\s+(?:from|by)\s+(?P<src>[^,.;:()—–]+(?:{_ACRONYM})?)",
    re.I,
)
""""The latest update from the local government ... reported", "figures from the health
ministry show": the body a report comes from is the source of its figures."""
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
    "say",
    "warns",
    "warn",
    "disclosed",
    "discloses",
    "verified",
    "informed",
    "acknowledged",
    "acknowledges",
    "acknowledge",
    "counted",
    "counts",
    "documented",
    "documents",
    "tallied",
    "logged",
    "indicate",
    "indicates",
    "indicated",
    "suggest",
    "suggests",
    "revealed",
    "reveals",
    # what a survey or an authority finds and declares: "DTM Libya identified 294,436 IDPs",
    # "the ministry declared the end of an outbreak that infected 11", "an IPC analysis
    # concludes that ...", "..., the organisation wrote on social media"
    "identified",
    "identifies",
    "declared",
    "declares",
    "concluded",
    "concludes",
    "wrote",
    "writes",
]
_VERB = re.compile(rf"\s(?:{alternation(_VERBS)})\b")
_LEFT_BOUNDARY = re.compile(
    # a dateline's dash too: "GAZA STRIP - The health ministry ... said"
    r"[,;:()—–\"“”]|\s-\s|\b(?:while|and|but|that|as|when|after|which|where|with|adding)\b"
)
_PRONOUNS = {"it", "they", "he", "she", "we"}
_PARTICIPLE = re.compile(
    r"\s+[a-z]{3,}ed(?:\s+out)?\s+(?:in|across|throughout|over|between|during|among)\s"
)
"""A participle that ends a subject's own words ("an analysis conducted in Tigray and Afar
concludes", "a survey carried out across five states found"): what follows it is no part
of the source's name."""
_PUNCTUATION = re.compile(r"[,;:()—–\"“”]")
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
    "disclos",
    "verifi",
    "inform",
    "acknowledg",
    "count",
    "document",
    "tallied",
    "logged",
    "indicat",
    "suggest",
    "reveal",
    "identif",
    "declar",
    "conclud",
    "wrote",
    "writes",
)
_PUT_AT = re.compile(r"(?:\s+(?:the|its|their))?(?:\s+[\w-]+){0,3}?\s+at\b")
""""Officials put the death toll at 112": the frame reaches the number it governs."""
_AUXILIARY = re.compile(r"\s+(?:has|have|had)(?:\s+(?:also|now|already|since))?\s*$", re.I)
_ADVERB = re.compile(
    r"\s+(?:now|also|separately|previously|earlier|later|still|first|initially|originally|"
    r"subsequently)\s*$"
)
_AUX_ENDS = ("has", "have", "had", "also", "now", "already", "since")
_APPOSITIVE = re.compile(r",\s*([^,]{2,60}),\s*$")
_BRACKETED = re.compile(rf"(?:{_ACRONYM}|\s*\([A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*){{1,3}}\))\s*$")
"""A bracketed short or other name ending a phrase: "(INM)", "(White Helmets)"."""
_ORGANISATION = re.compile(r"(?:^|\s)[A-Z][A-Z&]{1,9}\s*$")
"""An acronym ending a phrase: a body, which an appositive after it only describes."""
_NAME_RUN = re.compile(
    r"[A-Z][\w'’.&-]*(?:\s+(?:(?:of|for|and|on|in|the|de|du|des|la|el)\s+)*[A-Z][\w'’.&-]*)*\s*$"
)
"""The capitalised name before a bracketed acronym, "and"/"of" inside it included."""
_GENERIC = re.compile(
    r"(?:the|this|that)\s+(?:(?:\w+-based|war|rights|monitoring|aid|relief|humanitarian|"
    r"international)\s+){0,2}(?:agency|group|organi[sz]ation|office|body|ministry|mission|report|"
    r"government|authorities|officials|UN agency|agencies|charity|monitor|commission)",
    re.I,
)
_KIND_DOCUMENT = re.compile(
    r"(?:a|an|the|its|their|this|that)\s+(?:(?:latest|new|daily|weekly|separate|later|earlier|"
    r"official|joint|written)\s+)*(?:(?:ministry|department|agency|government|office|police|army|"
    r"military|authority|institute|organi[sz]ation|council|commission)(?:['’]s)?\s+)?"
    r"(?:statement|update|bulletin|report|release|press\s+release|communiqu[eé]|tally)",
    re.I,
)
"""A document of a body named by its kind ("a ministry statement", "the update"): the body the
text named before speaks in it."""
_AGENTS = Folded.compile(
    r"\b(?:officials?|authorities|police|ministry|group|agency|office|government|rescuers|"
    r"partners|activists|witnesses|medics|sources|army|military|spokesperson|spokesman|"
    r"spokeswoman|governor|commissioner|institute|council|commission|coast guard|force|"
    r"forces|mission|residents|ombudsman|media|press|rapporteur|envoy|chief|volunteers|workers|organi[sz]ation|agencies|"
    r"department|directorate|doctors|hospital|officers|observatory|monitor|platform|"
    r"administration|service|centre|center|team|teams|committee|administrator|leaders?|"
    r"bulletin|bureau|authority|unit|cell|network|league|"
    # officials by office: "Grenada's prime minister", "the county's medical examiner"
    r"minister|mayor|examiner|coroner|president|premier|sheriff|prosecutors?)\b"
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
_LEADING = re.compile(
    r"^(?:the|a|an|latest|new|its|their|his|her|(?:figures|data|estimates|statistics|numbers|"
    r"(?:a\s+|the\s+)?(?:statement|report|update|assessment|analysis|survey|tally)s?)"
    r"\s+(?:(?:released|published|issued|compiled)\s+)?(?:from|by|of))\s+",
    re.I,
)
_TITLE_WORDS = ("spokes", "director", "coordinator", "representative", "head")
"""Cheap test before the title patterns run: one of these words is in every title."""
_TITLES = r"(?:spokes(?:man|woman|person)|director(?:-general)?|coordinator|representative|head)"
_SPEAKER_FOR = re.compile(
    rf"^(?:[\w-]+\s+){{0,2}}?{_TITLES}\s+(?:for|of|at|with)\s+(?:the\s+)?(?P<org>.+)$", re.I
)
"""A person's title naming the body they speak for: "a spokesman for OCHA" -> OCHA."""
_ORG_TITLE = re.compile(
    rf"^(?P<org>.+?)(?:’s|'s)?(?:\s+[\w-]+){{0,2}}?\s+(?i:{_TITLES})\b(?:\s+[A-Z][\w.-]*)*$"
)
"""The body before a title ("the Taliban government's chief spokesman Zabihullah Mujahid",
"WHO Director-General", "the MSF emergency coordinator"): the body is the source."""
_CAPITALISED = r"[A-Z][\w'’.&-]*"
_INSTITUTION = re.compile(
    rf"(?:[Tt]he\s+)?(?:{_CAPITALISED}\s+)+(?:Coordinator|Director|Representative|Head)"
    rf"\s+(?:for|of)\s+(?:the\s+)?{_CAPITALISED}(?:\s+(?:(?:of|for|and|the|on)\s+)?{_CAPITALISED})*"
    r"(?:\s*\([A-Z][A-Za-z]*[A-Z]\))?"
)
"""A body named after an office, capitalised throughout ("The National Coordinator for
Disaster Reduction (CONRED)"): the whole name is the source, not what follows "for"."""
_DOCUMENT = re.compile(
    r"(?:’s|'s)\s+(?:\w+\s+){0,3}?(?:update|report|bulletin|figures|data|estimates|statistics|"
    r"count|tally|statement|assessment|snapshot|dashboard|sitrep)\b.*$",
    re.I,
)
""""OCHA's latest situation update": the document's owner is the source."""
_TRAILING = re.compile(
    r"(?:’s|'s)$|\s+(?:estimates|figures|data|statistics|on|in a statement"
    # when it spoke or published, after the name: "the health ministry on Monday"
    r"|analysis|assessment|survey|report|update|bulletin|study"
    r"|(?:published|released|issued)?\s*(?:on|last|this)\s+(?:Monday|Tuesday|Wednesday|Thursday|"
    r"Friday|Saturday|Sunday|week|month|\d{1,2}\s+[A-Z][a-z]+)|published|released|issued)$",
    re.I,
)


_NAME_END = re.compile(r"(?:^|\s)[A-Z][\w'’.&-]*\s$")
""""and" joining two capitalised words bounds no phrase: it is inside a name ("the Relief and
Resettlement Department said") or joins two ("Save the Children and Oxfam said")."""
_INNER_ACRONYM = re.compile(r"\([A-Z][A-Za-z]*[A-Z]\)(?=\s+[a-zA-Z])")
_GENERIC_OWNER = re.compile(
    r"(?:the|its)\s+(?P<kind>agency|organi[sz]ation|group|mission|charity|office|ministry|"
    r"body|monitor)(?:’s|'s)\s+(?:[\w-]+\s+){0,3}?[\w-]+(?:\s+(?:in|for|at)\s+[A-Z][\w'’-]*)?$",
    re.I,
)


_BARE_TITLE = re.compile(
    rf"(?:(?i:a|an|the|its|their|his|her)\s+)?(?:[a-z][\w-]*\s+)?(?i:{_TITLES})"
    r"(?:\s+[A-Z][\w.'’-]*)*"
)
"""A speaker by title alone ("a spokesperson", "spokesperson Jane Doe"): the body named before."""
_SAID_SPEAKER = re.compile(
    rf"\b(?:said|says|told \w+)\s+(?:[A-Z][\w.'’-]*\s+){{1,4}}?[A-Z][\w.'’-]*,\s+"
    rf"(?:(?:a|an|the)\s+)?"
    rf"(?:[\w-]+\s+){{0,2}}?{_TITLES}\s+(?:for|of|at|with)\s+(?:the\s+)?"
    r"(?P<org>[A-Z][\w.&'’-]*(?:\s+(?:of|for|and|the|on)?\s*[A-Z][\w.&'’-]*)*"
    rf"|(?:[a-z][\w'’-]*\s+){{0,3}}(?i:{_AGENTS.pattern}))"
)
""""..., said Jane Doe, a spokesperson for the IOM": the speaker's body is the source."""


_INVERTED = re.compile(
    r"(?:[,;—–]|[\"”’])\s*(?:said|says|reported|reports|added|estimated|noted|stated|"
    r"announced|confirmed)\s+(?P<src>(?:the|a|an)\s+[^,.;:()\"“”]+?|[A-Z][^,.;:()\"“”]*?"
    rf"|(?:[a-z][\w'’-]*\s+){{0,3}}(?i:{_AGENTS.pattern}))"
    r"(?=\s*(?:[,.;:()]|$|\s+(?:on|in|late|earlier|this|last|yesterday|today)\b))",
)
"""The source after its verb: "..., said the agency's spokesperson", "..." said UNHCR."""


@dataclass(frozen=True)
class Attribution:
    source: str
    start: int
    end: int
    generic: bool = False
    """A descriptor ("the agency") that names the source the text gave before, if any."""
    weak: bool = False
    """The subject of "has confirmed/reported" ("Burundi has confirmed 3,215 cases"): a source
    only where no one in the sentence "said" or "reported" it."""


_INITIALS_END = re.compile(r"(?:\b[A-Z]\.){2,}$")
_OWNER = re.compile(r"^.*?(?:’s|'s)\s+(?=[a-z])")
_NUMBER_WORD = re.compile(r"\b\d")
_ACRONYM_END = re.compile(r"\s([A-Z][A-Z0-9]{2,})$")


def _clean(source: str) -> str | None:
    """A source phrase as a name, or None. Run on every phrase before a verb of saying: its
    patterns are compiled once, and each is tried only where its literal could occur."""
    source = " ".join(source.split()).strip(" '\"“”‘’•▪◦·")  # a bullet opens no name
    if source.endswith(".") and not _INITIALS_END.search(source):  # keep the dot of "U.N."
        source = source.rstrip(".")
    while _LEADING.match(source):
        source = _LEADING.sub("", source, count=1)
    trimmed = None
    while trimmed != source:
        trimmed, source = source, _TRAILING.sub("", source)
    if "'s" in source or "’s" in source:
        source = _DOCUMENT.sub("", source)
    lowered = source.lower()
    speaker = None
    if any(title in lowered for title in _TITLE_WORDS) and not _INSTITUTION.fullmatch(source):
        speaker = _SPEAKER_FOR.match(source) or _ORG_TITLE.match(source)
    if speaker and (speaker["org"][:1].isupper() or _AGENTS.search(speaker["org"])):
        source = _LEADING.sub("", speaker["org"].strip())
    elif (
        speaker is None and source.split()[-1:] and re.fullmatch(_TITLES, source.split()[-1], re.I)
    ):
        source = " ".join(source.split()[:-1])  # "the local Red Cross coordinator": the body
    possessive = _OWNER.match(source) if "’s" in source or "'s" in source else None
    if possessive:
        owner = source[: possessive.end()].rstrip()[:-2].rstrip("’'")
        source = source[possessive.end() :]
        if not _AGENTS.search(source) and owner[:1].isupper() and len(owner.split()) <= 6:
            source = owner  # "IOM's flow monitoring points": the body that owns them
    words = source.split()
    if not words or len(words) > 9 or _NUMBER_WORD.search(source):
        return None
    if " said " in source or " says " in source:
        return None  # "X said preliminary data showed": X, read at "said", is the source
    if words[-1].lower() in _NOT_LAST and not words[-1].isupper():
        return None
    tail = _ACRONYM_END.search(source)
    if tail and source[: tail.start()].split()[-1].islower():
        return tail.group(1)
    if not (any(w[:1].isupper() for w in words) or _AGENTS.search(source)):
        return None
    return source


@dataclass(frozen=True)
class ShortNames:
    """Agencies' acronyms with a pattern of their full names, in the vocabulary's order."""

    pairs: tuple[tuple[str, re.Pattern[str]], ...] = ()
    any_name: re.Pattern[str] | None = None
    """Every full name in one pattern: most sources spell no agency out, and one search tells
    where one per agency would be needed."""


def short_names(organisations: tuple[tuple[str, tuple[str, ...]], ...]) -> ShortNames:
    """(acronym, pattern of its full names) from the vocabulary's ``[organisations]``."""
    listed = [(short, names) for short, names in organisations if names]
    if not listed:
        return ShortNames()
    return ShortNames(
        tuple((short, re.compile(rf"\b(?:{'|'.join(names)})\b", re.I)) for short, names in listed),
        re.compile(rf"\b(?:{'|'.join(name for _, names in listed for name in names)})\b", re.I),
    )


def with_short_name(source: str, names: ShortNames) -> str:
    """ "UN Office for the Coordination of Humanitarian Affairs (OCHA)": the name as written,
    plus the acronym analysts group by, when the text spelled the agency out."""
    if names.any_name is None or names.any_name.search(source) is None:
        return source
    for short, pattern in names.pairs:
        if pattern.search(source) and not re.search(rf"\b{short}\b", source):
            return f"{source} ({short})"
    return source


def find_attributions(text: str, start: int, end: int) -> list[Attribution]:
    """Sources credited in ``text[start:end]`` with their offsets (pronouns as ``it``)."""
    found: list[Attribution] = []
    lowered = text[start:end].lower()
    patterns = [
        p
        for p, words in (
            (_ACCORDING, ("according to", "per ", "citing")),
            (_BY, (" by ",)),
            (_FROM, (" from ", " by ")),
        )
        if any(word in lowered for word in words)
    ]
    for pattern in patterns:
        for match in pattern.finditer(text, start, end):
            if _KIND_DOCUMENT.fullmatch(match["src"].strip()):  # "according to the update"
                phrase = _LEADING.sub("", match["src"].strip())
                found.append(Attribution(phrase, match.start(), match.end(), generic=True))
                continue
            source = _clean(match["src"])
            if source:
                found.append(Attribution(source, match.start(), match.end()))
    if not any(verb in lowered for verb in _VERB_STEMS):
        return found
    speakers = []
    if any(title in lowered for title in _TITLE_WORDS):
        speakers = [(m, m.start()) for m in _SAID_SPEAKER.finditer(text, start, end)]
    for match, _ in speakers:
        found.append(Attribution(_clean(match["org"]) or match["org"], match.start(), match.end()))
    inverted = [
        m
        for m in _INVERTED.finditer(text, start, end)
        if m.start() + 1 not in {at for _, at in speakers}
        and not any(m.start() <= at < m.end() for _, at in speakers)
    ]
    for match in inverted:
        phrase = match["src"].strip()
        if phrase.lower() in _PRONOUNS:
            continue
        source = _clean(phrase)
        if source is None:
            continue
        generic = bool(_GENERIC.fullmatch(phrase) or _GENERIC.fullmatch(f"the {source}"))
        found.append(Attribution(source, match.start(), match.end(), generic=generic))
    for match in _VERB.finditer(text, start, end):
        if any(at == match.start() + 1 for _, at in speakers):
            continue  # "..., said Jane Doe, a spokesperson for the IOM": read above
        left = text[max(start, match.start() - 90) : match.start()]
        adverb = _ADVERB.search(left)
        if adverb:  # "The agency now counts": the adverb is no part of the name
            left = left[: adverb.start()]
        auxiliary = _AUXILIARY.search(left) if left.rstrip().endswith(_AUX_ENDS) else None
        weak = auxiliary is not None
        if auxiliary is not None:
            left = left[: auxiliary.start()]
        # "the National Migration Institute (INM) said"
        acronym = _BRACKETED.search(left) if left.rstrip().endswith(")") else None
        trimmed = left[: acronym.start()] if acronym else left
        if not trimmed.strip(" ,") and match.start() - 90 > start:
            continue
        appositive = _APPOSITIVE.search(left) if left.rstrip().endswith(",") else None
        if appositive and not acronym:
            # "UNICEF, the UN children's agency, said": the body speaks; "Dr X, WHO
            # Director-General, said": the title does
            named = left[: appositive.start()]
            trimmed = named if _ORGANISATION.search(named) else f"{named}, {appositive.group(1)}"
        left = trimmed
        verb_end = match.end()
        if match.group().strip().lower() in ("put", "puts"):
            put_at = _PUT_AT.match(text, verb_end, end)
            verb_end = put_at.end() if put_at else verb_end
        if (tail := _PARTICIPLE.search(left)) is not None and not _PUNCTUATION.search(
            left, tail.end()
        ):
            left = left[: tail.start()]  # "An IPC analysis conducted in Tigray ... concludes"
        boundary = None
        # a bracketed acronym inside a name ("the IPC (IPC) analysis") bounds no phrase
        bare = _INNER_ACRONYM.sub(lambda m: " " * len(m.group()), left) if "(" in left else left
        for found_boundary in _LEFT_BOUNDARY.finditer(bare):  # the last one counts
            if not (
                found_boundary.group() == "and"
                and _NAME_END.search(bare, 0, found_boundary.start())
                and bare[found_boundary.end() : found_boundary.end() + 2].strip()[:1].isupper()
            ):
                boundary = found_boundary
        phrase = left[boundary.end() :] if boundary else left
        if boundary is None and match.start() - 90 > start:
            continue
        if phrase.strip().lower() == "we":
            continue  # "“We have counted 40 bodies,” said ...": the speaker is named after
        if phrase.strip().lower() in _PRONOUNS:
            found.append(Attribution("it", match.start() - len(phrase), verb_end))
            continue
        owner = _GENERIC_OWNER.match(phrase.strip())
        if owner:  # "the agency's representative in Chad": the body named before
            found.append(
                Attribution(owner["kind"], match.start() - len(phrase), verb_end, generic=True)
            )
            continue
        if _GENERIC.fullmatch(phrase.strip()) or _KIND_DOCUMENT.fullmatch(phrase.strip()):
            found.append(
                Attribution(
                    _LEADING.sub("", phrase.strip()),
                    match.start() - len(phrase),
                    verb_end,
                    generic=True,
                )
            )
            continue
        if acronym:
            name = _NAME_RUN.search(trimmed)
            phrase = name.group() if name else phrase
        if _BARE_TITLE.fullmatch(phrase.strip()):  # "spokesperson Jane Doe told reporters"
            found.append(Attribution(phrase.strip(), match.start() - len(phrase), verb_end, True))
            continue
        source = _clean(phrase)
        if source and acronym:
            source = f"{source} ({acronym.group().strip(' ()')})"
        if source:
            found.append(Attribution(source, match.start() - len(phrase), verb_end, weak=weak))
    return found


_SUBJECT = re.compile(
    r"(?:The\s+)?(?P<name>[A-Z][\w'’&.-]*(?:\s+(?:of|for|the|and|on)?\s*[A-Z][\w'’&.-]*)+"
    r"|[A-Z]{2,}[a-z]?[A-Z]*)(?:\s+\((?P<short>[A-Z][A-Za-z]*[A-Z])\))?"
    r"\s+(?:has\s+|have\s+)?[a-z]+(?:ed|es|s)\b"
)


def named_subject(text: str, start: int, end: int) -> str | None:
    """The body a sentence is about when its subject is a name ("The Norwegian Refugee Council
    released a statement", "UNICEF issued a warning"): whom a later "the agency" means."""
    return _body(_SUBJECT.match(text, start, end))


_PUBLISHER = re.compile(
    r"\s*(?:The\s+)?(?P<name>[A-Z][\w'’&.-]*(?:\s+(?:of|for|the|and|on)?\s*[A-Z][\w'’&.-]*)*)"
    r"(?:\s+\((?P<short>[A-Z][A-Za-z]*[A-Z])\))?\s+(?:has\s+|have\s+)?(?:just\s+|now\s+|also\s+)?"
    r"(?:released|published|issued|presented)\s+(?:its|their|a|an|the|new)\s+(?:[\w'’-]+\s+){0,4}?"
    r"(?:report|bulletin|update|assessment|analysis|survey|figures|data|statement|sitrep|"
    r"snapshot|overview|dashboard)s?\b"
)


def publisher(text: str, start: int, end: int) -> str | None:
    """The body a sentence says issued a document ("The Ministry of Health released its weekly
    cholera bulletin on Monday"): the source of the figures the next sentence reads from it."""
    return _body(_PUBLISHER.match(text, start, end))


def _body(match: re.Match[str] | None) -> str | None:
    """A matched body's name, with the short form written after it ("(NRC)") kept."""
    if match is None:
        return None
    name = _clean(match["name"])
    if name and match["short"]:
        return f"{name} ({match['short']})"
    return name
