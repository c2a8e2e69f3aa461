"""The common conversation record, accepted in one tight pass; anything unusual gets the full checks.

A record qualifies when it has exactly the format's keys, the right schemaVersion, non-blank text
only (no media), and turns that alternate from user to assistant. Such a record has no problem
the full checks could find, and yields the same ``Content``; a test holds the two paths equal.
"""

from __future__ import annotations

from typing import Any

import orjson

from workflows.validation.formats.common import SCHEMA_VERSION, Content
from workflows.validation.template import conversation_overhead


def plain_conversation(record: dict[str, Any], *, blocks: bool, final_assistant: bool) -> Content | None:  # noqa: C901 - one flat pass, for speed
    """The record's content when it is a clean text conversation, else None."""
    has_system = "system" in record
    if blocks and record.get("schemaVersion") != SCHEMA_VERSION:
        return None
    if "messages" not in record or len(record) != 1 + has_system + blocks:
        return None
    texts: list[str] = []
    paths: list[str] = []
    if has_system:
        system = record["system"]
        if blocks:
            if type(system) is not list or not _text_blocks(system, "system", texts, paths):
                return None
        elif type(system) is str and system and not system.isspace():
            texts.append(system)
            paths.append("system")
        else:
            return None
    messages = record["messages"]
    if type(messages) is not list or not messages:
        return None
    role = "user"
    for index, message in enumerate(messages):
        if type(message) is not dict or len(message) != 2 or message.get("role") != role:
            return None
        content = message.get("content")
        if blocks:
            if type(content) is not list or not _text_blocks(content, f"messages[{index}].content", texts, paths):
                return None
        elif type(content) is str and content and not content.isspace():
            texts.append(content)
            paths.append(f"messages[{index}].content")
        else:
            return None
        role = "assistant" if role == "user" else "user"
    if final_assistant and role != "user":
        return None
    return Content(
        tuple(texts),
        tuple(paths),
        orjson.dumps(record, option=orjson.OPT_SORT_KEYS),
        conversation_overhead(len(messages), has_system=has_system),
        (len(messages) + 1) // 2,
    )


def _text_blocks(blocks: list[Any], path: str, texts: list[str], paths: list[str]) -> bool:
    """Append the texts of a non-empty list of ``{"text": ...}`` blocks; False if it is not one."""
    if not blocks:
        return False
    for index, block in enumerate(blocks):
        if type(block) is not dict or len(block) != 1:
            return False
        text = block.get("text")
        if type(text) is not str or not text or text.isspace():
            return False
        texts.append(text)
        paths.append(f"{path}[{index}].text")
    return True
