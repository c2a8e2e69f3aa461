"""The arguments of ``/finetune compare``, parsed, or refused in words that say how to write them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from workflows.deployments.deploy_arguments import Refusal, target_and_options
from workflows.slack_text import code

COMPARE_USAGE = "`/finetune compare MODEL [n=N] [lines=3,7,10-14] [prompts=s3://bucket/file.jsonl]`"
#: Prompts compared when neither ``n=`` nor FINETUNE_COMPARE_PROMPTS says otherwise.
DEFAULT_PROMPTS = 10
#: The most prompts one comparison runs: each is two model calls, billed per token, and the summary stays readable.
MAX_PROMPTS = 50
_OPTIONS = ("n", "lines", "prompts")
_RANGE = re.compile(r"^(\d{1,7})(?:-(\d{1,7}))?$")


@dataclass(frozen=True, slots=True)
class CompareArguments:
    """What to compare: a deployment (or the job it serves), how many prompts, and which records."""

    target: str
    #: At most this many prompts (``n=``); None takes the setting.
    limit: int | None = None
    #: 1-based lines of the prompts file to use, in this order; None spreads the choice through the file.
    lines: tuple[int, ...] | None = None
    #: Another file of held-out records than the job's validation data.
    prompts_uri: str | None = None


def parse_compare(text: str) -> CompareArguments | Refusal:
    """The words after ``compare``: one deployment or job, then ``n=``, ``lines=`` and ``prompts=`` in any order."""
    parsed = target_and_options(
        text,
        known=_OPTIONS,
        missing=f"Say which deployed model to compare with its base model: {COMPARE_USAGE}.",
        one_at_a_time="Compare one model at a time",
        usage=COMPARE_USAGE,
        known_hint="compare takes `n=`, `lines=` and `prompts=`",
    )
    if isinstance(parsed, Refusal):
        return parsed
    target, options = parsed
    limit = _limit(options.get("n"))
    if isinstance(limit, Refusal):
        return limit
    lines = _lines(options.get("lines"))
    if isinstance(lines, Refusal):
        return lines
    prompts = options.get("prompts")
    if prompts is not None and not prompts.startswith("s3://"):
        return Refusal(f"`prompts=` takes an S3 URI such as `s3://bucket/held-out.jsonl`, not {code(prompts)}.")
    return CompareArguments(target=target, limit=limit, lines=lines, prompts_uri=prompts)


def _limit(value: str | None) -> int | Refusal | None:
    if value is None:
        return None
    if not value.isascii() or not value.isdigit() or int(value) < 1:
        return Refusal(f"`n=` takes a whole number of prompts, such as `n=10`, not {code(value)}.")
    if int(value) > MAX_PROMPTS:
        return Refusal(
            f"`n={int(value)}` is more than the {MAX_PROMPTS} prompts one comparison runs (each is two model calls, "
            f"billed per token). Ask for {MAX_PROMPTS} or fewer."
        )
    return int(value)


def _lines(value: str | None) -> tuple[int, ...] | Refusal | None:
    """``3,7,10-14`` as the lines in that order, each once; at most ``MAX_PROMPTS`` of them."""
    if value is None:
        return None
    chosen: list[int] = []
    for part in value.split(","):
        match = _RANGE.match(part.strip())
        if match is None:
            return Refusal(f"`lines=` takes line numbers and ranges such as `lines=3,7,10-14`, not {code(value)}.")
        first = int(match.group(1))
        last = int(match.group(2) or first)
        if first < 1 or last < first:
            return Refusal(f"{code(part)} is not a range of lines: lines count from 1, and a range goes up.")
        if last - first + 1 + len(chosen) > MAX_PROMPTS:
            return Refusal(f"Name at most {MAX_PROMPTS} lines: one comparison runs at most {MAX_PROMPTS} prompts.")
        chosen += [line for line in range(first, last + 1) if line not in chosen]
    return tuple(chosen)
