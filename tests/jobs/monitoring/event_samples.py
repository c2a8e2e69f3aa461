"""Bedrock job state-change events as EventBridge delivers them, shaped like the documentation's sample."""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any

from tests.fakes.samples import START
from workflows.jobs.job import JobStatus


def event_body(
    name: str = "tone-1a2b",
    status: JobStatus | str = JobStatus.COMPLETED,
    *,
    changed_at: datetime = START,
    event_id: str | None = None,
    arn: str | None = None,
    **detail: Any,
) -> str:
    """The JSON EventBridge puts on the queue for one state change of ``name``."""
    value = status.value if isinstance(status, JobStatus) else status
    body = {
        "version": "0",
        "id": event_id or str(uuid.uuid4()),
        "detail-type": "Model Customization Job State Change",
        "source": "aws.bedrock",
        "account": "123456789012",
        "time": changed_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": "us-east-1",
        "resources": [arn or f"arn:aws:bedrock:us-east-1:123456789012:model-customization-job/{name}"],
        "detail": {
            "version": "0.0",
            "jobName": name,
            "jobArn": arn or f"arn:aws:bedrock:us-east-1:123456789012:model-customization-job/{name}",
            "outputModelName": f"{name}-model",
            "outputModelArn": f"arn:aws:bedrock:us-east-1:123456789012:custom-model/{name}-model",
            "roleArn": "arn:aws:iam::123456789012:role/finetune-bot-bedrock",
            "jobStatus": value,
            "creationTime": START.isoformat(),
            "lastModifiedTime": changed_at.isoformat(),
            "endTime": changed_at.isoformat(),
            "baseModelArn": "arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-text-lite-v1:0:4k",
            "hyperParameters": {"epochCount": "2", "batchSize": "1", "learningRate": "0.00001"},
            "trainingDataConfig": {"s3Uri": f"s3://bucket/finetune-bot/datasets/{name}.jsonl"},
            "outputDataConfig": {"s3Uri": f"s3://bucket/finetune-bot/output/{name}/"},
            **detail,
        },
    }
    return json.dumps(body)
