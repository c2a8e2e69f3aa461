"""Counting long records in pieces: the pieces add up to the whole, and counting stops early only when safe."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from workflows.datasets.validation.tokens import count_if_over, count_tokens, segments, upper_bound, utf8_bytes

_WORDS = [
    "the",
    "model",
    "naïve",
    "données",
    "日本語の",
    "데이터",
    "data,",
    "x=1;",
    "  ",
    "\n",
    "don't",
    "😀",
    "1234567",
]
_TEXT = st.lists(st.sampled_from(_WORDS) | st.text(max_size=6), max_size=400).map(" ".join)


@settings(max_examples=200, deadline=None)
@given(text=_TEXT, size=st.integers(min_value=1, max_value=64))
def test_the_pieces_count_what_the_whole_counts(text: str, size: int) -> None:
    pieces = list(segments(text, size))
    assert "".join(pieces) == text
    assert sum(count_tokens((piece,)) for piece in pieces) == count_tokens((text,))


@settings(max_examples=100, deadline=None)
@given(text=_TEXT, ceiling=st.integers(min_value=0, max_value=600))
def test_counting_stops_early_only_under_the_ceiling(text: str, ceiling: int) -> None:
    exact = count_tokens((text,))
    found = count_if_over((text,), ceiling)
    if found is None:
        assert exact <= ceiling
    else:
        assert found == exact > ceiling


def test_long_english_is_cut_into_pieces_of_about_the_size_asked() -> None:
    rng = random.Random(7)
    text = " ".join(rng.choice(["alpha", "beta", "gamma", "delta"]) for _ in range(5000))
    pieces = list(segments(text, 512))
    assert len(pieces) > 40
    assert all(len(piece) <= 1024 for piece in pieces[:-1])


@settings(max_examples=300, deadline=None)
@given(text=_TEXT)
def test_the_word_bound_is_never_below_the_count(text: str) -> None:
    assert count_tokens((text,)) <= upper_bound((text,)) <= utf8_bytes((text,))


def test_the_word_bound_is_close_on_english() -> None:
    rng = random.Random(3)
    words = ["the", "customer", "asked", "for", "a", "refund", "and", "invoice", "was", "updated", "Policy"]
    text = " ".join(rng.choice(words) for _ in range(2000))
    assert upper_bound((text,)) <= 1.1 * count_tokens((text,))
