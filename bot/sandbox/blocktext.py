"""Block Kit as plain terminal text: what a person reads in a Slack message, with its buttons and menus.

Pure: blocks in, lines and the message's choices out. Slack's mrkdwn is turned into what Slack
shows (mentions as ``@name``, emoji, bold without its asterisks); code spans keep their backticks.
"""

from __future__ import annotations

import html
import re
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.sandbox.blockkit import element_label, options_of
from bot.sandbox.records import JSON

#: Columns a rendered line may take (before the transcript's indent).
WIDTH = 92
#: The emoji the bot uses, as a terminal shows them.
EMOJI = {
    "hourglass_flowing_sand": "⏳",
    "white_check_mark": "✅",
    "x": "❌",
    "octagonal_sign": "🛑",
    "double_vertical_bar": "⏸",
    "warning": "⚠️",
    "information_source": "ℹ️",
    "bar_chart": "📊",
    "moneybag": "💰",
    "rocket": "🚀",
    "tada": "🎉",
}
_MENTION = re.compile(r"<@([A-Z0-9]+)(?:\|([^>]+))?>")
_CHANNEL = re.compile(r"<#([A-Z0-9]+)(?:\|([^>]*))?>")
_LINK = re.compile(r"<((?:https?|mailto):[^|>]+)(?:\|([^>]+))?>")
_SPECIAL = re.compile(r"<!(here|channel|everyone)>")
_SHORTCODE = re.compile(r":([a-z0-9_+-]+):")
_CODE = re.compile(r"```.*?```|`[^`\n]*`", re.S)
_BOLD = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")
_ITALIC = re.compile(r"(?<![\w_])_(?=\S)([^_\n]+?)(?<=\S)_(?![\w_])")


@dataclass(frozen=True)
class Choice:
    """Something a person can pick on a message: a button, or one option of a menu."""

    label: str
    #: ``button`` or ``option``.
    kind: str
    #: For an option: the menu's placeholder.
    menu: str | None = None


@dataclass(frozen=True)
class Rendered:
    """A message as terminal lines, and the choices it offers in reading order."""

    lines: list[str] = field(default_factory=list)
    choices: list[Choice] = field(default_factory=list)


@dataclass(frozen=True)
class Names:
    """Display names for the ids that appear in messages."""

    people: Mapping[str, str] = field(default_factory=dict)
    channels: Mapping[str, str] = field(default_factory=dict)

    def person(self, user_id: str) -> str:
        return "@" + self.people.get(user_id, user_id)

    def channel(self, channel_id: str) -> str:
        return "#" + self.channels.get(channel_id, channel_id)


def render_message(blocks: list[JSON], text: str, names: Names, *, numbered: bool) -> Rendered:
    """The message's lines: blocks when it has them, else its text; choices as ``[label]`` or ``[n] label``."""
    out = _Builder(names, numbered)
    if not blocks:
        out.paragraph(text)
    for block in blocks:
        out.block(block)
    return out.result()


def mrkdwn(text: str, names: Names) -> str:
    """Slack mrkdwn as Slack displays it, in plain text; code spans are left exactly as typed."""
    spans: list[str] = []

    def hide(match: re.Match[str]) -> str:
        spans.append(match.group(0))
        return f"\x00{len(spans) - 1}\x00"

    shown = _inline(_CODE.sub(hide, text), names)
    return re.sub(r"\x00(\d+)\x00", lambda match: html.unescape(spans[int(match.group(1))]), shown)


def _inline(text: str, names: Names) -> str:
    text = _MENTION.sub(lambda m: "@" + (m.group(2) or names.people.get(m.group(1), m.group(1))), text)
    text = _CHANNEL.sub(lambda m: "#" + (m.group(2) or names.channels.get(m.group(1), m.group(1))), text)
    text = _LINK.sub(lambda m: f"{m.group(2)} ({m.group(1)})" if m.group(2) else m.group(1), text)
    text = _SPECIAL.sub(lambda m: "@" + m.group(1), text)
    text = _SHORTCODE.sub(lambda m: EMOJI.get(m.group(1), m.group(0)), text)
    text = _BOLD.sub(r"\1", text)
    text = _ITALIC.sub(r"\1", text)
    return html.unescape(text)


