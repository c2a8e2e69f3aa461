"""What people are told about a job, built without I/O: the status message and the end-of-job notices."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import assert_never

from workflows.catalogue import ModelSpec
from workflows.catalogue.costs import CostEstimate, CostItem, estimate_cost
from workflows.jobs.formatting import (
    STATUS_EMOJI,
    STATUS_WORDS,
    cost_text,
    elapsed,
    estimated_training_cost,
    person,
    record_cost_text,
    stages_text,
    tokens_text,
)
from workflows.jobs.job import JobRecord, JobSnapshot, JobStatus
from workflows.jobs.monitoring.chart import loss_chart
from workflows.jobs.monitoring.hints import failure_details
from workflows.jobs.monitoring.metrics import LossCurves, LossPoint
from workflows.messages import Action, Attachment, Button, Message, Style
from workflows.slack_text import code

STOP_WARNING = "Tokens already trained are billed, no model or checkpoint is kept, and a stopped job cannot be resumed."


@dataclass(frozen=True, slots=True)
class JobView:
    """Everything a message about one job draws on, gathered by the monitor."""

    record: JobRecord
    snapshot: JobSnapshot
    #: The base model's catalogue entry, or None when the catalogue no longer lists it.
    model: ModelSpec | None
    now: datetime
    region: str
    curves: LossCurves = field(default_factory=LossCurves)

    @property
    def model_name(self) -> str:
        return self.model.name if self.model is not None else self.record.base_model_id

    @property
    def ran_for(self) -> str:
        """Start to end (or to now while it runs)."""
        end = self.snapshot.ended_at if self.snapshot.status.terminal and self.snapshot.ended_at else self.now
        return elapsed(self.record, max(end, self.record.started_at))


def status_message(view: JobView) -> Message:
    """The one message in the job's thread, edited in place as the job moves and on each periodic refresh."""
    record, snapshot = view.record, view.snapshot
    status = snapshot.status
    facts = [("Status", status.value)]
    if snapshot.stages:
        facts.append(("Stages", stages_text(snapshot.stages)))
    facts += [
        ("Ran for" if status.terminal else "Elapsed", view.ran_for),
        ("Estimated training cost", record_cost_text(record)),
        ("Training tokens", tokens_text(record)),
    ]
    if status.terminal:
        context = "Finished: the full notice, with what to do next, is in the channel."
    else:
        context = (
            f"Updated {view.now:%H:%M} UTC. I'll post in the channel when it finishes. "
            f"To stop it: {code('/finetune stop ' + record.job_name)}."
        )
    heading = f"Fine-tuning job {code(record.job_name)} on {view.model_name}: *{STATUS_WORDS[status]}*"
    return Message(
        text=f"{STATUS_EMOJI[status]} {heading}",
        facts=tuple(facts),
        context=context,
    )


def end_notice(view: JobView) -> Message:
    """The channel message for a job that reached Completed, Failed or Stopped."""
    status = view.snapshot.status
    match status:
        case JobStatus.COMPLETED:
            return completed_notice(view)
        case JobStatus.FAILED:
            return failed_notice(view)
        case JobStatus.STOPPED:
            return stopped_notice(view)
        case JobStatus.IN_PROGRESS | JobStatus.STOPPING:
            raise ValueError(f"{status} is not an end state")
        case _:
            assert_never(status)


def completed_notice(view: JobView) -> Message:
    """Metrics, the custom model, the final cost and how to use the model."""
    record, snapshot = view.record, view.snapshot
    facts = [
        *_who_and_what(view),
        ("Duration", view.ran_for),
        ("Training loss", _loss(snapshot.training_loss, view.curves.training, "steps")),
        ("Validation loss", _loss(snapshot.validation_loss, view.curves.validation, "evaluations")),
        *([("Reward", _reward(view.curves.rewards))] if view.curves.rewards else []),
        ("Custom model", code(snapshot.custom_model_name or snapshot.custom_model_arn or "not reported")),
        ("Training cost", record_cost_text(record)),
        ("Storage", _storage(view)),
    ]
    return Message(
        text=f"{STATUS_EMOJI[JobStatus.COMPLETED]} Fine-tuning job {code(record.job_name)} completed.",
        details=("*To use the model:*\n" + "\n".join(f"• {line}" for line in usage_lines(view)),),
        facts=tuple(facts),
        buttons=(Button("Deploy", Action.DEPLOY, value=record.job_name, style=Style.PRIMARY),),
        context=_cost_context(view),
        broadcast=True,
    )


