"""Parsing and judging Bedrock's state-change events: what is ours, what is malformed, what the snapshot says."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from tests.fakes.samples import START, record, snapshot
from tests.jobs.monitoring.event_samples import event_body
from workflows.jobs.job import JobStatus
from workflows.jobs.monitoring.job_events import (
    JobStateEvent,
    Malformed,
    Verdict,
    enriched,
    event_snapshot,
    judge,
    parse_event,
    same_job,
)

LATER = START + timedelta(hours=2)


def parsed(body: str) -> JobStateEvent:
    event = parse_event(body)
    assert isinstance(event, JobStateEvent), event
    return event


def test_the_documented_shape_parses_with_jobstatus_and_times_in_utc() -> None:
    event = parsed(event_body(changed_at=LATER, event_id="6f3c2b8e-1d2a-4a55-9d2e-0c1b2a3d4e5f"))

    assert event.id == "6f3c2b8e-1d2a-4a55-9d2e-0c1b2a3d4e5f"
    assert event.detail.job_status is JobStatus.COMPLETED
    assert event.changed_at == LATER
    assert event.detail.output_data_config is not None
    assert event.detail.output_data_config.s3_uri == "s3://bucket/finetune-bot/output/tone-1a2b/"


def test_without_a_last_modified_time_the_event_time_orders_it() -> None:
    body = json.loads(event_body(changed_at=LATER))
    del body["detail"]["lastModifiedTime"]
    assert parsed(json.dumps(body)).changed_at == LATER


def malformed_bodies() -> list[tuple[str, str]]:
    good = json.loads(event_body())

    def changed(path: tuple[str, ...], value: object) -> str:
        body = json.loads(json.dumps(good))
        target = body
        for part in path[:-1]:
            target = target[part]
        if value is None:
            del target[path[-1]]
        else:
            target[path[-1]] = value
        return json.dumps(body)

    return [
        ("not-json", "{this is not json"),
        ("a-json-array", "[1, 2]"),
        ("empty", ""),
        ("another-source", changed(("source",), "aws.sagemaker")),
        ("a-batch-job", changed(("detail-type",), "Batch Inference Job State Change")),
        ("status-not-jobstatus", changed(("detail", "jobStatus"), None)),
        ("unknown-status", changed(("detail", "jobStatus"), "Exploded")),
        ("no-id", changed(("id",), None)),
        ("id-with-markup", changed(("id",), "<!channel>")),
        ("arn-of-another-service", changed(("detail", "jobArn"), "arn:aws:s3:::bucket")),
        ("job-name-with-markup", changed(("detail", "jobName"), "<@U1>")),
        ("time-not-a-time", changed(("detail", "lastModifiedTime"), "yesterday")),
        ("too-long", json.dumps({**good, "padding": "x" * 300_000})),
    ]


@pytest.mark.parametrize(("case", "body"), malformed_bodies(), ids=[case for case, _ in malformed_bodies()])
def test_anything_else_is_malformed_with_a_reason_that_quotes_none_of_it(case: str, body: str) -> None:
    result = parse_event(body)

    assert isinstance(result, Malformed), case
    assert "<" not in result.reason
    assert len(result.reason) < 200


def test_an_event_is_ours_only_for_a_recorded_job_with_the_same_account_region_and_id() -> None:
    event = parsed(event_body())
    assert judge(event, record()) is Verdict.APPLY
    assert judge(event, None) is Verdict.FOREIGN
    other_account = record(job_arn="arn:aws:bedrock:us-east-1:210987654321:model-customization-job/tone-1a2b")
    assert judge(event, other_account) is Verdict.FOREIGN


def test_real_arns_with_the_base_model_match_the_documentations_short_form_by_job_id() -> None:
    real = "arn:aws:bedrock:us-east-1:123456789012:model-customization-job/amazon.titan-text-lite-v1:0:4k/abc123def456"
    assert same_job(real, "arn:aws:bedrock:us-east-1:123456789012:model-customization-job/abc123def456")
    assert not same_job(real, "arn:aws:bedrock:us-west-2:123456789012:model-customization-job/abc123def456")
    assert not same_job(real, "arn:aws:bedrock:us-east-1:123456789012:custom-model/abc123def456")
    assert not same_job("not an arn", "not an arn")


def test_the_snapshot_keeps_the_announced_stages_and_reads_the_end() -> None:
    stages = {"validation": "Completed", "training": "InProgress"}
    event = parsed(event_body(changed_at=LATER))

    seen = event_snapshot(event, record(announced_stages=stages))

    assert seen.status is JobStatus.COMPLETED
    assert seen.stages == stages
    assert seen.custom_model_name == "tone-1a2b-model"
    assert seen.output_uri == "s3://bucket/finetune-bot/output/tone-1a2b/"
    assert seen.ended_at == LATER
    assert seen.job_arn == record().job_arn


def test_a_failure_message_is_kept_only_for_a_failed_job() -> None:
    failed = parsed(event_body(status=JobStatus.FAILED, failureMessage="Maximum input token count exceeded"))
    stopping = parsed(event_body(status=JobStatus.STOPPING, failureMessage="noise", endTime=None))

    assert event_snapshot(failed, record()).failure_message == "Maximum input token count exceeded"
    assert event_snapshot(stopping, record()).failure_message is None
    assert event_snapshot(stopping, record()).ended_at is None


def test_bedrocks_description_is_used_only_when_it_agrees_with_the_event() -> None:
    from_event = snapshot(status=JobStatus.COMPLETED)
    agreeing = snapshot(status=JobStatus.COMPLETED, training_loss=0.5)
    behind = snapshot(status=JobStatus.IN_PROGRESS)

    assert enriched(from_event, agreeing) is agreeing
    assert enriched(from_event, behind) is from_event
    assert enriched(from_event, None) is from_event
