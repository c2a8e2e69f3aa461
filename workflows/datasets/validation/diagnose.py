"""Explains why a line is not a JSON record (blank, BOM, bad UTF-8, NaN, lone surrogate, syntax).

orjson's own messages mislead here (it says "surrogates not allowed" for any bad UTF-8), so a
rejected line is decoded with ``bytes.decode`` for the exact offset, and re-parsed with the
standard library's lenient parser to tell NaN/Infinity and lone surrogates from plain syntax
errors. Where the problem can be worked around, the parsed value is returned so the record's
other problems are found in the same run.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any

import orjson

from workflows.datasets.validation.codes import IssueCode
from workflows.datasets.validation.issues import IssueLog

_BOM = "\ufeff"
#: Backslash escapes in JSON text: a valid surrogate pair, a lone surrogate (group 1), or anything
#: else (an escaped backslash is consumed whole, so ``\\\\ud800`` is not taken for an escape).
_ESCAPE = re.compile(
    r"\\(?:u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}|(u[dD][89a-fA-F][0-9a-fA-F]{2})|.)",
    re.DOTALL,
)
_SNIPPET_CHARS = 12
#: Integers JSON parsers read exactly: signed and unsigned 64-bit.
_SMALLEST_INT = -(2**63)
_LARGEST_INT = 2**64 - 1
#: Digits of the longest integer literal in range (2**64 - 1 has 20).
_MAX_INT_DIGITS = 20


@dataclass(frozen=True, slots=True)
class Recovered:
    """A value parsed despite a problem that has been reported."""

    value: Any


def diagnose(line: bytes, line_number: int, log: IssueLog) -> Recovered | None:
    """Report why orjson rejected ``line``; return the value when the rest can still be checked."""
    if not line.strip():
        log.add(IssueCode.BLANK_LINE, line_number, "whitespace only" if line else "empty line")
        return None
    nul = line.find(b"\x00")
    if nul >= 0:
        log.add(IssueCode.NUL_BYTE, line_number, f"byte {nul} of the line ({line.count(0):,} NUL bytes in all)")
        return None
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = line[exc.start]
        log.add(IssueCode.INVALID_UTF8, line_number, f"byte {exc.start} of the line (0x{bad:02x})")
        text = line.decode("utf-8", "replace")
    skipped = 0
    if text.startswith(_BOM):
        log.add(IssueCode.BOM, line_number, "bytes 0-2 of the line (EF BB BF)")
        text = text[1:]
        skipped = 3
        if not text.strip():
            log.add(IssueCode.BLANK_LINE, line_number, "only a byte order mark")
            return None
    try:
        return Recovered(orjson.loads(text))
    except orjson.JSONDecodeError as exc:
        return _explain(text, exc, skipped, line_number, log)


def _explain(
    text: str, error: orjson.JSONDecodeError, skipped: int, line_number: int, log: IssueLog
) -> Recovered | None:
    """Tell non-finite numbers and lone surrogates (which a lenient parser accepts) from syntax errors."""
    non_finite: list[str] = []
    out_of_range: list[str] = []
    value = _lenient_parse(text, non_finite, out_of_range)
    lone = [m for m in _ESCAPE.finditer(text) if m.group(1)]
    if value is None or not (non_finite or out_of_range or lone):
        log.add(IssueCode.INVALID_JSON, line_number, _syntax_detail(text, error, skipped))
        return None
    if non_finite:
        log.add(IssueCode.JSON_NON_FINITE_NUMBER, line_number, f"{_shown(non_finite[0])} in the line")
    if out_of_range:
        literal = out_of_range[0]
        digits = len(literal.lstrip("-"))
        log.add(IssueCode.JSON_NUMBER_OUT_OF_RANGE, line_number, f"an integer of {digits:,} digits: {_shown(literal)}")
    if not lone:
        return value
    at = skipped + len(text[: lone[0].start()].encode("utf-8"))
    log.add(IssueCode.JSON_LONE_SURROGATE, line_number, f"byte {at} of the line: \\{lone[0].group(1)}")
    return _lenient_parse(_ESCAPE.sub(_replace_lone, text), [], [])


def _lenient_parse(text: str, non_finite: list[str], out_of_range: list[str]) -> Recovered | None:
    """Parse with the standard library, noting NaN, Infinity, overflowing numbers and huge integers as 0."""

    def constant(name: str) -> float:
        non_finite.append(name)
        return 0.0

    def number(literal: str) -> float:
        value = float(literal)
        if math.isinf(value):
            non_finite.append(literal)
            return 0.0
        return value

    def integer(literal: str) -> int:
        # Checked by length first: int() refuses literals of thousands of digits.
        if len(literal.lstrip("-")) > _MAX_INT_DIGITS or not _SMALLEST_INT <= int(literal) <= _LARGEST_INT:
            out_of_range.append(literal)
            return 0
        return int(literal)

    decoder = json.JSONDecoder(parse_constant=constant, parse_float=number, parse_int=integer)
    try:
        return Recovered(decoder.decode(text))
    except (ValueError, RecursionError):
        return None


def _replace_lone(match: re.Match[str]) -> str:
    return "\\ufffd" if match.group(1) else match.group(0)


def _shown(literal: str) -> str:
    """A literal short enough for a message: long ones keep their start and end."""
    return literal if len(literal) <= 40 else f"{literal[:16]}…{literal[-16:]}"


def _syntax_detail(text: str, error: orjson.JSONDecodeError, skipped: int) -> str:
    position = min(max(error.pos, 0), len(text))
    at = skipped + len(text[:position].encode("utf-8"))
    near = text[position : position + _SNIPPET_CHARS]
    where = f" near {near!r}" if near else " at the end of the line"
    return f"byte {at}: {error.msg}{where}"
