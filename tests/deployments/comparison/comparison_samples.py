"""Compared prompts and plans for the comparison's unit tests."""

from __future__ import annotations

from tests.deployments.deployment_samples import throughput
from workflows.deployments.comparison.compare_results import ComparedPrompt, ComparisonPlan, ModelReply
from workflows.deployments.comparison.held_out import HeldOut, HeldOutPrompt, Skipped, Turn
from workflows.deployments.token_charges import Asked


def prompt(
    line: int, question: str, reference: str, *, earlier: tuple[Turn, ...] = (), system: str | None = None
) -> HeldOutPrompt:
    return HeldOutPrompt(line=line, system=system, turns=(*earlier, Turn("user", question)), reference=reference)


def reply(text: str, latency_ms: int = 200, tokens: tuple[int, int] = (10, 5)) -> ModelReply:
    return ModelReply(text=text, latency_ms=latency_ms, input_tokens=tokens[0], output_tokens=tokens[1])


def compared(
    line: int, reference: str, custom: str | ModelReply, base: str | ModelReply, question: str = "q?"
) -> ComparedPrompt:
    return ComparedPrompt(
        prompt=prompt(line, question, reference),
        custom=custom if isinstance(custom, ModelReply) else reply(custom),
        base=base if isinstance(base, ModelReply) else reply(base),
    )


def plan(
    prompts: tuple[HeldOutPrompt, ...],
    *,
    usable: int | None = None,
    skipped: tuple[Skipped, ...] = (),
    from_validation: bool = True,
    from_training: bool = False,
) -> ComparisonPlan:
    return ComparisonPlan(
        deployment="tone-1a2b-deploy",
        custom_model_id="arn:aws:bedrock:us-east-1:123456789012:custom-model-deployment/abc",
        base_model_id="amazon.titan-text-lite-v1:0:4k",
        base_invoke_id="amazon.titan-text-lite-v1",
        label="tone-1a2b",
        source_uri="s3://bucket/validation.jsonl",
        from_validation=from_validation,
        held_out=HeldOut(prompts=prompts, usable=len(prompts) if usable is None else usable, skipped=skipped),
        channel="C0GENERAL",
        thread_ts="1700000000.000100",
        record=throughput("tone-1a2b-deploy", job_name="tone-1a2b", base_model_id="amazon.titan-text-lite-v1:0:4k"),
        asked=Asked(team="T1", channel="C0GENERAL", user="U0ALICE"),
        from_training=from_training,
    )
