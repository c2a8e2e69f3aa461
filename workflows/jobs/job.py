"""Customization jobs as the product sees them: the request it sends and the record it keeps."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from workflows.dataset_rules import CustomizationType


class JobStatus(StrEnum):
    """Bedrock's ``ModelCustomizationJobStatus``."""

    #: Validation, data processing or training is under way.
    IN_PROGRESS = "InProgress"
    #: Finished; the custom model exists.
    COMPLETED = "Completed"
    #: Ended with an error; ``failure_message`` says why.
    FAILED = "Failed"
    #: A stop was requested and is taking effect.
    STOPPING = "Stopping"
    #: Stopped on request; trained tokens are billed, nothing is kept.
    STOPPED = "Stopped"

    @property
    def terminal(self) -> bool:
        return self in {JobStatus.COMPLETED, JobStatus.FAILED, JobStatus.STOPPED}


class JobRequest(BaseModel):
    """Everything CreateModelCustomizationJob needs, decided before any call is made."""

    model_config = ConfigDict(frozen=True)

    job_name: str
    custom_model_name: str
    client_request_token: str
    base_model_id: str
    customization: CustomizationType
    role_arn: str
    #: The training file; None when the job reads model invocation logs instead (``invocation_logs``).
    training_uri: str | None
    validation_uri: str | None = None
    output_uri: str
    hyperparameters: dict[str, str]
    tags: dict[str, str] = Field(default_factory=dict)
    #: Distillation: the teacher and the most tokens it writes per answer.
    teacher_id: str | None = None
    max_response_tokens: int | None = None
    #: Reinforcement fine-tuning: the grader Lambda, and the settings typed as the API wants them.
    grader_arn: str | None = None
    rft_hyperparameters: dict[str, int | float | str] = Field(default_factory=dict)
    #: Distillation from invocation logs: ``trainingDataConfig.invocationLogsConfig`` as the API takes it.
    invocation_logs: dict[str, Any] | None = None


class JobSnapshot(BaseModel):
    """What Bedrock says about a job at one moment."""

    model_config = ConfigDict(frozen=True)

    job_name: str
    job_arn: str
    status: JobStatus
    #: Stage name → sub-status, from ``statusDetails`` when Bedrock gives it.
    stages: dict[str, str] = Field(default_factory=dict)
    failure_message: str | None = None
    custom_model_arn: str | None = None
    custom_model_name: str | None = None
    training_loss: float | None = None
    validation_loss: float | None = None
    output_uri: str | None = None
    #: The datasets it was given (GetModelCustomizationJob only; list summaries leave them out).
    training_uri: str | None = None
    validation_uri: str | None = None
    created_at: datetime | None = None
    ended_at: datetime | None = None


_NAME_UNSAFE = re.compile(r"[^a-zA-Z0-9-]+")


def job_names(*, conversation_id: str, label: str | None) -> tuple[str, str, str]:
    """Job name, custom model name and client request token, all derived from the conversation.

    The same conversation always yields the same three values, so a retried or repeated Start
    finds the job it already created instead of making a second one. Names satisfy Bedrock's
    patterns: job ``[a-zA-Z0-9](-*[a-zA-Z0-9+\\-.])*`` and model ``([0-9a-zA-Z][_-]?){1,63}``.
    """
    digest = hashlib.sha256(conversation_id.encode("utf-8")).hexdigest()[:12]
    slug = _NAME_UNSAFE.sub("-", (label or "finetune").strip()).strip("-").lower() or "finetune"
    slug = re.sub(r"-{2,}", "-", slug)[:40].strip("-")
    job_name = f"{slug}-{digest}"
    model_name = f"{slug}-model-{digest}"
    token = f"ftb-{hashlib.sha256(('token:' + conversation_id).encode('utf-8')).hexdigest()[:32]}"
    return job_name, model_name, token


class JobOrigin(BaseModel):
    """Where a job came from, as Bedrock tells it: enough to watch a job the product has no record of."""

    model_config = ConfigDict(frozen=True)

    base_model_id: str
    #: Bedrock's ``customizationType`` (FINE_TUNING, CONTINUED_PRE_TRAINING…).
    bedrock_type: str
    hyperparameters: dict[str, str] = Field(default_factory=dict)
    tags: dict[str, str] = Field(default_factory=dict)


class JobRecord(BaseModel):
    """A started job as the product remembers it, in Redis: where to report and what was announced."""

    model_config = ConfigDict(frozen=True)

    job_name: str
    job_arn: str
    base_model_id: str
    customization: CustomizationType
    conversation_id: str
    team: str
    channel: str
    thread_ts: str
    #: The message in the thread that status updates edit in place.
    status_message_ts: str | None = None
    user: str
    started_at: datetime
    epochs: int
    training_tokens: int
    #: The training-cost estimate shown at review, in dollars, or None when the price is unknown.
    estimated_training_cost: str | None = None
    #: Distillation from model invocation logs: how many prompts and tokens is unknown until the job reads them.
    from_invocation_logs: bool = False
    #: Last status and stages people were told about (compare-and-set guards announcements).
    announced_status: JobStatus = JobStatus.IN_PROGRESS
    announced_stages: dict[str, str] = Field(default_factory=dict)
    #: The channel notice of the job's end, once posted; an end claimed without it is announced again.
    notice_ts: str | None = None
    #: The system prompt the training records share, when they have one: the custom model is tried with it.
    system_prompt: str | None = None
