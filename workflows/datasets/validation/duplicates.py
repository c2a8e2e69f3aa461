"""Exact-duplicate detection in bounded memory: 64-bit content digests in an open-addressing table.

A record's digest is Python's ``hash`` (SipHash, salted per process, computed in C and cached on
strings) of its normalised content: the tuple of its texts for flat formats, the key-sorted
JSON for conversations, so spacing, key order and escapes do not matter. Two different records
share a digest with probability about n² / 2⁶⁵ (below 1 in 30 million for a million records),
and digests are only compared within one run. Each slot holds the digest (8 bytes) and the line
of its first occurrence (4 bytes); the table stays between a quarter and half full, so it costs
24-48 MB per million records, against ~130 MB for a dict of 16-byte digests to line numbers.
"""

from __future__ import annotations

from array import array
from collections.abc import Hashable, Sequence

_MASK = (1 << 64) - 1
_MIN_SLOTS = 1 << 10
#: Lines are stored in 4 bytes; a (theoretical) later line is remembered as this one.
_LAST_LINE = (1 << 32) - 1


def digest(key: Hashable) -> int:
    """The non-zero 64-bit digest of a record's normalised content (0 marks an empty slot)."""
    return hash(key) & _MASK or 1


def digests(keys: list[Hashable]) -> list[int]:
    """``digest`` of each key, in order."""
    return [hash(key) & _MASK or 1 for key in keys]


class DigestTable:
    """A set of digests, each with the line where it was first seen."""

    __slots__ = ("_digests", "_lines", "_mask", "_planned", "_used")
    _digests: array[int]
    _lines: array[int]
    _mask: int
    _used: int

    def __init__(self, expected: int = 0) -> None:
        slots = _MIN_SLOTS
        while slots < 2 * expected:
            slots *= 2
        # The full size is taken at the first record, not before: a table made before a process
        # forks (``split``) would otherwise be copied once it is written to.
        self._planned = slots
        self._allocate(_MIN_SLOTS)

    def __len__(self) -> int:
        return self._used

    def add(self, value: int, line: int) -> int:
        """Insert ``value`` first seen at ``line``; returns 0, or the first line if already there."""
        self._take_planned()
        digests = self._digests
        mask = self._mask
        slot = value & mask
        while True:
            held = digests[slot]
            if not held:
                break
            if held == value:
                return self._lines[slot]
            slot = (slot + 1) & mask
        digests[slot] = value
        self._lines[slot] = line if line < _LAST_LINE else _LAST_LINE
        self._used += 1
        if 2 * self._used > mask:
            self._grow()
        return 0

    def add_many(self, values: Sequence[int], lines: Sequence[int]) -> list[tuple[int, int]]:
        """``add`` each value at its line, in order; returns (line, first line) for each value already there.

        The same probe as ``add``, run in one frame with the table in local names: the scan adds a
        batch of records at a time.
        """
        self._take_planned()
        repeated: list[tuple[int, int]] = []
        digests, held_lines, mask = self._digests, self._lines, self._mask
        room = mask // 2 - self._used
        for value, line in zip(values, lines, strict=True):
            slot = value & mask
            held = digests[slot]
            while held:
                if held == value:
                    repeated.append((line, held_lines[slot]))
                    break
                slot = (slot + 1) & mask
                held = digests[slot]
            else:
                digests[slot] = value
                held_lines[slot] = line if line < _LAST_LINE else _LAST_LINE
                room -= 1
                if room < 0:
                    self._used = mask // 2 - room
                    self._grow()
                    digests, held_lines, mask = self._digests, self._lines, self._mask
                    room = mask // 2 - self._used
        self._used = mask // 2 - room
        return repeated

    def find_many(self, values: Sequence[int], lines: Sequence[int]) -> list[tuple[int, int]]:
        """(line, first line here) for each value at its line that the table holds, in order."""
        find = self.find
        return [(line, first) for value, line in zip(values, lines, strict=True) if (first := find(value))]

    def find(self, value: int) -> int:
        """The line where ``value`` was first seen, or 0."""
        digests = self._digests
        mask = self._mask
        slot = value & mask
        while True:
            held = digests[slot]
            if not held:
                return 0
            if held == value:
                return self._lines[slot]
            slot = (slot + 1) & mask

    def _take_planned(self) -> None:
        if self._planned > len(self._digests) and not self._used:
            self._allocate(self._planned)
        self._planned = 0

    def _allocate(self, slots: int) -> None:
        self._digests = array("Q", bytes(8 * slots))
        self._lines = array("I", bytes(4 * slots))
        self._mask = slots - 1
        self._used = 0

    def _grow(self) -> None:
        """Double the table, re-inserting from the old arrays (never a list of all entries)."""
        digests, lines = self._digests, self._lines
        self._allocate(2 * len(digests))
        for slot, value in enumerate(digests):
            if value:
                self.add(value, lines[slot])
