"""The ``messages`` array and the shape of each turn, as the conversation and chat-prompt formats share them."""

from __future__ import annotations

from itertools import pairwise
from typing import Any

from workflows.datasets.validation.codes import IssueCode
from workflows.datasets.validation.formats.common import json_type, report_unknown_keys, required_string
from workflows.datasets.validation.issues import IssueLog


def message_list(record: dict[str, Any], line: int, log: IssueLog) -> list[Any]:
    """The record's turns; empty when ``messages`` is missing or not an array. Each problem is reported."""
    if "messages" not in record:
        log.add(IssueCode.MISSING_KEY, line, "messages")
        return []
    messages = record["messages"]
    if not isinstance(messages, list):
        log.add(IssueCode.WRONG_TYPE, line, f"messages: expected an array of turns, got {json_type(messages)}")
        return []
    if not messages:
        log.add(IssueCode.NO_MESSAGES, line, "messages")
    return messages


def turn_object(message: Any, path: str, known: frozenset[str], line: int, log: IssueLog) -> dict[str, Any] | None:
    """The turn when it is an object (its keys beyond ``known`` reported), else None (reported)."""
    if not isinstance(message, dict):
        log.add(
            IssueCode.WRONG_TYPE, line, f"{path}: expected an object with role and content, got {json_type(message)}"
        )
        return None
    report_unknown_keys(message, known, f"{path}.", line, log)
    return message


def role_text(message: dict[str, Any], path: str, line: int, log: IssueLog) -> str | None:
    """The turn's ``role`` as written, or None when it is missing or not a string (reported); the format judges it."""
    return required_string(message, "role", path, line, log)


def user_first_alternating(turns: list[tuple[int, str | None]], line: int, log: IssueLog) -> None:
    """The user speaks first, and no role speaks twice in a row; each reported once. ``turns``: (index, role)."""
    first_index, first_role = turns[0]
    if first_role != "user":
        log.add(IssueCode.FIRST_NOT_USER, line, f"messages[{first_index}].role is {first_role!r}")
    for (_, before), (index, role) in pairwise(turns):
        if role == before:
            log.add(IssueCode.ROLES_NOT_ALTERNATING, line, f"messages[{index}] is a second {role} turn in a row")
            break
