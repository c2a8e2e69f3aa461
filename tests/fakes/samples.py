"""Sample job records and Bedrock snapshots: a job Alice started from #C1, changed per test."""

from __future__ import annotations

from datetime import UTC, datetime

from workflows.dataset_rules import CustomizationType
from workflows.jobs.job import JobRecord, JobSnapshot, JobStatus

START = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
TEAM = "T1"
CHANNEL = "C1"
USER = "U1"


def record(name: str = "tone-1a2b", **changes: object) -> JobRecord:
    """A job Alice started from #C1 at START, with its status message in the thread."""
    base = JobRecord(
        job_name=name,
        job_arn=f"arn:aws:bedrock:us-east-1:123456789012:model-customization-job/{name}",
        base_model_id="amazon.titan-text-lite-v1:0:4k",
        customization=CustomizationType.INSTRUCTION,
        conversation_id=f"{TEAM}:{CHANNEL}:1772443800.000100",
        team=TEAM,
        channel=CHANNEL,
        thread_ts="1772443800.000100",
        status_message_ts="1772443801.000200",
        user=USER,
        started_at=START,
        epochs=2,
        training_tokens=120_000,
        estimated_training_cost="0.096",
    )
    return base.model_copy(update=changes)


def snapshot(name: str = "tone-1a2b", status: JobStatus = JobStatus.IN_PROGRESS, **changes: object) -> JobSnapshot:
    base = JobSnapshot(job_name=name, job_arn=f"arn:aws:bedrock:::model-customization-job/{name}", status=status)
    return base.model_copy(update=changes)
