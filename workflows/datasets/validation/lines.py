"""Reads a file as binary lines, in large chunks and with bounded memory; only ``\\n`` ends a line.

Text mode and ``str.splitlines`` would also break lines at ``\\r``, U+2028 and U+2029, which are
legal inside JSON strings, and the line numbers would then disagree with what Bedrock sees.
"""

from __future__ import annotations

from collections.abc import Iterator
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


class Batch:
    """Consecutive complete lines: their bytes joined by ``\\n`` (``raw``), without the last ``\\n``."""

    __slots__ = ("done", "end", "has_cr", "oversized", "raw")

    def __init__(self, raw: bytes, has_cr: bool, done: int, oversized: int | None = None, end: int = 0) -> None:
        self.raw = raw
        #: Some line in the batch may end in ``\\r``; only then do lines need a CRLF check.
        self.has_cr = has_cr
        #: Bytes of the file consumed so far, for progress.
        self.done = done
        #: The length of the batch's first line when it was too long and replaced by the placeholder.
        self.oversized = oversized
        #: Where ``raw`` ends in the stream (its bytes are the ones just before, but for a placeholder).
        self.end = end

    @property
    def lines(self) -> list[bytes]:
        """The lines, each without its ``\\n`` (split on each call)."""
        return self.raw.split(b"\n")


class LineReader:
    """Iterates a binary stream as batches of lines; lines over the cap are replaced, and their length noted."""

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
        #: Bytes read from the stream so far.
        self.bytes_read = 0
        self._pending: list[bytes] = []
        self._pending_len = 0
        self._pending_cr = False
        self._skipping = False

    def __iter__(self) -> Iterator[Batch]:
        done = 0
        while chunk := self._stream.read(self._chunk_bytes):
            done += len(chunk)
            self.bytes_read = done
            last = chunk.rfind(b"\n")
            if last >= 0:
                has_cr = b"\r" in chunk or self._pending_cr
                end = done - len(chunk) + last
                if self._pending_len or self._skipping:
                    first = chunk.find(b"\n")
                    head, oversized = self._take_pending(chunk[:first])
                    yield Batch(head + chunk[first:last] if first < last else head, has_cr, done, oversized, end)
                else:
                    yield Batch(chunk[:last], has_cr, done, None, end)
            self._hold(chunk[last + 1 :])
        if self._pending_len or self._skipping:
            has_cr = self._pending_cr
            line, oversized = self._take_pending(b"")
            yield Batch(line, has_cr, done, oversized, done)

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

    def _take_pending(self, end: bytes) -> tuple[bytes, int | None]:
        """Join the held start of a line with its end, or stand in for it (with its length) when it is too long."""
        total = self._pending_len + len(end)
        oversized: int | None = None
        if self._skipping or total > self._max_line:
            line = OVERSIZED_PLACEHOLDER
            oversized = total
        else:
            self._pending.append(end)
            line = b"".join(self._pending)
        self._pending = []
        self._pending_len = 0
        self._pending_cr = False
        self._skipping = False
        return line, oversized
