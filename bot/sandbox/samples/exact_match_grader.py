"""A sample reward function for reinforcement fine-tuning: exact match against each record's reference answer.

Bedrock calls the grader Lambda with a list of items, each with its ``id``, the ``messages`` (the
last assistant turn is the response to score) and the record's extra fields under ``metadata``
(``reference_answer`` here); it expects, per item, ``{"id": …, "aggregate_reward_score": float}``.
Answers are compared after trimming, lower-casing and collapsing whitespace. ``lambda_handler`` is
what the Lambda runtime calls; the sandbox runs the same function locally behind Lambda ``Invoke``.
"""

from __future__ import annotations

from typing import Any


def lambda_handler(event: Any, context: Any) -> list[dict[str, Any]]:
    """One score per item: 1.0 when the response equals the reference answer, else 0.0."""
    items = event if isinstance(event, list) else [event]
    return [score(item) for item in items]


def score(item: dict[str, Any]) -> dict[str, Any]:
    reference = _reference(item)
    response = _last_assistant_text(item.get("messages") or [])
    matched = reference is not None and _normal(response) == _normal(reference)
    value = 1.0 if matched else 0.0
    return {"id": item.get("id"), "aggregate_reward_score": value, "reward_components": {"exact_match": value}}


def _reference(item: dict[str, Any]) -> str | None:
    metadata = item.get("metadata")
    found = (metadata if isinstance(metadata, dict) else {}).get("reference_answer", item.get("reference_answer"))
    if isinstance(found, dict):
        found = found.get("final_answer")
    return None if found is None else str(found)


def _last_assistant_text(messages: list[Any]) -> str:
    text = ""
    for message in messages:
        if isinstance(message, dict) and message.get("role") == "assistant":
            content = message.get("content", "")
            if isinstance(content, list):
                content = " ".join(str(block.get("text", "")) for block in content if isinstance(block, dict))
            text = str(content)
    return text


def _normal(text: str) -> str:
    return " ".join(text.lower().split())
