"""What a number counts: people of which indicator, or no figure at all.

For each count the rules ask, in order: is it a thing rather than people ("140 trucks")? a
forecast or target ("could rise to")? an increment of a total given next ("bringing the total
to")? a breakdown of a figure just given ("including 4,800 children")? Which indicator do the
nearest words name (``indicators.find_cue``)? A count with no cue of its own may continue the
figure before it (a partitive, "another", a list of places) or be a group that crossed a
border (``movement.crossing``). Which figure's words are which is read from the sentence
window (``context.bounds``), narrowed by the dependency parse where it ran.
"""

from __future__ import annotations

import re
from dataclasses import replace

from humstats.extract.context import LABEL_END, Candidate, Context, endings, places_in, tail
from humstats.extract.indicators import Cue, Folded, Patterns, around_cue, find_cue
from humstats.extract.measure import clause_start, rise_to
from humstats.extract.movement import crossing, group_of, moves
from humstats.extract.numbers import NUMBER_WORDS, Quantity
from humstats.extract.places import DEMONYM, Place
from humstats.extract.sentences import last_words
from humstats.schema import Indicator, Measure

_BREAKDOWN_BEFORE = endings(
    "including",
    "includes",
    "included",
    "include",
    "of whom",
    "among whom",
    "among them",
    "among those",
    "of which",
    "among the dead",
    "among the victims",
)

_BREAKDOWN_PREDICATE = re.compile(
    r"\s+(?:were|are|was|is)\s+(?:children|women|girls|boys|minors|men|medics|civilians|"
    r"aged|under)\b",
    re.I,
)

_PARTITIVE_AFTER = re.compile(
    r"\s+of\s+(?:(?:them|those|whom|these|which)\b|(?:the|its|their)\s+)", re.I
)
_OF_WHOLE = re.compile(
    r"\s+of\s+(?:the|its|their|these|those|several|many|numerous|various)(?=\s+[^\W\d])", re.I
)
"""A part of a named whole ("one of several air strikes", "two of the worst floods"): the
whole's noun says what the part counts."""
_OWNED_WHOLE = re.compile(r"\s+[^\s\d]*(?:['’]s\b|\d)")
"""A whole that belongs to a place or holds a number ("of the village's 2,500 residents"):
its first word is not the whole's noun."""

_PARTITIVE_PREDICATE = re.compile(
    r"\s+of\s+(?:(?:them|whom)\s+(?:{aux}\s+)*|(?:those|these)\s+(?:{aux}\s+)+)"
    r"(?:(?:in|at|under|on)\s+)?$".format(
        aux=r"(?:have|has|had|were|was|are|is|been|being|now|also|already|later|subsequently|"
        r"eventually|since|reportedly|still)"
    ),
    re.I,
)
"""Between a part and its verb: "two of them (later) died"; after "those" or "these" a
participle names the whole ("14 of those hurt were women"), so a verb form must come first."""

_PARTITIVE_WHOLE = Folded.compile(
    rf"(?:\d|\b(?:{NUMBER_WORDS}))\s+of\s+(?:the|its|their|these|those)\s+(?:[\w'’-]+\s+){{0,2}}$"
)
"""Before a count: it is the whole a part is taken from ("60 of the village's 2,500 residents",
"Sixty of the 400 passengers"): the people it names, not what happened to them."""
_PARTITIVE_WHOLE_WORDS = 5
"""The most words a ``_PARTITIVE_WHOLE`` match spans ("60 of the village's own ")."""
_WHOLE_CLAUSE = re.compile(
    r"\s+(?:[\w'’-]+\s+){0,2}?(?:who|that)\s+(?:(?:have|has|had|are|were|is|was|still|now|"
    r"currently|been|will)\s+)*",
    re.I,
)
"""Between the whole of a partitive and its cue: its people and a relative clause."""
_PLACE_OWNS = re.compile(
    r"\bof\s+the\s+(?:island|town|city|village|country|region|province|district|camp|state|"
    r"county|nation|territory|area|community|municipality|enclave|strip|valley)(?:'s|’s)\s+$",
    re.I,
)
"""Before the whole of a partitive: a place's people ("of the island's 9,000 people")."""
_PARTITIVE_NEW_WHOLE = re.compile(r"\s+of\s+(?:the|its|their)\s", re.I)
_SUBJECT_GAP = re.compile(r"[;:]|,(?!\d)|\b(?:and|but|while|who|which|that|when)\b", re.I)
_SUBJECT_REACH = 70


def _partitive_subject(patterns: Patterns, masked: str, q: Quantity, end: int) -> Cue | None:
    """The verb of a partitive subject: "At least 60 of the village's 2,500 residents died"
    counts deaths; the window of 60 stops at 2,500, so the predicate is read past it."""
    if not _PARTITIVE_NEW_WHOLE.match(masked, q.end):
        return None
    for match in patterns.after.finditer(masked, q.end, min(end, q.end + _SUBJECT_REACH)):
        if _SUBJECT_GAP.search(masked, q.end, match.start()):
            return None
        indicator, kind = patterns.classify(match.group(), before=False)
        if kind == "noun" and _AUXILIARY_END.search(masked, q.end, match.start()):
            kind = "verb"  # "163 of its staff members have been killed": a participle
        if kind == "verb" and indicator is not Indicator.POPULATION:
            return Cue(indicator, match.start(), match.end(), kind, match.start() - q.end)
    return None


_AUXILIARY_END = re.compile(r"\b(?:were|was|are|is|been|be)\s+$", re.I)


_WHOLE_AFTER = re.compile(
    r"\s+of\s+(?:the|its|their)\s+(?:[\w'’-]+\s+){0,2}?\d[\d,.]*(?:\s+(?:million|billion|"
    r"thousand))?(?=\s)",
    re.I,
)
_WHERE_PREDICATE = re.compile(
    r"(?:\s+[\w'’-]+){0,3}?\s+(?:are|were|is|was|live|lives|living|remain|remains|reside|"
    r"resides|are\s+located)\s+(?:(?:now|currently|still|mostly|mainly|concentrated)\s+)?"
    r"(?:in|across|inside)\s",
    re.I,
)


def _whole_part(patterns: Patterns, masked: str, q: Quantity, end: int) -> Cue | None:
    """The cue of a part that is a sub-total of its whole by place: "10.5 million of the 19.5
    million people who need aid live in Darfur" counts people in need (in Darfur). A part
    with any other predicate ("reach 6.1 million of the 8.9 million ...") is no figure."""
    whole = _WHOLE_AFTER.match(masked, q.end, end)
    if whole is None:
        return None
    cue = patterns.after.search(masked, whole.end(), min(end, whole.end() + 60))
    if cue is None or not _WHOLE_CLAUSE.fullmatch(masked, whole.end(), cue.start()):
        return None
    if not _WHERE_PREDICATE.match(masked, cue.end(), end):
        return None
    indicator, kind = patterns.classify(cue.group(), before=False)
    return Cue(indicator, cue.start(), cue.end(), kind, cue.start() - q.end)


_ONWARD = {Indicator.REFUGEES, Indicator.RETURNEES}
"""Movements a later bare count with a movement verb continues (a displacement does not
carry: "3,000 people arrived in Goma" after one is itself a displacement only by its words)."""

_ACCOUNTS_FOR = endings("accounts for", "accounted for", "account for", "accounting for")

COMPARED = endings(
    *(
        f"{change} {link}{article}"
        for change in (
            "up",
            "down",
            "rising",
            "falling",
            "increase",
            "increased",
            "decrease",
            "decreased",
            "compared",
        )
        for link in ("from", "with", "to")
        for article in ("", " the", " about", " some", " around")
    )
)

ALSO = Folded.compile(r"\b(?:also|too|as well)\b")

INHERIT_BEFORE = endings("another", "a further", "an additional", "a total of")

_INCREMENT_AFTER = re.compile(r"\bbringing\b[^.;]*\bto\b", re.I)

_INCREMENT_MARK = re.compile(r"\s+(?:more|further|additional|new)\b", re.I)

FLED = {Indicator.DISPLACED, Indicator.REFUGEES}

_B_REACH_SHORT = 45

_B_REACH_LONG = 90

_F_REACH = 90

_BLANKS = re.compile(r" {4,}")

_ONE_SPEAKER = re.compile(
    r"\s+(?:source|official|witness|resident|diplomat|analyst|aide|observer|medic|doctor)s?\s+"
    r"(?:said|says|told|added|reported)\b",
    re.I,
)
""""one source said": a determiner, not a count of one."""


_OF_PEOPLE = frozenset({"cases of", "reports of"})


_read_heads: tuple[str, Patterns | None, dict[int, str]] = ("", None, {})
"""The heads read in the last text: each count of a sentence is read twice, as a limit of
its neighbours' windows and for its own cue (one tuple, swapped whole: safe across threads)."""


def head_of(patterns: Patterns, text: str, end: int) -> str:
    """What stands right after a number: ``people``, ``thing``, ``partitive`` or ``bare``."""
    global _read_heads
    memo = _read_heads
    if memo[0] is not text or memo[1] is not patterns:
        memo = _read_heads = (text, patterns, {})
    head = memo[2].get(end)
    if head is None:
        head = memo[2][end] = _head_of(patterns, text, end)
    return head


