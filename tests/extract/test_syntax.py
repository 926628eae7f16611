"""The dependency parse: which words each number may read its cue from, and its cache."""

from __future__ import annotations

import pytest

from humstats.extract import syntax

pytestmark = pytest.mark.skipif(not syntax.available(), reason="spaCy or its model missing")

STORMS = "Storms displaced 8,000 people and 46 people died."


def _span(text: str, words: str) -> tuple[int, int]:
    start = text.index(words)
    return start, start + len(words)


def test_coordinated_clauses_are_kept_apart() -> None:
    """8,000 may not read "died"; 46 may not read "displaced"."""
    (doc,) = syntax.parse_texts([STORMS])
    eight, forty_six = syntax.domains(doc, 0, [_span(STORMS, "8,000"), _span(STORMS, "46")])
    assert eight is not None and forty_six is not None
    hidden_from_eight = syntax.blank(STORMS, eight)
    hidden_from_46 = syntax.blank(STORMS, forty_six)
    assert "displaced" in hidden_from_eight and "died" not in hidden_from_eight
    assert "died" in hidden_from_46 and "displaced" not in hidden_from_46


def test_a_sentence_is_parsed_once_and_offsets_are_its_own() -> None:
    text = "Officials said so. " + STORMS
    first = syntax.parse_sentences(text, [_span(text, STORMS)])
    again = syntax.parse_texts([STORMS, STORMS])
    assert first[_span(text, STORMS)] is again[0] is again[1]
    assert again[0].text == STORMS


def test_the_cache_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    """Past ``CACHE_SIZE`` sentences the oldest parse is dropped (and parsed again if met)."""
    monkeypatch.setattr(syntax, "CACHE_SIZE", 2)
    texts = [f"Floods killed {n} people and {n + 1} were missing." for n in range(5)]
    docs = syntax.parse_texts(texts)
    assert [d.text for d in docs] == texts  # all returned, though only two are kept
    assert syntax.parse_texts(texts[-1:])[0] is docs[-1]
    assert syntax.parse_texts(texts[:1])[0] is not docs[0]
