"""Sentence spans and asides."""

from __future__ import annotations

from humstats.extract.sentences import mask_asides, split_sentences


def sentences(text: str) -> list[str]:
    return [text[a:b] for a, b in split_sentences(text)]


def test_abbreviations_do_not_end_a_sentence() -> None:
    text = "Talks are set for Dec. 7-8 in Doha. The U.N. said 12 people died. Gen. Smith left."
    assert sentences(text) == [
        "Talks are set for Dec. 7-8 in Doha.",
        "The U.N. said 12 people died.",
        "Gen. Smith left.",
    ]


def test_headings_bullets_and_paragraphs_end_sentences() -> None:
    text = (
        "HIGHLIGHTS\n• 6.3 million people displaced within Myanmar as of 4 November 2024 "
        "by the fighting\n• 18.6 million people in need\n\nA new paragraph"
    )
    assert sentences(text) == [
        "HIGHLIGHTS",
        "• 6.3 million people displaced within Myanmar as of 4 November 2024 by the fighting",
        "• 18.6 million people in need",
        "A new paragraph",
    ]


def test_hard_wrapped_prose_runs_on() -> None:
    text = (
        "More than 12,000 people have fled Abu Shouk camp since 1 December, the International\n"
        "Organization for Migration said."
    )
    assert len(sentences(text)) == 1


def test_asides_are_blanked_with_their_offsets_kept() -> None:
    text = "About 2.4 million people — nearly 40% of the population — are in need."
    masked, asides = mask_asides(text, 0, len(text))
    assert len(masked) == len(text)
    assert "40%" not in masked and "are in need" in masked
    assert [text[a:b] for a, b in asides] == [" — nearly 40% of the population —"]