_OF_COUNT = re.compile(r"\s+of\s+(?:the\s+)?\d[\d,.]*(?=\s)")
"""A part of a counted whole ("22 of 23 governorates"): the whole's noun says what both count."""
_COORDINATED = frozenset({"and", "or"})


def _head_of(patterns: Patterns, text: str, end: int) -> str:
    whole = _OF_WHOLE.match(text, end) or _OF_COUNT.match(text, end)
    if (
        whole
        and not _OWNED_WHOLE.match(text, whole.end())
        and _head_of(patterns, text, whole.end()) == "thing"
    ):
        return "thing"
    if _PARTITIVE_AFTER.match(text, end):
        return "partitive"
    position = end
    modifiers = True  # only unknown lowercase words so far: adjectives or nouns used as such
    for index in range(4):
        match = patterns.head.match(text, position)
        if match is None or "\n" in match.group():
            return "bare"  # a line ends the phrase ("Newly displaced: 210,000\nAid trucks")
        if match["people"]:
            following = patterns.head.match(text, match.end())
            if (
                following is not None
                and following["thing"]
                and following.start() + 2 >= (match.end())
            ):
                return "thing"  # "3,500 staff positions", "200 worker visas"
            return "people"
        if match["thing"]:
            if match["thing"].lower() in _OF_PEOPLE:
                following = patterns.head.match(text, match.end())
                if following is not None and following["people"]:
                    return "people"  # "222 new cases of people who went missing"
                if patterns.disease is not None and patterns.disease.match(text, match.end()):
                    return "people"  # "16 246 cases of measles": the sick are counted
            return "thing"
        if match["function"]:
            if not (index and modifiers and match["function"].lower() in _COORDINATED):
                return "bare"
            # "155 primary and secondary schools": modifiers joined, the noun still to come
            position = match.end()
            continue
        if match["word"]:
            if patterns.after.match(text, match.start("word")):
                following = patterns.head.match(text, match.end())
                if (
                    index == 0
                    and following is not None
                    and following["thing"]
                    and following["thing"].lower() not in _OF_PEOPLE
                ):
                    return "thing"  # "7,000 displaced families": the cue qualifies things
                return "bare"
            word = match["word"].lower()
            if word.endswith("s") and not word.endswith("ss") and len(word) > 3 and modifiers:
                # "70 humanitarian organizations", "two major floods", "nine aid hubs": a plural
                # the lists do not know, after words that only modify it, counts things,
                # unless a listed noun follows ("212 suspected measles cases")
                following = patterns.head.match(text, match.end()) if index else None
                if following is None:
                    return "thing"
                plural_cue = (following["word"] or "").endswith("s") and patterns.after.match(
                    text, following.start("word")
                )
                if not (following["people"] or following["thing"] or plural_cue):
                    return "thing"
        modifiers = modifiers and bool(match["word"])
        position = match.end()
    return "bare"


_LABEL_START = re.compile(r"[|\n•]")


def _label_cue(patterns: Patterns, text: str, q: Quantity, lower: int) -> Cue | None:
    """The cue a fact-sheet label names for its value ("Refugees from Ukraine recorded beyond
    Europe: 560,400", "People in need (2025): 9.3 million"): the label's first cue word, as a
    table's header names its column, not the cue nearest the number."""
    if ":" not in text[max(lower, q.hedge_start - 3) : q.hedge_start]:
        return None  # most counts: no label
    colon = LABEL_END.search(text, max(lower, q.hedge_start - 3), q.hedge_start)
    if colon is None:
        return None
    start = lower
    for match in _LABEL_START.finditer(text, lower, colon.start()):
        start = match.end()
    first = patterns.after.search(text, start, colon.start())
    if first is None:
        return None
    indicator, _ = patterns.classify(first.group(), before=False)
    # a label names its value however long it is: no reach applies
    return Cue(indicator, first.start(), first.end(), "near", 1)


def _labelled(
    patterns: Patterns, text: str, q: Quantity, label: tuple[int, int], sentence: tuple[int, int]
) -> Candidate | None:
    """A key figure alone on its line, named by a label line ("11.6M / internally displaced"):
    the label is read as the words after the count would be, so "Houses destroyed" names
    things and "People reached with assistance" no count, as they would after the number."""
    start, end = label
    words = f"{text[q.hedge_start : q.end]} {text[start:end]}"
    at = q.end - q.hedge_start
    if head_of(patterns, words, at) == "thing" or patterns.not_after.match(words, at):
        return None
    if tail(words, 0, len(words)).endswith(patterns.not_before):
        return None
    first = patterns.after.search(text, start, end)
    if first is None:
        return None
    indicator, _ = patterns.classify(first.group(), before=False)
    return Candidate(q, indicator, Cue(indicator, first.start(), first.end(), "near", 1), sentence)


def _cue_and_head(
    patterns: Patterns, masked: str, q: Quantity, lower: int, upper: int, attach: str | None = None
) -> tuple[Cue | None, str]:
    """The indicator cue of one count, or why there is none.

    ``attach`` is ``masked`` with the words the parse gives to other numbers blanked: the cue
    and the head are read from it, the filters (forecast, increment, breakdown) from
    ``masked``, whose words they concern whichever number they belong to.
    """
    attach = masked if attach is None else attach
    before = tail(masked, max(lower, q.hedge_start - 40), q.hedge_start)
    if before.endswith(patterns.not_before) or _not_a_level(masked, q, lower, before):
        return None, "not-a-count"
    if patterns.not_after.match(masked, q.end, min(q.end + 60, upper + 40)) and not (
        _AND_THEN.match(masked, q.end)
        and _LEVEL_REACHED.search(before)
        and not _UNITS_BEFORE.search(masked, max(lower, q.hedge_start - 80), q.hedge_start)
    ):
        return None, "not-a-count"
    head = head_of(patterns, attach, q.end)
    if head == "thing":
        framed = around_cue(patterns, attach, q.hedge_start, q.end, lower, upper, tight=True)
        if framed is None:
            return None, "thing"
        head = "bare"  # a frame holds it: "claimed 27 lives" counts people
    if q.spelled and q.value == 1 and _ONE_SPEAKER.match(masked, q.end):
        return None, "not-a-count"
    incremental = _INCREMENT_MARK.match(masked, q.end) or before.endswith(INHERIT_BEFORE)
    if incremental and _INCREMENT_AFTER.search(masked, q.end, q.end + 160):
        return None, "increment"
    # an aside masked out ("5.7 million people, or 51 percent of those analysed, are facing")
    # does not count against the reach
    reach = _F_REACH + sum(len(b) for b in _BLANKS.findall(attach, q.end, q.end + _F_REACH))
    if head == "people" and (where := _SUBJECT_WHERE.match(attach, q.end)) is not None:
        # "1.84 million people across the besieged enclave are living through ... acute food
        # insecurity": where the subject is does not count against the reach of its predicate
        reach += where.end() - q.end
    cue = _label_cue(patterns, attach, q, lower) or find_cue(
        patterns, attach, q.hedge_start, q.end, lower, min(upper, q.end + reach)
    )
    if cue is not None and cue.kind in {"before", "near"} and before.endswith(COMPARED):
        cue = None  # "up from 30,000 in June": an earlier value, unless its own words say more
    if cue is not None and cue.kind in {"before", "near"}:
        reach = _B_REACH_LONG if cue.kind == "before" else _B_REACH_SHORT
        if cue.distance - 2 > reach:
            cue = None
    if cue is not None and cue.start >= q.end and (other := _mixed(patterns, attach, cue)):
        if {cue.indicator, other} != _DEAD_OR_MISSING:
            return None, "mixed"
        # RULES.md: "dead or missing" is one missing figure (those not found alive)
        cue = replace(cue, indicator=Indicator.MISSING)
    if cue is not None and cue.indicator is Indicator.KILLED and _casualties(masked, cue, q):
        return None, "mixed"
    if _BREAKDOWN_PREDICATE.match(masked, q.end) or _bracketed_part(patterns, masked, q, lower):
        return None, "breakdown"
    if before in _INCLUDES_OPENING:
        return cue, "continues" if cue is None and head in {"bare", "people"} else head
    if before.endswith(_BREAKDOWN_BEFORE) or _listed_part(masked, q):
        following = masked[q.end : q.end + 12]
        if re.match(r"\s+(?:who|that|of whom)\b", following):
            # "including 2.8 million who were already displaced": a part with its own clause
            # is a figure only if the clause names another indicator than the total's
            return cue, "included" if cue is not None else head
        including = before.rpartition(" ")[2].startswith("includ") or (
            not before.endswith(_BREAKDOWN_BEFORE)
        )
        if including and head == "bare" and (cue is None or cue.end <= q.hedge_start):
            # no noun of its own, so any cue before it is the total's
            if _TIME_PART.match(masked, q.end) or _ELIDED_WHEN.match(masked, q.end):
                return None, "time-part"  # "including 450,000 since 1 June alone"
            if _ELIDED_WHERE.match(masked, q.end):
                return None, "place-part"  # "including some 1.3 million in Cabo Delgado"
        if (
            cue is not None
            and cue.kind == "noun"
            and including
            and (cue.distance <= 2 or _NAMES_BETWEEN.fullmatch(masked, q.end, cue.start))
        ):
            # "cases, including 812 deaths", "250,000 Sudanese refugees": a figure if another
            # indicator
            return cue, "included"
        if (
            cue is not None
            and cue.kind in {"noun", "verb"}
            and head == "people"
            and (
                _PEOPLE_THEN_VERB.fullmatch(attach, q.end, cue.start)
                or (not including and _PEOPLE_THEN_PASSIVE.fullmatch(attach, q.end, cue.start))
            )
        ):
            # "1.85 million affected, including 127,500 people displaced", "1.6 lakh people
            # were affected, of which 35,927 people were shifted to relief camps": a part that
            # says what happened to it is a figure if that names another indicator
            return cue, "included"
        if including or cue is None or cue.kind != "noun" or cue.distance > 25:
            return None, "breakdown"
    if head == "partitive":
        return cue, "partitive"
    return cue, head


