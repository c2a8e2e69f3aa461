"""Routes a parsed line to its format's checks, or says why it cannot be checked as a record."""

from __future__ import annotations

from typing import Any

from workflows.dataset_rules import DatasetFormat
from workflows.datasets.validation.codes import IssueCode
from workflows.datasets.validation.detect import classify, family, is_conversation
from workflows.datasets.validation.formats.chat_prompts import ChatPromptChecker
from workflows.datasets.validation.formats.common import Content, RecordChecker, json_type
from workflows.datasets.validation.formats.conversation import ConversationChecker
from workflows.datasets.validation.formats.flat import FlatChecker
from workflows.datasets.validation.formats.media import MediaTracker
from workflows.datasets.validation.issues import IssueLog
from workflows.datasets.validation.plan import Plan, keys_name


def build_checker(plan: Plan, media: MediaTracker) -> RecordChecker | None:
    """The checks for the plan's format (None when the format is unknown)."""
    match plan.format:
        case None:
            return None
        case DatasetFormat.PROMPT_COMPLETION | DatasetFormat.TEXT_INPUT:
            return FlatChecker(plan.format)
        case DatasetFormat.BEDROCK_CONVERSATION:
            return ConversationChecker(
                media=media,
                final_assistant=plan.final_assistant,
                exact_schema_version=plan.rules.exact_schema_version,
                max_system_blocks=plan.rules.max_system_blocks,
                text_paths=bool(plan.rules.reserved_words),
                single_turn=plan.rules.single_turn,
            )
        case DatasetFormat.CHAT_PROMPTS:
            return ChatPromptChecker(single_turn=plan.rules.single_turn)
        case DatasetFormat.ANTHROPIC_MESSAGES:
            return ConversationChecker(
                media=None, final_assistant=plan.final_assistant, text_paths=bool(plan.rules.reserved_words)
            )


class RecordRouter:
    """Objects of the plan's format go to its checker; others get one error that says what they are."""

    def __init__(self, plan: Plan, checker: RecordChecker | None) -> None:
        self._checker = checker
        self._target = plan.format
        self._target_type = None if plan.format is None else family(plan.format)
        data = plan.data_format
        #: The file as a whole is another type than the one checked: its records get wrong-format.
        self._foreign = None if data is None or family(data) is self._target_type else family(data)

    def check(self, value: Any, line: int, log: IssueLog) -> Content | None:
        if type(value) is not dict:
            log.add(IssueCode.NOT_AN_OBJECT, line, f"got {json_type(value)}")
            return None
        if self._checker is None or self._target is None:
            return None
        found = classify(value)
        if found is not None and not self._fits(found):
            code = IssueCode.MIXED_FORMATS if family(found) is not self._foreign else IssueCode.WRONG_FORMAT
            detail = f"record with {keys_name(found)} keys; expected {keys_name(self._target)} keys"
            log.add(code, line, detail)
            return None
        return self._checker.check(value, line, log)

    def _fits(self, found: DatasetFormat) -> bool:
        """Same type; chat records checked as reinforcement prompts say themselves what they lack."""
        if self._target is DatasetFormat.CHAT_PROMPTS and is_conversation(found):
            return True
        return family(found) is self._target_type
