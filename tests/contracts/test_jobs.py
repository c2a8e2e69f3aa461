"""``CustomizationJobs`` and ``JobOrigins``: the fake Bedrock and ``BedrockJobs`` on moto over HTTP agree."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import boto3
import pytest

from tests.fakes.jobs import FakeJobs
from tests.jobs.monitoring import moto_jobs
from workflows.adapters.bedrock import BedrockJobs
from workflows.dataset_rules import CustomizationType
from workflows.exceptions import JobNotFound, RequestRejected
from workflows.jobs.job import JobRequest, JobStatus
from workflows.jobs.job_ports import JobOrigins
from workflows.ports import CustomizationJobs

BASE_MODEL = "amazon.titan-text-express-v1:0:8k"


class Jobs(CustomizationJobs, JobOrigins, Protocol):
    """Bedrock as monitoring and the launcher see it."""


@dataclass
class Subject:
    jobs: Jobs
    #: Moves a job to a status, as Bedrock does on its own over time.
    move: Callable[[str, JobStatus], None]


@pytest.fixture(params=["fake", pytest.param("real", marks=pytest.mark.integration)])
def subject(request: pytest.FixtureRequest) -> Subject:
    if request.param == "fake":
        fake = FakeJobs()
        return Subject(fake, fake.set_status)
    request.getfixturevalue("aws")
    return Subject(BedrockJobs(boto3.client("bedrock", region_name="us-east-1")), moto_jobs.set_status)


def job_request(name: str = "support-tone-1a2b", **changes: object) -> JobRequest:
    base = JobRequest(
        job_name=name,
        custom_model_name=f"{name}-model",
        client_request_token=f"ftb-{name}",
        base_model_id=BASE_MODEL,
        customization=CustomizationType.INSTRUCTION,
        role_arn="arn:aws:iam::123456789012:role/BedrockFineTuning",
        training_uri="s3://team-datasets/support/train.jsonl",
        output_uri="s3://finetune-output/jobs/",
        hyperparameters={"epochCount": "2", "batchSize": "1"},
        tags={"finetune-bot:user": "U1", "finetune-bot:channel": "C1"},
    )
    return base.model_copy(update=changes)


def test_a_created_job_is_in_progress_and_described_by_its_name(subject: Subject) -> None:
    created = subject.jobs.create(job_request())
    described = subject.jobs.describe("support-tone-1a2b")

    assert (created.job_name, created.status, created.output_uri) == (
        "support-tone-1a2b",
        JobStatus.IN_PROGRESS,
        "s3://finetune-output/jobs/",
    )
    assert created.job_arn.endswith("/support-tone-1a2b")
    assert (described.job_name, described.job_arn, described.status) == (
        created.job_name,
        created.job_arn,
        JobStatus.IN_PROGRESS,
    )


def test_creating_again_with_the_same_request_returns_the_same_job(subject: Subject) -> None:
    first = subject.jobs.create(job_request())
    again = subject.jobs.create(job_request())

    assert again.job_arn == first.job_arn
    assert [job.job_name for job in subject.jobs.in_progress()] == ["support-tone-1a2b"]


def test_a_name_taken_by_another_request_is_refused(subject: Subject) -> None:
    subject.jobs.create(job_request())

    with pytest.raises(RequestRejected):
        subject.jobs.create(
            job_request(client_request_token="ftb-other", training_uri="s3://team-datasets/other/train.jsonl")
        )


def test_an_unknown_job_is_not_found_to_describe_stop_or_trace(subject: Subject) -> None:
    with pytest.raises(JobNotFound):
        subject.jobs.describe("nobody-1a2b")
    with pytest.raises(JobNotFound):
        subject.jobs.stop("nobody-1a2b")
    with pytest.raises(JobNotFound):
        subject.jobs.origin("nobody-1a2b")


def test_only_running_jobs_are_listed_in_progress(subject: Subject) -> None:
    for name in ["running-1", "stopping-2", "done-3", "failed-4"]:
        subject.jobs.create(job_request(name, client_request_token=f"ftb-{name}"))
    subject.move("stopping-2", JobStatus.STOPPING)
    subject.move("done-3", JobStatus.COMPLETED)
    subject.move("failed-4", JobStatus.FAILED)

    assert sorted(job.job_name for job in subject.jobs.in_progress()) == ["running-1", "stopping-2"]
    assert subject.jobs.describe("done-3").status == JobStatus.COMPLETED


def test_a_stopped_job_leaves_the_running_list(subject: Subject) -> None:
    subject.jobs.create(job_request())

    subject.jobs.stop("support-tone-1a2b")

    assert subject.jobs.describe("support-tone-1a2b").status in {JobStatus.STOPPING, JobStatus.STOPPED}
    assert [job.status for job in subject.jobs.in_progress()] in ([], [JobStatus.STOPPING])


def test_a_jobs_origin_gives_its_base_model_hyperparameters_and_tags(subject: Subject) -> None:
    subject.jobs.create(job_request())

    origin = subject.jobs.origin("support-tone-1a2b")

    assert origin.base_model_id == BASE_MODEL
    assert origin.bedrock_type == "FINE_TUNING"
    assert origin.hyperparameters == {"epochCount": "2", "batchSize": "1"}
    assert origin.tags == {"finetune-bot:user": "U1", "finetune-bot:channel": "C1"}
