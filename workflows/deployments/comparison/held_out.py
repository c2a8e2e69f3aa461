"""Which held-out prompts a comparison uses: records of a JSONL file, each a prompt with its reference answer.

By default the prompts are spread evenly through the file, up to the limit; a person may name lines
instead. A record gives a prompt when it has a reference answer: ``prompt``/``completion`` records,
or conversation records (``bedrock-conversation-2024`` or Anthropic's layout) whose last turn is the
assistant's answer, the turns before it being the prompt. Continued pre-training text has no answer
to compare with, and says so.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")

#: Reasons kept for the records that could not be used (the summary quotes the first few).
_SKIPPED_KEPT = 20


@dataclass(frozen=True, slots=True)
class Turn:
    """One message of the prompt: ``user`` or ``assistant``, and its text."""

    role: str
    text: str


@dataclass(frozen=True, slots=True)
class HeldOutPrompt:
    """One record to compare on: what the models are asked, and the answer the file gives for it."""

    #: The record's 1-based line in its file.
    line: int
    system: str | None
    #: The conversation so far, ending with the user's question.
    turns: tuple[Turn, ...]
    reference: str

    @property
    def question(self) -> str:
        """The last user turn: what the summary shows as the prompt."""
        return self.turns[-1].text


@dataclass(frozen=True, slots=True)
class Skipped:
    """A record that gives no prompt, and why."""

    line: int
    reason: str


@dataclass(frozen=True, slots=True)
class HeldOut:
    """The prompts chosen, out of how many usable records, and what was skipped."""

    prompts: tuple[HeldOutPrompt, ...]
    #: Records with a prompt and a reference answer (all of the file's, or of the lines named).
    usable: int
    skipped: tuple[Skipped, ...]
    #: Lines named beyond the limit, left out.
    over_limit: int = 0


@dataclass(frozen=True, slots=True)
class NoPrompts:
    """Nothing to compare on, in words that say what to give instead."""

    text: str


def choose(data: str, *, lines: tuple[int, ...] | None, limit: int) -> HeldOut | NoPrompts:
    """The prompts to compare on: the ``lines`` named (in that order), or up to ``limit`` spread through the file."""
    rows = data.removeprefix("\ufeff").split("\n")
    if lines is not None:
        return _named(rows, lines, limit)
    usable: list[HeldOutPrompt] = []
    skipped: list[Skipped] = []
    for number, row in enumerate(rows, start=1):
        if not row.strip():
            continue
        parsed = parse_record(row, number)
        if isinstance(parsed, Skipped):
            skipped.append(parsed)
        else:
            usable.append(parsed)
    if not usable:
        return NoPrompts(_nothing_usable(skipped))
    return HeldOut(prompts=tuple(spread(usable, limit)), usable=len(usable), skipped=tuple(skipped[:_SKIPPED_KEPT]))


def spread(items: list[T], limit: int) -> list[T]:
    """``limit`` items evenly spaced from the first (all of them when there are no more than ``limit``)."""
    if len(items) <= limit:
        return list(items)
    return [items[index * len(items) // limit] for index in range(limit)]


def parse_record(row: str, line: int) -> HeldOutPrompt | Skipped:
    """One JSONL line as a prompt with its reference answer, or why it cannot be one."""
    try:
        record = json.loads(row)
    except ValueError:
        return Skipped(line, "not valid JSON")
    if not isinstance(record, dict):
        return Skipped(line, "not a JSON object")
    if "prompt" in record or "completion" in record:
        return _prompt_completion(record, line)
    if isinstance(record.get("messages"), list):
        return _conversation(record, line)
    if "input" in record:
        return Skipped(line, "continued pre-training text: no prompt and reference answer")
    return Skipped(line, "neither prompt/completion nor messages")


def _named(rows: list[str], lines: tuple[int, ...], limit: int) -> HeldOut | NoPrompts:
    usable: list[HeldOutPrompt] = []
    skipped: list[Skipped] = []
    last = len(rows) - 1 if rows and not rows[-1].strip() else len(rows)
    for number in lines[:limit]:
        if number < 1 or number > last:
            skipped.append(
                Skipped(number, f"there is no line {number}: the file has {last} line{'' if last == 1 else 's'}")
            )
        elif not rows[number - 1].strip():
            skipped.append(Skipped(number, "the line is blank"))
        else:
            parsed = parse_record(rows[number - 1], number)
            if isinstance(parsed, Skipped):
                skipped.append(parsed)
            else:
                usable.append(parsed)
    if not usable:
        return NoPrompts(_nothing_usable(skipped, named=True))
    return HeldOut(
        prompts=tuple(usable),
        usable=len(usable),
        skipped=tuple(skipped[:_SKIPPED_KEPT]),
        over_limit=max(len(lines) - limit, 0),
    )


def _prompt_completion(record: dict[str, Any], line: int) -> HeldOutPrompt | Skipped:
    prompt, completion = record.get("prompt"), record.get("completion")
    if not isinstance(prompt, str) or not prompt.strip():
        return Skipped(line, "no prompt")
    if not isinstance(completion, str) or not completion.strip():
        return Skipped(line, "no reference answer (the completion is empty)")
    return HeldOutPrompt(line=line, system=None, turns=(Turn("user", prompt),), reference=completion)


def _conversation(record: dict[str, Any], line: int) -> HeldOutPrompt | Skipped:
    turns: list[Turn] = []
    for message in record["messages"]:
        if not isinstance(message, dict) or message.get("role") not in {"user", "assistant"}:
            return Skipped(line, "a message is not a user or assistant turn")
        turns.append(Turn(str(message["role"]), _text(message.get("content"))))
    if len(turns) < 2 or turns[-1].role != "assistant" or turns[-2].role != "user":
        return Skipped(line, "does not end with a user question and the assistant's answer")
    if not turns[-1].text.strip():
        return Skipped(line, "no reference answer (the last assistant turn has no text)")
    if any(not turn.text.strip() for turn in turns[:-1]):
        return Skipped(line, "a turn has no text (images and video are not sent in a comparison)")
    system = _text(record.get("system")).strip() or None
    return HeldOutPrompt(line=line, system=system, turns=tuple(turns[:-1]), reference=turns[-1].text)


def _text(content: Any) -> str:
    """A plain string (Anthropic's layout) or the text blocks of a content or system list (Bedrock's)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(
            block["text"] for block in content if isinstance(block, dict) and isinstance(block.get("text"), str)
        )
    return ""


def _nothing_usable(skipped: list[Skipped], *, named: bool = False) -> str:
    where = "the lines you named" if named else "the file"
    if not skipped:
        return f"There are no records in {where} to compare on."
    if not named and all(item.reason.startswith("continued pre-training") for item in skipped):
        return (
            "This file is continued pre-training text: its records have no prompts with reference answers, "
            "so there is nothing to compare on. Name a file of prompt/completion or conversation records."
        )
    first = skipped[0]
    return (
        f"None of {where} has a prompt with a reference answer to compare on "
        f"(line {first.line}: {first.reason}). Name records that end with the answer you expect."
    )
