"""Reinforcement fine-tuning prompts: OpenAI chat-completions ``messages`` plus a ``reference_answer``.

A record holds the prompt the model answers during training: optional system turns first, then
user (and, where the model takes multi-turn prompts, earlier assistant) turns alternating, ending
with the user's. Content is a string or a list of ``{"type": "text", "text": …}`` parts; RFT takes
text only. ``reference_answer`` may be any JSON value but null or blank text; every other key is
allowed, because Bedrock passes it to the grader Lambda under ``metadata``.
"""

from __future__ import annotations

from typing import Any

import orjson

from workflows.datasets.validation.codes import IssueCode
from workflows.datasets.validation.formats.common import Content, TextParts, check_text, json_type
from workflows.datasets.validation.formats.turns import (
    message_list,
    role_text,
    turn_object,
    user_first_alternating,
)
from workflows.datasets.validation.issues import IssueLog
from workflows.datasets.validation.template import conversation_overhead

_ROLES = frozenset({"system", "user", "assistant"})
_MESSAGE_KEYS = frozenset({"role", "content"})
#: Content-part types of the chat-completions format that carry media, which RFT does not take.
_MEDIA_PARTS = frozenset({"image_url", "input_audio", "file", "image", "video", "input_image"})


class ChatPromptChecker:
    """Checks one reinforcement prompt; ``single_turn`` refuses prompts with more than one user turn."""

    def __init__(self, *, single_turn: bool = False) -> None:
        self._single_turn = single_turn

    def check(self, record: dict[str, Any], line: int, log: IssueLog) -> Content:
        parts = TextParts()
        _reference_answer(record, line, log)
        roles = self._messages(record, parts, line, log)
        _order(roles, line, log)
        users = roles.count("user")
        if self._single_turn and users > 1:
            log.add(IssueCode.MULTI_TURN_PROMPT, line, f"{users} user turns; this model takes one")
        try:
            key: bytes | None = orjson.dumps(record, option=orjson.OPT_SORT_KEYS)
        except orjson.JSONEncodeError:
            key = None
        overhead = conversation_overhead(len(roles), has_system=False)
        return Content(tuple(parts.texts), tuple(parts.paths), key, overhead, users)

    def _messages(self, record: dict[str, Any], parts: TextParts, line: int, log: IssueLog) -> list[str | None]:
        messages = message_list(record, line, log)
        return [_turn(message, f"messages[{i}]", parts, line, log) for i, message in enumerate(messages)]


def _reference_answer(record: dict[str, Any], line: int, log: IssueLog) -> None:
    if "reference_answer" not in record:
        log.add(IssueCode.NO_REFERENCE_ANSWER, line, "reference_answer is missing")
        return
    answer = record["reference_answer"]
    if answer is None:
        log.add(IssueCode.NO_REFERENCE_ANSWER, line, "reference_answer is null")
    elif isinstance(answer, str) and (not answer or answer.isspace()):
        log.add(IssueCode.NO_REFERENCE_ANSWER, line, "reference_answer is empty text")
    elif isinstance(answer, list | dict) and not answer:
        log.add(IssueCode.NO_REFERENCE_ANSWER, line, f"reference_answer is an empty {json_type(answer)}")


def _turn(message: Any, path: str, parts: TextParts, line: int, log: IssueLog) -> str | None:
    """Check one turn; returns its role, or None when it is missing or unknown."""
    turn = turn_object(message, path, _MESSAGE_KEYS, line, log)
    if turn is None:
        return None
    role = _role(turn, path, line, log)
    if "content" not in turn:
        log.add(IssueCode.MISSING_KEY, line, f"{path}.content")
    else:
        _content(turn["content"], f"{path}.content", parts, line, log)
    return role


def _role(message: dict[str, Any], path: str, line: int, log: IssueLog) -> str | None:
    role = role_text(message, path, line, log)
    if role is None:
        return None
    if role not in _ROLES:
        log.add(IssueCode.INVALID_ROLE, line, f'{path}.role is {role[:100]!r}; use "system", "user" or "assistant"')
        return None
    return role


def _content(content: Any, path: str, parts: TextParts, line: int, log: IssueLog) -> None:
    """A string, or a non-empty list of text parts."""
    if not isinstance(content, list):
        text = check_text(content, path, line, log)
        if text is not None:
            parts.add(text, path)
        return
    if not content:
        log.add(IssueCode.EMPTY_CONTENT, line, path)
    for index, part in enumerate(content):
        _part(part, f"{path}[{index}]", parts, line, log)


def _part(part: Any, path: str, parts: TextParts, line: int, log: IssueLog) -> None:
    if not isinstance(part, dict):
        log.add(
            IssueCode.INVALID_CONTENT_BLOCK,
            line,
            f'{path}: expected {{"type": "text", "text": …}}, got {json_type(part)}',
        )
        return
    kind = part.get("type")
    if isinstance(kind, str) and kind in _MEDIA_PARTS:
        log.add(IssueCode.MEDIA_NOT_ALLOWED, line, f"{path} is {kind}; reinforcement fine-tuning takes text only")
        return
    if kind != "text" or "text" not in part:
        log.add(IssueCode.INVALID_CONTENT_BLOCK, line, f'{path}: expected {{"type": "text", "text": …}}')
        return
    text = check_text(part["text"], f"{path}.text", line, log)
    if text is not None:
        parts.add(text, f"{path}.text")


def _order(roles: list[str | None], line: int, log: IssueLog) -> None:
    """System turns first; then user first, alternating, user last. Each reported once per record."""
    if None in roles or not roles:
        return
    start = 0
    while start < len(roles) and roles[start] == "system":
        start += 1
    turns = [(index, role) for index, role in enumerate(roles) if index >= start]
    late_system = next((index for index, role in turns if role == "system"), None)
    if late_system is not None:
        log.add(
            IssueCode.SYSTEM_NOT_FIRST, line, f"messages[{late_system}] is a system turn after the conversation began"
        )
    turns = [(index, role) for index, role in turns if role != "system"]
    if not turns:
        log.add(IssueCode.LAST_NOT_USER, line, "messages has system turns only; add the user's prompt")
        return
    user_first_alternating(turns, line, log)
    last_index, last_role = turns[-1]
    if last_role != "user":
        log.add(IssueCode.LAST_NOT_USER, line, f"messages[{last_index}].role is {last_role!r}")
