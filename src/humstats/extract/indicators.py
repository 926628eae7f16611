"""Which indicator a number counts, read from the words around it.

The words live in ``vocabulary.toml`` next to this module (or a user's copy passed to
``load_vocabulary``) so an analyst adds "perished" or "made homeless" without touching code.
Each indicator has *nouns* that name the counted people ("412 deaths", "620K returnees"),
*verbs* that say what happened to them ("were killed", "killed 212") and *before* cues that
only count ahead of the number ("home to 2 million", "death toll ... to 67").

``find_cue`` looks at the words right after a number (up to the next number or the end of the
clause) and right before it, and returns the nearest cue; a verb right after a noun wins over
the noun ("Syrian refugees have returned" counts returnees).
"""

from __future__ import annotations

import re
import sys
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from humstats.errors import ConfigError
from humstats.schema import Indicator

VOCABULARY_PATH = Path(__file__).with_name("vocabulary.toml")


@dataclass(frozen=True, eq=False)
class Vocabulary:
    """The extraction vocabulary, compiled once.

    Compared and hashed by identity (``eq=False``): compiled patterns are cached per
    vocabulary object, and hashing a thousand phrases on every document would cost more than
    the rules themselves. ``load_vocabulary`` returns the same object for the same path.
    """

    nouns: tuple[tuple[str, tuple[str, ...]], ...]
    verbs: tuple[tuple[str, tuple[str, ...]], ...]
    before: tuple[tuple[str, tuple[str, ...]], ...]
    things: tuple[str, ...]
    people: tuple[str, ...]
    breakdowns: tuple[str, ...]
    not_before: tuple[str, ...]
    not_after: tuple[str, ...]
    qualifiers: tuple[tuple[str, tuple[str, ...]], ...]
    approx_after: tuple[str, ...]
    nowhere: tuple[str, ...]
    organisations: tuple[tuple[str, tuple[str, ...]], ...] = ()
    around: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = ()
    """Per indicator, frames split where the count stands: (before it, after it) as regex
    fragments ("claimed 27 lives")."""
    where: tuple[str, ...] = ()
    """Frames of classes that say where people stay (``where = true``), not what happened."""
    diseases: tuple[str, ...] = ()
    """Illnesses people catch: "cases of cholera" counts people, "cases of looting" does not."""


def _phrases(table: dict, key: str, where: str) -> tuple[str, ...]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"vocabulary {where}.{key} must be a list of strings")
    for phrase in value:
        try:
            re.compile(phrase)
        except re.error as error:
            problem = f"vocabulary {where}.{key}: bad pattern {phrase!r}: {error}"
            raise ConfigError(problem) from error
    return tuple(sorted(set(value), key=lambda p: (-len(p), p)))


_GAP = r"(?:\s+[\w'’-]+){0,3}?"
"""``~`` in a lemma frame: up to three words, the modifiers and objects prose inserts
("claimed the lives of", "driven some 135,000 people from their homes")."""


def _inflections(lemma: str) -> set[str]:
    """Regular English forms of a verb or noun lemma: succumb → succumbs, succumbed,
    succumbing; die → dies, died, dying; rely → relies, relied; grip → gripped; push →
    pushes. Only forms English has: each one more costs every cue search."""
    if lemma.endswith("ie"):
        return {lemma, f"{lemma}s", f"{lemma}d", f"{lemma[:-2]}ying"}
    if lemma.endswith("ee"):
        return {lemma, f"{lemma}s", f"{lemma}d", f"{lemma}ing"}
    if lemma.endswith("e"):
        return {lemma, f"{lemma}s", f"{lemma}d", f"{lemma[:-1]}ing"}
    if len(lemma) > 2 and lemma[-1] == "y" and lemma[-2] not in "aeiou":
        return {lemma, f"{lemma[:-1]}ies", f"{lemma[:-1]}ied", f"{lemma}ing"}
    plural = f"{lemma}es" if lemma.endswith(("s", "x", "z", "ch", "sh", "o")) else f"{lemma}s"
    forms = {lemma, plural, f"{lemma}ed", f"{lemma}ing"}
    if (
        len(lemma) > 2
        and lemma[-1] not in "aeiouwxy"
        and lemma[-2] in "aeiou"
        and lemma[-3] not in "aeiou"
    ):
        forms |= {f"{lemma}{lemma[-1]}ed", f"{lemma}{lemma[-1]}ing"}
    return forms


def _common_prefix(words: set[str]) -> str:
    first, last = min(words), max(words)
    length = 0
    while length < min(len(first), len(last)) and first[length] == last[length]:
        length += 1
    return first[:length]