_SUBJECT_WHERE = re.compile(
    r"[^\S\n]+[\w'’-]+[^\S\n]+(?:in|across|throughout)[^\S\n]+[^,;.\n()]{1,60}?"
    r"(?=[^\S\n]+(?:are|were|is|was|have|has|had|remain|remained)\b)"
)
"""After a count: its people noun and where they are, before the subject's verb."""
_CHANGE = (
    r"(?:rose|risen|rises|rising|grew|grown|grows|growing|increas(?:e|es|ed|ing)|"
    r"climb(?:s|ed|ing)?|jump(?:s|ed|ing)?|swell(?:s|ed|ing)?|swollen|surg(?:e|es|ed|ing)|"
    r"soar(?:s|ed|ing)?|mount(?:s|ed|ing)?|expand(?:s|ed|ing)?|fell|fallen|falls|falling|"
    r"dropp?(?:s|ed|ing)?|declin(?:e|es|ed|ing)|decreas(?:e|es|ed|ing)|shr(?:ank|unk|inks?)|"
    r"(?:went|gone|goes|go|going)\s+(?:up|down))"
)
_CHANGE_BY = re.compile(rf" {_CHANGE}(?: [\w'’-]+)? by$")
_LEVEL_AFTER = re.compile(
    r"[^.;\n]{0,90}?\b(?:to|(?:stands?|stood)\s+at|reach(?:es|ed|ing)?)\s+(?:[a-z]+\s+){0,3}?\d"
)
_FORECAST = re.compile(
    r"(?:\b(?:could|may|might)(?:\s+(?:well|soon|eventually|even|further|easily))?"
    r"\s+(?!have\s|be\s|been\s)"
    r"|\b(?:will|would|(?:is|are|was|were)\s+(?:expected|likely|set|projected|forecast)\s+to)"
    r"(?:\s+(?:well|soon|eventually|even|further|easily))?\s+(?!have\s))"
    r"[a-z]+(?:\s+(?:past|beyond|above|over|to|at))?\s*$"
)


def _not_a_level(masked: str, q: Quantity, lower: int, before: str) -> bool:
    """A count that is no level of people: a forecast ("may surpass 200,000", "could climb
    past 1,000", "there will be 2.4 million"; "may have killed" and "could be" estimate what
    is, and modals are read in lower case, so the month "May" is none), or the size of a
    change whose level the sentence gives too ("has grown by 100,000 ..., to 1.5 million").
    A change told alone ("swelled by 22,000 within a fortnight") counts the people it added."""
    if " by" in before and _CHANGE_BY.search(before) and _LEVEL_AFTER.match(masked, q.end):
        return True
    if not any(word in before for word in _MODALS):
        return False  # most counts: no modal before them, the pattern is not tried
    return _FORECAST.search(masked, max(lower, q.hedge_start - 50), q.hedge_start) is not None


_MODALS = (" could ", " may ", " might ", " will ", " would ", " to ")
_LEVEL_REACHED = re.compile(
    r"\b(?:(?:rose|risen|rises|climbed|climbs|soared|soars|jumped|jumps|increased|grown|grew|"
    r"mounted|swelled)\s+to|(?:stands?|stood|now|is|was)\s+at|reached|reaches|hit|hits|"
    r"topped|tops|passed|surpassed|exceeded)$"
)
"""The words before a count (``tail``): the level a running total has reached ("has soared
to 832")."""
_UNITS_BEFORE = re.compile(r"\b(?:households|families|homes|houses|buildings|shelters)\b", re.I)
"""A total of other units than people ("the number of displaced households has reached")."""
_AND_THEN = re.compile(r"[^\S\n]+and[^\S\n]+")
"""After such a level: "... 832 and could climb higher", a second predicate of the total,
a forecast of what it may become, not of this count."""

_PLAN = re.compile(
    r"\b(?:plan(?:s|ned|ning)?|efforts?|underway|under\s+way|aim(?:s|ed|ing)?|seek(?:s|ing)?|"
    r"sought|intend(?:s|ed|ing)?|prepar(?:e|es|ed|ing)|ready|scheduled|hop(?:e|es|ed|ing)|"
    r"tr(?:y|ies|ying|ied)|attempt(?:s|ed|ing)?|propos(?:e|es|ed|ing))\s+to\s+[a-z]+$"
)
"""Before a count: an intention and the verb it intends ("efforts are underway to relocate
some four million people", "plans to evacuate 20,000"): people it is meant to reach, no
count of what happened."""
_PREDICTS = re.compile(
    r"\b(?:predict(?:s|ed)?|forecasts?|forecasted|projects|projected|anticipat(?:es|ed)|"
    r"foresees|foresaw|expects|expected)\s+that\b(?![^;]*?\b(?:but|while|whereas)\b)"
)
"""Earlier in the sentence: a clause that foretells ("The statement predicted that 250,000
refugees ... could be expected to arrive"): its counts are forecasts, however far."""
_MODAL_PREDICATE = re.compile(
    r"\b(?:could|would|may|might|likely\s+(?!to\s+have\b)(?:to\s+)?(?![a-z]+ed\b))(?!have\b)"
)
"""Between a count and its cue: a modal that makes the cue what may happen to them ("as many
as 80,000 people would need food aid", "are estimated to likely experience acute food
insecurity"); "could have been affected" and "likely died" estimate what is, and "will need
aid in 2024" is a plan's figure for the year."""
_SUBJECT_WORDS = re.compile(
    r"(?:\s+(?!(?:what|which|who|whom|that|they|it|we|he|she|and|but)\b)[^\s,;]+){0,4}\s*"
)
"""Between a count and its modal: the rest of its subject ("people (37% of the total
population) are estimated to"), no clause of its own."""
_BELOW_CRISIS = re.compile(r"\b(?:IPC\s+)?Phase\s+[12]\b|\bin\s+(?:an?\s+)?(?:Stress|Minimal)\b")
"""After a count: an IPC phase below Crisis (Phase 3), which acute food insecurity starts at
("10.37 million people were also in Stress (IPC Phase 2)"): no count of an indicator."""
_PHASE_REACH = 60
_OUT_OF = re.compile(r"\d[\d,.]*((?:\s+[\w'’-]+){1,3})\s+out\s+of\s+$")
"""Before a count: a part counted out of it ("17 provinces out of 24"): the part's noun is
what the whole counts."""


_NOUN_ONLY = re.compile(r"(?:\s+[\w'’-]+){0,2}\s+")


def _told_after(masked: str, q: Quantity, cue: Cue | None) -> bool:
    """The count's own cue right after its noun ("efforts to protect 140,000 people impacted by
    El Niño"): what already happened to the people an intention is meant to reach."""
    return cue is not None and _NOUN_ONLY.fullmatch(masked, q.end, cue.start) is not None


def _foretold(masked: str, q: Quantity, sentence: tuple[int, int], cue: Cue | None) -> bool:
    """A count of people who may or are meant to come to it, no figure (RULES.md:
    projections are traps): after an intention's verb, in a clause a verb of foretelling
    opens, or the subject of a modal whose verb names the indicator."""
    before = masked[max(sentence[0], q.hedge_start - 40) : q.hedge_start].lower().rstrip()
    if " to " in before and _PLAN.search(before) and not _told_after(masked, q, cue):
        return True
    if "that" in masked[sentence[0] : q.hedge_start] and _PREDICTS.search(
        masked, sentence[0], q.hedge_start
    ):
        return True
    if cue is None or cue.start <= q.end:
        return False
    modal = _MODAL_PREDICATE.search(masked, q.end, cue.start)
    # the count's own predicate: not a modal inside a clause of its own ("18,000 people
    # packed up what they could carry and left")
    return modal is not None and _SUBJECT_WORDS.fullmatch(masked, q.end, modal.start()) is not None


def _no_people_count(
    patterns: Patterns, masked: str, q: Quantity, sentence: tuple[int, int]
) -> bool:
    """A count the words after or before it make no count of an indicator's people: an IPC
    phase below Crisis, or the whole a counted part of things was taken out of."""
    after = masked[q.end : min(sentence[1], q.end + _PHASE_REACH)]
    words = ("Phase", "Stress", "Minimal")
    if any(word in after for word in words) and _BELOW_CRISIS.search(after):
        return True
    before = masked[max(sentence[0], q.hedge_start - 50) : q.hedge_start]
    if not before.endswith("out of "):
        return False
    part = _OUT_OF.search(before)
    return part is not None and head_of(patterns, part.group(1), 0) == "thing"


