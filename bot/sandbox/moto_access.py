"""What the AWS stand-in reads from moto's in-process backends: custom models, their jobs, S3 objects, metrics."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from moto.core.models import DEFAULT_ACCOUNT_ID

#: moto keys S3 backends by partition; every region of the ``aws`` partition shares one.
_PARTITION = "aws"


@dataclass(frozen=True)
class CustomModel:
    """A custom model moto made for a customization job, and what the stand-in needs from that job."""

    name: str
    arn: str
    job_name: str
    job_status: str
    base_model_id: str
    base_model_arn: str
    training_uri: str


def find_custom_model(region: str, identifier: str, account_id: str = DEFAULT_ACCOUNT_ID) -> CustomModel | None:
    """The custom model named by its ARN or name, or by its job's ``outputModelArn``/``outputModelName``.

    moto names the job's output model ``<customModelName>-<jobName>`` but stores the model under
    ``customModelName`` alone; both spellings lead to the same model here.
    """
    backend = _bedrock(account_id, region)
    for model in backend.custom_models.values():
        if identifier in (model.model_arn, model.model_name):
            return _described(backend, model)
    for job in backend.model_customization_jobs.values():
        if identifier in (job.output_model_arn, job.output_model_name):
            model = backend.custom_models.get(job.custom_model_name)
            return None if model is None else _described(backend, model)
    return None


def read_s3_object(uri: str, account_id: str = DEFAULT_ACCOUNT_ID) -> bytes | None:
    """The bytes at ``s3://bucket/key`` in moto's S3, or None when there is no such object."""
    bucket, _, key = uri.removeprefix("s3://").partition("/")
    from moto.s3.models import s3_backends

    try:
        found = s3_backends[account_id][_PARTITION].get_object(bucket, key)
    except Exception:  # moto raises its own MissingBucket/MissingKey
        return None
    return None if found is None else bytes(found.value)


def put_metrics(region: str, namespace: str, data: list[dict[str, Any]], account_id: str = DEFAULT_ACCOUNT_ID) -> None:
    """Data points into moto's CloudWatch, as PutMetricData would store them (timestamped now)."""
    from moto.cloudwatch.models import cloudwatch_backends

    cloudwatch_backends[account_id][region].put_metric_data(namespace, data)


def bedrock_jobs(region: str, account_id: str = DEFAULT_ACCOUNT_ID) -> dict[str, Any]:
    """moto's customization jobs in ``region`` by name."""
    jobs: dict[str, Any] = _bedrock(account_id, region).model_customization_jobs
    return jobs


def _described(backend: Any, model: Any) -> CustomModel:
    job = backend.model_customization_jobs.get(model.job_name)
    return CustomModel(
        name=model.model_name,
        arn=model.model_arn,
        job_name=model.job_name,
        job_status=str(job.status) if job is not None else "Completed",
        base_model_id=str(model.base_model_name),
        base_model_arn=str(model.base_model_arn),
        training_uri=str(model.training_data_config.get("s3Uri", "")),
    )


def _bedrock(account_id: str, region: str) -> Any:
    from moto.bedrock.models import bedrock_backends

    return bedrock_backends[account_id][region]
