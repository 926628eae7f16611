"""Who a figure is credited to: reporting verbs, bracketed acronyms, speakers for a body."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from humstats.extract import extract_figures
from humstats.readers import Document
from humstats.schema import SourceMeta


def sources(text: str) -> list[str | None]:
    meta = SourceMeta(publisher="Test", published_date=dt.date(2025, 5, 6))
    return extract_figures(Document(text, Path("t.txt"), meta))["attributed_to"].to_list()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a body named after an office, capitalised throughout: not the title's "for" part
        (
            "The National Coordinator for Flood Relief (NCFR) reports 2,100 people homeless.",
            "National Coordinator for Flood Relief (NCFR)",
        ),
        # a name followed by its acronym in brackets
        (
            "The Ministry of Social Affairs (MOSA) said 18,000 people were displaced in Akkar.",
            "Ministry of Social Affairs (MOSA)",
        ),
        (
            "Iraq's Ministry of Migration and Displacement (MoMD) has registered 3,200 returnees.",
            "Iraq's Ministry of Migration and Displacement (MoMD)",
        ),
        (
            "As per the State Disaster Authority (SDA), 44 persons died in the landslide.",
            "State Disaster Authority (SDA)",
        ),
        # "and" between capitalised words is inside the name, or joins two names
        (
            "Floods displaced 4,100 people, the Relief and Resettlement Department said.",
            "Relief and Resettlement Department",
        ),
        (
            "Save the Children and Oxfam said 300 children had died of hunger in Gaza.",
            "Save the Children and Oxfam",
        ),
        # the body a report or figures come from
        (
            "The latest update from the district council, issued on 3 May, listed 2,100 people "
            "displaced by the floods.",
            "district council",
        ),
        (
            "Figures from the Ministry of Health show 40 people died of cholera in Sofala.",
            "Ministry of Health",
        ),
        # typography as published, though the text is read with plain quotes
        (
            "Around 9,000 people fled, the Government’s Relief and Resettlement Department said.",
            "Government’s Relief and Resettlement Department",
        ),
        # more reporting verbs and frames
        ("UNICEF warns that 2.1 million children in Haiti need humanitarian assistance.", "UNICEF"),
        ("Authorities have acknowledged 12 deaths in the crackdown.", "Authorities"),
        (
            "A local youth leader told AFP that gunmen killed at least 27 people in Ituri.",
            "local youth leader",
        ),
        (
            "According to figures from the health ministry, 230 people have been killed.",
            "health ministry",
        ),
        ("According to OCHA's latest situation update, 45,000 people have been displaced.", "OCHA"),
        (
            "Police put the death toll at 112, while Amnesty International said the real number "
            "was far higher.",
            "Police",
        ),
        # a person who speaks for a body: the body
        (
            "About 9,000 people fled Tawila this week, most of them heading to Chad, said Maria "
            "Rossi, a spokeswoman for the International Organization for Migration.",
            "International Organization for Migration (IOM)",
        ),
        (
            "The Taliban government's chief spokesman Zabihullah Mujahid said 1,200 people were "
            "killed.",
            "Taliban government",
        ),
        ("Dr Anna Berg, WHO Regional Director, said 310 people had died of cholera.", "WHO"),
        # a descriptor names the body the text gave before
        (
            "At least 90 civilians were killed in Idlib since Friday, the Syrian Network for Human "
            "Rights said. The UK-based rights monitor said 40 more were injured.",
            "Syrian Network for Human Rights",
        ),
        # data that "indicate" or "show", "per", and what trails or leads the name
        ("The latest IOM data indicate that 703,000 people are displaced in Haiti.", "IOM"),
        ("Per UNHCR, 600,000 refugees are in Chad.", "UNHCR"),
        ("WHO's figures show 1,512 deaths from cholera in Sudan.", "WHO"),
        (
            "According to the latest figures released by the health ministry on Monday, 1,400 "
            "people were injured in Gaza.",
            "health ministry",
        ),
        (
            "Some 2,000 people were displaced, according to a statement from the Norwegian "
            "Refugee Council on Monday.",
            "Norwegian Refugee Council (NRC)",
        ),
        # "it" after a body named only by its kind
        (
            "The ministry reported 14 more cholera deaths in Nampula on Tuesday. It said 2,430 "
            "people had caught the disease there since October.",
            "ministry",
        ),
    ],
)
def test_source_forms(text: str, expected: str) -> None:
    assert sources(text)[-1] == expected


def test_a_speaker_outranks_a_subject_that_only_has_confirmed() -> None:
    text = "Malawi has confirmed 1,015 cholera cases since March, the WHO said on Friday."
    assert sources(text) == ["WHO"]


def test_a_population_is_not_credited_to_the_previous_report() -> None:
    text = (
        "At least 70 people were killed in Khartoum, the health ministry said. The city is "
        "home to about 6 million people."
    )
    assert sources(text) == ["health ministry", None]


def test_a_carried_source_keeps_the_acronym_it_was_given() -> None:
    text = (
        "The UN refugee agency said 3,000 refugees crossed into Chad on Monday. "
        "Another 1,200 arrived on Tuesday."
    )
    assert sources(text) == ["UN refugee agency (UNHCR)"] * 2


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a bracketed other name is kept with the name
        (
            "Airstrikes killed 27 civilians, the Syrian Civil Defence (White Helmets) said.",
            "Syrian Civil Defence (White Helmets)",
        ),
        # the owner of what recorded the count, when that is no body
        ("IOM's flow monitoring points registered 10,400 newly displaced people.", "IOM"),
        # an acronym inside a name bounds no phrase, and "analysis" is no part of the name
        (
            "Some 5.4 million people face acute hunger, the latest Integrated Food Security "
            "Phase Classification (IPC) analysis found.",
            "Integrated Food Security Phase Classification (IPC)",
        ),
        # the speaker frames a count another body recorded
        (
            "Health authorities recorded 105,000 suspected cholera cases, WHO said.",
            "WHO",
        ),
    ],
)
def test_more_source_forms(text: str, expected: str) -> None:
    assert sources(text)[0] == expected


def test_a_representative_of_the_agency_speaks_for_the_body_named_before() -> None:
    text = (
        "UNHCR says 600,000 Sudanese have crossed into Chad. In the past two weeks, 14,000 new "
        "refugees arrived in Adre, the agency's representative in Chad told reporters."
    )
    assert sources(text) == ["UNHCR", "UNHCR"]


def test_another_count_keeps_the_last_named_source_past_a_sentence_between() -> None:
    text = (
        "Attacks have displaced 100,000 people in Cabo Delgado, according to IOM. Of these, "
        "61 per cent are children. Another 13,000 sought refuge in Nampula province."
    )
    assert sources(text) == ["IOM", "IOM"]