_LISTED_PART = re.compile(
    r"\b(?:includ(?:e|es|ed|ing)|among\s+them|of\s+whom|of\s+which)\s+(?:[^\W\d]*\s*"
    r"\d[\d,.]*(?:\s+(?:million|thousand))?(?:\s+[^\W\d][\w'’-]*){0,3}?\s*(?:,\s*(?:and\s+)?|and\s+))+$",
    re.I,
)
"""A count listed after a breakdown's earlier parts ("including 807 confirmed and 65 probable
cases", "include 29 Sudanese, eight Somalis", "including 3,106 children and 1,970 women and
368 elderly"): a part too, read as if "including" stood before it."""


def _listed_part(masked: str, q: Quantity) -> bool:
    """Whether the count is a later part of a breakdown's list (``_LISTED_PART``); most
    counts have no breakdown word before them, so the pattern is tried only where one is."""
    start = max(0, q.hedge_start - 90)
    window = masked[start : q.hedge_start].lower()
    if "includ" not in window and "among" not in window and " of wh" not in window:
        return False
    listed = _LISTED_PART.search(masked, start, q.hedge_start)
    return listed is not None and not _OPENS_INCLUDES.search(
        masked, max(0, listed.start() - 40), listed.start()
    )


_OPENS_INCLUDES = re.compile(
    r"(?:^|[.!?\n][\"”’)]*\s+)(?:This|These|That|It|They)(?:\s+(?:figure|number|total)s?)?"
    r"(?:\s+also)?\s+$"
)
"""Before "includes": a sentence's opening, that takes the total told before it apart
(``_INCLUDES_OPENING``)."""


_PEOPLE_THEN_VERB = re.compile(r"\s+[\w'’-]+\s+")
"""A people noun, then the participle that says what happened to them."""
_PEOPLE_THEN_PASSIVE = re.compile(r"\s+[\w'’-]+\s+(?:were|was|have\s+been|had\s+been)\s+", re.I)
"""A people noun, then the passive that says what happened to them."""

_NAMES_BETWEEN = re.compile(r"(?:[^\S\n]+[A-Z][\w'’-]*){1,3}[^\S\n]+")
"""Between a count and its noun: the names of a nationality ("250,000 South Sudanese
refugees")."""
_KEPT_IN_SITES = re.compile(
    r"\b(?<!refugee )(?:camps?|sites?|shelters?|centres?|centers?|settlements?)\b"
    r"(?![^,.;]*refugee)",
    re.I,
)
"""Before "hosting": sites where people stay that are not called refugees' ("138 camps have
been set up ... hosting 62,061 people"; "refugee camps hosting" stays refugees)."""
_INCLUDES_OPENING = frozenset(
    f" {subject} {verb}"
    for subject in (
        "this",
        "these",
        "that",
        "it",
        "they",
        "this figure",
        "this number",
        "this total",
        "the total",
        "the figure",
        "these figures",
        "this figure also",
    )
    for verb in ("includes", "include", "included", "also includes", "also include")
)
"""A sentence that opens by saying what the total told before it holds ("This includes 1.8
million in Tigray"): its counts are figures of their own (RULES.md: geographic sub-totals,
and what the sentence's own words call them), not a breakdown of a total in the sentence."""
_SHARE_OPENS = re.compile(r"\d\s*(?:%|per\s?cent|percent)\s+of\s+[^()\d.;]{1,60}\(\s*$", re.I)
_OF_POPULATION = re.compile(
    r"of\s+(?:the\s+)?(?:[\w'’-]+\s+){0,2}?(?:total\s+)?(?:population|inhabitants|residents)\b",
    re.I,
)


def _bracketed_part(patterns: Patterns, masked: str, q: Quantity, lower: int) -> bool:
    """A count in brackets that restates a part of a total already given: the people of a
    share ("3% of returnees (827 individuals)") or a split by group ("(607 men and 220
    women)"), breakdowns however their sentence reads."""
    opened = masked.rfind("(", lower, q.hedge_start)
    if opened < 0 or masked.rfind(")", opened, q.hedge_start) >= 0:
        return False
    share = _SHARE_OPENS.search(masked, max(lower, opened - 80), opened + 1)
    if share is not None:
        # a share of a place's whole population ("96 percent of the population in Gaza
        # (2.15M people) face ...") is no part of a figure: what its verb says they are
        return not _OF_POPULATION.match(share.group(), share.group().find(" of") + 1)
    return patterns.group is not None and patterns.group.match(masked, q.end) is not None


_KEEPS = re.compile(r"\b(?:host|shelter|hous|home|population|inhabit)", re.I)
"""A cue that says where people are kept, not what happened to them: "North Kivu hosts 2.6
million of them" places the part of a figure already given."""

_TIME_PART = re.compile(
    r",?\s+(?:since|in\s+the\s+(?:past|last)|over\s+the\s+(?:past|last)|during|in\s+(?:the\s+)?"
    r"(?:first|last|past)|(?:last|this)\s+(?:week|month|year)|so\s+far\s+this)\b",
    re.I,
)
"""After a part of a total: a time, not a group ("including 450,000 since 1 June alone",
"including 12,000 in the past week"): the same people counted in a shorter window."""

_ELIDED_JOIN = endings("and", "while", "whereas")
"""Joins of two counts of one kind; a comparison ("compared to around 40,000 in mid-October")
gives an earlier value, no figure."""
_ELIDED_WHERE = re.compile(
    r"[^\S\n]+(?:in|across|from)[^\S\n]+(?:(?:the|neighbouring|neighboring|nearby)[^\S\n]+)?"
    r"(?=[A-Z])"
)
_PEOPLE_IN = re.compile(r"(?:[^\S\n]+(?:people|persons|individuals))?" + _ELIDED_WHERE.pattern)
"""After a count: the people of a place ("1.8 million people in Tigray")."""
_ELIDED_WHEN = re.compile(
    r"[^\S\n]+(?:in|during)[^\S\n]+(?:(?:early|mid|late)[\s-]+)?(?:January|February|March|"
    r"April|May|June|July|August|September|October|November|December|(?:19|20)\d\d)\b"
    r"|[^\S\n]+(?:the|in\s+the)[^\S\n]+(?:previous|preceding|following|prior)[^\S\n]+"
    r"(?:day|week|fortnight|month|quarter|year)\b",
)


_EITHER = re.compile(r"\s+(?:or|and/or)\s+(?:were\s+|been\s+)?")
_AND = re.compile(r"\s+and\s+")
_CASUALTIES = frozenset({Indicator.KILLED, Indicator.INJURED, Indicator.MISSING})


def _mixed(patterns: Patterns, text: str, cue: Cue) -> Indicator | None:
    """The other indicator where the cue after a count is joined to another indicator's
    ("1,000 children had been killed or injured", "dead or missing"): one count of two
    indicators is a figure of neither, as a table's mixed total is, save "dead or missing"."""
    joined = _EITHER.match(text, cue.end)
    if joined is None and cue.indicator in _CASUALTIES:
        joined = _AND.match(text, cue.end)
    if joined is None:
        return None
    other = patterns.after.match(text, joined.end())
    if other is None:
        return None
    indicator, _ = patterns.classify(other.group(), before=False)
    mixed = indicator is not cue.indicator and (
        joined.group().strip() != "and" or indicator in _CASUALTIES
    )
    return indicator if mixed else None


_DEAD_OR_MISSING = frozenset({Indicator.KILLED, Indicator.MISSING})
_CASUALTY = re.compile(r"casualties", re.I)
_INJURY = re.compile(r"\b(?:injur(?:ed|ies|y)|wounded|wounds|hurt|maimed)\b", re.I)


def _casualties(masked: str, cue: Cue, q: Quantity) -> bool:
    """ "612 civilian casualties, 141 killed and 471 injured": casualties counted beside the
    injured of the same sentence are killed and injured (the UN sense, RULES.md), a figure of
    neither; "casualties" alone in a death toll stays killed."""
    if cue.start < q.end or not _CASUALTY.fullmatch(masked, cue.start, cue.end):
        return False
    start = max(masked.rfind(".", 0, q.hedge_start), masked.rfind("\n", 0, q.hedge_start)) + 1
    stop = masked.find(".", cue.end)
    return _INJURY.search(masked, start, len(masked) if stop < 0 else stop) is not None


_FIRST_COUNT = Folded.compile(
    r"\b(?:initially|originally|at first|earlier|preliminary)\b",
    ("initially", "originally", "at first", "earlier", "preliminary"),
)
_REVISED = re.compile(
    r"\b(?:later|subsequently|since|now|then)\s+(?:[\w'’-]+\s+){0,3}?(?:revised|raised|lowered|"
    r"put|updated|corrected|increased|reduced|cut|adjusted)\b",
    re.I,
)
_REVISION_REACH = 160
"""How far after a first count its revision may come: the rest of its sentence or the next."""


_EARLIER_VALUE = re.compile(
    # "follows a previous count of 304 dead", "revising its earlier figure of 41"
    r"\b(?:previous|earlier|initial|preliminary|prior|original|former)\s+(?:[\w'’-]+\s+){0,2}?"
    r"(?:count|toll|figure|estimate|tally|total|number)s?\s+(?:of|at|was|stood\s+at)\s+$"
    # "raising the toll from 169", "revised the death toll down from 41"
    r"|\b(?:rais|revis|lower|increas|lift|push|tak|bring|bump|correct|updat|adjust)\w*\s+"
    r"(?:the|its|their|an?)\s+(?:[\w'’-]+\s+){0,2}?(?:count|toll|figure|estimate|tally|total|"
    r"number)s?\s+(?:(?:up|down)(?:wards?)?\s+)?from\s+$"
    # "had earlier put the toll at 15 before ...": a count given before the one now known
    r"|\bhad\s+(?:initially|originally|earlier|first|previously|at\s+first)\s+(?:[\w'’-]+\s+){0,4}?"
    r"(?:at|as|of)?\s*$",
    re.I,
)
"""Words right before a count that make it a value the text has replaced: an earlier toll,
or the value a revision started from. The words are enough; no revision need follow."""
_EARLIER_REACH = 60


