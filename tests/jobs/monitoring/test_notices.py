"""The status message and the end-of-job notices: what people read, built without I/O."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.fakes.samples import START, record, snapshot
from workflows.catalogue import load_catalogue
from workflows.jobs.job import JobStatus
from workflows.jobs.monitoring.metrics import LossCurves, LossPoint
from workflows.jobs.monitoring.notices import (
    JobView,
    chart_attachment,
    end_notice,
    on_demand_available,
    status_message,
    usage_lines,
)
from workflows.messages import Message

CATALOGUE = load_catalogue(None)
TITAN_LITE = CATALOGUE.model("amazon.titan-text-lite-v1:0:4k")
NOVA_MICRO = CATALOGUE.model("amazon.nova-micro-v1:0:128k")
TRAINING = {"validation": "Completed", "data processing": "Completed", "training": "InProgress"}
CURVES = LossCurves(
    training=(LossPoint(0, 1, 2.5), LossPoint(50, 1, 1.1), LossPoint(99, 2, 0.42)),
    validation=(LossPoint(49, 1, 1.3), LossPoint(99, 2, 0.57)),
)


def view(status: JobStatus = JobStatus.IN_PROGRESS, *, minutes: int = 95, **changes: object) -> JobView:
    """Alice's Titan Lite job, ``minutes`` after it started."""
    fields: dict[str, object] = {"record": record(), "model": TITAN_LITE, "region": "us-east-1", "curves": LossCurves()}
    fields |= changes
    seen = fields.pop("snapshot", snapshot(status=status, ended_at=START + timedelta(minutes=minutes)))
    return JobView(snapshot=seen, now=START + timedelta(minutes=minutes), **fields)  # type: ignore[arg-type]


def everything(message: Message) -> str:
    """All the text a person reads in a message."""
    facts = [f"{label}: {value}" for label, value in message.facts]
    return "\n".join([message.text, *message.details, *facts, message.context or ""])


def test_the_status_message_shows_stages_elapsed_time_and_the_cost_estimate() -> None:
    message = status_message(view(snapshot=snapshot(stages=TRAINING)))

    assert dict(message.facts) == {
        "Status": "InProgress",
        "Stages": "Validation: Completed · Data processing: Completed · Training: InProgress",
        "Elapsed": "1h 35m",
        "Estimated training cost": "about $0.10",
        "Training tokens": "120,000 × 2 epochs",
    }
    assert "`/finetune stop tone-1a2b`" in (message.context or "")


def test_the_status_message_without_stage_details_leaves_the_stages_out() -> None:
    assert "Stages" not in dict(status_message(view()).facts)


def test_a_finished_status_message_points_to_the_channel_notice() -> None:
    message = status_message(view(JobStatus.COMPLETED))

    assert "completed" in message.text
    assert dict(message.facts)["Ran for"] == "1h 35m"
    assert "in the channel" in (message.context or "")


def test_an_unknown_price_is_said_to_be_unknown_never_zero() -> None:
    message = status_message(view(record=record(estimated_training_cost=None)))

    assert dict(message.facts)["Estimated training cost"] == "unknown (no price in the catalogue)"


def test_the_completion_notice_carries_who_duration_losses_model_and_costs() -> None:
    seen = snapshot(
        status=JobStatus.COMPLETED,
        custom_model_name="tone-model-1a2b",
        training_loss=0.4,
        ended_at=START + timedelta(minutes=95),
    )
    facts = dict(end_notice(view(snapshot=seen, curves=CURVES)).facts)

    assert facts == {
        "Started by": "<@U1>",
        "Base model": "Titan Text G1 Lite",
        "Duration": "1h 35m",
        "Training loss": "0.42 (from 2.5 over 3 steps)",
        "Validation loss": "0.57 (from 1.3 over 2 evaluations)",
        "Custom model": "`tone-model-1a2b`",
        "Training cost": "about $0.10",
        "Storage": "$1.95 per month",
    }


def test_a_reinforcement_jobs_reward_is_shown_next_to_its_losses() -> None:
    rewards = tuple(LossPoint(step, 1, reward) for step, reward in enumerate([0.31, 0.72, 0.66]))
    seen = snapshot(status=JobStatus.COMPLETED, training_loss=0.4)
    facts = list(end_notice(view(snapshot=seen, curves=LossCurves(rewards=rewards))).facts)
    names = [name for name, _ in facts]

    assert dict(facts)["Reward"] == "0.66 at the end, best 0.72 (from 0.31 over 3 steps)"
    assert names.index("Reward") == names.index("Validation loss") + 1