def failed_notice(view: JobView) -> Message:
    """What to do about the failure, and how far the job got (Bedrock's own words go to the log only)."""
    record, snapshot = view.record, view.snapshot
    facts = [*_who_and_what(view), ("Ran for", view.ran_for)]
    if snapshot.stages:
        facts.append(("Stages", stages_text(snapshot.stages)))
    return Message(
        text=f"{STATUS_EMOJI[JobStatus.FAILED]} Fine-tuning job {code(record.job_name)} failed.",
        details=failure_details(snapshot.failure_message),
        facts=tuple(facts),
        context="No custom model was created. Fix the cause, then type `/finetune` to set up the job again.",
        broadcast=True,
    )


def stopped_notice(view: JobView) -> Message:
    """Says the job stopped, what that costs, and that nothing was kept."""
    record = view.record
    estimate = estimated_training_cost(record)
    bound = (
        f" (at most the {cost_text(estimate).removeprefix('about ')} estimated for the whole job)" if estimate else ""
    )
    facts = [*_who_and_what(view), ("Ran for", view.ran_for)]
    if view.snapshot.stages:
        facts.append(("Stages", stages_text(view.snapshot.stages)))
    return Message(
        text=f"{STATUS_EMOJI[JobStatus.STOPPED]} Fine-tuning job {code(record.job_name)} was stopped.",
        details=(
            f"Tokens trained before the stop are billed{bound}. No model or checkpoint was kept, and a "
            "stopped job cannot be resumed. Type `/finetune` to set up a new one.",
        ),
        facts=tuple(facts),
        broadcast=True,
    )


def usage_lines(view: JobView) -> tuple[str, ...]:
    """How the custom model can serve requests, with what each way costs."""
    model = view.model
    if model is None:
        return (
            f"{view.record.base_model_id} is not in the catalogue, so its serving prices are unknown; "
            "see the Amazon Bedrock pricing page.",
        )
    usage = _estimate(view).usage
    hourly = next(line for line in usage if line.item is CostItem.PROVISIONED_HOUR)
    lines = [
        f"Provisioned Throughput: {hourly.amount_text()} (1 model unit, no commitment). It is billed every "
        "hour until you delete it, so delete it when you are done."
    ]
    if on_demand_available(view):
        rates = {line.item: line.amount_text() for line in usage}
        lines.append(
            "On-demand deployment (pay per token, no hourly fee): "
            f"{rates.get(CostItem.ON_DEMAND_INPUT, 'unknown')} input and "
            f"{rates.get(CostItem.ON_DEMAND_OUTPUT, 'unknown')} output. Create a custom model deployment "
            "in the Bedrock console (or with CreateCustomModelDeployment)."
        )
    return tuple(lines)


def on_demand_available(view: JobView) -> bool:
    """On-demand deployment needs a supported base model, its region, and a recent enough customization."""
    deployment = view.model.on_demand_deployment if view.model is not None else None
    if deployment is None:
        return False
    return view.region in deployment.regions and view.record.started_at.date() >= deployment.customized_on_or_after


def chart_attachment(view: JobView) -> Attachment | None:
    """The loss-curve PNG, when the metrics files hold a curve."""
    if not view.curves.chartable:
        return None
    name = view.record.job_name
    return Attachment(
        filename=f"{name}-loss.png",
        content=loss_chart(view.curves, title=f"{name}: loss by step"),
        title=f"Loss curve of {name}",
    )


def _who_and_what(view: JobView) -> list[tuple[str, str]]:
    return [("Started by", person(view.record.user)), ("Base model", view.model_name)]


def _loss(final: float | None, points: tuple[LossPoint, ...], unit: str) -> str:
    """``0.4123 (from 2.31 over 120 steps)`` from the metrics file, else Bedrock's final figure."""
    if points:
        last = points[-1].loss
        if len(points) == 1:
            return f"{last:.4g}"
        return f"{last:.4g} (from {points[0].loss:.4g} over {len(points)} {unit})"
    return f"{final:.4g}" if final is not None else "not reported"


def _reward(points: tuple[LossPoint, ...]) -> str:
    """``0.82 at the end, best 0.85 (from 0.31 over 120 steps)``: a reinforcement job's mean reward."""
    last, best = points[-1].loss, max(point.loss for point in points)
    if len(points) == 1:
        return f"{last:.4g}"
    return f"{last:.4g} at the end, best {best:.4g} (from {points[0].loss:.4g} over {len(points)} steps)"


def _storage(view: JobView) -> str:
    if view.model is None:
        return "unknown (model not in the catalogue)"
    return _estimate(view).storage.amount_text()


def _estimate(view: JobView) -> CostEstimate:
    assert view.model is not None
    return estimate_cost(view.model, training_tokens=view.record.training_tokens, epochs=view.record.epochs)


def _cost_context(view: JobView) -> str | None:
    if view.model is None:
        return None
    sources = _estimate(view).sources()
    return " ".join(f"Prices {source}." for source in sources) or None