def _may_be_earlier(words: str) -> bool:
    """What every ``_EARLIER_VALUE`` match needs: an end in "of", "at", "was" or "from", or a
    "had" ("had earlier put the toll at"). Tested first: the pattern opens with a word boundary
    and would be tried at every position, and most counts have none of these before them.
    Outside ASCII the test is passed (case-blind matching folds "ſ" to "s")."""
    low = words.lower()
    return not words.isascii() or "had" in low or low.rstrip().endswith(("of", "at", "was", "from"))


_EARLIER_REPORT = re.compile(
    r"\b(?:previous|previously|earlier|prior|original|former|first\s+(?:recorded|reported|"
    r"registered))\s+(?:[\w'’-]+\s+){0,2}?(?:tolls?|counts?|figures?|estimates?|tall(?:y|ies)|"
    r"totals?|numbers?|reports?|updates?|assessments?)\b",
    re.I,
)
"""In a count's clause: the report it comes from is an earlier one ("The previous toll
announced on Saturday indicated 2,012 dead", "Earlier reports said 400 people were
killed", "The first recorded number of displaced families was at 9,236"). "Initial" and
"preliminary" reports are the latest a text may have, not replaced ones."""
_EARLIER_WORDS = ("previous", "earlier", "prior", "original", "former", "first")
"""One of which every ``_EARLIER_REPORT`` match holds: most clauses hold none, and the
pattern is not tried."""
_AGO_OPENS = re.compile(r"[^\w\n]*(?:[\w-]+\s+){1,3}ago\b", re.I)
"""A sentence that opens in the past ("One year ago, the country was host to 356,000")."""


def told_earlier(
    masked: str, q: Quantity, lower: int, sentence: tuple[int, int], measure: Measure
) -> bool:
    """Whether the words of a count give it as an earlier value of what the text counts now:
    an earlier report in its clause, a sentence opening "N years ago", or "down from" and the
    like right before it. Such a count is a figure only where the document states no other
    count of its indicator (``figures``), so an earlier value told alone is kept."""
    before = tail(masked, max(lower, q.hedge_start - 40), q.hedge_start)
    if before.endswith(COMPARED):
        # a level ("up from 2.6 million a year earlier"); a flow of its own window ("compared
        # with 1 932 cases in June") is a figure of that window
        return measure is Measure.STOCK
    # the clause: after the last comma that is no thousands separator ("2,012 dead and")
    clause = max(sentence[0], masked.rfind(", ", sentence[0], q.hedge_start))
    words = masked[clause : q.hedge_start].lower()
    if any(word in words for word in _EARLIER_WORDS) and _EARLIER_REPORT.search(
        masked, clause, q.hedge_start
    ):
        return True
    # a level then ("One year ago, the country was host to 356,000"); a flow of that time
    # ("Two weeks ago, fighting displaced 3,000") is a figure of its own window
    opening = masked[sentence[0] : q.hedge_start]
    return (
        measure is Measure.STOCK
        and "ago" in opening
        and _AGO_OPENS.match(masked, sentence[0]) is not None
    )


def superseded(context: Context, masked: str, q: Quantity, lower: int) -> bool:
    """A first count the text says was later revised ("initially reported 12 deaths …, but
    the governor later put the toll at 78", "follows a previous count of 304"): what was
    known then, not a figure of the text. Only its own clause marks it as a first count; the
    revision may come in the next sentence."""
    clause = masked[max(lower, q.hedge_start - _EARLIER_REACH) : q.hedge_start]
    if _may_be_earlier(tail := clause[clause.rfind(",") + 1 :]) and _EARLIER_VALUE.search(tail):
        return True
    if not _FIRST_COUNT.search(masked, lower, q.start):
        return False  # most counts stop here, before the clause is looked for
    if not _FIRST_COUNT.search(masked, clause_start(masked, lower, q.start), q.start):
        return False  # an earlier clause's word: "initially feared the worst, but only 3 …"
    return _REVISED.search(context.text, q.end, q.end + _REVISION_REACH) is not None


_PART_OPENS = re.compile(
    r"[^\w\n]*(?:of|among)\s+(?:them|these|those|whom|this|that|the|all|its|their)\b"
    r"[^,.;:\n]{0,60},",
    re.I,
)
"""A sentence that opens by taking from a whole it names again ("Of them,", "Of this number,",
"Of the initially verified cases,"): its counts are parts of that whole."""
_PLACE_NEXT = re.compile(r"(?:\s+[\w'’-]+){0,5}?\s+(?:in|at|from|across|near|the)\s+(?=[A-Z][a-z])")
"""Between a part and its place, where the place is what sets it apart ("204 were recorded
in Zinda Jan", "61 in Injil", "14 deaths were due to the Aranayaka landslide"): a sub-total
by place, which RULES.md counts; a place after a shelter or a group ("31,000 are sheltering
in schools and mosques in Beledweyne") comes later."""
_SHARE_SUBJECT = re.compile(
    r"[^\w\n]*(?:the\s+)?(?:(?:vast|great|overwhelming)\s+)?(?:majority|bulk|most|half|"
    r"remainder|rest|(?:a|one|two)[- ](?:third|quarter|fifth)s?|three[- ]quarters|"
    r"(?:nearly|almost)\s+all)\b",
    re.I,
)
"""A sentence whose subject is a share of a group ("The majority of recorded IDPs ...",
"Most IDPs are living in camps"): a count in its brackets is the size of that share."""
_AMONG_WHOLE = re.compile(r"\bamong\s+(?:the\s+)?(?:total|overall)\b", re.I)
"""After a count: the whole it was taken from ("157 children killed ... among total
casualties")."""
_AMONG_REACH = 80


def _part_of_whole(
    context: Context,
    masked: str,
    q: Quantity,
    sentence: tuple[int, int],
    upper: int,
    cue: Cue | None,
) -> bool:
    """A count the sentence's grammar makes a part of a whole already told, wherever its own
    words put it: after an opening "Of them," (unless it names another indicator than the
    figure before, or a place is all that sets it apart), in the brackets of a sentence whose
    subject is a share ("Most IDPs are living in camps (319,854 individuals)"), or followed
    by "among total ..."."""
    s0 = sentence[0]
    opener = _PART_OPENS.match(masked, s0)
    if opener is not None and opener.end() <= q.hedge_start:
        previous = context.previous
        if previous is None or (
            cue is not None
            and cue.start >= opener.end()  # not the whole's noun: "Of the verified cases,"
            and not _KEEPS.search(masked, cue.start, cue.end)
        ):
            # its own words say what happened to it: "Of this number, 19 patients have died",
            # "Of them, 68.3 million were internally displaced"; where they are sheltered
            # ("Of them, 31,000 are sheltering in schools") is no such word
            return False
        return _PLACE_NEXT.match(masked, q.end, upper) is None
    opened = masked.rfind("(", s0, q.hedge_start)
    if (
        opened >= 0
        and masked.rfind(")", opened, q.hedge_start) < 0
        and _SHARE_SUBJECT.match(masked, s0)
    ):
        return True
    after = masked[q.end : min(sentence[1], q.end + _AMONG_REACH)]
    return "among" in after and _AMONG_WHOLE.search(after) is not None


_UNITS = re.compile(r"\d\s+(?:[\w'’-]+\s+)?(?:families|households)\b", re.I)
"""A count of households, maybe with one modifier ("41,526 households", "4,120 IDP
households"): no people, but their words may say what happened to the people counted next."""
_UNITS_REACH = 100
_PEOPLE_LINK = re.compile(
    r"(?:\(|\b(?:or|affecting|comprising|comprised\s+of|made\s+up\s+of|totall?ing|i\.e\.))\s*$",
    re.I,
)
"""Right before a people count: it restates the households just counted in people."""


def _households_cue(patterns: Patterns, masked: str, q: Quantity, lower: int) -> Cue | None:
    """The cue of the households a people count restates ("41,526 households have been
    displaced affecting approximately 212,630 people", "61,724 IDP families comprised of
    370,344 individuals"): what the households' words say happened is what the people count
    counts, not the link word ("affecting")."""
    start = max(lower, q.hedge_start - _UNITS_REACH)
    words = masked[start : q.hedge_start].lower()
    if "famil" not in words and "househ" not in words:
        return None  # most counts: no households before them
    units = [*_UNITS.finditer(masked, start, q.hedge_start)]
    link = units and _PEOPLE_LINK.search(masked, units[-1].end(), q.hedge_start)
    if not link:
        return None
    # the last cue before the link: "displaced" in "have been displaced affecting"
    cues = [*patterns.after.finditer(masked, units[-1].start() + 1, link.start())]
    if not cues:
        return None
    found = cues[-1]
    indicator, kind = patterns.classify(found.group(), before=False)
    return Cue(indicator, found.start(), found.end(), kind, q.hedge_start - found.end())


