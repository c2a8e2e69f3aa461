"""Text the bot posts, kept inert: values are escaped for Slack mrkdwn unless built as trusted markup.

Any ``str`` handed to the renderer is treated as untrusted: ``&``, ``<`` and ``>`` are escaped,
so a value a person typed (``<!channel>``, ``<@U1>``, ``<https://evil|Log in>``) shows as text
and never becomes a broadcast, a mention or a link. Live markup exists only as ``Mrkdwn``, which
only this module builds: ``mrkdwn(template, **values)`` escapes every value it is given (unless the
value is ``Mrkdwn`` itself), and ``mention``/``channel_link`` accept nothing but Slack ids.

A value shown in a code span goes through ``code``, which swaps the backtick for a look-alike
(ˋ) so the value cannot close the span it is shown in; ``{name:code}`` does the same in a template.

``clip`` shortens text to one of Slack's limits and says how much it left out; ``pieces`` splits long
untrusted text (a model's answer) into parts that each fit one of those limits once escaped.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

#: What stands in for a backtick inside a value shown as code.
BACKTICK_LOOKALIKE = "\u02cb"
#: Room kept at the end of clipped text for the "…and N more" note.
_NOTE_ROOM = 40

_USER_ID = re.compile(r"^[UWB][A-Z0-9]{1,20}$")
_CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]{1,20}$")
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


class Mrkdwn(str):
    """Slack mrkdwn whose values were escaped; the only text the renderer passes on unescaped.

    Build it with ``mrkdwn``, ``mention``, ``channel_link`` or ``join``, never directly: string
    operations on it (``+``, f-strings, ``.format``) return a plain ``str``, which is escaped whole.
    """

    __slots__ = ()


def escape(value: str) -> str:
    """``value`` as inert mrkdwn: ``&``, ``<`` and ``>`` as Slack's three entities."""
    return value.translate(_ESCAPES)


def as_mrkdwn(text: str) -> str:
    """What to send Slack for ``text``: ``Mrkdwn`` as it is, any other string escaped."""
    return str.__str__(text) if isinstance(text, Mrkdwn) else escape(text)


def code(value: object) -> str:
    """``value`` as an inline code span it cannot break out of (one line; backticks replaced)."""
    text = str(value).replace("`", BACKTICK_LOOKALIKE).replace("\r", " ").replace("\n", " ")
    return f"`{text}`" if text.strip() else "` `"


def mrkdwn(template: str, /, **values: object) -> Mrkdwn:
    """``template`` (trusted text) with each ``{name}`` filled by an escaped value.

    ``{name:code}`` shows the value as a code span (see ``code``); other format specs apply to the
    value as usual (``{count:,}``). ``Mrkdwn`` values are inserted as they are.
    """
    return Mrkdwn(_FORMATTER.vformat(template, (), values))


def mention(user: str) -> Mrkdwn:
    """A live mention of a person, for a Slack user id; anything else is shown as escaped text."""
    return Mrkdwn(f"<@{user}>") if _USER_ID.match(user) else Mrkdwn(escape(user))


def channel_link(channel: str) -> Mrkdwn:
    """A live link to a channel, for a Slack channel id; anything else is shown as escaped text."""
    return Mrkdwn(f"<#{channel}>") if _CHANNEL_ID.match(channel) else Mrkdwn(escape(channel))


def join(separator: str, parts: Iterable[str]) -> Mrkdwn:
    """The parts joined, each escaped unless it is ``Mrkdwn`` (the separator is trusted text)."""
    return Mrkdwn(separator.join(as_mrkdwn(part) for part in parts))


def clip(text: str, limit: int) -> str:
    """``text`` (already escaped) within ``limit`` characters, ending with what was left out.

    Whole lines are kept while they fit, then "…and N more lines"; a first line that alone is too
    long is cut (never inside an entity, a mention or a link) and ends "… (N more characters)".
    """
    if len(text) <= limit:
        return text
    lines = text.split("\n")
    room = max(limit - _NOTE_ROOM, limit // 2)
    kept: list[str] = []
    used = 0
    for line in lines:
        if used + len(line) + (1 if kept else 0) > room:
            break
        used += len(line) + (1 if kept else 0)
        kept.append(line)
    if kept:
        left = len(lines) - len(kept)
        return "\n".join(kept) + f"\n…and {left:,} more line{'' if left == 1 else 's'}"
    head = _safe_prefix(lines[0], room)
    if head.count("`") % 2:
        head += "`"
    return head + f"… ({len(text) - len(head):,} more characters)"


def bullets(items: Sequence[str], *, limit: int) -> Mrkdwn:
    """Items as a "• " list within ``limit`` characters, ending "…and N more" when some do not fit."""
    room = max(limit - _NOTE_ROOM, limit // 2)
    lines: list[str] = []
    used = 0
    for item in items:
        line = "• " + clip(as_mrkdwn(item), room // 2)
        if used + len(line) + 1 > room:
            lines.append(f"…and {len(items) - len(lines):,} more")
            break
        lines.append(line)
        used += len(line) + 1
    return Mrkdwn("\n".join(lines))


def pieces(text: str, size: int) -> list[str]:
    """``text`` (untrusted, not yet escaped) in pieces whose escaped form fits in ``size`` characters each.

    Pieces end at a line break where one is near the end, else at a space, else anywhere; joined with
    nothing between them they give back ``text``. Each stays a plain ``str``, escaped when rendered.
    """
    if size < 8:
        raise ValueError("a piece needs room for at least one escaped character")
    found: list[str] = []
    rest = text
    while rest:
        if len(escape(rest)) <= size:
            found.append(rest)
            break
        end = _fitting_length(rest, size)
        window = rest[:end]
        cut = window.rfind("\n")
        if cut < end // 2:
            cut = window.rfind(" ")
        cut = cut + 1 if cut >= end // 2 else end
        found.append(rest[:cut])
        rest = rest[cut:]
    return found


def _fitting_length(text: str, size: int) -> int:
    """How many leading characters of ``text`` fit in ``size`` once escaped (at least one)."""
    used = 0
    for index, character in enumerate(text):
        used += len(escape(character))
        if used > size:
            return max(index, 1)
    return len(text)


def _safe_prefix(text: str, size: int) -> str:
    """The first ``size`` characters at most, backing off so no ``&…;`` or ``<…>`` is cut in two."""
    end = size
    amp = text.rfind("&", max(0, end - 6), end)
    if amp != -1 and ";" not in text[amp:end]:
        end = amp
    angle = text.rfind("<", 0, end)
    if angle != -1 and ">" not in text[angle:end]:
        end = angle
    return text[:end]


class _EscapingFormatter(string.Formatter):
    """``str.format`` that escapes every value, with a ``code`` spec for code spans."""

    def format_field(self, value: Any, format_spec: str) -> str:
        if format_spec == "code":
            return escape(code(value))
        if isinstance(value, Mrkdwn):
            return str.__str__(value)
        return escape(format(value, format_spec))

    def get_value(self, key: int | str, args: Sequence[Any], kwargs: Mapping[str, Any]) -> Any:
        if isinstance(key, int):
            raise KeyError(key)
        return kwargs[key]


_FORMATTER = _EscapingFormatter()
