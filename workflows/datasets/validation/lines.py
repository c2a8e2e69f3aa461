"""Reads a file as binary lines, in large chunks and with bounded memory; only ``\\n`` ends a line.

Text mode and ``str.splitlines`` would also break lines at ``\\r``, U+2028 and U+2029, which are
legal inside JSON strings, and the line numbers would then disagree with what Bedrock sees.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol

#: Bytes read per call; large enough that per-chunk overhead vanishes, small enough for memory.
CHUNK_BYTES = 64 << 10
#: Longest line kept in memory. No model takes a record anywhere near this (the largest per-record
#: limit is 32,000 tokens); longer lines are measured, reported and skipped, never held.
MAX_LINE_BYTES = 32 << 20
#: Stands in for a skipped over-long line: not UTF-8, so it can never parse as a record.
OVERSIZED_PLACEHOLDER = b"\xff"


class Readable(Protocol):
    """What the reader needs of a stream: ``read(n)``, returning b"" at the end."""

    def read(self, size: int, /) -> bytes: ...


@dataclass(frozen=True, slots=True)
class Batch:
    """Consecutive complete lines, without their ``\\n``."""

    lines: list[bytes]
    #: Some line in the batch may end in ``\\r``; only then do lines need a CRLF check.
    has_cr: bool
    #: Bytes of the file consumed so far, for progress.
    done: int


class LineReader:
    """Iterates a binary stream as batches of lines; lines over the cap are replaced and noted."""

    def __init__(
        self,
        stream: Readable,
        *,
        chunk_bytes: int = CHUNK_BYTES,
        max_line_bytes: int = MAX_LINE_BYTES,
    ) -> None:
        self._stream = stream
        # A line inside one chunk is then never over the cap; only joined lines need measuring.
        self._chunk_bytes = min(chunk_bytes, max_line_bytes)
        self._max_line = max_line_bytes
        #: 1-based line number → length in bytes, for the lines replaced by the placeholder.
        self.oversized: dict[int, int] = {}
        #: Bytes read from the stream so far.
        self.bytes_read = 0
        self._pending: list[bytes] = []
        self._pending_len = 0
        self._pending_cr = False
        self._skipping = False

    def __iter__(self) -> Iterator[Batch]:
        line_count = 0
        done = 0
        while chunk := self._stream.read(self._chunk_bytes):
            done += len(chunk)
            self.bytes_read = done
            parts = chunk.split(b"\n")
            tail = parts.pop()
            if parts:
                has_cr = b"\r" in chunk or self._pending_cr
                if self._pending_len or self._skipping:
                    parts[0] = self._take_pending(parts[0], line_count + 1)
                line_count += len(parts)
                yield Batch(parts, has_cr, done)
            self._hold(tail)
        if self._pending_len or self._skipping:
            yield Batch([self._take_pending(b"", line_count + 1)], self._pending_cr, done)

    def _hold(self, tail: bytes) -> None:
        """Keep the start of a line that continues in the next chunk, unless it is already too long."""
        if not tail:
            return
        self._pending_len += len(tail)
        self._pending_cr = self._pending_cr or b"\r" in tail
        if self._skipping:
            return
        if self._pending_len > self._max_line:
            self._pending.clear()
            self._skipping = True
        else:
            self._pending.append(tail)

    def _take_pending(self, end: bytes, line_number: int) -> bytes:
        """Join the held start of a line with its end, or stand in for it when it is too long."""
        total = self._pending_len + len(end)
        if self._skipping or total > self._max_line:
            line = OVERSIZED_PLACEHOLDER
            self.oversized[line_number] = total
        else:
            self._pending.append(end)
            line = b"".join(self._pending)
        self._pending = []
        self._pending_len = 0
        self._pending_cr = False
        self._skipping = False
        return line