def classify_count(
    context: Context,
    patterns: Patterns,
    masked: str,
    q: Quantity,
    lower: int,
    upper: int,
    sentence: tuple[int, int],
    attach: str | None = None,
) -> Candidate | None:
    """The figure a count is, or None: its own cue, else what it continues (a partitive
    "500 of them", "another 22", a list "Peru some 1.6M") or where its group moved."""
    if superseded(context, masked, q, lower):
        return None
    label = context.labels.get(q.hedge_start)
    if label is not None:
        return _labelled(patterns, context.text, q, label, sentence)
    if _size_of_place(masked, q, lower):
        return Candidate(q, Indicator.POPULATION, None, sentence, people=True)
    cue, head = _cue_and_head(patterns, masked, q, lower, upper, attach)
    if head not in {"thing", "not-a-count"} and (
        _part_of_whole(context, masked, q, sentence, upper, cue)
        or _foretold(masked, q, sentence, cue)
        or _no_people_count(patterns, masked, q, sentence)
    ):
        return None
    if head == "people" and (units := _households_cue(patterns, masked, q, lower)) is not None:
        return Candidate(q, units.indicator, units, sentence, people=True)
    if (
        head in {"bare", "people"}
        and (cue is None or _verb_before(patterns, masked, cue))
        and not _REVISED_TO.search(masked, lower, q.hedge_start)  # a revision: see below
        and (risen := _risen(patterns, masked, q, sentence)) is not None
        and (cue is None or risen.indicator is not Indicator.POPULATION)
    ):
        # "deaths have been recorded in the district, which has soared to 2,838": the total
        # that rose says what is counted, not a verb before it; who its people are
        # ("people living in tent camps") does not override what happened to them
        cue = risen
    if head == "included":
        # "21,418 suspected cases, including 812 deaths": the part names another indicator
        # than the total it is part of, so it is a figure; "including 300 injured" after an
        # injured total is a breakdown
        total = context.previous
        if (
            cue is None
            or total is None
            or total.sentence != sentence
            or (total.indicator is cue.indicator)
        ):
            return None
        return Candidate(q, cue.indicator, cue, sentence, people=True)
    if head == "time-part":
        total = context.previous
        if total is None or total.sentence != sentence:
            return None
        # the same people as the total, so the same place: what follows is the time
        place = context.previous_place
        return Candidate(q, total.indicator, None, sentence, inherited=True, place=place)
    if head == "place-part":
        # a part of the total told apart by where it is: a sub-total of the same indicator
        # (RULES.md: geographic sub-totals are figures, demographic ones breakdowns)
        total = context.previous
        place = _place_after(context, masked, q, sentence)
        if total is None or total.sentence != sentence or place is None:
            return None
        return Candidate(q, total.indicator, None, sentence, inherited=True, place=place)
    if (
        cue is not None
        and cue.indicator is Indicator.REFUGEES
        and cue.kind == "before"
        and masked.startswith("host", cue.start)
        and _KEPT_IN_SITES.search(masked, max(sentence[0], cue.start - 80), cue.start)
    ):
        # "31 camps in North Kivu, hosting 108,000 people": where the displaced stay, unless
        # its own words say the camps are refugees'
        cue = replace(cue, indicator=Indicator.DISPLACED)
    if head == "continues":
        # "... 2.1 million people were displaced. This includes 1.8 million people in Tigray":
        # a part told apart by its place counts what the total before it counts
        total = context.previous
        place = _place_after(context, masked, q, sentence, _PEOPLE_IN)
        if (
            total is None
            or place is None
            or context.text[total.sentence[1] : sentence[0]].strip()
            or total.sentence == sentence
        ):
            return None
        return Candidate(q, total.indicator, None, sentence, inherited=True, place=place)
    if head in {"thing", "not-a-count", "breakdown", "increment", "mixed"}:
        return None
    whole = max(lower - 60, sentence[0])
    whole = last_words(masked, whole, q.hedge_start, _PARTITIVE_WHOLE_WORDS)
    if _PARTITIVE_WHOLE.search(masked, whole, q.hedge_start):
        # the whole of a partitive is who the part belongs to: a population if its noun says
        # so ("of the village's 2,500 residents"), else no figure ("of the 400 passengers")
        noun = patterns.after.match(masked, q.end + 1, upper)
        if noun is not None:
            indicator, kind = patterns.classify(noun.group(), before=False)
            if indicator is Indicator.POPULATION and kind == "noun":
                cue = Cue(indicator, noun.start(), noun.end(), kind, 1)
                return Candidate(q, indicator, cue, sentence)
        if (
            cue is not None
            and cue.start > q.end
            and _WHOLE_CLAUSE.fullmatch(masked, q.end, cue.start)
        ):
            # "10.5 million of the 19.5 million people who need aid": the whole is what its
            # own clause says its people are
            return Candidate(q, cue.indicator, cue, sentence, people=True)
        if _PLACE_OWNS.search(masked, max(lower, q.hedge_start - 40), q.hedge_start) and (
            head == "people"
        ):
            # "2,000 of the island's 9,000 people": the people of a place, its population
            cue = Cue(Indicator.POPULATION, q.end, q.end, "near", 1)
            return Candidate(q, Indicator.POPULATION, cue, sentence, people=True)
        return None
    if head != "partitive" and (cue is None or cue.indicator in FLED):
        places = places_in(context, *sentence)
        context.group = group_of(q, places) or context.group
        # the words the parse gives this count: another clause's move is not its own
        moved = crossing(attach or context.text, q, lower, upper, places, context.group)
        if moved is not None and (
            cue is None or moved.indicator is cue.indicator or cue.indicator is Indicator.DISPLACED
        ):
            return Candidate(q, moved.indicator, cue, sentence, people=True, place=moved.host)
    if head == "partitive":
        if (
            cue is not None
            and cue.kind in {"before", "near"}
            and cue.end <= q.hedge_start
            and not masked[cue.end : q.hedge_start].strip()
            and not _KEEPS.search(masked, cue.start, cue.end)
        ):
            # the part is the object of the verb right before it: "killed 25 of them",
            # "injuring 31 of the traders": the verb says what happened to those counted
            return Candidate(q, cue.indicator, cue, sentence, people=True)
        if (
            context.previous is not None
            and cue is not None
            and cue.kind in {"noun", "verb"}
            and cue.distance < 30
            and (
                cue.indicator is not context.previous.indicator
                or cue.indicator is Indicator.FOOD_INSECURE
            )
            and _PARTITIVE_PREDICATE.match(masked, q.end, cue.start)
        ):
            # "a community of 2,000 ... Roughly 500 of them have been displaced"
            return Candidate(q, cue.indicator, cue, sentence, inherited=True)
        if (
            context.previous is not None
            and cue is not None
            and cue.kind == "noun"
            and cue.distance < 25
            and tail(masked, max(lower, q.hedge_start - 30), q.hedge_start).endswith(_ACCOUNTS_FOR)
        ):
            # "The Centre department accounts for 612 of the suspected cases": a sub-total
            # for the place that is the subject
            return Candidate(q, cue.indicator, cue, sentence, inherited=True)
        whole = _whole_part(patterns, masked, q, sentence[1])
        if whole is not None:
            return Candidate(q, whole.indicator, whole, sentence, people=True)
        subject = _partitive_subject(patterns, masked, q, sentence[1])
        if subject is not None:
            return Candidate(q, subject.indicator, subject, sentence, people=True)
        clause = clause_start(masked, lower, q.hedge_start)
        places = [p for p in places_in(context, *sentence) if clause <= p.start < upper]
        if not places or context.previous is None:
            return None
        if cue is not None and cue.kind in {"noun", "verb"} and cue.distance < 20:
            return Candidate(q, cue.indicator, cue, sentence, inherited=True)
        if re.match(r"\s+of\s+(?:them|those|these)\b", masked[q.end : q.end + 20]):
            return Candidate(q, context.previous.indicator, None, sentence, inherited=True)
        return None
    if cue is None:
        if (
            context.previous is not None
            and context.previous.indicator in _ONWARD
            and head in {"people", "bare"}
            and moves(masked, q.end, upper)
        ):
            # "More than 327,000 Afghans have returned ... 12,800 people crossed on Wednesday":
            # the same movement, counted again
            return Candidate(q, context.previous.indicator, None, sentence, inherited=True)
        if tail(masked, max(0, q.hedge_start - 20), q.hedge_start).endswith(INHERIT_BEFORE) and (
            context.previous is not None and head == "bare"
        ):
            return Candidate(q, context.previous.indicator, None, sentence, inherited=True)
        if head in {"bare", "people"} and _next_share(context, q, sentence):
            # "Bay accounts for 37 per cent (454,320 people) of those affected. Gedo follows
            # with 23 per cent (291,765 people)": the next share of the same total
            return Candidate(q, context.previous.indicator, None, sentence, inherited=True)
        if head == "bare" and _listed_after_place(context, masked, q, lower, sentence):
            return Candidate(q, context.previous.indicator, None, sentence, inherited=True)
        if head in {"bare", "people"} and (where := _elided(context, masked, q, lower, sentence)):
            place = where if isinstance(where, Place) else None
            return Candidate(
                q, context.previous.indicator, None, sentence, inherited=True, place=place
            )
        if (
            head in {"people", "bare"}
            and context.previous is not None
            and context.previous.sentence == sentence
            and _CHANGE_OF.search(masked, max(lower - 2, q.hedge_start - 30), q.hedge_start)
        ):
            # "4,350 suspected cases, an increase of 620 since the last bulletin": the change
            # counts more of what the figure before it counts
            return Candidate(q, context.previous.indicator, None, sentence, inherited=True)
        if head == "bare" and _population_label(masked, q, lower):
            # "Population: 12.4 million", "Total population (2024 est.): 5.7 million"
            return Candidate(q, Indicator.POPULATION, None, sentence)
        previous = context.previous
        if (
            previous is not None
            and _REVISED_TO.search(masked, lower, q.hedge_start)
            and (
                previous.sentence == sentence
                or not context.text[previous.sentence[1] : sentence[0]].strip()
            )
        ):
            # "The ministry put the toll at 2,900. It has since raised the figure to 3,400":
            # the figure it revises, now superseded
            return Candidate(q, previous.indicator, None, sentence, True, revises=previous)
        if (
            previous is not None
            and previous.sentence == sentence
            and _TOTAL_TO.search(masked, max(lower - 2, previous.quantity.end), q.hedge_start)
        ):
            # "More than 1,600 Sudanese crossed ..., bringing the total since April 2023 to
            # 912,000": the running total of what the sentence just counted
            return Candidate(q, previous.indicator, None, sentence, inherited=True)
        if (
            previous is not None
            and previous.sentence == sentence
            and head in {"people", "bare"}
            and INCREASE_OF.search(masked, max(lower - 2, previous.quantity.end), q.hedge_start)
        ):
            # "173,000 people were displaced, an increase of 5,400 people since last week":
            # the new part of what the sentence just counted
            return Candidate(q, previous.indicator, None, sentence, inherited=True)
        return None
    return Candidate(q, cue.indicator, cue, sentence, people=head == "people")