def expand_lemmas(frame: str) -> str:
    """A lemma frame as a regex fragment: ``word+`` is any regular form of ``word``,
    ``a/b`` alternatives (irregular forms: ``drive+/driven/drove``), ``~`` a gap of up to
    three words. "claim+ ~ lives" matches "claimed the lives", "claims 41 lives"."""
    parts = []
    for word in frame.split():
        if word == "~":
            parts.append(_GAP)
            continue
        forms: set[str] = set()
        for alternative in word.split("/"):
            if alternative.endswith("+"):
                forms |= _inflections(alternative[:-1])
            else:
                forms.add(alternative)
        prefix = _common_prefix(forms)
        rests = sorted((f[len(prefix) :] for f in forms), key=lambda f: (-len(f), f))
        group = f"{prefix}(?:{'|'.join(rests)})" if len(forms) > 1 else prefix
        parts.append(rf"\s+{group}" if parts else group)
    return "".join(parts)


def _around(frame: str, where: str) -> tuple[str, str]:
    """An "around" frame ("claim+ | lives") as the fragments before and after the count."""
    before, bar, after = frame.partition("|")
    if not bar or not before.strip() or not after.strip():
        raise ConfigError(f"vocabulary {where}: {frame!r} needs words on both sides of '|'")
    return expand_lemmas(before.strip()), expand_lemmas(after.strip())


def _with_classes(indicators: dict, classes: dict, path: Path) -> dict:
    """The indicators' tables with each semantic class's frames added to its indicator's
    ``lemmas`` and ``around`` (``[classes.death] indicator = "killed"``)."""
    merged = {name: dict(table) for name, table in indicators.items()}
    for name, table in classes.items():
        indicator = table.get("indicator")
        if not isinstance(table, dict) or not isinstance(indicator, str):
            raise ConfigError(f"vocabulary {path}: classes.{name} needs an indicator")
        target = merged.setdefault(indicator, {})
        if table.get("where"):
            target["where"] = [*target.get("where", []), *table.get("lemmas", [])]
        for key in ("lemmas", "around", "before"):
            _phrases(table, key, f"classes.{name}")  # checked: a list of strings
            target[key] = [*target.get(key, []), *table.get(key, [])]
    return merged


