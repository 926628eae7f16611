"""Who says so: the source a figure is attributed to, in its sentence or carried from before.

``attribution.find_attributions`` reads who said what in a sentence; the rules here pick the
nearest strong one for each count, resolve "it" and stand-ins ("the agency") to the body the
document last named, and decide which source a later unattributed figure inherits.
"""

from __future__ import annotations

import re

from humstats.extract.attribution import (
    Attribution,
    find_attributions,
    named_subject,
    publisher,
    with_short_name,
)
from humstats.extract.context import Candidate, Context
from humstats.extract.dates import DAY_MONTH
from humstats.schema import Indicator

_STAND_IN = re.compile(
    r"\b(?:agency|organi[sz]ation|group|charity|monitor|mission|body|spokes(?:person|man|woman))\b",
    re.I,
)
""""The agency" stands in for a body named earlier; "the government" or "the ministry" is
usually a body of its own, so only these carry back past sentences without figures."""


_CONTINUES = re.compile(r"\b(?:another|a further|an additional|a new)\s*$", re.I)
_RECORDED = re.compile(
    r"\b(?:recorded|counted|documented|registered|logged|tallied|verified|confirmed)\s*$", re.I
)
_SAID = re.compile(r"\b(?:said|says|told|stated|added|noted)\b", re.I)


def _named_source(context: Context) -> str | None:
    """The last body the document named, reading the sentences without numbers not read yet."""
    for start, end in reversed(context.unread):
        found = find_attributions(context.text, start, end)
        named = [a.source for a in found if a.source != "it" and not a.generic]
        name = named[-1] if named else None if found else named_subject(context.text, start, end)
        if name:
            context.named_source = with_short_name(name, context.short_names)
            break
    context.unread.clear()
    return context.named_source


_CITATION = re.compile(rf"\(\s*(?P<src>[A-Z][^()\n]{{1,80}}?),\s*{DAY_MONTH}\s*\)\s*(?:\n|$)")
""""(Govt. India, 12 Jun 2019)" closing a paragraph, as relief bulletins cite: its source."""
_PARAGRAPH = re.compile(r"\n\s*\n")


def _cited(context: Context, at: int) -> str | None:
    """The source of the citation that closes the paragraph of the count at ``at``, if any."""
    if context.citations is None:
        text = context.text
        context.citations = (
            [(m.start(), m["src"].strip()) for m in _CITATION.finditer(text)] if "(" in text else []
        )
    after = next(((start, source) for start, source in context.citations if start >= at), None)
    if after is None or _PARAGRAPH.search(context.text, at, after[0]):
        return None
    return with_short_name(after[1], context.short_names)


_BRACKET = re.compile(
    r"\((?P<src>[A-Z](?:[^\W\d]|[&.'’ /-]){1,60})"
    r"(?:(?:,\s*|\s)(?P<dated>[^()\n]{0,20}\d[^()\n]{0,20}))?\)"
)
_DATED = re.compile(rf"{DAY_MONTH}|\b\d{{1,2}}/\d{{1,2}}/\d{{2,4}}\b")
_SOURCE_LIKE = re.compile(
    r"\b[A-Z][a-zA-Z]*[A-Z]\b|\b(?:Ministry|Government|Govt|Authority|Agency|Office|Department|"
    r"Commission|Council|Cluster|Directorate|Committee|Society|Centre|Center|Police)\b"
)
"""What a bracketed source holds: an acronym ("MoPH", "IOM DTM") or a body's word; not a
group ("IDPs & returnees") or a disease ("Marburg virus")."""
_LINE_END = re.compile(r"\s*[.;]?[ \t]*(?:\n|$)")


def _bracketed(context: Context, figure: Candidate) -> str | None:
    """The source a bracket credits on the count's line, as bulletins and fact sheets cite:
    one closing the line ("• 834,746 people displaced (IOM)."), one labelling the count after
    it ("# of deaths (WHO) 6,885"), or a dated one in the count's sentence ("(Ministry of
    Health, 14 December)")."""
    text = context.text
    q = figure.quantity
    line = text.rfind("\n", 0, q.start) + 1
    end = text.find("\n", q.end)
    end = len(text) if end < 0 else end
    if text.find("(", line, end) < 0:
        return None  # most lines: no bracket
    for match in _BRACKET.finditer(text, line, end):
        if not _SOURCE_LIKE.search(match["src"]):
            continue
        if match["dated"] is not None and _DATED.search(match["dated"]) is None:
            continue  # "(Ministry of Health, which runs the camps)": no citation
        if _glosses(text, match.start(), match["src"]):
            continue  # "Humanitarian Aid Commission (HAC)": a name's short form
        closes = _LINE_END.match(text, match.end()) is not None and match.start() > q.end
        labels = match.end() <= q.start and not text[match.end() : q.start].strip()
        dated = (
            match["dated"] is not None
            and figure.sentence[0] <= match.start() < figure.sentence[1]
            and match.start() > q.end
            and _DATED.search(match["dated"]) is not None
        )
        if closes or labels or dated:
            return with_short_name(match["src"].strip(), context.short_names)
    return None


