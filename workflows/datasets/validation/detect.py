"""Tells a dataset's format (and so its customization type) from the keys of its first records."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import orjson

from workflows.dataset_rules import CustomizationType, DatasetFormat

#: How much of the file detection reads, and how many recognised records are enough.
SNIFF_BYTES = 4 << 20
SNIFF_RECORDS = 200

_CONVERSATION = frozenset({DatasetFormat.BEDROCK_CONVERSATION, DatasetFormat.ANTHROPIC_MESSAGES})


@dataclass(frozen=True, slots=True)
class Sniff:
    """What the first records of a file look like."""

    #: The most common recognised format (None: no record had known keys).
    format: DatasetFormat | None
    #: Some conversation among the first records has more than one user turn.
    multi_turn: bool
    #: Mean length of the lines read, to size the duplicate table.
    mean_line_bytes: float


def classify(record: Any) -> DatasetFormat | None:
    """The format a single record is written in, from its keys; None when no format's keys are there."""
    if not isinstance(record, dict):
        return None
    if "reference_answer" in record:
        return DatasetFormat.CHAT_PROMPTS
    if "messages" in record or "schemaVersion" in record:
        return _conversation_layout(record)
    if "prompt" in record or "completion" in record:
        return DatasetFormat.PROMPT_COMPLETION
    if "input" in record:
        return DatasetFormat.TEXT_INPUT
    return None


def family(format: DatasetFormat) -> CustomizationType:
    """The customization type a format serves (both conversation layouts serve conversation)."""
    if format is DatasetFormat.PROMPT_COMPLETION:
        return CustomizationType.INSTRUCTION
    if format is DatasetFormat.TEXT_INPUT:
        return CustomizationType.CONTINUED_PRETRAINING
    if format is DatasetFormat.CHAT_PROMPTS:
        return CustomizationType.REINFORCEMENT
    return CustomizationType.CONVERSATION


def is_conversation(format: DatasetFormat | None) -> bool:
    return format in _CONVERSATION


def sniff(head: bytes, *, complete: bool) -> Sniff:
    """Tell what a file's records are from its first bytes (at most ``SNIFF_BYTES`` are looked at).

    ``complete`` says the head is the whole file; otherwise its last line may be cut.
    """
    cut = not complete or len(head) > SNIFF_BYTES
    head = head[:SNIFF_BYTES]
    lines = head.split(b"\n")
    if cut and len(lines) > 1:
        lines.pop()  # the last line may continue past what was read
    formats: Counter[DatasetFormat] = Counter()
    multi_turn = False
    for line in lines:
        record = _parse(line)
        found = classify(record)
        if found is None:
            continue
        formats[found] += 1
        turns = is_conversation(found) or found is DatasetFormat.CHAT_PROMPTS
        multi_turn = multi_turn or (turns and _user_turns(record) > 1)
        if formats.total() >= SNIFF_RECORDS:
            break
    common = formats.most_common(1)
    mean = sum(map(len, lines)) / len(lines) + 1 if lines else 0.0
    return Sniff(common[0][0] if common else None, multi_turn, mean)


def _parse(line: bytes) -> Any:
    try:
        return orjson.loads(line.removeprefix(b"\xef\xbb\xbf"))
    except orjson.JSONDecodeError:
        return None


def _conversation_layout(record: dict[str, Any]) -> DatasetFormat:
    """Content blocks (lists) mean bedrock-conversation-2024; plain strings mean Anthropic style."""
    if "schemaVersion" in record:
        return DatasetFormat.BEDROCK_CONVERSATION
    messages = record.get("messages")
    for message in messages if isinstance(messages, list) else ():
        content = message.get("content") if isinstance(message, dict) else None
        if isinstance(content, str):
            return DatasetFormat.ANTHROPIC_MESSAGES
        if isinstance(content, list):
            return DatasetFormat.BEDROCK_CONVERSATION
    if isinstance(record.get("system"), str):
        return DatasetFormat.ANTHROPIC_MESSAGES
    return DatasetFormat.BEDROCK_CONVERSATION


def _user_turns(record: Any) -> int:
    messages = record.get("messages") if isinstance(record, dict) else None
    if not isinstance(messages, list):
        return 0
    return sum(1 for m in messages if isinstance(m, dict) and m.get("role") == "user")
