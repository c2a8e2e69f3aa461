"""The digest table finds repeats and their first line, and grows without losing entries."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from workflows.datasets.validation.duplicates import DigestTable, digest


def test_repeats_return_the_first_line() -> None:
    table = DigestTable()
    assert table.add(digest(("a", "b")), 1) == 0
    assert table.add(digest(("a", "c")), 2) == 0
    assert table.add(digest(("a", "b")), 3) == 1
    assert table.find(digest(("a", "c"))) == 2
    assert table.find(digest(("z",))) == 0
    assert len(table) == 2


def test_growing_keeps_every_entry() -> None:
    table = DigestTable(expected=4)
    for line in range(1, 5001):
        assert table.add(digest(str(line)), line) == 0
    assert len(table) == 5000
    assert all(table.find(digest(str(line))) == line for line in range(1, 5001))


def test_colliding_slots_probe_onward() -> None:
    table = DigestTable()
    slots = 1 << 10
    values = [5 + k * slots for k in range(1, 6)]
    for line, value in enumerate(values, start=1):
        table.add(value, line)
    assert [table.find(v) for v in values] == [1, 2, 3, 4, 5]


@settings(max_examples=100, deadline=None)
@given(values=st.lists(st.integers(min_value=1, max_value=3000), max_size=3000), expected=st.integers(0, 64))
def test_adding_a_batch_finds_what_adding_one_at_a_time_finds(values: list[int], expected: int) -> None:
    one, batch = DigestTable(expected), DigestTable(expected)
    lines = list(range(1, len(values) + 1))
    repeats = [(line, first) for value, line in zip(values, lines, strict=True) if (first := one.add(value, line))]
    assert batch.add_many(values, lines) == repeats
    assert len(batch) == len(one)
    found = [(line, one.find(value)) for value, line in zip(values, lines, strict=True)]
    assert batch.find_many(values, lines) == found