def _glosses(text: str, start: int, short: str) -> bool:
    """Whether a bracket gives the initials of the capitalised words right before it."""
    letters = "".join(ch for ch in short if ch.isupper())
    words = re.findall(r"[A-Za-z]+", text[max(0, start - 80) : start])
    initials = "".join(w[0] for w in words if w[0].isupper())
    return len(letters) > 1 and initials.endswith(letters)


_ISSUER = re.compile(
    r"[ \t]*(?P<words>[^\n.!?]{0,100}?)\b(?i:report|update|bulletin|sitrep|snapshot|dashboard|"
    r"overview|brief|factsheet|fact\s+sheet|alert)\b[^\n]*(?<![.!?])(?:\n|$)"
)
""""UNICEF Sudan Humanitarian Situation Report", "Yemen: Cholera - WHO Situation Report
No. 5": a heading line (no full stop at its end) naming a report, and the words before its
name."""


def _issuer(context: Context) -> str | None:
    """The body whose report the text is, by the agency its heading line names (one the
    vocabulary's ``[organisations]`` knows: "COVID-19 Situation Report" names none); read
    once."""
    if context.issuer is None:
        heading = _ISSUER.match(context.text)
        known = {short for short, _ in context.short_names.pairs}
        words = re.findall(r"[A-Za-z]+", heading["words"]) if heading else []
        context.issuer = [w for w in words if w in known][:1]
    return context.issuer[0] if context.issuer else None


def source_for(context: Context, attributions: list[Attribution], figure: Candidate) -> str | None:
    """The nearest source in the sentence; else the one the text named before, except for a
    population, a background fact no report is carried into ("Gaza, home to 2.1 million");
    else the citation that closes its paragraph; else the body whose report the heading
    says the text is (the bullets under "OCHA Flash Update #3")."""
    q = figure.quantity
    if not attributions:
        if figure.indicator is Indicator.POPULATION:
            return None
        if context.previous_source is None and _CONTINUES.search(
            context.text, max(0, q.hedge_start - 20), q.hedge_start
        ):
            # "Another 13,000 sought refuge ...": more of what the last named source counted,
            # even past a sentence between ("Of these, 61 per cent are children.")
            return (
                _bracketed(context, figure)
                or context.named_source
                or _cited(context, q.end)
                or _issuer(context)
            )
        return (
            _bracketed(context, figure)
            or context.previous_source
            or _cited(context, q.end)
            or _issuer(context)
        )
    strong = [a for a in attributions if not a.weak]
    attributions = strong or attributions
    text = context.text
    if len(attributions) > 1:
        # "Malawi's government said 190 were killed ..., while authorities in Mozambique
        # reported 20": a source across a contrast clause speaks for its own counts
        own = [
            a
            for a in attributions
            if not _CONTRAST.search(text, min(q.end, a.end), max(q.start, a.start))
        ]
        attributions = own or attributions
    nearest = min(attributions, key=lambda a: min(abs(a.start - q.end), abs(q.start - a.end)))
    if nearest.end <= q.start and _RECORDED.search(text, nearest.start, nearest.end):
        # "health authorities recorded 105,000 cases ..., WHO said": the speaker who
        # reports the count frames the clause; the body that recorded it is inside
        framing = [
            a
            for a in attributions
            if a.start >= q.end
            and _SAID.search(text, a.start, a.end)
            and not re.search(r"[.!?]\s|[\"']", text[q.end : a.start])
        ]
        if framing:
            nearest = framing[-1]
    if nearest.source == "it" or nearest.generic:
        # "OCHA said ... and it added": a name earlier in the sentence, else in the document
        before = [
            a for a in attributions if a.end <= nearest.start and a.source != "it" and not a.generic
        ]
        if before:
            return with_short_name(before[-1].source, context.short_names)
        named = context.previous_source
        if nearest.source == "it" or _STAND_IN.search(nearest.source):
            named = named or _named_source(context)
        if named or nearest.source == "it":
            return named
    return with_short_name(nearest.source, context.short_names)


_CONTRAST = re.compile(r",\s*(?:while|whereas)\b|;")
_ACCORDING_TO = re.compile(r"\baccording to\b", re.I)

