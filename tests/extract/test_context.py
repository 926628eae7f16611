"""extract.context: the window a count's words are read from, and the document state."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from humstats.extract.context import bounds, endings, tail
from humstats.extract.indicators import load_vocabulary
from humstats.extract.numbers import Quantity, find_quantities


def counts(text: str) -> list[Quantity]:
    return [q for q in find_quantities(text, load_vocabulary()) if q.is_count]


def test_tail_is_the_last_words_lower_cased_without_quotes() -> None:
    text = 'He said: "Including 300 Children were among them'
    assert tail(text, 0, len(text)) == " including 300 children were among them"
    assert tail(text, 0, len(text)).endswith(endings("among them"))
    assert not tail("Aid workers, among", 0, 18).endswith(endings("ng"))  # whole words only


def test_a_window_ends_at_a_clause_break_or_the_next_count() -> None:
    text = "Clashes killed 27 people; 64 were injured."
    first, second = counts(text)
    assert bounds((0, len(text)), text, [second], first, None) == (0, text.index(";"))
    assert bounds((0, len(text)), text, [first], second, None) == (text.index("64"), len(text))


def test_a_label_colon_does_not_cut_the_number_it_labels_from_its_label() -> None:
    text = "Death toll: 1,234 so far"
    (toll,) = counts(text)
    assert bounds((0, len(text)), text, [], toll, None) == (0, len(text))


@given(
    values=st.lists(st.integers(2, 999_999), min_size=2, max_size=5, unique=True),
    joiner=st.sampled_from([" and ", ", while ", "; ", " — "]),
)
def test_each_window_holds_its_count_and_no_other(values: list[int], joiner: str) -> None:
    text = joiner.join(f"{value:,} people were affected" for value in values) + "."
    found = counts(text)
    assert [q.value for q in found] == values
    for q in found:
        lower, upper = bounds((0, len(text)), text, [o for o in found if o is not q], q, None)
        assert lower <= q.hedge_start and q.end <= upper
        assert not any(lower <= o.start < upper for o in found if o is not q)
