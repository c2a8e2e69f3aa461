"""The grader of a reinforcement fine-tuning job: its ARN, what *Test my grader* sends, and how its answer is judged.

Bedrock calls the grader Lambda with a list of items, each with its ``id``, the ``messages`` ending
with the model's answer (the assistant's turn), and the record's other keys under ``metadata``
(``reference_answer`` among them); it expects a list with, per item, the same ``id`` and a numeric
``aggregate_reward_score`` (AWS documentation, "Setting up reward functions for Amazon Nova models").
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from workflows.messages import Message
from workflows.ports import GraderReply
from workflows.slack_text import code

#: ``LambdaArn`` in the Bedrock API's service model (an unqualified or qualified function ARN).
LAMBDA_ARN = re.compile(
    r"^arn:(aws[a-zA-Z-]*)?:lambda:(?P<region>[a-z]{2}(-gov)?-[a-z]+-\d):\d{12}:function:[a-zA-Z0-9\-_.]+"
    r"(:(\$LATEST|[a-zA-Z0-9\-_]+))?$"
)
#: How many records *Test my grader* sends.
TEST_RECORDS = 3
#: The most problems one verdict lists.
_MAX_PROBLEMS = 5
_FIX = "Fix the function and press *Test my grader* again; nothing has been spent."
_CONTRACT = "A grader must answer a list with one object per item: its `id` and a numeric `aggregate_reward_score`."


def arn_problem(text: str, region: str) -> str | None:
    """Why ``text`` cannot be the grader of a job in ``region`` (None: it can, as far as its ARN tells)."""
    match = LAMBDA_ARN.match(text)
    if match is None:
        return (
            f"{code(text[:200])} is not a Lambda function ARN. Type one like "
            "`arn:aws:lambda:us-east-1:123456789012:function:my-grader`."
        )
    if match["region"] != region:
        return (
            f"That grader is in {match['region']}, but jobs here run in {region}, and Bedrock calls the grader "
            f"in the job's region. Deploy it in {region} and type that ARN."
        )
    return None


def test_items(samples: tuple[str, ...]) -> list[dict[str, Any]]:
    """What Bedrock would send for these records, each answered plausibly: with its own reference answer."""
    items = []
    for index, line in enumerate(samples[:TEST_RECORDS], start=1):
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if not isinstance(record, dict):
            continue
        found = record.get("messages")
        messages: list[Any] = list(found) if isinstance(found, list) else []
        reference = record.get("reference_answer")
        answer = reference if isinstance(reference, str) else json.dumps(reference, ensure_ascii=False)
        metadata = {key: value for key, value in record.items() if key not in {"messages", "id"}}
        identifier = record.get("id")
        items.append(
            {
                "id": str(identifier) if isinstance(identifier, str | int) else f"sample-{index}",
                "messages": [*messages, {"role": "assistant", "content": answer}],
                "metadata": metadata,
            }
        )
    return items


def judge(items: list[dict[str, Any]], reply: GraderReply) -> tuple[bool, Message]:
    """Whether the grader's answer is what Bedrock needs, and the message that says so (or what is wrong)."""
    if reply.error is not None:
        return False, Message(
            "Your grader raised an error instead of answering.",
            details=(code(reply.error[:1500]), "Its CloudWatch logs have the stack trace. " + _FIX),
        )
    problems = _problems(items, reply.payload)
    if problems:
        shown = problems[:_MAX_PROBLEMS]
        more = len(problems) - len(shown)
        listed = "\n".join(f"• {problem}" for problem in shown) + (f"\n• …and {more} more" if more else "")
        return False, Message(
            "Your grader answered, but not in the shape Bedrock needs.", details=(listed, _CONTRACT, _FIX)
        )
    scores = {str(entry["id"]): entry["aggregate_reward_score"] for entry in reply.payload}  # type: ignore[attr-defined]
    lines = "\n".join(f"• {code(item['id'][:60])}: {scores[item['id']]:g}" for item in items)
    return True, Message(
        f"Your grader works: it scored {len(items)} records, each answered with its own reference answer.",
        details=(lines, "A grader that gives a correct answer a low score will teach the model the wrong thing."),
    )


def _problems(items: list[dict[str, Any]], payload: object) -> list[str]:
    if not isinstance(payload, list):
        return [f"It answered {_kind(payload)}, not a list."]
    problems = []
    if len(payload) != len(items):
        problems.append(f"It answered {len(payload)} items for the {len(items)} it was sent.")
    sent = {item["id"] for item in items}
    for index, entry in enumerate(payload, start=1):
        problems += _entry_problems(index, entry, sent)
    answered = {str(entry["id"]) for entry in payload if isinstance(entry, dict) and "id" in entry}
    problems += [f"No item answers the id {code(missing[:60])}." for missing in sorted(sent - answered)]
    return problems


def _entry_problems(index: int, entry: object, sent: set[str]) -> list[str]:
    if not isinstance(entry, dict):
        return [f"Item {index} is {_kind(entry)}, not an object."]
    problems = []
    if "id" not in entry:
        problems.append(f"Item {index} has no `id`.")
    elif str(entry["id"]) not in sent:
        problems.append(f"Item {index} has the id {code(str(entry['id'])[:60])}, which was not sent.")
    if "aggregate_reward_score" not in entry:
        problems.append(f"Item {index} has no `aggregate_reward_score`.")
    elif not _number(entry["aggregate_reward_score"]):
        value = json.dumps(entry["aggregate_reward_score"], ensure_ascii=False, default=str)[:60]
        problems.append(f"Item {index}'s `aggregate_reward_score` is {code(value)}, not a number.")
    return problems


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    return "a list"