@cache
def load_vocabulary(path: Path = VOCABULARY_PATH) -> Vocabulary:
    """Read and check a vocabulary file; unknown indicators are a configuration error."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"cannot read vocabulary {path}: {error}") from error
    indicators = _with_classes(data.get("indicators", {}), data.get("classes", {}), path)
    known = {member.value for member in Indicator}
    if unknown := sorted(set(indicators) - known):
        raise ConfigError(f"vocabulary {path}: unknown indicators {', '.join(unknown)}")

    def per_indicator(key: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
        return tuple(
            (name, _phrases(table, key, f"indicators.{name}")) for name, table in indicators.items()
        )

    def verbs_and_lemmas() -> tuple[tuple[str, tuple[str, ...]], ...]:
        groups = []
        for name, table in indicators.items():
            where = f"indicators.{name}"
            frames = tuple(expand_lemmas(p) for p in _phrases(table, "lemmas", where))
            groups.append(
                (name, _phrases({"verbs": [*table.get("verbs", []), *frames]}, "verbs", where))
            )
        return tuple(groups)

    qualifiers = data.get("qualifiers", {})
    return Vocabulary(
        nouns=per_indicator("nouns"),
        verbs=verbs_and_lemmas(),
        before=per_indicator("before"),
        things=_phrases(data.get("things", {}), "nouns", "things"),
        people=_phrases(data.get("people", {}), "nouns", "people"),
        breakdowns=_phrases(data.get("breakdowns", {}), "groups", "breakdowns"),
        not_before=_phrases(data.get("not_counts", {}), "before", "not_counts"),
        not_after=_phrases(data.get("not_counts", {}), "after", "not_counts"),
        qualifiers=tuple(
            (name, _phrases(qualifiers, name, "qualifiers"))
            for name in ("at_least", "at_most", "approx")
        ),
        approx_after=_phrases(qualifiers, "approx_after", "qualifiers"),
        nowhere=_phrases(data.get("places", {}), "nowhere", "places"),
        diseases=_phrases(data.get("diseases", {}), "names", "diseases"),
        organisations=tuple(
            (short, _phrases(data["organisations"], short, "organisations"))
            for short in data.get("organisations", {})
        ),
        where=tuple(
            expand_lemmas(frame)
            for table in indicators.values()
            for frame in _phrases(table, "where", "classes")
        ),
        around=tuple(
            (
                name,
                tuple(
                    _around(frame, f"indicators.{name}.around")
                    for frame in _phrases(table, "around", f"indicators.{name}")
                ),
            )
            for name, table in indicators.items()
            if table.get("around")
        ),
    )


@dataclass(frozen=True)
class Cue:
    """The words that made a number a figure: which indicator, where, and how strong."""

    indicator: Indicator
    start: int
    end: int
    kind: str  # "noun"/"verb" after the number; "before"/"near" (a noun or verb) before it
    distance: int


def alternation(phrases: Iterable[str]) -> str:
    """One regex alternation of ``phrases``, factored by leading letters, longest phrase first.

    Python's regex engine tries alternatives one by one at every position; with hundreds of
    cue phrases that dominates extraction time. Grouping by literal leading letters (three
    levels: "f" → "fl" → "fle") lets a position fail after a few comparisons instead of
    hundreds, and lemma frames add many forms under the same letters.
    """
    return _factored(set(phrases), _FACTOR_DEPTH)


def bounded_alternation(phrases: Iterable[str]) -> str:
    """``\\b(?:alternation(phrases))``, written where every phrase opens with a letter so that
    each checks the word boundary after that letter, in a look-behind ("w(?<=\\bw)orldwide"):
    a pattern that opens with a branch of letters lets the regex engine skip to them at C
    speed, where one opening with ``\\b`` is tried at every position. Same matches. A phrase
    opening otherwise ("(?:in|during) ...") would make the engine try every position and
    every branch: such lists keep the plain form."""
    phrases = set(phrases)
    if not all(p[:1].isalpha() and p[:1].isascii() and p[1:2] not in _QUANTIFIERS for p in phrases):
        return rf"\b(?:{alternation(phrases)})"
    return _factored(phrases, _FACTOR_DEPTH, bounded=True)


_FACTOR_DEPTH = 3
_QUANTIFIERS = frozenset("?*+{")


def _factored(phrases: set[str], depth: int, bounded: bool = False) -> str:
    groups: dict[str, set[str]] = {}
    others: list[str] = []
    for phrase in phrases:
        first = phrase[:1]
        if depth and first.isalpha() and first.isascii() and phrase[1:2] not in _QUANTIFIERS:
            groups.setdefault(first.lower(), set()).add(phrase[1:])
        else:
            others.append(phrase)
    parts = []
    for letter, rests in sorted(groups.items()):
        opening = f"{letter}(?<=\\b{letter})" if bounded else letter
        if len(rests) == 1:
            parts.append(opening + next(iter(rests)))
            continue
        inner = _factored(rests, depth - 1) if depth > 1 else "|".join(sorted(rests, key=_priority))
        parts.append(f"{opening}(?:{inner})")
    others.sort(key=_priority)
    firsts = [_first_letters(phrase) for phrase in others]
    if others and all(firsts):
        # phrases opening with a group of words ("(?:gone|went|go)\s+back"), tried after the
        # letters' branches as before, behind one look at the letter they may open with: the
        # engine skips the lot at most positions instead of trying every word of each group
        letters = "".join(sorted(set("".join(f for f in firsts if f))))
        parts.append(f"(?=[{letters}])(?:{'|'.join(others)})")
    else:
        parts.extend(others)
    return "|".join(parts)


def _first_letters(phrase: str) -> str | None:
    """The letters a phrase of the form "(?:word|word...)rest" may open with, each
    word opening with a letter; None for any other form."""
    if not phrase.startswith("(?:"):
        return None
    depth, close, bars = 0, -1, [2]
    i = 0
    while i < len(phrase):
        char = phrase[i]
        if char == "\\":
            i += 2
            continue
        if char == "[":
            return None  # a character set could hide a bracket or a bar: not read here
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth == 0:
                close = i
                break
        elif char == "|" and depth == 1:
            bars.append(i)
        i += 1
    if close < 0:
        return None
    openings = [phrase[at + 1 : at + 3] for at in bars]
    if all(o[:1].isascii() and o[:1].isalpha() and o[1:2] not in _QUANTIFIERS for o in openings):
        return "".join(sorted({o[0] for o in openings}))
    return None


_WORD_BREAK = re.compile(r" |\\s")


def _priority(phrase: str) -> tuple[int, int, str]:
    """Phrases of more words first, then longer ones: the engine takes the first alternative
    that matches, and a lemma's forms ("fle(?:eing|ed|d|...)") must not shadow a longer
    phrase of its word ("fled abroad")."""
    return (-len(_WORD_BREAK.findall(phrase)), -len(phrase), phrase)


def _alternation(groups: tuple[tuple[str, tuple[str, ...]], ...], tag: str) -> str:
    return "|".join(
        f"(?P<{name}__{tag}>{'|'.join(phrases)})" for name, phrases in groups if phrases
    )


def _classes(
    *tagged: tuple[tuple[tuple[str, tuple[str, ...]], ...], str],
) -> tuple[str, tuple[tuple[re.Pattern[str], Indicator, str], ...]]:
    """One alternation of every phrase, longest first, and how to tell a match's class.

    Python's regex alternation takes the first alternative that matches, not the longest:
    "fled abroad" (refugees) must be tried before "fled" (displaced) whatever their indicator.
    """
    phrases = {phrase for groups, _ in tagged for _, group in groups for phrase in group}
    classes = tuple(
        (re.compile(phrase, re.I), Indicator(name), tag)
        for groups, tag in tagged
        for name, group in groups
        for phrase in group
    )
    return alternation(phrases), classes


_BACK_REFERENCE = re.compile(r"\\[1-9]|\(\?P=")


def _which(classes: tuple[tuple[re.Pattern[str], Indicator, str], ...]) -> re.Pattern[str] | None:
    """One pattern whose matching group names the first of ``classes`` that matches a whole
    phrase: a phrase new to ``Patterns.classify`` is classed in one match rather than one per
    phrase of the vocabulary (600 of them). None where the phrases cannot be joined so (a
    back-reference would count its groups anew)."""
    if any(_BACK_REFERENCE.search(pattern.pattern) for pattern, _, _ in classes):
        return None
    try:
        return re.compile(
            "|".join(f"(?P<c{i}>{pattern.pattern})" for i, (pattern, _, _) in enumerate(classes)),
            re.I,
        )
    except re.error:  # a user's phrase with group names of its own
        return None


_LOWERED: dict[int, tuple[str, str | None]] = {}
_LOWERED_KEPT = 16
_last: tuple[str, str | None] = ("", "")
"""The text ``lowered`` answered for last: most calls ask for it again."""


def lowered(text: str) -> str | None:
    """``text`` lower-cased, where a ``Folded`` pattern's case-sensitive twin reads it as the
    case-insensitive pattern reads ``text`` (offsets kept); None where a character's case
    changes its length ("İ") or ``re`` folds it to an ASCII letter that lower-casing leaves
    apart ("ı" to "i", "ſ" to "s"). Lower-casing keeps every other character in its class
    (word, space, digit: ``tests/extract/test_indicators.py`` checks all of Unicode).
    Remembered for the last few texts (by identity): a document and its masked copies are
    read by many patterns."""
    global _last
    if _last[0] is text:
        return _last[1]
    found = _LOWERED.get(id(text))
    if found is not None and found[0] is text:
        _last = found
        return found[1]
    low: str | None = text.lower()
    if len(low) != len(text) or (not text.isascii() and ("ı" in text or "ſ" in text)):
        low = None
    if len(_LOWERED) >= _LOWERED_KEPT:
        _LOWERED.clear()
    _LOWERED[id(text)] = _last = (text, low)
    return low


_CASELESS_ESCAPES = frozenset("sSdDwWbBAZntrfva")
"""Escapes whose meaning no case changes; any other escaped letter ("\\x41", "\\N{...}")
keeps a pattern case-insensitive."""


def _lower_source(pattern: str) -> str | None:
    """A case-insensitive pattern's source for lower-cased text: its letters lower-cased,
    escapes and group names kept; None where that could change what it matches (inline
    flags, escaped letters, ranges of letters not of one case, non-ASCII letters)."""
    out: list[str] = []
    i = 0
    opened = -1  # where the character set being read starts its members, else -1
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            escaped = pattern[i + 1 : i + 2]
            if escaped.isalnum() and escaped not in _CASELESS_ESCAPES:
                return None
            out.append(pattern[i : i + 2])
            i += 2
            continue
        if opened < 0:
            if pattern.startswith(("(?P<", "(?P="), i):
                name_end = pattern.find(">" if pattern[i + 3] == "<" else ")", i)
                out.append(pattern[i : name_end + 1])  # a group's name keeps its case
                i = name_end + 1
                continue
            if pattern.startswith("(?", i) and not pattern.startswith(
                ("(?:", "(?=", "(?!", "(?<=", "(?<!"), i
            ):
                return None
            if char == "[":
                opened = i + 2 if pattern.startswith("[^", i) else i + 1
        elif char == "]" and i > opened:
            opened = -1
        elif char == "-" and i > opened and pattern[i + 1 : i + 2] not in ("]", ""):
            ends = pattern[i - 1] + pattern[i + 1]
            if any(c.isalpha() for c in ends) and not (
                ends.isascii() and ends.isalpha() and (ends.islower() or ends.isupper())
            ):
                return None
        if not char.isascii() and (char.lower() != char or char.upper() != char):
            return None  # "é": re.IGNORECASE has folds of its own for some ("µ", "μ")
        out.append(char.lower())
        i += 1
    return "".join(out)


@dataclass(frozen=True)
class Folded:
    """A case-insensitive pattern run as a case-sensitive one on lower-cased text.

    Python's regex engine compares case-insensitively one character at a time and cannot
    skip an alternative by its first letter: the vocabulary's alternations of hundreds of
    phrases run three to five times faster case-sensitively. Matches hold the same offsets
    (``lowered`` keeps them) but their text is lower-cased: read a match's words from the
    text, or only to classify them. Where ``lowered`` or ``_lower_source`` cannot vouch for
    the same matches, the case-insensitive pattern runs on the text as it is.
    """

    ignoring: re.Pattern[str]
    sensitive: re.Pattern[str] | None
    words: tuple[str, ...] | None = None
    """Lower-cased words one of which every match holds, where known: ``finditer`` passes over
    a span of lower-cased text that holds none (``str.find`` runs at C speed; a pattern
    opening with a word boundary is tried at every position)."""

    any_word: re.Pattern[str] | None = field(default=None, init=False, repr=False, compare=False)
    """``words`` as one alternation: one search tells whether a span holds any of them."""

    def __post_init__(self) -> None:
        if self.words:
            any_word = re.compile("|".join(map(re.escape, self.words)))
            object.__setattr__(self, "any_word", any_word)  # frozen: set once, here

    @classmethod
    def compile(cls, pattern: str, words: tuple[str, ...] | None = None) -> Folded:
        ignoring = re.compile(pattern, re.I)
        source = _lower_source(pattern)
        try:
            sensitive = re.compile(source) if source is not None else None
        except re.error:
            sensitive = None
        return cls(ignoring, sensitive, words)

    @property
    def pattern(self) -> str:
        return self.ignoring.pattern

    def on(self, text: str) -> tuple[re.Pattern[str], str]:
        """The pattern to run and the string to run it on, for ``text``."""
        if self.sensitive is not None:
            low = _last[1] if _last[0] is text else lowered(text)
            if low is not None:
                return self.sensitive, low
        return self.ignoring, text

    # The methods below repeat ``on`` inline: they run some 70 times per article, and a
    # call and a tuple cost more than most of their searches.

    def search(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        if self.sensitive is not None:
            low = _last[1] if _last[0] is text else lowered(text)
            if low is not None:
                if self.words is not None and self._wordless(low, pos, endpos):
                    return None
                return self.sensitive.search(low, pos, endpos)
        return self.ignoring.search(text, pos, endpos)

    def match(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        if self.sensitive is not None:
            low = _last[1] if _last[0] is text else lowered(text)
            if low is not None:
                return self.sensitive.match(low, pos, endpos)
        return self.ignoring.match(text, pos, endpos)

    def fullmatch(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        pattern, string = self.on(text)
        return pattern.fullmatch(string, pos, endpos)

    def finditer(
        self, text: str, pos: int = 0, endpos: int = sys.maxsize
    ) -> Iterator[re.Match[str]]:
        if self.sensitive is not None:
            low = _last[1] if _last[0] is text else lowered(text)
            if low is not None:
                if self.words is not None and self._wordless(low, pos, endpos):
                    return iter(())
                return self.sensitive.finditer(low, pos, endpos)
        return self.ignoring.finditer(text, pos, endpos)

    def _wordless(self, low: str, pos: int, endpos: int) -> bool:
        """Whether ``low[pos:endpos]`` (lower-cased) holds none of ``words``: no match there."""
        return self.any_word is None or self.any_word.search(low, pos, endpos) is None


_NEVER = "(?!x)x"
"""A group that never matches: a pattern keeps the group names of the one it stands for."""


@dataclass(frozen=True)
class Head:
    """What may stand right after a number: one match with the groups ``people``, ``thing``
    and ``function`` (listed words, read case-blind), ``word`` (a lower-case word) and
    ``proper`` (a capitalised one), tried in this order after any blanks (``whole``).

    Read by case, the last two keep ``whole`` from running on lower-cased text as a
    ``Folded`` twin does, and case-blind branches are tried letter by letter. Where every
    listed phrase opens with a letter, a match of the listed words can only start after all
    the blanks, where the word groups would be tried after them: the listed words then run
    as a ``Folded`` pattern (``listed``) and the word groups only where it fails
    (``cased``), with the same match.
    """

    whole: re.Pattern[str]
    listed: Folded | None = None
    cased: re.Pattern[str] | None = None

    @classmethod
    def compile(cls, people: Iterable[str], things: Iterable[str]) -> Head:
        people, things = tuple(people), tuple(things)
        listed = (
            rf"(?P<people>{alternation(people)})|(?P<thing>{alternation(things)})"
            rf"|(?P<function>{_FUNCTION_WORDS})"
        )
        whole = re.compile(
            rf"\s*(?:{listed}|(?P<word>(?-i:[a-z][\w'-]*))|(?P<proper>(?-i:[A-Z][\w'’-]*)))\b",
            re.I,
        )
        if not (people and things and all(map(_opens_with_letter, people + things))):
            return cls(whole)
        return cls(
            whole,
            Folded.compile(rf"\s*(?:{listed}|(?P<word>{_NEVER})|(?P<proper>{_NEVER}))\b"),
            re.compile(
                rf"\s*(?:(?P<people>{_NEVER})|(?P<thing>{_NEVER})|(?P<function>{_NEVER})"
                rf"|(?P<word>[a-z][\w'-]*)|(?P<proper>[A-Z][\w'’-]*))\b"
            ),
        )

    def match(self, text: str, pos: int = 0, endpos: int = sys.maxsize) -> re.Match[str] | None:
        if self.listed is None or self.cased is None:
            return self.whole.match(text, pos, endpos)
        return self.listed.match(text, pos, endpos) or self.cased.match(text, pos, endpos)


def _opens_with_letter(phrase: str) -> bool:
    """Whether every match of a phrase opens with a letter: it opens with one (not made
    optional), or is a group of words that each do ("(?:gone|went|go)\\s+back"), and has no
    alternative of its own outside brackets."""
    if _first_letters(phrase) is None and not (
        phrase[:1].isascii() and phrase[:1].isalpha() and phrase[1:2] not in _QUANTIFIERS
    ):
        return False
    depth = 0
    i = 0
    while i < len(phrase):
        char = phrase[i]
        if char == "\\":
            i += 1
        elif char == "[":  # a set's brackets and bars are its members: read past it
            i += 2 if phrase.startswith("[^", i) else 1
            i += phrase[i : i + 1] == "]"
            while i < len(phrase) and phrase[i] != "]":
                i += 2 if phrase[i] == "\\" else 1
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            return False
        i += 1
    return True


_SYNTAX = frozenset("\\.^$*+?{}[]()|")


def _plain_words(phrases: Iterable[str]) -> tuple[str, ...] | None:
    """The phrases lower-cased, where each is plain words without regex syntax (as the
    ``Folded`` pattern of their alternation reads them in lower-cased text); else None."""
    phrases = tuple(phrases)
    if any(_SYNTAX.intersection(phrase) for phrase in phrases):
        return None
    return tuple(phrase.lower() for phrase in phrases)


@dataclass(frozen=True)
class Patterns:
    """The vocabulary compiled into the few regular expressions the rules run."""

    after: Folded
    after_classes: tuple[tuple[re.Pattern[str], Indicator, str], ...]
    before: Folded
    before_classes: tuple[tuple[re.Pattern[str], Indicator, str], ...]
    verb_after_noun: re.Pattern[str]
    head: Head
    not_before: tuple[str, ...]
    """Phrases ending right before a number that make it no count, as " phrase" suffixes."""
    not_after: Folded
    nowhere: Folded
    where: re.Pattern[str] | None = None
    """A cue that says where people stay ("living in 33 camps"): it does not override a status
    noun before it."""
    around_before: Folded | None = None
    """Any first half of an "around" frame, ending where a count may stand (up to two words
    later): one search tells whether a count may stand inside a frame at all."""
    around: tuple[tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str], Indicator], ...] = ()
    """Each "around" frame: its words before the count, after it (with up to three words
    between, and right after), and its indicator."""
    group: re.Pattern[str] | None = None
    """A demographic group right after a count ("607 men", "21,300 children")."""
    disease: re.Pattern[str] | None = None
    """An illness named after "cases of", up to two modifiers first ("acute watery
    diarrhoea", "suspected cholera")."""
    after_which: re.Pattern[str] | None = None
    """``after_classes`` as one pattern (``_which``)."""
    before_which: re.Pattern[str] | None = None
    """``before_classes`` as one pattern (``_which``)."""
    known: dict[tuple[str, bool], tuple[Indicator, str]] = field(
        default_factory=dict, compare=False, hash=False
    )

    def classify(self, phrase: str, before: bool) -> tuple[Indicator, str]:
        """The indicator and kind of a matched cue phrase (memoised: phrases repeat)."""
        key = (phrase.lower(), before)
        found = self.known.get(key)
        if found is None:
            classes = self.before_classes if before else self.after_classes
            which = self.before_which if before else self.after_which
            match = which.fullmatch(phrase) if which is not None else None
            if match is not None and match.lastgroup is not None:
                _, indicator, kind = classes[int(match.lastgroup[1:])]
                found = (indicator, kind)
            else:
                found = next((i, k) for pattern, i, k in classes if pattern.fullmatch(phrase))
            self.known[key] = found
        return found


_AUX = r"(?:have|has|had|were|was|are|is|been|being|also|still|now|reportedly|already|all)"
_FUNCTION_WORDS = (
    r"(?:are|were|was|is|have|has|had|been|be|will|would|could|may|might|in|on|at|of|to|for|"
    r"from|by|with|and|or|but|who|which|that|this|these|those|the|a|an|as|across|since|"
    r"during|after|before|into|than|more|still|now|so|while|including|among|remain|remained"
    r"|remains|need|needs|require|face|faced|facing|live|living|fled|left|had|said|say|says)"
)


@cache
def compile_patterns(vocabulary: Vocabulary) -> Patterns:
    after, after_classes = _classes((vocabulary.nouns, "noun"), (vocabulary.verbs, "verb"))
    verbs = alternation(p for _, phrases in vocabulary.verbs for p in phrases)
    near_groups = tuple(
        (name, tuple(sorted({*verbs_, *nouns} - set(before), key=lambda p: (-len(p), p))))
        for (name, before), (_, verbs_), (_, nouns) in zip(
            vocabulary.before, vocabulary.verbs, vocabulary.nouns, strict=True
        )
    )
    backward, before_classes = _classes((vocabulary.before, "before"), (near_groups, "near"))
    frames = [(Indicator(name), a, b) for name, pairs in vocabulary.around for a, b in pairs]
    return Patterns(
        where=re.compile(alternation(vocabulary.where), re.I) if vocabulary.where else None,
        group=re.compile(rf"\s+(?:{alternation(vocabulary.breakdowns)})\b", re.I)
        if vocabulary.breakdowns
        else None,
        disease=re.compile(
            rf"\s+(?:[\w-]+\s+){{0,2}}?(?:{alternation(vocabulary.diseases)})\b", re.I
        )
        if vocabulary.diseases
        else None,
        around_before=Folded.compile(
            rf"(?:{bounded_alternation({before for _, before, _ in frames})})"
            rf"(?:\s+[\w'’-]+){{0,2}}\s*$"
        )
        if frames
        else None,
        around=tuple(
            (
                re.compile(rf"\b{before}(?:\s+[\w'’-]+){{0,2}}\s*$", re.I),
                re.compile(rf"(?:\s+[\w'’-]+){{0,3}}?\s+{after}\b", re.I),
                re.compile(rf"\s+{after}\b", re.I),
                indicator,
            )
            for indicator, before, after in frames
        ),
        after=Folded.compile(rf"\b(?:{after})\b"),
        after_classes=after_classes,
        after_which=_which(after_classes),
        before=Folded.compile(rf"\b(?:{backward})\b"),
        before_classes=before_classes,
        before_which=_which(before_classes),
        verb_after_noun=re.compile(
            rf"^(?:\s+(?:{_AUX}|(?-i:[A-Z])[\w'’-]*|people|who|that))*\s+(?P<verb>{verbs})\b", re.I
        ),
        head=Head.compile(vocabulary.people, vocabulary.things),
        not_before=tuple(f" {phrase.lower()}" for phrase in vocabulary.not_before),
        not_after=Folded.compile(
            # a line break ends a "Label: value" line: the next line's words are not its own;
            # "(?:[^\S\n]*,)?[^\S\n]+" is "[^\S\n]*,?[^\S\n]+" without its quadratic backtracking
            # through the blanked asides of a masked text
            rf"[^\w\n]*(?:[\w'-]+(?:[^\S\n]*,)?[^\S\n]+){{0,3}}?"
            rf"(?:{alternation(vocabulary.not_after)})\b"
        ),
        nowhere=Folded.compile(
            rf"(?:{bounded_alternation(vocabulary.nowhere)})\b", _plain_words(vocabulary.nowhere)
        ),
    )


_REPORTS_OF_PEOPLE = re.compile(
    r"(?:cases|reports)\s+of\s+(?:people|persons|civilians|children|women|men)\b", re.I
)

_BACK_WINDOW = 150
"""Characters before a number read for a cue: the longest cue phrase (about 50) plus the reach
a cue before a number is accepted at (``classification._B_REACH_LONG``)."""

_STATUS = frozenset({Indicator.REFUGEES, Indicator.RETURNEES, Indicator.DISPLACED})
"""Nouns that name a status ("refugees", "returnees", "IDPs"), not only who was counted."""

_JOINED = re.compile(r"\b(?:and|or|but|while|whereas)\b|[,;]", re.I)
_JOINED_PENALTY = 20
_SPEAKS = re.compile(r"\s+(?:said|say|says|told|reported|added)\b", re.I)
_OWN_PREDICATE = re.compile(
    r"\s+(?:[a-z]+\s+){0,2}?(?:are|were|is|was|have been|has been|had been|remain|remained|"
    r"face|faced|facing|now)\s+(?:\w+\s+)?",
    re.I,
)
"""Between a number and its verb: "1.3 million peoples are (now) in need" is a clause of its
own, so a cue before the number across "and" or a comma belongs to the clause before."""
"""A verb or noun before a number, across "and" or a comma, likely belongs to another number."""
_PEOPLE_NOUN = re.compile(r"\s+(?:people|persons|individuals|civilians|others)\s+", re.I)
"""Between a count and its participle: the people counted ("268 people killed")."""
_PASSIVE_BEFORE = re.compile(r"\b(?:been|were|was|are|is|be)\s+$")
"""Before a word that is a noun and a participle ("affected"): a passive, so a verb."""
_CLAUSE_END = re.compile(r"[,;:.]|\b(?:and|but|while|who|which|that)\b", re.I)
_COMPLEMENT = re.compile(r"\bthat\b", re.I)
"""Between a cue and a number: the cue is a verb of saying or finding whose object is a clause."""
_NOT_HEAD = re.compile(
    r"\b(?:and|or|but|were|was|are|is|have|has|had|been|in|on|at|of|to|for|with|by|from|who|"
    r"that|which|people)\b",
    re.I,
)


def find_cue(
    patterns: Patterns, text: str, start: int, end: int, lower: int, upper: int
) -> Cue | None:
    """The nearest indicator cue for the number at ``text[start:end]``.

    ``lower``/``upper`` bound the search: the end of the previous number and the start of the
    next one (or the clause's ends), so a cue never belongs to a neighbouring number.
    """
    around = around_cue(patterns, text, start, end, lower, upper)
    if around is not None:
        return around
    found: list[Cue] = []
    forward = patterns.after.search(text, end, upper)
    if forward is not None and _REPORTS_OF_PEOPLE.match(text, forward.start()):
        # "222 new cases of people who went missing": what happened to the people says
        forward = patterns.after.search(text, forward.end(), upper) or forward
    head_noun = False
    if forward is not None:
        indicator, kind = patterns.classify(forward.group(), before=False)
        noun = kind == "noun"
        if noun:
            verb = patterns.verb_after_noun.match(text[forward.end() : upper])
            if verb is not None:
                override = patterns.after.match(text, forward.end() + verb.start("verb"), upper)
                if override is not None:
                    then, how = patterns.classify(override.group(), before=False)
                    # a status noun beats a verb of flight or shelter after it: "refugees
                    # living in 33 camps"; not a verb of another move ("refugees have returned")
                    stays = patterns.where is not None and patterns.where.fullmatch(
                        override.group()
                    )
                    if not (indicator in _STATUS and stays):
                        indicator, kind = then, how
        if kind == "noun" and indicator is Indicator.POPULATION:
            # "300 residents of villages near Chernihiv had been evacuated": who they are,
            # not what happened to them; a verb later in the clause says that
            event = next(
                (
                    (i, k, match)
                    for match in patterns.after.finditer(text, forward.end(), upper)
                    for i, k in [patterns.classify(match.group(), before=False)]
                    if i is not Indicator.POPULATION
                    and (
                        k == "verb"
                        or _PASSIVE_BEFORE.search(text, match.start() - 6, match.start())
                    )
                ),
                None,
            )
            if event is not None and not _CLAUSE_END.search(text, forward.end(), event[2].start()):
                indicator, kind, forward = event
        found.append(Cue(indicator, forward.start(), forward.end(), kind, forward.start() - end))
        head_noun = (
            kind == "noun"
            and forward.start() - end <= 20
            and not _NOT_HEAD.search(text, end, forward.start())
        )
    if head_noun and found[0].indicator is not Indicator.POPULATION:
        return found[0]
    window = text[lower:start]
    backward = None
    # a cue further back than this is out of reach (classification's reach limits): not read
    reach = max(0, len(window) - _BACK_WINDOW)
    before, folded = patterns.before.on(text)  # the window of the lower-cased text, if read
    for backward in before.finditer(folded[lower:start], reach):  # noqa: B007 - nearest is last
        pass
    if backward is not None and _SPEAKS.match(window, backward.end()):
        backward = None  # "residents said, a week after 12 fishermen ...": the speakers
    if backward is not None and found and _COMPLEMENT.search(window, backward.end()):
        # "confirmed that 52 people have died": the number opens a clause of its own, whose
        # predicate says what it counts; the verb before only reports it
        backward = None
    if backward is not None:
        indicator, kind = patterns.classify(backward.group(), before=True)
        distance = len(window) - backward.end()
        joined = _JOINED.search(window, backward.end())
        if kind == "near" and joined:
            distance += _JOINED_PENALTY  # "had died and 4,100 had been injured"
        if (
            joined
            and found
            and found[0].kind == "verb"
            and _OWN_PREDICATE.fullmatch(text, end, found[0].start)
        ):
            return found[0]  # "were displaced, and 1.3 million people are in need": a new clause
        if joined and found and _PEOPLE_NOUN.fullmatch(text, end, found[0].start):
            return found[0]  # "310,000 people displaced and 268 people killed": its own word
        cue = Cue(indicator, lower + backward.start(), lower + backward.end(), kind, distance + 2)
        if head_noun and (joined or indicator is Indicator.POPULATION):
            return found[0]
        if head_noun:
            return cue  # "took the lives of 11 residents": the event before names the count
        found.append(cue)
    if head_noun:
        return found[0]
    if not found:
        return None
    return min(found, key=lambda cue: cue.distance)


_AROUND_REACH = 40


def around_cue(
    patterns: Patterns,
    text: str,
    start: int,
    end: int,
    lower: int,
    upper: int,
    tight: bool = False,
) -> Cue | None:
    """A frame the count stands inside: "claimed 27 lives", "took 12 others prisoner",
    "drove roughly 13,500 people out of ...": the verb before and its complement after
    (``tight``: right after the count, as in "claimed 27 lives")."""
    if patterns.around_before is None:
        return None
    begin = max(lower, start - _AROUND_REACH)
    if begin >= start or patterns.around_before.search(text, begin, start) is None:
        return None  # most counts: one search
    for before, gapped, right_after, indicator in patterns.around:
        verb = before.search(text, begin, start)
        after = right_after if tight else gapped
        complement = after.match(text, end, upper) if verb is not None else None
        if verb is not None and complement is not None:
            return Cue(indicator, verb.start(), complement.end(), "verb", 0)
    return None
