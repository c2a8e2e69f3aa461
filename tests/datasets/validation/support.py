"""Builders for small JSONL files and helpers to read reports, shared by the validator's tests."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import orjson

from workflows.datasets.validation import IssueCode, ValidationReport
from workflows.datasets.validation.report import FileReport

SCHEMA = "bedrock-conversation-2024"


def write_jsonl(directory: Path, lines: Sequence[bytes], name: str = "train.jsonl") -> Path:
    """Write ``lines`` joined by newlines, with a final newline when there is any line."""
    path = directory / name
    path.write_bytes(b"".join(line + b"\n" for line in lines))
    return path


def record(**fields: Any) -> bytes:
    return orjson.dumps(fields)


def pc(index: int) -> bytes:
    """A distinct, valid prompt/completion record."""
    return record(prompt=f"What is {index} plus {index}?", completion=f"It is {2 * index}.")


def text(value: str) -> list[dict[str, Any]]:
    return [{"text": value}]


def image(uri: str = "s3://bucket/images/cat.png", fmt: str = "png") -> dict[str, Any]:
    return {"image": {"format": fmt, "source": {"s3Location": {"uri": uri}}}}


def video(uri: str = "s3://bucket/videos/clip.mp4", fmt: str = "mp4") -> dict[str, Any]:
    return {"video": {"format": fmt, "source": {"s3Location": {"uri": uri}}}}


def turn(role: str, content: Any) -> dict[str, Any]:
    return {"role": role, "content": content}


def conversation(*turns: dict[str, Any], system: Any = None, version: Any = SCHEMA) -> bytes:
    """A bedrock-conversation-2024 record."""
    fields: dict[str, Any] = {"schemaVersion": version, "messages": list(turns)}
    if system is not None:
        fields["system"] = system
    return orjson.dumps(fields)


def chat(index: int, *, system: Any = None) -> bytes:
    """A distinct, valid single-turn bedrock-conversation record."""
    return conversation(
        turn("user", text(f"Hello number {index}")), turn("assistant", text(f"Hi {index}!")), system=system
    )


def prompt(index: int, *, extra: list[dict[str, Any]] | None = None, **fields: Any) -> bytes:
    """A distinct, valid reinforcement prompt (chat-completions messages and a reference answer)."""
    messages = [
        {"role": "system", "content": "Answer with the number only."},
        {"role": "user", "content": f"What is {index} plus {index}?"},
        *(extra or []),
    ]
    return orjson.dumps({"messages": messages, "reference_answer": str(2 * index), **fields})


def lines_of(report: ValidationReport | FileReport | None, code: IssueCode) -> tuple[int | None, ...]:
    """The lines kept for ``code`` (empty when the report does not have it)."""
    issue = None if report is None else report.issue(code)
    return () if issue is None else tuple(o.line for o in issue.occurrences)


def all_lines(report: ValidationReport | FileReport) -> set[int | None]:
    return {o.line for issue in report.issues for o in issue.occurrences}
