"""Helpers for jobs in moto: create them through ``BedrockJobs``, move them, and write their metrics files."""

from __future__ import annotations

from typing import Any

from workflows.adapters.bedrock import BedrockJobs
from workflows.dataset_rules import CustomizationType
from workflows.jobs.job import JobRequest, JobStatus

ACCOUNT_ID = "123456789012"
REGION = "us-east-1"
BUCKET = "finetune-test-bucket"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT_ID}:role/finetune-bot-bedrock"
TITAN_LITE = "amazon.titan-text-lite-v1:0:4k"
TRAINING_CSV = "step_number,epoch_number,training_loss,perplexity\n0,1,2.25,9.5\n1,1,1.5,4.5\n2,2,0.625,1.9\n"
VALIDATION_CSV = "step_number,epoch_number,validation_loss,perplexity\n1,1,1.75,5.8\n2,2,0.875,2.4\n"


def output_uri(name: str) -> str:
    return f"s3://{BUCKET}/finetune-bot/output/{name}/"


def training_uri(name: str) -> str:
    return f"s3://{BUCKET}/data/{name}.jsonl"


def create_job(
    jobs: BedrockJobs, name: str, *, base_model_id: str = TITAN_LITE, validation_uri: str | None = None
) -> str:
    """Create a job in moto the way the launcher does (with a validation file when given); its ARN."""
    request = JobRequest(
        job_name=name,
        custom_model_name=f"{name}-model",
        client_request_token=f"token-{name}",
        base_model_id=base_model_id,
        customization=CustomizationType.INSTRUCTION,
        role_arn=ROLE_ARN,
        training_uri=training_uri(name),
        validation_uri=validation_uri,
        output_uri=output_uri(name),
        hyperparameters={"epochCount": "2"},
    )
    return jobs.create(request).job_arn


def set_status(name: str, status: JobStatus, *, failure_message: str | None = None) -> None:
    """Move a job on moto's in-process backend (moto never moves jobs by itself)."""
    job = _backend().model_customization_jobs[name]
    job.status = status.value
    if failure_message is not None:
        job.failure_message = failure_message


def put_metrics(s3: Any, name: str) -> None:
    """The metrics files Bedrock would write under the job's output prefix."""
    folder = f"finetune-bot/output/{name}/model-customization-job-abc123def456"
    s3.put_object(Bucket=BUCKET, Key=f"{folder}/training_artifacts/step_wise_training_metrics.csv", Body=TRAINING_CSV)
    s3.put_object(
        Bucket=BUCKET,
        Key=f"{folder}/validation_artifacts/post_fine_tuning_validation/validation_metrics.csv",
        Body=VALIDATION_CSV,
    )


def _backend() -> Any:
    from moto.bedrock.models import bedrock_backends

    return bedrock_backends[ACCOUNT_ID][REGION]
