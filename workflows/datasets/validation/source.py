"""Opens a dataset once, whether a regular file or a stream (a pipe, standard input, ``<(…)``).

The head is read first, for detecting the encoding and the format, and then handed back ahead of
the rest, so nothing is read twice and a stream validates like a file. A regular file's size is
known up front; a stream's is what was read.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from workflows.datasets.validation.detect import SNIFF_BYTES

#: How much of the start is read before the scan: what format detection looks at.
HEAD_BYTES = SNIFF_BYTES


class HeadFirst:
    """A binary stream read again from its start: the head already read, then the rest."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        self._head = memoryview(head)
        self._offset = 0
        self._rest = rest

    def read(self, size: int, /) -> bytes:
        if self._offset < len(self._head):
            part = bytes(self._head[self._offset : self._offset + size])
            self._offset += len(part)
            return part
        return self._rest.read(size)


@dataclass(frozen=True, slots=True)
class Opened:
    """An open dataset: its first bytes, its size when known, and every byte from the start."""

    head: bytes
    #: None for a stream, whose size is known only once read.
    size: int | None
    stream: HeadFirst
    #: The open file's descriptor, for reading a regular file by position.
    fd: int


@contextmanager
def open_dataset(path: Path) -> Iterator[Opened]:
    """Open ``path`` for one pass; raises OSError when it cannot be read."""
    with path.open("rb") as raw:
        size = _regular_size(raw)
        head = _read_head(raw)
        yield Opened(head, size, HeadFirst(head, raw), raw.fileno())


def _regular_size(raw: BinaryIO) -> int | None:
    status = os.fstat(raw.fileno())
    return status.st_size if stat.S_ISREG(status.st_mode) else None


def _read_head(raw: BinaryIO) -> bytes:
    """Up to ``HEAD_BYTES``: a pipe hands data over in pieces, so read until full or at the end."""
    parts: list[bytes] = []
    wanted = HEAD_BYTES
    while wanted > 0:
        part = raw.read(wanted)
        if not part:
            break
        parts.append(part)
        wanted -= len(part)
    return b"".join(parts)


def regular_size(path: Path) -> int | None:
    """The size of a regular file; None for a stream (its size is known once read)."""
    status = path.stat()
    return status.st_size if stat.S_ISREG(status.st_mode) else None
