"""The vocabulary file: loading, checking, and extending it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from humstats.errors import ConfigError
from humstats.extract import extract_figures
from humstats.extract.indicators import VOCABULARY_PATH, load_vocabulary
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