def test_a_single_reward_is_shown_alone() -> None:
    seen = snapshot(status=JobStatus.COMPLETED)
    curves = LossCurves(rewards=(LossPoint(0, 1, 0.5),))
    assert dict(end_notice(view(snapshot=seen, curves=curves)).facts)["Reward"] == "0.5"


def test_without_metrics_files_the_losses_come_from_bedrocks_job_answer() -> None:
    seen = snapshot(status=JobStatus.COMPLETED, training_loss=0.3141, validation_loss=None)
    facts = dict(end_notice(view(snapshot=seen)).facts)

    assert (facts["Training loss"], facts["Validation loss"]) == ("0.3141", "not reported")


def test_the_completion_notice_is_for_the_channel_and_says_how_to_use_the_model() -> None:
    notice = end_notice(view(JobStatus.COMPLETED))

    assert notice.broadcast
    assert "Provisioned Throughput: $7.10 per model-unit hour" in everything(notice)
    assert "until you delete it" in everything(notice)


@pytest.mark.parametrize(
    ("model", "region", "started", "expected"),
    [
        (NOVA_MICRO, "us-east-1", START, True),
        (NOVA_MICRO, "us-west-2", START, False),
        (NOVA_MICRO, "us-east-1", START.replace(year=2025, month=7, day=15), False),
        (NOVA_MICRO, "us-east-1", START.replace(year=2025, month=7, day=16), True),
        (TITAN_LITE, "us-east-1", START, False),
        (None, "us-east-1", START, False),
    ],
)
def test_on_demand_deployment_is_offered_only_where_the_base_model_supports_it(
    model: object, region: str, started: object, expected: bool
) -> None:
    candidate = view(JobStatus.COMPLETED, model=model, region=region, record=record(started_at=started))

    assert on_demand_available(candidate) is expected


def test_on_demand_pricing_is_listed_next_to_provisioned_throughput_for_nova() -> None:
    lines = usage_lines(view(JobStatus.COMPLETED, model=NOVA_MICRO, record=record(base_model_id=NOVA_MICRO.id)))

    assert lines[0].startswith("Provisioned Throughput: $60.50 per model-unit hour")
    assert lines[1].startswith("On-demand deployment (pay per token, no hourly fee): $0.000035 per 1K tokens input")


def test_a_model_missing_from_the_catalogue_still_gets_a_notice_with_unknown_prices() -> None:
    notice = end_notice(view(JobStatus.COMPLETED, model=None, record=record(base_model_id="acme.gone-v1")))

    assert dict(notice.facts)["Storage"] == "unknown (model not in the catalogue)"
    assert "acme.gone-v1 is not in the catalogue" in everything(notice)


def test_the_failure_notice_gives_a_hint_and_keeps_bedrocks_message_out() -> None:
    reason = "Maximum input token count 4919 exceeds limit of 4096 for train data"
    notice = end_notice(view(snapshot=snapshot(status=JobStatus.FAILED, failure_message=reason)))

    assert notice.broadcast
    assert "more tokens than the model allows" in notice.details[0]
    assert "in finetune-bot's log" in notice.details[1]
    assert not any("4919" in detail for detail in notice.details)
    assert "failed" in notice.text


def test_the_stopped_notice_says_trained_tokens_are_billed_and_nothing_is_kept() -> None:
    notice = end_notice(view(JobStatus.STOPPED))

    assert "was stopped" in notice.text
    assert "billed (at most the $0.10 estimated for the whole job)" in notice.details[0]
    assert "No model or checkpoint was kept" in notice.details[0]


def test_a_running_job_has_no_end_notice() -> None:
    with pytest.raises(ValueError, match="not an end state"):
        end_notice(view(JobStatus.IN_PROGRESS))


def test_the_loss_chart_is_a_png_named_after_the_job() -> None:
    attachment = chart_attachment(view(JobStatus.COMPLETED, curves=CURVES))

    assert attachment is not None
    assert attachment.filename == "tone-1a2b-loss.png"
    assert attachment.content.startswith(b"\x89PNG\r\n\x1a\n")


def test_there_is_no_chart_without_a_curve() -> None:
    one_point = LossCurves(training=(LossPoint(0, 1, 1.0),))

    assert chart_attachment(view(JobStatus.COMPLETED, curves=one_point)) is None
