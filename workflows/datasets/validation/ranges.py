"""A regular file cut into ranges of whole lines, each read by position, and where a scan's batches lie.

A range starts just after a ``\\n`` (or at the start of the file) and ends just after one (or at
the end), so no line is split between two ranges, whatever the lines hold (``\\r``, a byte order
mark, a blank line, a line too long to read).
"""

from __future__ import annotations

import os
from array import array
from bisect import bisect_right
from dataclasses import dataclass

#: Bytes read at a time while looking for the end of the line a cut falls in.
_WINDOW = 64 << 10


@dataclass(frozen=True, slots=True)
class Range:
    """Bytes ``start`` to ``end`` (exclusive) of a file: whole lines."""

    start: int
    end: int


def cut(fd: int, size: int, parts: int) -> list[Range]:
    """About ``parts`` ranges of about equal size covering the file; fewer when its lines are long.

    Each cut moves forward to just after the next ``\\n``; a cut that finds none before the end,
    or lands where the previous one did, is dropped.
    """
    starts = [0]
    for part in range(1, parts):
        at = _after_newline(fd, max(part * size // parts, starts[-1]), size)
        if at is None or at >= size:
            break
        if at > starts[-1]:
            starts.append(at)
    return [Range(start, end) for start, end in zip(starts, [*starts[1:], size], strict=True)]


def _after_newline(fd: int, offset: int, size: int) -> int | None:
    """The offset just after the first ``\\n`` at or after ``offset`` (None: there is none)."""
    while offset < size:
        window = os.pread(fd, _WINDOW, offset)
        if not window:
            return None
        at = window.find(b"\n")
        if at >= 0:
            return offset + at + 1
        offset += len(window)
    return None


class RangeReader:
    """Reads one range of an open file by position (``os.pread``), so processes sharing the file never
    move each other's offset."""

    def __init__(self, fd: int, start: int, end: int) -> None:
        self._fd = fd
        self._at = start
        self._end = end

    def read(self, size: int, /) -> bytes:
        wanted = min(size, self._end - self._at)
        if wanted <= 0:
            return b""
        data = os.pread(self._fd, wanted, self._at)
        self._at += len(data)
        return data


class BatchIndex:
    """Where each batch of a range's scan that held records lies, and the ordinal of its first record."""

    __slots__ = ("_ends", "_firsts", "_lengths")

    def __init__(self) -> None:
        #: Stream offset where the batch's bytes end, their length, and its first record's ordinal.
        self._ends = array("q")
        self._lengths = array("q")
        self._firsts = array("q")

    def add(self, end: int, length: int, placeholder: bool, first: int) -> None:
        """A batch of ``length`` bytes ending at ``end``; ``placeholder``: its first line stood for one
        too long to read (one byte in the batch, not in the file), which holds no record."""
        if placeholder:
            # The bytes after the placeholder are the file's, from the ``\\n`` that ended the long line.
            length -= 1
        self._ends.append(end)
        self._lengths.append(length)
        self._firsts.append(first)

    def locate(self, ordinal: int) -> tuple[int, int, int]:
        """(start, end, first record's ordinal) of the batch holding record ``ordinal`` (0-based)."""
        at = bisect_right(self._firsts, ordinal) - 1
        if at < 0:
            raise IndexError(ordinal)
        end = self._ends[at]
        return end - self._lengths[at], end, self._firsts[at]
