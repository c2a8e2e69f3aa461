"""The common conversation record, accepted in one tight pass; anything unusual gets the full checks.

A record qualifies when it has exactly the format's keys, the right schemaVersion, non-blank text
only (no media), and turns that alternate from user to assistant. Such a record has no problem
the full checks could find, and yields the same ``Content``; a test holds the two paths equal.
The JSON paths of the texts are built only when asked for (they are needed only to say where a
reserved word is).
"""

from __future__ import annotations

from typing import Any

import orjson

from workflows.datasets.validation.formats.common import SCHEMA_VERSION, Content
from workflows.datasets.validation.template import conversation_overhead

_ROLES = ("user", "assistant")


def plain_conversation(  # noqa: C901 - one flat pass, for speed
    record: dict[str, Any], *, blocks: bool, final_assistant: bool, with_paths: bool = True
) -> Content | None:
    """The record's content when it is a clean text conversation, else None."""
    has_system = "system" in record
    if blocks and record.get("schemaVersion") != SCHEMA_VERSION:
        return None
    if "messages" not in record or len(record) != 1 + has_system + blocks:
        return None
    texts: list[str] = []
    if has_system:
        system = record["system"]
        if blocks:
            if type(system) is not list or not _text_blocks(system, texts):
                return None
        elif type(system) is str and system and not system.isspace():
            texts.append(system)
        else:
            return None
    messages = record["messages"]
    if type(messages) is not list or not messages:
        return None
    turn = 0
    for message in messages:
        if type(message) is not dict or len(message) != 2 or message.get("role") != _ROLES[turn]:
            return None
        content = message.get("content")
        if blocks:
            if type(content) is not list or not _text_blocks(content, texts):
                return None
        elif type(content) is str and content and not content.isspace():
            texts.append(content)
        else:
            return None
        turn ^= 1
    if final_assistant and turn:
        return None
    return Content(
        tuple(texts),
        _paths(record, blocks=blocks) if with_paths else (),
        orjson.dumps(record, option=orjson.OPT_SORT_KEYS),
        conversation_overhead(len(messages), has_system=has_system),
        (len(messages) + 1) // 2,
    )


def _text_blocks(blocks: list[Any], texts: list[str]) -> bool:
    """Append the texts of a non-empty list of ``{"text": ...}`` blocks; False if it is not one."""
    if not blocks:
        return False
    for block in blocks:
        if type(block) is not dict or len(block) != 1:
            return False
        text = block.get("text")
        if type(text) is not str or not text or text.isspace():
            return False
        texts.append(text)
    return True


def _paths(record: dict[str, Any], *, blocks: bool) -> tuple[str, ...]:
    """The JSON path of each text of a record that qualified, in the order of its texts."""
    paths: list[str] = []
    if "system" in record:
        paths += [f"system[{i}].text" for i in range(len(record["system"]))] if blocks else ["system"]
    for index, message in enumerate(record["messages"]):
        where = f"messages[{index}].content"
        paths += [f"{where}[{i}].text" for i in range(len(message["content"]))] if blocks else [where]
    return tuple(paths)
