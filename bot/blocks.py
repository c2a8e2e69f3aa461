"""Render the domain's ``Message`` as Slack Block Kit (pure: message in, blocks out), within Slack's limits.

This is the one place that turns the bot's words into what Slack receives: every text goes
through ``as_mrkdwn`` (values stay inert, see ``workflows.slack_text``) and every limit Slack
enforces is applied here, shortening with a note that says so rather than letting Slack refuse.
"""

from __future__ import annotations

from typing import Any

from workflows.messages import Button, Menu, Message, Style
from workflows.slack_text import as_mrkdwn, clip

Block = dict[str, Any]

#: Slack's limits (docs.slack.dev, Block Kit reference).
MESSAGE_BLOCKS_MAX = 50
SECTION_TEXT_MAX = 3000
FIELD_TEXT_MAX = 2000
CONTEXT_TEXT_MAX = 3000
FIELDS_PER_SECTION = 10
LABEL_MAX = 75
PLACEHOLDER_MAX = 150
OPTIONS_MAX = 100
ACTIONS_ELEMENTS_MAX = 25
#: A message's top-level ``text``: Slack warns above 4,000 characters and truncates far beyond.
MESSAGE_TEXT_MAX = 3000


def render(message: Message, *, max_blocks: int = MESSAGE_BLOCKS_MAX) -> list[Block]:
    """Blocks for ``message``: heading, details, facts, menu, buttons, context, in that order."""
    head = [_section(message.text)]
    facts = _facts(message.facts)
    tail: list[Block] = []
    if message.menu is not None:
        tail += _menu(message.menu)
    tail += _buttons(message.buttons)
    if message.context:
        tail.append(_context(message.context))
    room = max(max_blocks - len(head) - len(facts) - len(tail), 1)
    blocks = [*head, *_details(message.details, room), *facts, *tail]
    if len(blocks) > max_blocks:
        blocks = [*blocks[: max_blocks - 1], _note(f"…and {len(blocks) - max_blocks + 1:,} more not shown.")]
    return blocks


def fallback_text(message: Message) -> str:
    """The message's ``text`` argument (notifications, clients without blocks): escaped and short."""
    return answer_text(message.fallback_text())


def answer_text(words: str) -> str:
    """A plain ``text`` answer (ephemeral replies, slash-command answers): escaped and short."""
    return clip(as_mrkdwn(words), MESSAGE_TEXT_MAX)


def action_name(action_id: str) -> str:
    """The domain action of a rendered ``action_id`` (``ft_choose_type:2`` → ``ft_choose_type``)."""
    return action_id.split(":", 1)[0]


def _section(words: str) -> Block:
    return _escaped_section(as_mrkdwn(words))


def _escaped_section(mrkdwn: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": clip(mrkdwn, SECTION_TEXT_MAX)}}


def _note(words: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": words}]}


def _details(details: tuple[str, ...], room: int) -> list[Block]:
    """One section per paragraph; when they would not fit, packed into fewer sections, then cut."""
    shown = [detail for detail in details if detail.strip()]
    if len(shown) <= room:
        return [_section(detail) for detail in shown]
    packed: list[str] = []
    for detail in (as_mrkdwn(detail) for detail in shown):
        if packed and len(packed[-1]) + 1 + len(detail) <= SECTION_TEXT_MAX:
            packed[-1] += "\n" + detail
        else:
            packed.append(detail)
    sections = [_escaped_section(part) for part in packed]
    if len(sections) <= room:
        return sections
    return [*sections[: room - 1], _note(f"…and {len(sections) - room + 1:,} more sections not shown.")]


def _facts(facts: tuple[tuple[str, str], ...]) -> list[Block]:
    fields = [
        {"type": "mrkdwn", "text": clip(f"*{as_mrkdwn(label)}*\n{as_mrkdwn(value)}", FIELD_TEXT_MAX)}
        for label, value in facts
    ]
    return [
        {"type": "section", "fields": fields[start : start + FIELDS_PER_SECTION]}
        for start in range(0, len(fields), FIELDS_PER_SECTION)
    ]


def _context(words: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": clip(as_mrkdwn(words), CONTEXT_TEXT_MAX)}]}


def _buttons(buttons: tuple[Button, ...]) -> list[Block]:
    """Buttons in actions blocks of at most 25 elements (action ids stay unique across them)."""
    elements = [_button(button, index) for index, button in enumerate(buttons)]
    chunks = [elements[start : start + ACTIONS_ELEMENTS_MAX] for start in range(0, len(elements), ACTIONS_ELEMENTS_MAX)]
    return [
        {"type": "actions", "block_id": "buttons" if number == 0 else f"buttons-{number}", "elements": chunk}
        for number, chunk in enumerate(chunks)
    ]


def _button(button: Button, index: int) -> Block:
    """Action ids must be unique within a block, so the position is appended."""
    element: Block = {
        "type": "button",
        "action_id": f"{button.action.value}:{index}",
        "text": {"type": "plain_text", "text": _cut(button.label, LABEL_MAX), "emoji": True},
        "value": button.value or button.action.value,
    }
    if button.style is not Style.DEFAULT:
        element["style"] = button.style.value
    return element


def _menu(menu: Menu) -> list[Block]:
    """The select; past Slack's 100 options, a note under it says how many are not in the menu."""
    blocks: list[Block] = [{"type": "actions", "block_id": "menu", "elements": [_select(menu)]}]
    hidden = len(menu.options) - OPTIONS_MAX
    if hidden > 0:
        blocks.append(_note(f"…and {hidden:,} more not in the menu."))
    return blocks


def _select(menu: Menu) -> Block:
    options = []
    for option in menu.options[:OPTIONS_MAX]:
        rendered: Block = {"text": {"type": "plain_text", "text": _cut(option.label, LABEL_MAX)}, "value": option.value}
        if option.description:
            rendered["description"] = {"type": "plain_text", "text": _cut(option.description, LABEL_MAX)}
        options.append(rendered)
    return {
        "type": "static_select",
        "action_id": f"{menu.action.value}:0",
        "placeholder": {"type": "plain_text", "text": _cut(menu.placeholder, PLACEHOLDER_MAX)},
        "options": options,
    }


def _cut(words: str, limit: int) -> str:
    """Plain text (labels, placeholders) within ``limit``; Slack shows plain text as it is, so no escaping."""
    return words if len(words) <= limit else words[: limit - 1] + "…"