_SIZE_OF = re.compile(
    r"(?:\b(?:city|town|village|country|nation|island|capital|metropolis|enclave|territory|"
    r"municipality|district|province|region|state|county|community)\s+of"
    r"|,\s*(?:which|that)\s+(?:has|had|counts|numbers))\s+$",
    re.I,
)
"""Before a count: the place it measures, "a city of 350,000", "Lebanon, which has 4.5
million people"."""
_SIZE_PEOPLE = re.compile(r"[^\S\n]+(?:people|persons|inhabitants|residents|souls)\b")
_SIZE_ENDS = re.compile(
    r"[^\w\s]|[^\S\n]*$|[^\S\n]+(?:in|on|at|near|and|is|was|located|lying|where|which|who|"
    r"just|along|by|with)\b|[^\S\n]+[A-Z]"
)


def _size_of_place(masked: str, q: Quantity, lower: int) -> bool:
    """A count that says how many people a place holds: "the city of 350,000", "a country of
    more than 11 million inhabitants", "which has 4.5 million people". Its people are that
    place's population, whatever happened to others in the sentence; "a town of 9,000
    displaced people" names its people otherwise, and "which has 20 cases" no people."""
    before = masked[max(lower, q.hedge_start - 30) : q.hedge_start]
    if not before.endswith(("of ", "has ", "had ", "counts ", "numbers ")):
        return False  # most counts: one test
    if _SIZE_OF.search(before) is None:
        return False
    people = _SIZE_PEOPLE.match(masked, q.end)
    if people is not None:
        return True
    return not before.rstrip().endswith(("has", "had", "counts", "numbers")) and (
        _SIZE_ENDS.match(masked, q.end) is not None
    )


_CHANGE_OF = re.compile(r"\b(?:an?|the)\s+(?:increase|rise|jump|surge)\s+of\s+$", re.I)
"""Before a count: a rise in the figure just given, in its units ("an increase of 5,400
people since last week"); a fall is no count of people."""

_POPULATION_LABEL = re.compile(
    r"^[^\S\n]*[^\n:]{0,30}\bpopulation\b[^\n:]{0,30}(?::\s*|[^\S\n]+)$", re.I | re.M
)
"""A fact-sheet line that labels a population ("Total population (2024 est.): 5.7 million",
"Total population 26 m" when the count ends the line)."""


def _population_label(masked: str, q: Quantity, lower: int) -> bool:
    label = _POPULATION_LABEL.search(masked, lower, q.hedge_start)
    if label is None:
        return False
    line_end = masked.find("\n", q.end)
    return ":" in label.group() or not masked[q.end : None if line_end < 0 else line_end].strip()


_TOTAL_TO = re.compile(
    r"\b(?:bring|bringing|brings|brought|push(?:es|ed|ing)?|tak(?:es|ing)|took|rais(?:es|ed|ing))"
    r"\s+(?:the|its|their)\s+(?:[\w'’-]+\s+){0,2}?(?:total|tally|number|count|toll|figure)\b"
    r"[^.;:]{0,60}?\bto\s+$",
    re.I,
)

INCREASE_OF = re.compile(r"\b(?:an?\s+)?(?:increase|rise|jump|surge|increment)\s+of\s+$", re.I)
"""Before a count: how much the count just given grew ("an increase of 5,400"), new people
in the window since the last one."""

_REVISED_TO = Folded.compile(
    r"\b(?:revis|rais|lower|updat|correct|increas|reduc|adjust|amend|chang)(?:e|es|ed|ing)\s+"
    r"(?:(?:(?:the|that|this|its|their|his|her)\s+(?:[\w'’-]+\s+){0,2}?(?:figure|number|estimate|"
    r"count|tally|toll|total)s?|it|them)\s+)(?:(?:up|down|upward|downward|upwards|downwards)\s+)?to"
    r"\s+$"
)
"""A revision of the figure just given ("raised the figure to", "revised that number to",
"lowered it to"): the count takes its indicator and replaces it."""

_LISTED = re.compile(r"(?:[,:]|\band|\bwhile)\s+(?:[A-Z][\w'’-]*\s+){1,3}(?:\(\s*)?$")
"""A place's name in a list, right before its count: "Peru some 1.6M", "Kiambu (83,700)"."""
_BRACKET_ITEM_AFTER = re.compile(r"(?:,\s*|,?\s+and\s+)(?:[A-Z][\w'’-]*\s+){1,3}\(\s*\d")


_CLOSES_SHARE = re.compile(r"(?:\s+(?:people|persons|individuals))?\s*\)")
_SHARE_BRACKET = re.compile(r"\d\s*(?:%|per\s?cent|percent)\s*\(\s*$", re.I)


def _next_share(context: Context, q: Quantity, sentence: tuple[int, int]) -> bool:
    """Whether a count in brackets after a share ("23 per cent (291,765 people)") follows the
    figure before it written the same way, in this sentence or the one before."""
    previous = context.previous
    text = context.text
    if previous is None or not _CLOSES_SHARE.match(text, q.end):
        return False
    if not _SHARE_BRACKET.search(text, max(0, q.hedge_start - 20), q.hedge_start):
        return False
    p = previous.quantity
    same_or_next = (
        previous.sentence == sentence or not text[previous.sentence[1] : sentence[0]].strip()
    )
    return (
        same_or_next
        and _CLOSES_SHARE.match(text, p.end)
        and _SHARE_BRACKET.search(text, max(0, p.hedge_start - 20), p.hedge_start) is not None
    )


def _listed_after_place(
    context: Context, masked: str, q: Quantity, lower: int, sentence: tuple[int, int]
) -> bool:
    """ "Colombia hosts 2.8M, Peru some 1.6M and Ecuador about 440K", "In Turkana, 5,300 need
    food, Marsabit (9,450), Wajir (8,100)": a bare count right after a place in a list
    continues the sentence's figure before it, verb and indicator alike."""
    previous = context.previous
    if previous is None or previous.sentence != sentence:
        return False
    listed = _LISTED.search(masked, max(lower - 2, previous.quantity.end), q.hedge_start)
    if listed is None:
        return False
    text = context.text
    if listed.group().endswith("(") and text.startswith(")", q.end):
        # "Gakenke (25)" between two more such items: a list of names with their counts in
        # brackets, whether or not the gazetteer knows the name
        return (
            text[max(0, listed.start() - 3) : listed.start()].rstrip().endswith(")")
            or _BRACKET_ITEM_AFTER.match(text, q.end + 1) is not None
        )
    return any(
        listed.start() < p.start and p.end <= q.hedge_start and p.level != DEMONYM
        for p in places_in(context, *sentence)
    )


def _elided(
    context: Context, masked: str, q: Quantity, lower: int, sentence: tuple[int, int]
) -> Place | bool:
    """ "displaced 86,000 people in Sindh and 41,500 in Balochistan", "31 drowned in January
    and at least 44 in February": a count with no noun of its own, joined to the sentence's
    figure before it and told apart from it only by a place or a time, counts what that
    figure counts (its noun is elided)."""
    previous = context.previous
    if previous is None or previous.sentence != sentence:
        return False
    if not (
        tail(masked, max(lower - 2, previous.quantity.end), q.hedge_start).endswith(_ELIDED_JOIN)
        or masked[max(lower - 2, previous.quantity.end) : q.hedge_start].rstrip().endswith(",")
    ):
        return False
    if _ELIDED_WHEN.match(masked, q.end):
        return True
    return _place_after(context, masked, q, sentence, _PEOPLE_IN) or False


