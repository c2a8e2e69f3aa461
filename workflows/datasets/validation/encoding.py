"""Tells UTF-8 text from UTF-16 or UTF-32 text and from binary data, by the first bytes of a file.

A NUL byte alone does not make a file binary: JSON text never holds one, so in a UTF-8 file it is
reported at its line. UTF-16 and UTF-32 text (with or without a byte order mark) is recognised by
its BOM or by the NUL bytes that pad each ASCII character, and gets "convert to UTF-8". A file is
called binary only when its start is neither: NUL bytes among bytes that are not UTF-8, or among
many other control bytes.
"""

from __future__ import annotations

from enum import StrEnum

#: Bytes of the head that decide.
HEAD_BYTES = 8192

_BOMS = (
    (b"\xff\xfe\x00\x00", "UTF-32"),
    (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"),
    (b"\xfe\xff", "UTF-16"),
)
#: Share of control bytes (other than tab, CR and LF) above which a head with NULs is binary.
_CONTROL_SHARE = 0.05
_CONTROL = bytes(b for b in range(32) if b not in (9, 10, 13))
#: Share of code units that must be an ASCII character padded with NULs (JSON's keys and punctuation
#: are ASCII, so even CJK-heavy records reach it) for text without a BOM to count as UTF-16/32.
_PADDED_SHARE = 0.3


class TextKind(StrEnum):
    """What the start of a file is."""

    UTF8 = "UTF-8"
    UTF16 = "UTF-16"
    UTF32 = "UTF-32"
    BINARY = "binary"


def text_kind(head: bytes) -> TextKind:
    """The kind of text the first bytes of a file are (an empty head is UTF-8)."""
    head = head[:HEAD_BYTES]
    for bom, name in _BOMS:
        if head.startswith(bom):
            return TextKind(name)
    if b"\x00" not in head:
        return TextKind.UTF8
    for width, kind in ((4, TextKind.UTF32), (2, TextKind.UTF16)):
        if _padded(head, width, kind.value):
            return kind
    controls = len(head) - len(head.translate(None, _CONTROL))
    if not _is_utf8(head) or controls >= _CONTROL_SHARE * len(head):
        return TextKind.BINARY
    return TextKind.UTF8


def _padded(head: bytes, width: int, codec: str) -> bool:
    """Many code units of ``width`` bytes hold an ASCII byte padded with NULs, and the head decodes so."""
    units = [head[i : i + width] for i in range(0, len(head) - width + 1, width)]
    if not units:
        return False
    padding = b"\x00" * (width - 1)
    little = sum(1 for unit in units if unit[1:] == padding and 0 < unit[0] < 0x80)
    big = sum(1 for unit in units if unit[:-1] == padding and 0 < unit[-1] < 0x80)
    if max(little, big) < _PADDED_SHARE * len(units):
        return False
    whole = head[: len(units) * width]
    try:
        whole.decode(f"{codec}-{'le' if little >= big else 'be'}")
    except UnicodeDecodeError:
        # UTF-16 may end in the middle of a surrogate pair.
        return codec == "UTF-16" and _decodes_but_the_end(whole, "le" if little >= big else "be")
    return True


def _decodes_but_the_end(data: bytes, order: str) -> bool:
    try:
        data[:-2].decode(f"utf-16-{order}")
    except UnicodeDecodeError:
        return False
    return True


def _is_utf8(head: bytes) -> bool:
    """The head decodes as UTF-8, allowing a character cut at its end."""
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.reason == "unexpected end of data" and exc.start >= len(head) - 3
    return True