Credit = tuple[list[tuple[Candidate, dict]], str]
"""Figure rows that named no source, and the source a later sentence lends them."""


def lend(
    context: Context, sentence: tuple[int, int], found: list[tuple[Candidate, dict]] | None
) -> Credit | None:
    """One step of source lending, taken for each sentence in order, after its figures
    (``found``; None when it holds no number): the figures just before that named no source
    take the one this sentence credits when it counts nothing ("... killing at least 24
    people. Homes were destroyed, according to the government."); a sentence without numbers
    that opens "According to X," lends X to the next sentence's figures."""
    waiting = context.unsourced
    credit = None
    if not found and waiting and (source := _source_after(context, sentence)) is not None:
        credit = (waiting, source)
    if found is None:
        # what it opens with is read only if the next sentence counts something (``opened``):
        # most sentences without numbers are followed by more of them
        context.previous_source = None
        context.opening = sentence
        context.unsourced = []
    else:
        context.unsourced = [(f, row) for f, row in found if row["attributed_to"] is None]
    return credit


def opened(context: Context) -> None:
    """Before a sentence with numbers is read: the source the sentence without numbers right
    before it opened with ("According to X, ...") or introduced ("In a report released by
    X, ..."), if any, is the one its figures continue."""
    if context.opening is not None:
        context.previous_source = _source_opening(context, context.opening)
        context.opening = None


def _source_after(context: Context, sentence: tuple[int, int]) -> str | None:
    """The source a sentence that counts nothing credits with a trailing "according to X"."""
    s0, s1 = sentence
    if not _ACCORDING_TO.search(context.text, s0, s1):
        return None
    named = [
        a.source
        for a in find_attributions(context.text, s0, s1)
        if not a.generic
        and a.source != "it"
        and _ACCORDING_TO.match(context.text, a.start)
        and context.text[s0 : a.start].strip()  # "According to X, ..." opens what follows
    ]
    return with_short_name(named[-1], context.short_names) if named else None


_SPACE = re.compile(r"\s*")
_ISSUED = re.compile(
    r"(?:released|published|issued)\s+by\b"
    r"|(?:update|report|bulletin|assessment|analysis|roadmap|snapshot)\s+(?:from|by)\b",
    re.I,
)


def _may_be_issued(sentence: str) -> bool:
    """Whether ``_ISSUED`` may match in a sentence: each of its phrases ends with "by" or
    "from", in any case, which most sentences lack; the case-blind pattern, tried at every
    position, then need not run."""
    lowered = sentence.lower()
    return "by" in lowered or "from" in lowered


def _may_publish(sentence: str) -> bool:
    """Whether ``publisher`` may match: its verbs are all written with one of these."""
    return (
        "ublished" in sentence
        or "eleased" in sentence
        or "ssued" in sentence
        or ("resented" in sentence)
    )


def _source_opening(context: Context, sentence: tuple[int, int]) -> str | None:
    """The source a sentence without numbers opens with ("According to the disaster
    authority, rain has flooded ..."), the body whose report it introduces ("In a
    situation report released by WHO today, ..."), or the body it says issued one ("The
    ministry of health released its weekly bulletin"): the report the next sentence's
    figures continue."""
    s0, s1 = sentence
    text = context.text
    according = _ACCORDING_TO.match(text, _SPACE.match(text, s0, s1).end())
    if not according and not (_may_be_issued(text[s0:s1]) and _ISSUED.search(text, s0, s1)):
        issuer = publisher(text, s0, s1) if _may_publish(text[s0:s1]) else None
        return with_short_name(issuer, context.short_names) if issuer else None
    found = [a for a in find_attributions(text, s0, s1) if not a.generic]
    if not found or found[0].source == "it":
        return None
    if according and text[s0 : found[0].start].strip():
        return None
    if not according and (len(found) > 1 or not _ISSUED.match(text, found[0].start)):
        return None
    return with_short_name(found[0].source, context.short_names)


def remember_source(context: Context, attributions: list[Attribution]) -> None:
    """The source the next sentence's "it said" / unattributed figure refers to."""
    named = [a.source for a in attributions if a.source != "it" and not a.generic]
    if named:
        context.previous_source = with_short_name(named[-1], context.short_names)
        context.named_source = context.previous_source
        context.unread.clear()
    elif not any(a.source == "it" or a.generic for a in attributions):
        context.previous_source = None
    elif context.previous_source is None and context.named_source is None:
        # "The ministry reported 14 deaths. It said 2,430 people ...": with no name before,
        # "it" means the body the text has called by its kind
        kinds = [a.source for a in attributions if a.source != "it"]
        if kinds:
            context.previous_source = with_short_name(kinds[-1], context.short_names)
