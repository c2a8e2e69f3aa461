"""Conversation records: ``bedrock-conversation-2024`` (content blocks) and Anthropic-style (strings).

Both take user and assistant turns only, starting with the user and alternating; the system
prompt lives at the top level. Training records end with the assistant's turn; distillation
prompts may stop at the user's.
"""

from __future__ import annotations

from typing import Any

import orjson

from workflows.datasets.validation.codes import IssueCode
from workflows.datasets.validation.formats.common import (
    SCHEMA_VERSION,
    Content,
    TextParts,
    check_text,
    json_type,
    report_unknown_keys,
)
from workflows.datasets.validation.formats.content_blocks import BlockChecker, MediaCount
from workflows.datasets.validation.formats.media import MediaTracker
from workflows.datasets.validation.formats.plain import plain_conversation
from workflows.datasets.validation.formats.turns import (
    message_list,
    role_text,
    turn_object,
    user_first_alternating,
)
from workflows.datasets.validation.issues import IssueLog
from workflows.datasets.validation.template import conversation_overhead

_ROLES = frozenset({"user", "assistant"})
_MESSAGE_KEYS = frozenset({"role", "content"})
_BEDROCK_KEYS = frozenset({"schemaVersion", "system", "messages"})
_ANTHROPIC_KEYS = frozenset({"system", "messages"})


class ConversationChecker:
    """Checks one conversation record; ``media`` set means bedrock-conversation content blocks."""

    def __init__(
        self,
        *,
        media: MediaTracker | None,
        final_assistant: bool = True,
        exact_schema_version: bool = False,
        max_system_blocks: int | None = None,
        text_paths: bool = True,
        single_turn: bool = False,
    ) -> None:
        self._blocks = None if media is None else BlockChecker(media)
        self._media = media
        self._final_assistant = final_assistant
        self._known = _ANTHROPIC_KEYS if media is None else _BEDROCK_KEYS
        self._exact_schema = exact_schema_version
        self._max_system = max_system_blocks
        #: Clean records carry their texts' JSON paths (needed only to place a reserved word).
        self._text_paths = text_paths
        #: Distillation into Llama or Anthropic students: one user turn per prompt.
        self._single_turn = single_turn

    def check(self, record: dict[str, Any], line: int, log: IssueLog) -> Content:
        plain = plain_conversation(
            record, blocks=self._blocks is not None, final_assistant=self._final_assistant, with_paths=self._text_paths
        )
        if (
            plain is None
            or (self._max_system is not None and len(record.get("system", ())) > self._max_system)
            or (self._single_turn and plain.user_turns > 1)
        ):
            return self.check_fully(record, line, log)
        return plain

    def check_fully(self, record: dict[str, Any], line: int, log: IssueLog) -> Content:
        """Every check, without the shortcut for clean records (which must agree with this)."""
        parts = TextParts()
        count = MediaCount()
        report_unknown_keys(record, self._known, "", line, log)
        if self._blocks is not None:
            _schema_version(record, self._exact_schema, line, log)
        if "system" in record:
            self._system(record["system"], parts, line, log)
        roles = self._messages(record, parts, count, line, log)
        _order(roles, self._final_assistant, line, log)
        users = roles.count("user")
        if self._single_turn and users > 1:
            log.add(IssueCode.MULTI_TURN_PROMPT, line, f"{users} user turns; this model takes single-turn prompts")
        if self._media is not None:
            self._media.finish_record(count.images, count.videos, line, log)
        try:
            key: bytes | None = orjson.dumps(record, option=orjson.OPT_SORT_KEYS)
        except orjson.JSONEncodeError:
            key = None
        overhead = conversation_overhead(len(roles), has_system="system" in record)
        return Content(tuple(parts.texts), tuple(parts.paths), key, overhead, roles.count("user"))

    def _system(self, system: Any, parts: TextParts, line: int, log: IssueLog) -> None:
        if self._blocks is not None:
            self._blocks.system(system, parts, line, log)
            most = self._max_system
            if most is not None and isinstance(system, list) and len(system) > most:
                detail = f"system has {len(system)} blocks; {'one is' if most == 1 else f'{most} are'} allowed"
                log.add(IssueCode.TOO_MANY_SYSTEM_BLOCKS, line, detail)
            return
        text = check_text(system, "system", line, log)
        if text is not None:
            parts.add(text, "system")

    def _messages(
        self, record: dict[str, Any], parts: TextParts, count: MediaCount, line: int, log: IssueLog
    ) -> list[str | None]:
        """Check every turn; returns each turn's role ("system" included, None when unusable)."""
        messages = message_list(record, line, log)
        return [self._turn(m, f"messages[{i}]", parts, count, line, log) for i, m in enumerate(messages)]

    def _turn(
        self, message: Any, path: str, parts: TextParts, count: MediaCount, line: int, log: IssueLog
    ) -> str | None:
        """Check one turn; returns its role ("system" too), or None when it is missing or unknown."""
        turn = turn_object(message, path, _MESSAGE_KEYS, line, log)
        if turn is None:
            return None
        role = _role(turn, path, line, log)
        if "content" not in turn:
            log.add(IssueCode.MISSING_KEY, line, f"{path}.content")
        elif self._blocks is not None:
            self._blocks.content(turn["content"], f"{path}.content", role, parts, count, line, log)
        else:
            self._string_content(turn["content"], f"{path}.content", parts, line, log)
        return role

    def _string_content(self, content: Any, path: str, parts: TextParts, line: int, log: IssueLog) -> None:
        if isinstance(content, list):
            log.add(IssueCode.WRONG_TYPE, line, f"{path}: expected a string (this format takes plain-text turns)")
            return
        text = check_text(content, path, line, log)
        if text is not None:
            parts.add(text, path)


def _schema_version(record: dict[str, Any], exact: bool, line: int, log: IssueLog) -> None:
    if "schemaVersion" not in record:
        log.add(IssueCode.MISSING_KEY, line, f'schemaVersion (use "{SCHEMA_VERSION}")')
        return
    version = record["schemaVersion"]
    if not isinstance(version, str):
        log.add(IssueCode.WRONG_TYPE, line, f"schemaVersion: expected a string, got {json_type(version)}")
    elif version != SCHEMA_VERSION:
        code = IssueCode.WRONG_SCHEMA_VERSION if exact else IssueCode.SCHEMA_VERSION
        log.add(code, line, f'schemaVersion is {version[:100]!r}; expected "{SCHEMA_VERSION}"')


def _role(message: dict[str, Any], path: str, line: int, log: IssueLog) -> str | None:
    role = role_text(message, path, line, log)
    if role is None:
        return None
    if role == "system":
        log.add(IssueCode.SYSTEM_IN_MESSAGES, line, f"{path}.role")
        return role
    if role not in _ROLES:
        log.add(IssueCode.INVALID_ROLE, line, f"{path}.role is {role[:100]!r}")
        return None
    return role


def _order(roles: list[str | None], final_assistant: bool, line: int, log: IssueLog) -> None:
    """User first, alternating, assistant last; each reported once per record.

    A system turn will move to the top level, so the order is judged without it; a turn whose
    role is missing or unknown makes the order unknowable, so nothing more is reported for it.
    """
    if None in roles:
        return
    turns = [(index, role) for index, role in enumerate(roles) if role != "system"]
    if not turns:
        return
    user_first_alternating(turns, line, log)
    last_index, last_role = turns[-1]
    if final_assistant and last_role != "assistant":
        log.add(IssueCode.LAST_NOT_ASSISTANT, line, f"messages[{last_index}].role is {last_role!r}")
