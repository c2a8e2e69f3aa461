"""The stand-in model behind Converse: a custom model answers from its training data, a base model generically.

Nothing here pretends to be a language model. A custom model answers with the response of the
training record whose prompt is closest to the question (Jaccard similarity of their word sets,
ties to the earlier record), so it visibly "learned" its data; a base model answers every question
with the same plainly generic sentence around the question's first words. Both are deterministic.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

#: Words for closeness: lower-case letters and digits.
_WORD = re.compile(r"[a-z0-9]+")
#: Tokens for usage counts: words and single punctuation marks (close to what real tokenizers give for English).
_TOKEN = re.compile(r"\w+|[^\w\s]")
#: How many of the question's words the generic reply repeats.
_GIST_WORDS = 8
#: Simulated latency: a fixed part and a part per output token, in milliseconds.
LATENCY_BASE_MS = 180
LATENCY_PER_TOKEN_MS = 9


@dataclass(frozen=True)
class Example:
    """One prompt and the response the training data gives for it."""

    prompt: str
    response: str


@dataclass(frozen=True)
class Answer:
    """What the stand-in model says, with its token counts and simulated latency."""

    text: str
    input_tokens: int
    output_tokens: int
    latency_ms: int
    truncated: bool


def examples_from_jsonl(data: bytes) -> list[Example]:
    """Prompt and response pairs from a training file in any of the layouts Bedrock takes; bad lines are skipped.

    ``bedrock-conversation-2024`` and Claude's messages layout give one pair per assistant turn (the
    user turn before it is the prompt); ``{"prompt", "completion"}`` gives one pair; continued
    pre-training's ``{"input"}`` gives the text as both prompt and response.
    """
    found: list[Example] = []
    for line in data.decode("utf-8", errors="replace").splitlines():
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict):
            found += _examples(record)
    return found


def closest(examples: list[Example], question: str) -> Example | None:
    """The example whose prompt shares the most words with ``question`` (Jaccard), the earlier one on a tie."""
    asked = words(question)
    best: Example | None = None
    best_score = -1.0
    for example in examples:
        score = overlap(asked, words(example.prompt))
        if score > best_score:
            best, best_score = example, score
    return best


def overlap(left: set[str], right: set[str]) -> float:
    """Jaccard similarity: shared words over all words (0 when both are empty)."""
    union = left | right
    return len(left & right) / len(union) if union else 0.0


def words(text: str) -> set[str]:
    return set(_WORD.findall(text.lower()))


def generic_reply(question: str) -> str:
    """The base model's answer: the same general advice for every question, naming its first words."""
    gist = " ".join(question.split()[:_GIST_WORDS]) or "your question"
    if len(question.split()) > _GIST_WORDS:
        gist += " …"
    return (
        f"Here is a general answer about “{gist}”: it depends on your setup. "
        "Check the relevant documentation, try the simplest option first, and contact support if the problem remains."
    )


def answer(text: str, *, prompt_text: str, max_tokens: int | None) -> Answer:
    """``text`` cut to ``max_tokens`` tokens (when given), with the usage and latency of producing it."""
    tokens = _TOKEN.findall(text)
    truncated = max_tokens is not None and len(tokens) > max_tokens
    if truncated and max_tokens is not None:
        text = _first_tokens(text, max_tokens)
        tokens = tokens[:max_tokens]
    return Answer(
        text=text,
        input_tokens=count_tokens(prompt_text),
        output_tokens=len(tokens),
        latency_ms=LATENCY_BASE_MS + LATENCY_PER_TOKEN_MS * len(tokens),
        truncated=truncated,
    )


def count_tokens(text: str) -> int:
    return len(_TOKEN.findall(text))


def _first_tokens(text: str, limit: int) -> str:
    """The start of ``text`` that holds exactly ``limit`` tokens."""
    ends = [match.end() for match in _TOKEN.finditer(text)]
    return text[: ends[limit - 1]] if limit > 0 else ""


def _examples(record: dict[str, Any]) -> list[Example]:
    if isinstance(record.get("messages"), list):
        return _conversation_examples(record["messages"])
    if isinstance(record.get("prompt"), str) and isinstance(record.get("completion"), str):
        return [Example(record["prompt"], record["completion"])]
    if isinstance(record.get("input"), str):
        return [Example(record["input"], record["input"])]
    return []


def _conversation_examples(messages: list[Any]) -> list[Example]:
    found: list[Example] = []
    last_user = ""
    for message in messages:
        if not isinstance(message, dict):
            continue
        text = content_text(message.get("content"))
        if message.get("role") == "user":
            last_user = text
        elif message.get("role") == "assistant" and last_user:
            found.append(Example(last_user, text))
    return found


def content_text(content: Any) -> str:
    """The text of a message's content: a plain string (Claude's layout) or Converse content blocks."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = [block["text"] for block in content if isinstance(block, dict) and isinstance(block.get("text"), str)]
        return "\n".join(parts)
    return ""
