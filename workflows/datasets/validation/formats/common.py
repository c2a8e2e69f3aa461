"""What every format check shares: the checker protocol, its result, and small value checks."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any, Protocol

from workflows.datasets.validation.codes import IssueCode
from workflows.datasets.validation.issues import IssueLog

#: The schemaVersion of Bedrock's conversation format; every model except Nova requires it exactly.
SCHEMA_VERSION = "bedrock-conversation-2024"


@dataclass(frozen=True, slots=True)
class Content:
    """What the scan needs from a checked record: its texts, where they are, and its identity."""

    #: Every training text of the record (empty strings included), in record order.
    texts: tuple[str, ...]
    #: The JSON path of each text, for messages ("messages[2].content[0].text").
    paths: tuple[str, ...]
    #: The record's content, normalised, for duplicate detection (None: too broken to compare).
    key: Hashable | None
    #: Approximate prompt-template tokens the model adds to this record.
    overhead: int
    #: User turns, for conversations (0 for other formats).
    user_turns: int = 0


class RecordChecker(Protocol):
    """Checks one parsed JSON object against a format, reporting every problem it finds."""

    def check(self, record: dict[str, Any], line: int, log: IssueLog) -> Content: ...


@dataclass(slots=True)
class TextParts:
    """Texts found while walking one record, with their paths."""

    texts: list[str] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)

    def add(self, text: str, path: str) -> None:
        self.texts.append(text)
        self.paths.append(path)


def json_type(value: object) -> str:
    """The JSON name of a parsed value's type, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def check_text(value: object, path: str, line: int, log: IssueLog) -> str | None:
    """A string that must hold training text: reports a wrong type or empty text."""
    if not isinstance(value, str):
        log.add(IssueCode.WRONG_TYPE, line, f"{path}: expected a string, got {json_type(value)}")
        return None
    if not value or value.isspace():
        log.add(IssueCode.EMPTY_TEXT, line, path)
    return value


def required_string(container: dict[str, Any], key: str, path: str, line: int, log: IssueLog) -> str | None:
    """``container[key]`` when it is a string; a missing key or another type is reported and gives None."""
    where = f"{path}.{key}"
    if key not in container:
        log.add(IssueCode.MISSING_KEY, line, where)
        return None
    value = container[key]
    if not isinstance(value, str):
        log.add(IssueCode.WRONG_TYPE, line, f"{where}: expected a string, got {json_type(value)}")
        return None
    return value


def report_unknown_keys(record: dict[str, Any], known: frozenset[str], prefix: str, line: int, log: IssueLog) -> None:
    """One UNKNOWN_KEY per key the format does not define."""
    for key in record:
        if key not in known:
            log.add(IssueCode.UNKNOWN_KEY, line, f"{prefix}{key}")


def child(path: str, key: str) -> str:
    """The JSON path of ``key`` below ``path`` (the top level has an empty path)."""
    return f"{path}.{key}" if path else key
