"""What a comparison found: each model's answer per prompt with its measures, and the totals over all prompts."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from statistics import fmean, median

from workflows.deployments.comparison.held_out import HeldOut, HeldOutPrompt
from workflows.deployments.comparison.measures import Scores, score
from workflows.deployments.deployment_record import DeploymentRecord
from workflows.deployments.token_charges import Asked


class Side(StrEnum):
    """Which model answered."""

    CUSTOM = "custom"
    BASE = "base"


@dataclass(frozen=True, slots=True)
class ModelReply:
    """One model's answer to one prompt (untrusted text), or why there is none."""

    text: str | None
    latency_ms: int | None = None
    input_tokens: int = 0
    output_tokens: int = 0
    #: The model stopped at the token limit.
    cut_short: bool = False
    #: Why there is no answer, in a few words (after the polite retries).
    error: str | None = None

    @classmethod
    def failed(cls, why: str) -> ModelReply:
        return cls(text=None, error=why)


@dataclass(frozen=True, slots=True)
class ComparedPrompt:
    """One held-out prompt with both answers and their measures against its reference."""

    prompt: HeldOutPrompt
    custom: ModelReply
    base: ModelReply

    def reply(self, side: Side) -> ModelReply:
        return self.custom if side is Side.CUSTOM else self.base

    def scores(self, side: Side) -> Scores | None:
        """The measures of one side's answer, or None when it gave none."""
        reply = self.reply(side)
        return None if reply.text is None else score(reply.text, self.prompt.reference)

    @property
    def both_answered(self) -> bool:
        return self.custom.text is not None and self.base.text is not None


@dataclass(frozen=True, slots=True)
class SideTotals:
    """One model's measures averaged over the prompts both models answered, and its latency and tokens."""

    answered: int
    exact_matches: int
    token_f1: float | None
    rouge_l: float | None
    median_latency_ms: float | None
    input_tokens: int
    output_tokens: int


@dataclass(frozen=True, slots=True)
class Totals:
    """Both models over the whole comparison, and which was closer to the reference (ROUGE-L) how often."""

    #: Prompts both models answered: the averages are over these, so both sides are measured on the same ones.
    compared: int
    custom: SideTotals
    base: SideTotals
    custom_closer: int
    base_closer: int
    ties: int


@dataclass(frozen=True, slots=True)
class ComparisonPlan:
    """What is compared: the deployment and its base model, on which prompts, from which file, reported where."""

    deployment: str
    #: The deployment's ARN: what the custom model is asked through.
    custom_model_id: str
    #: The base model's catalogue id (what people read), and the id Converse takes for it in the region.
    base_model_id: str
    base_invoke_id: str
    #: The job that trained the custom model (or the model's name).
    label: str
    source_uri: str
    #: True when the prompts come from the job's validation data, False when the person named the file.
    from_validation: bool
    held_out: HeldOut
    channel: str
    thread_ts: str
    #: The deployment compared (its route and per-token prices price the custom model's answers).
    record: DeploymentRecord
    #: Who asked for the comparison, and where: the answers' per-token costs count against them.
    asked: Asked
    #: The person named the training data itself: the custom model has seen these answers.
    from_training: bool = False


def totals(results: list[ComparedPrompt]) -> Totals:
    both = [result for result in results if result.both_answered]
    closer = {Side.CUSTOM: 0, Side.BASE: 0}
    ties = 0
    for result in both:
        custom, base = result.scores(Side.CUSTOM), result.scores(Side.BASE)
        if custom is None or base is None:
            continue
        if abs(custom.rouge_l - base.rouge_l) < 1e-9:
            ties += 1
        else:
            closer[Side.CUSTOM if custom.rouge_l > base.rouge_l else Side.BASE] += 1
    return Totals(
        compared=len(both),
        custom=_side_totals(results, both, Side.CUSTOM),
        base=_side_totals(results, both, Side.BASE),
        custom_closer=closer[Side.CUSTOM],
        base_closer=closer[Side.BASE],
        ties=ties,
    )


def _side_totals(results: list[ComparedPrompt], both: list[ComparedPrompt], side: Side) -> SideTotals:
    scores = [found for found in (result.scores(side) for result in both) if found is not None]
    replies = [result.reply(side) for result in results]
    latencies = [reply.latency_ms for reply in replies if reply.latency_ms is not None]
    return SideTotals(
        answered=sum(reply.text is not None for reply in replies),
        exact_matches=sum(int(found.exact_match) for found in scores),
        token_f1=fmean(found.token_f1 for found in scores) if scores else None,
        rouge_l=fmean(found.rouge_l for found in scores) if scores else None,
        median_latency_ms=median(latencies) if latencies else None,
        input_tokens=sum(reply.input_tokens for reply in replies),
        output_tokens=sum(reply.output_tokens for reply in replies),
    )
