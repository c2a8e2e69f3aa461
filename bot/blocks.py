"""Render the domain's ``Message`` as Slack Block Kit (pure: message in, blocks out)."""

from __future__ import annotations

from typing import Any

from workflows.messages import Button, Menu, Message, Style

Block = dict[str, Any]

#: Slack's limits: section text, field text, button/option text, options per select.
SECTION_TEXT_MAX = 3000
FIELD_TEXT_MAX = 2000
LABEL_MAX = 75
OPTIONS_MAX = 100
FIELDS_PER_SECTION = 10


def render(message: Message) -> list[Block]:
    """Blocks for ``message``: heading, details, facts, menu, buttons, context, in that order."""
    blocks: list[Block] = [_section(message.text)]
    blocks += [_section(detail) for detail in message.details if detail.strip()]
    blocks += _facts(message.facts)
    if message.menu is not None:
        blocks.append({"type": "actions", "block_id": "menu", "elements": [_select(message.menu)]})
    if message.buttons:
        elements = [_button(button, index) for index, button in enumerate(message.buttons)]
        blocks.append({"type": "actions", "block_id": "buttons", "elements": elements})
    if message.context:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": _cut(message.context, 3000)}]})
    return blocks


def action_name(action_id: str) -> str:
    """The domain action of a rendered ``action_id`` (``ft_choose_type:2`` → ``ft_choose_type``)."""
    return action_id.split(":", 1)[0]


def _section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": _cut(text, SECTION_TEXT_MAX)}}


def _facts(facts: tuple[tuple[str, str], ...]) -> list[Block]:
    fields = [{"type": "mrkdwn", "text": _cut(f"*{label}*\n{value}", FIELD_TEXT_MAX)} for label, value in facts]
    return [
        {"type": "section", "fields": fields[start : start + FIELDS_PER_SECTION]}
        for start in range(0, len(fields), FIELDS_PER_SECTION)
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
        "placeholder": {"type": "plain_text", "text": _cut(menu.placeholder, 150)},
        "options": options,
    }


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
