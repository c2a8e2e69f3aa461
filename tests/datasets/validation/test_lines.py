"""The binary line reader: only \\n ends a line, chunk boundaries are invisible, long lines are capped."""

from __future__ import annotations

import io

import pytest

from workflows.datasets.validation.lines import OVERSIZED_PLACEHOLDER, LineReader


def read(data: bytes, chunk: int = 4, max_line: int = 1 << 20) -> tuple[list[bytes], LineReader]:
    reader = LineReader(io.BytesIO(data), chunk_bytes=chunk, max_line_bytes=max_line)
    return [line for batch in reader for line in batch.lines], reader


@pytest.mark.parametrize("chunk", [1, 2, 3, 5, 64])
@pytest.mark.parametrize(
    ("data", "lines"),
    [
        (b"", []),
        (b"\n", [b""]),
        (b"a\nbb\n", [b"a", b"bb"]),
        (b"a\nbb", [b"a", b"bb"]),
        (b"a\n\n\nb\n", [b"a", b"", b"", b"b"]),
        (b"x\ry\r\n\xe2\x80\xa8z\n", [b"x\ry\r", b"\xe2\x80\xa8z"]),
    ],
)
def test_lines_are_split_on_newlines_only(data: bytes, lines: list[bytes], chunk: int) -> None:
    assert read(data, chunk)[0] == lines


def test_a_cr_at_a_chunk_end_is_flagged_with_its_line() -> None:
    reader = LineReader(io.BytesIO(b'{"a":1}\r\n{"b":2}\n'), chunk_bytes=8, max_line_bytes=1 << 20)
    batches = list(reader)
    assert [b.has_cr for b in batches if b.lines] == [True, False]


def test_progress_reaches_the_file_size() -> None:
    batches = list(LineReader(io.BytesIO(b"abc\n" * 10), chunk_bytes=7, max_line_bytes=100))
    assert batches[-1].done == 40
    assert [b.done for b in batches] == sorted(b.done for b in batches)


def test_overlong_lines_are_replaced_and_measured() -> None:
    data = b"ok\n" + b"x" * 50 + b"\nfine\n" + b"y" * 30
    lines, _ = read(data, chunk=8, max_line=20)
    assert lines == [b"ok", OVERSIZED_PLACEHOLDER, b"fine", OVERSIZED_PLACEHOLDER]
    reader = LineReader(io.BytesIO(data), chunk_bytes=8, max_line_bytes=20)
    # The length of a replaced line comes with the batch it opens.
    measured = [(batch.lines[0], batch.oversized) for batch in reader if batch.oversized is not None]
    assert measured == [(OVERSIZED_PLACEHOLDER, 50), (OVERSIZED_PLACEHOLDER, 30)]