class _Builder:
    """Accumulates lines and numbered choices while walking a message's blocks."""

    def __init__(self, names: Names, numbered: bool) -> None:
        self._names = names
        self._numbered = numbered
        self._lines: list[str] = []
        self._choices: list[Choice] = []

    def result(self) -> Rendered:
        return Rendered(self._lines, self._choices)

    def block(self, block: JSON) -> None:
        kind = block.get("type")
        if kind == "section":
            self._section(block)
        elif kind == "header":
            self.paragraph(_text_of(block.get("text")).upper())
        elif kind == "context":
            parts = [_text_of(item) or f"[{item.get('alt_text', 'image')}]" for item in block.get("elements") or []]
            self.paragraph(" ".join(part for part in parts if part), prefix="· ")
        elif kind == "divider":
            self._lines.append("─" * 24)
        elif kind == "image":
            self._lines.append(f"[image: {block.get('alt_text') or _text_of(block.get('title')) or 'picture'}]")
        elif kind in {"actions", "input"}:
            self._interactive(block)
        else:
            self.paragraph(_text_of(block.get("text")))

    def paragraph(self, text: str, *, prefix: str = "") -> None:
        for line in mrkdwn(text, self._names).splitlines():
            self._lines += _wrapped(line, prefix)
            prefix = " " * len(prefix) if prefix else ""

    def _section(self, block: JSON) -> None:
        if block.get("text"):
            self.paragraph(_text_of(block["text"]))
        for field_ in block.get("fields") or []:
            label, _, value = _text_of(field_).partition("\n")
            self.paragraph(f"{label}: {value}" if value else label)
        accessory = block.get("accessory")
        if isinstance(accessory, dict) and accessory.get("type") != "image":
            self._element(accessory, _text_of(block.get("label")))

    def _interactive(self, block: JSON) -> None:
        elements = block.get("elements") if block.get("type") == "actions" else [block.get("element")]
        label = _text_of(block.get("label"))
        buttons = [
            element for element in elements or [] if isinstance(element, dict) and element.get("type") == "button"
        ]
        for element in elements or []:
            if isinstance(element, dict) and element.get("type") != "button":
                self._element(element, label)
        if buttons:
            self._lines += _packed([self._pick(Choice(element_label(b) or "", "button")) for b in buttons])

    def _element(self, element: JSON, label: str) -> None:
        kind = str(element.get("type", ""))
        if kind == "button":
            self._lines.append(self._pick(Choice(element_label(element) or "", "button")))
            return
        options = options_of(element)
        if not options:
            self._lines.append(f"({label or _text_of(element.get('placeholder')) or kind}: type your answer)")
            return
        menu = _text_of(element.get("placeholder")) or label or "Choose"
        self._lines.append(f"{menu} ▾")
        for option in options:
            choice = Choice(_text_of(option.get("text")), "option", menu)
            description = _text_of(option.get("description"))
            self._lines += _wrapped(self._pick(choice) + (f" — {description}" if description else ""), "  ")

    def _pick(self, choice: Choice) -> str:
        """``[label]``, or ``[n] label`` when the reader picks by number."""
        self._choices.append(choice)
        return f"[{len(self._choices)}] {choice.label}" if self._numbered else f"[{choice.label}]"


def _text_of(text_object: Any) -> str:
    if isinstance(text_object, dict) and isinstance(text_object.get("text"), str):
        return str(text_object["text"])
    return text_object if isinstance(text_object, str) else ""


def _wrapped(line: str, prefix: str = "") -> list[str]:
    """One logical line folded to ``WIDTH``; bullets and prefixes hang."""
    if not line.strip():
        return [] if not prefix else [prefix.rstrip()]
    bullet = re.match(r"^(\s*(?:[•\-*]|\d+\.)\s+)", line)
    hang = " " * len(bullet.group(1)) if bullet else ""
    return textwrap.wrap(
        prefix + line,
        width=WIDTH,
        subsequent_indent=" " * len(prefix) + hang,
        break_long_words=False,
        break_on_hyphens=False,
    ) or [prefix + line]


def _packed(items: list[str]) -> list[str]:
    """Buttons side by side, two spaces apart, a new line before one that would pass ``WIDTH``."""
    lines: list[str] = []
    for item in items:
        if lines and len(lines[-1]) + 2 + len(item) <= WIDTH:
            lines[-1] += "  " + item
        else:
            lines.append(item)
    return lines
