"""The vocabulary file: loading, checking, and extending it."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from humstats.errors import ConfigError
from humstats.extract import extract_figures
from humstats.extract.indicators import (
    VOCABULARY_PATH,
    Folded,
    alternation,
    compile_patterns,
    load_vocabulary,
)
from humstats.readers import Document
from humstats.schema import Indicator, SourceMeta


def test_every_indicator_has_words() -> None:
    vocabulary = load_vocabulary()
    named = {name for name, phrases in vocabulary.verbs if phrases}
    named |= {name for name, phrases in vocabulary.nouns if phrases}
    assert named == {member.value for member in Indicator}


def test_a_user_can_add_a_word(tmp_path: Path) -> None:
    text = "At least 40 villagers were swept away by the flood."
    document = Document(text, Path("t.txt"), SourceMeta(published_date=dt.date(2025, 1, 2)))
    assert extract_figures(document).is_empty()
    extended = tmp_path / "vocabulary.toml"
    extended.write_text(
        VOCABULARY_PATH.read_text(encoding="utf-8").replace(
            'verbs = ["killed", ', 'verbs = ["swept away", "killed", ', 1
        ),
        encoding="utf-8",
    )
    figures = extract_figures(document, vocabulary=load_vocabulary(extended))
    assert figures.select("indicator", "value").rows() == [("killed", 40)]


def test_unknown_indicator_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "vocabulary.toml"
    path.write_text('[indicators.vanished]\nverbs = ["vanished"]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="unknown indicators vanished"):
        load_vocabulary(path)


def test_bad_pattern_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "vocabulary.toml"
    path.write_text('[indicators.killed]\nverbs = ["kill(ed"]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="bad pattern"):
        load_vocabulary(path)


def test_a_user_class_adds_frames_to_its_indicator(tmp_path: Path) -> None:
    """A semantic class lends its lemma frames, and its "around" frames (the count between a
    verb and its complement), to the indicator it names."""
    text = "The blast wiped out 14 villagers in Juba, and the army whisked 30 others to safety."
    document = Document(text, Path("t.txt"), SourceMeta(published_date=dt.date(2025, 1, 2)))
    assert extract_figures(document).is_empty()
    classes = (
        '[classes.wipe]\nindicator = "killed"\nlemmas = ["wipe+ out"]\n'
        '[classes.whisk]\nindicator = "displaced"\naround = ["whisk+ | to safety"]\n'
    )
    extended = tmp_path / "vocabulary.toml"
    extended.write_text(VOCABULARY_PATH.read_text(encoding="utf-8") + classes, encoding="utf-8")
    figures = extract_figures(document, vocabulary=load_vocabulary(extended))
    assert figures.select("indicator", "value").rows() == [("killed", 14), ("displaced", 30)]
    broken = tmp_path / "broken.toml"
    broken.write_text(classes.replace("whisk+ | to safety", "whisk+ to safety"), encoding="utf-8")
    with pytest.raises(ConfigError, match="both sides"):
        load_vocabulary(broken)


def test_a_class_without_an_indicator_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "vocabulary.toml"
    path.write_text('[classes.loss]\nlemmas = ["perish+"]\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"classes\.loss needs an indicator"):
        load_vocabulary(path)


_WORDS = st.text(alphabet="abcdeflst '", min_size=1, max_size=9).map(str.strip).filter(bool)


@given(st.lists(_WORDS, min_size=1, max_size=25), _WORDS)
def test_factored_alternation_matches_what_the_plain_one_does(
    phrases: list[str], text: str
) -> None:
    """Factoring the alternation by leading letters (for speed) changes no match."""
    plain = re.compile(rf"\b(?:{'|'.join(sorted(set(phrases), key=len, reverse=True))})\b", re.I)
    factored = re.compile(rf"\b(?:{alternation(phrases)})\b", re.I)
    for candidate in [text, *phrases, text.upper()]:
        assert bool(plain.fullmatch(candidate)) == bool(factored.fullmatch(candidate))


_GROUPED = st.builds(
    lambda words, rest: f"(?:{'|'.join(words)}){rest}",
    st.lists(_WORDS.filter(lambda w: w[0].isalpha()), min_size=1, max_size=4),
    _WORDS,
)


_GUARD = re.compile(r"\(\?=\[[a-z]+\]\)")


@given(st.lists(_WORDS | _GROUPED, min_size=1, max_size=25), _WORDS, _WORDS)
def test_the_look_ahead_before_grouped_phrases_changes_no_match(
    phrases: list[str], text: str, other: str
) -> None:
    """Phrases opening with a group of words are tried behind a look at their first letters
    (for speed): the same alternation without the look-ahead finds the same matches."""
    pattern = alternation(phrases)
    guarded = re.compile(rf"\b(?:{pattern})\b", re.I)
    unguarded = re.compile(rf"\b(?:{_GUARD.sub('', pattern)})\b", re.I)
    if any(p.startswith("(?:") for p in phrases) and all(
        p[0].isalpha() or p[0] == "(" for p in phrases
    ):
        assert _GUARD.search(pattern)
    for candidate in [text, f"{text} {other}", *phrases, text.upper()]:
        assert [m.span() for m in guarded.finditer(candidate)] == [
            m.span() for m in unguarded.finditer(candidate)
        ]


_CASED_WORDS = st.sampled_from(
    [
        "killed",
        "Killed",
        "KILLED",
        "kılled",
        "\u212aILLED",
        "died",
        "DİED",
        "dıed",
        "displaced",
        "Displaced",
        "ſaid",
        "SAID",
        "in need",
        "In Need",
        "globally",
        "Worldwide",
        "across the Region",
        "were rescued",
        "WERE  RESCUED",
        "Étè",
        "éTÈ",
        "ΟΔΟΣ",
        "people",
        "’",
        "—",
        ",",
        "\n",
        " ",
        "  ",
        "12",
        "IDPs",
        "idps",
        "_",
    ]
)
_CASE_SOURCES = (
    r"\bS\w+",
    r"(?-i:[A-Z])\w*",
    r"[A-Z]+ed\b",
    r"\bi\b",
    r"\x4B\w+",
    r"ét[eè]",
    r"[^\S\n]+K",
    r"(?P<word>said)",
    r"[a-z]+",
    r"(?P<w>\w)(?P=w)",
)


@given(st.lists(_CASED_WORDS, max_size=12).map("".join))
def test_folded_patterns_match_where_case_insensitive_ones_do(text: str) -> None:
    """Lower-cased text under a case-sensitive twin (for speed) changes no match: not for
    characters whose case changes their length or fold ("İ", "ı", "ſ"), nor for patterns
    whose meaning depends on case."""
    patterns = compile_patterns(load_vocabulary())
    folded = [patterns.after, patterns.before, patterns.not_after, patterns.nowhere]
    folded += [Folded.compile(source) for source in _CASE_SOURCES]
    for pattern in folded:
        for pos in range(len(text) + 1):
            got, want = pattern.search(text, pos), pattern.ignoring.search(text, pos)
            assert (got and got.span()) == (want and want.span()), (pattern.pattern, pos)
            got, want = pattern.match(text, pos), pattern.ignoring.match(text, pos)
            assert (got and got.span()) == (want and want.span()), (pattern.pattern, pos)
            for end in (pos + 9, len(text)):  # a span holding none of its words is passed over
                got = [m.span() for m in pattern.finditer(text, pos, end)]
                want = [m.span() for m in pattern.ignoring.finditer(text, pos, end)]
                assert got == want, (pattern.pattern, pos, end)


_HEAD_WORDS = st.sampled_from(
    ["people", "People", "homes", "Homes", "were", "WERE", "displaced", "families", "of", "x"]
)


@given(st.lists(_CASED_WORDS | _HEAD_WORDS, max_size=10).map(" ".join))
def test_the_head_after_a_number_matches_as_its_one_pattern_does(text: str) -> None:
    """The head's listed words run lower-cased and its word groups apart (for speed): the
    same span and groups as the one case-blind pattern with case-read word groups."""
    head = compile_patterns(load_vocabulary()).head
    assert head.listed is not None
    for pos in range(len(text) + 1):
        whole, split = head.whole.match(text, pos), head.match(text, pos)
        assert (whole is None) == (split is None)
        if whole is not None and split is not None:
            assert whole.span() == split.span()
            assert {k: (v or "").lower() for k, v in whole.groupdict().items()} == {
                k: (v or "").lower() for k, v in split.groupdict().items()
            }


def test_a_cue_phrase_takes_the_first_class_that_matches_it_whole() -> None:
    """``classify`` reads a new phrase's class from one joined pattern (for speed): the class
    is the first whose phrase matches, as trying them one by one finds."""
    patterns = dataclasses.replace(compile_patterns(load_vocabulary()), known={})
    for before, classes in ((False, patterns.after_classes), (True, patterns.before_classes)):
        phrases = [p.pattern for p, _, _ in classes if p.fullmatch(p.pattern)]
        assert len(phrases) > 100
        for phrase in phrases + [phrase.title() for phrase in phrases]:
            want = next((i, k) for p, i, k in classes if p.fullmatch(phrase))
            assert patterns.classify(phrase, before) == want, phrase


def test_lower_casing_keeps_every_character_in_its_class() -> None:
    """What ``lowered`` relies on: a character lower-cased to one character stays a word
    character, a space or a digit if it was one (so ``\\w``, ``\\s``, ``\\d`` and ``\\b`` read
    the lower-cased text as they read the text)."""
    changed = [chr(code) for code in range(sys.maxunicode + 1) if chr(code).lower() != chr(code)]
    for char in changed:
        low = char.lower()
        if len(low) == 1:
            assert (char.isalnum(), char.isspace(), char.isdecimal()) == (
                low.isalnum(),
                low.isspace(),
                low.isdecimal(),
            ), char