def _place_after(
    context: Context,
    masked: str,
    q: Quantity,
    sentence: tuple[int, int],
    words: re.Pattern[str] = _ELIDED_WHERE,
) -> Place | None:
    """The place right after a count ("41,500 in Balochistan"): where that count is."""
    where = words.match(masked, q.end)
    if where is None:
        return None
    # a place inside a country: a continent ("6 million in Europe") is no place a figure has
    return next(
        (p for p in places_in(context, *sentence) if p.start == where.end() and p.iso3), None
    )


_BREAKDOWN_LIST = re.compile(r",\s*(?:among them|among whom|including|of whom|of which)\b", re.I)


def without_mixed_totals(
    found: list[tuple[Candidate, dict]], text: str, end: int
) -> list[tuple[Candidate, dict]]:
    """Drop a total that the sentence then splits into different indicators.

    "hosting 1 million people who crossed, among them 750,000 returnees and 250,000
    refugees": the million, read as refugees, is neither returnees nor refugees only, so its
    parts are the figures.
    """
    kept = []
    for figure, row in found:
        split = _BREAKDOWN_LIST.search(text, figure.quantity.end, end)
        parts = {
            other.indicator
            for other, _ in found
            if split is not None and other.quantity.start > split.start()
        }
        if len(parts) < 2 or figure.indicator not in parts:
            # "1.2 million affected, including 310,000 displaced and 268 killed": a total of
            # another indicator than its parts is a figure of its own
            kept.append((figure, row))
    return kept


_OTHERS_AFTER = re.compile(r"\s+others\b", re.I)
""""30 others were wounded": more people of the same event."""


def continues_event(context: Context, masked: str, q: Quantity, s0: int, upper: int) -> bool:
    """ "Another 22 were hospitalised", "231 soldiers had also died", "30 others were brought
    in with wounds": the same event as the figure before, so the same measure (and period,
    when the sentence states none)."""
    return context.previous_measure is not None and (
        tail(masked, max(s0, q.hedge_start - 20), q.hedge_start).endswith(INHERIT_BEFORE)
        or ALSO.search(masked, q.end, upper) is not None
        or _OTHERS_AFTER.match(masked, q.end) is not None
    )


_WITH_BEFORE = endings("with", "with another", "with a further", "and another", "and a further")


def joins_previous(context: Context, masked: str, q: Quantity, sentence: tuple[int, int]) -> bool:
    """ "The toll rose to 1,480, with more than 2,100 people injured", "has killed 233, with
    another 103 missing": a count added to the figure before it in the same sentence shares
    that figure's time, so its measure."""
    previous = context.previous
    return (
        previous is not None
        and context.previous_measure is not None
        and previous.sentence == sentence
        and tail(masked, max(sentence[0], q.hedge_start - 25), q.hedge_start).endswith(_WITH_BEFORE)
    )


def ambiguous(patterns: Patterns, text: str, quantities: list[Quantity]) -> bool:
    """Whether a sentence's counts need the parse: two or more may count people, and one of
    them is not named by a cue noun right after it ("12 deaths and 40 injuries" is clear)."""
    people = [q for q in quantities if q.is_count and head_of(patterns, text, q.end) != "thing"]
    return len(people) > 1 and not all(
        patterns.after.match(text, q.end + 1) is not None for q in people
    )


def column_indicator(patterns: Patterns, header: str) -> Indicator | None:
    """The indicator a column's name gives its cells ("Deaths", "People displaced"); none
    for things ("Houses damaged") or names no cue word is in ("Province")."""
    head = patterns.head.match(header)
    if head is not None and head["thing"]:
        return None
    cue = patterns.after.search(header)
    return None if cue is None else patterns.classify(cue.group(), before=False)[0]


_RESPECTIVELY = re.compile(r"[^\S\n]+(?:[\w'’-]+[^\S\n]+){0,2}?respectively\b", re.I)
_LIST_JOIN = re.compile(r"[^\S\n]*(?:,[^\S\n]*(?:and[^\S\n]+)?|[^\S\n]+and[^\S\n]+)", re.I)


def respective(
    patterns: Patterns, masked: str, counts: list[Quantity], sentence: tuple[int, int]
) -> dict[Quantity, Candidate]:
    """The counts of a list closed by "respectively", each with its own cue.

    "The number of cases and deaths was 964 and 603 respectively" pairs the counts with the
    nouns named before them, in order; "displaced 18,500 and 9,200 people respectively" gives
    the one verb before the list to every count. Read as a list, no count takes its
    neighbour's words, and none is cut off from the cue the first one stands next to.
    """
    found: dict[Quantity, Candidate] = {}
    run: list[Quantity] = []
    for q in [*counts, None]:
        if q is not None and run and _LIST_JOIN.fullmatch(masked, run[-1].end, q.hedge_start):
            run.append(q)
            continue
        if len(run) > 1 and _RESPECTIVELY.match(masked, run[-1].end):
            found.update(_paired(patterns, masked, run, sentence))
        run = [q] if q is not None else []
    return found


def _paired(
    patterns: Patterns, masked: str, run: list[Quantity], sentence: tuple[int, int]
) -> dict[Quantity, Candidate]:
    first = run[0].hedge_start
    start = max(sentence[0], clause_start(masked, sentence[0], first) - 120)
    cues: list[Cue] = []
    for match in patterns.after.finditer(masked, start, first):
        indicator, kind = patterns.classify(match.group(), before=False)
        cue = Cue(indicator, match.start(), match.end(), "before", first - match.end())
        if cues and cues[-1].end >= match.start():
            cues[-1] = cue  # overlapping readings of one phrase: the longer, later one
        else:
            cues.append(cue)
    if len(cues) == len(run):
        return {
            q: Candidate(q, cue.indicator, cue, sentence, people=True)
            for q, cue in zip(run, cues, strict=True)
        }
    noun = patterns.after.match(masked, run[-1].end + 1)
    if noun is not None:
        indicator, kind = patterns.classify(noun.group(), before=False)
        if kind == "noun":  # "host 41,300 and 27,800 refugees respectively": each's noun
            cue = Cue(indicator, noun.start(), noun.end(), "noun", 1)
            return {q: Candidate(q, indicator, cue, sentence, people=True) for q in run}
    last = cues[-1] if cues else None
    if last is not None and not masked[last.end : first].strip():
        return {q: Candidate(q, last.indicator, last, sentence, people=True) for q in run}
    return {}


def _verb_before(patterns: Patterns, masked: str, cue: Cue) -> bool:
    """Whether a cue before a count is a verb (no noun that names who is counted)."""
    if cue.kind not in {"before", "near"}:
        return False
    noun = patterns.after.match(masked, cue.start, cue.end)
    return noun is None or patterns.classify(noun.group(), before=False)[1] != "noun"


_SAME_TOTAL = re.compile(
    r"\b(?:the|that|this|its|their)\s+(?:number|figure|toll|tally|total|count)\b|\b(?:it|which)\b",
    re.I,
)


_TOTAL_WAS = re.compile(
    r"\b(?:number|total|tally|count)\s+of\b[^.;:\n\d]{0,120}?\b(?:was|is|stood\s+at|stands\s+at|"
    r"totalled|totaled)\s*$",
    re.I,
)
"""A total told by its subject however far the verb ("The total number of probable, confirmed
and suspected cases in the current outbreak in West Africa was 5335")."""


_CHANGED_TO = Folded.compile(
    rf"\b{_CHANGE}\s+by\s+[^.;:\n]{{0,90}}?\b(?:to|stands?\s+at|stood\s+at)\s*$"
)
"""The level after the size of a change ("has grown by 100,000 since late December, to 1.5
million", "grown by 25,000 and now stands at 1.1 million"): what the total counts."""


def _nouns(
    patterns: Patterns, masked: str, start: int, end: int
) -> list[tuple[re.Match[str], Indicator]]:
    """The cue phrases between start and end that are nouns (what a total counts)."""
    return [
        (match, indicator)
        for match in patterns.after.finditer(masked, start, end)
        for indicator, kind in [patterns.classify(match.group(), before=False)]
        if kind == "noun"
    ]


def _risen(patterns: Patterns, masked: str, q: Quantity, sentence: tuple[int, int]) -> Cue | None:
    """What a total that rose to this count, or is it, counts ("The deaths from the typhoon rose to
    5,632", "the number of IDPs increased four percent ... to 642,842", "the district, which
    has soared to 2,838"): the people noun of the rise's subject or object, else, where the
    subject only points back ("By Tuesday the number had risen to 152"), the last such noun
    of the sentence before."""
    begin = max(sentence[0], q.hedge_start - 150)
    rise = (
        rise_to(masked, begin, q.hedge_start)
        or _TOTAL_WAS.search(masked, begin, q.hedge_start)
        or _CHANGED_TO.search(masked, begin, q.hedge_start)
    )
    if rise is None:
        return None
    nouns = _nouns(patterns, masked, sentence[0], rise.end())
    if not nouns:
        if not _SAME_TOTAL.search(masked, sentence[0], rise.start()):
            return None
        nouns = _nouns(patterns, masked, max(0, sentence[0] - 200), sentence[0])
    if not nouns:
        return None
    match, indicator = nouns[-1]
    return Cue(indicator, match.start(), match.end(), "before", q.hedge_start - match.end())
