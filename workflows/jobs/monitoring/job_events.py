"""Bedrock's job state-change events from EventBridge: parsed as untrusted input, judged, made snapshots (pure).

EventBridge delivers ``source: aws.bedrock``, ``detail-type: "Model Customization Job State Change"``
events at least once, in no guaranteed order, and best-effort (some never arrive). Whatever reaches
the queue is read as untrusted text: it must parse as exactly that kind of event, name a job this bot
recorded (same name, same account, region and job id), be news (an event id not seen before, a
``lastModifiedTime`` newer than the newest one applied), and only then becomes a ``JobSnapshot`` that
the status tick's own decision and announce-once code handles.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from workflows.jobs.job import JobRecord, JobSnapshot, JobStatus

SOURCE = "aws.bedrock"
DETAIL_TYPE = "Model Customization Job State Change"
#: The largest SQS message body; anything longer did not come from EventBridge.
MAX_BODY_CHARS = 256 * 1024
#: Bedrock's job name pattern, at most 63 characters.
_JOB_NAME = r"^[a-zA-Z0-9](-*[a-zA-Z0-9+\-.]){0,62}$"
_JOB_ARN = r"^arn:aws[a-z-]*:bedrock:[a-z0-9-]+:\d{12}:model-customization-job/[^\s]{1,1000}$"


def _utc(value: datetime | None) -> datetime | None:
    """Times without a zone are taken as UTC (EventBridge writes ``Z``)."""
    if value is None:
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class _S3Location(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    s3_uri: str | None = Field(default=None, alias="s3Uri", max_length=1024)


class EventDetail(BaseModel):
    """The members of ``detail`` the bot reads; the rest (role, hyperparameters, data configs) are ignored."""

    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)

    job_name: str = Field(alias="jobName", pattern=_JOB_NAME)
    job_arn: str = Field(alias="jobArn", pattern=_JOB_ARN)
    #: ``jobStatus``, not ``status``: the field name EventBridge uses for customization jobs.
    job_status: JobStatus = Field(alias="jobStatus")
    output_model_name: str | None = Field(default=None, alias="outputModelName", max_length=256)
    output_model_arn: str | None = Field(default=None, alias="outputModelArn", max_length=2048)
    failure_message: str | None = Field(default=None, alias="failureMessage", max_length=8192)
    creation_time: datetime | None = Field(default=None, alias="creationTime")
    last_modified_time: datetime | None = Field(default=None, alias="lastModifiedTime")
    end_time: datetime | None = Field(default=None, alias="endTime")
    output_data_config: _S3Location | None = Field(default=None, alias="outputDataConfig")

    @field_validator("creation_time", "last_modified_time", "end_time")
    @classmethod
    def _in_utc(cls, value: datetime | None) -> datetime | None:
        return _utc(value)


class JobStateEvent(BaseModel):
    """One ``Model Customization Job State Change`` event, as EventBridge puts it on the queue."""

    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)

    id: str = Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9-]+$")
    source: Literal["aws.bedrock"]
    detail_type: Literal["Model Customization Job State Change"] = Field(alias="detail-type")
    #: Always there from EventBridge (moto leaves it out); the job's ARN names the account that counts.
    account: str | None = Field(default=None, pattern=r"^\d{12}$")
    region: str = Field(pattern=r"^[a-z]{2}(-[a-z]+)+-\d+$")
    time: datetime
    detail: EventDetail

    @field_validator("time")
    @classmethod
    def _in_utc(cls, value: datetime) -> datetime:
        utc = _utc(value)
        assert utc is not None
        return utc

    @property
    def changed_at(self) -> datetime:
        """When the job's state changed: ``lastModifiedTime``, else the event's own time."""
        return self.detail.last_modified_time or self.time


@dataclass(frozen=True, slots=True)
class Malformed:
    """A message that is not a Bedrock job state-change event; ``reason`` is safe to log (no message text)."""

    reason: str


def parse_event(body: str) -> JobStateEvent | Malformed:
    """The event in an SQS message body, or why it is not one."""
    if len(body) > MAX_BODY_CHARS:
        return Malformed(f"{len(body)} characters, more than an EventBridge event can have")
    try:
        return JobStateEvent.model_validate_json(body)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "the body"
        return Malformed(f"{exc.error_count()} problem(s), first at {where}: {first['type']}")


class Verdict(StrEnum):
    """What to do with a well-formed event."""

    #: News about one of the bot's jobs: apply it.
    APPLY = "apply"
    #: Not a job this bot recorded (another tool's job, another account's job of the same name).
    FOREIGN = "foreign"


def _arn_parts(arn: str) -> tuple[str, str, str, str] | None:
    """Partition, region, account and job id of a customization job ARN (the id is its last path segment).

    Real ARNs carry the base model between the resource type and the id; the documentation's sample
    does not, so only the last segment is compared.
    """
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "bedrock":
        return None
    resource = parts[5]
    if not resource.startswith("model-customization-job/"):
        return None
    return parts[1], parts[3], parts[4], resource.rsplit("/", 1)[-1]


def same_job(record_arn: str, event_arn: str) -> bool:
    """Whether an event's ``jobArn`` names the recorded job (same partition, region, account and job id)."""
    recorded, announced = _arn_parts(record_arn), _arn_parts(event_arn)
    return recorded is not None and recorded == announced


def judge(event: JobStateEvent, record: JobRecord | None) -> Verdict:
    """APPLY only for a job the bot recorded under the event's name and ARN."""
    if record is None or not same_job(record.job_arn, event.detail.job_arn):
        return Verdict.FOREIGN
    return Verdict.APPLY


def event_snapshot(event: JobStateEvent, record: JobRecord) -> JobSnapshot:
    """What the event says about the job, as a snapshot the tick's decisions understand.

    Events carry no stages, so the stages already announced are kept: an event moves the status,
    and the reconciler's polls move the stages.
    """
    detail = event.detail
    status = detail.job_status
    return JobSnapshot(
        job_name=detail.job_name,
        job_arn=record.job_arn,
        status=status,
        stages=dict(record.announced_stages),
        failure_message=detail.failure_message if status is JobStatus.FAILED else None,
        custom_model_arn=detail.output_model_arn,
        custom_model_name=detail.output_model_name,
        output_uri=detail.output_data_config.s3_uri if detail.output_data_config else None,
        created_at=detail.creation_time,
        ended_at=detail.end_time if status.terminal else None,
    )


def enriched(from_event: JobSnapshot, described: JobSnapshot | None) -> JobSnapshot:
    """Bedrock's own description (stages, losses) when it agrees with the event's status, else the event's view."""
    if described is not None and described.status is from_event.status:
        return described
    return from_event
