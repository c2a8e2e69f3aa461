"""What the AWS stand-in's tests share: a hand-moved clock, a completed custom model in moto, shape checks."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.validate import ParamValidator
from moto.bedrock.models import bedrock_backends

from bot.sandbox.shapes import operation
from tests.support.moto_server import ACCOUNT_ID, REGION

BUCKET = "standin-data"
ROLE = f"arn:aws:iam::{ACCOUNT_ID}:role/bedrock-customization"
NOVA_MICRO = "amazon.nova-micro-v1:0:128k"
#: A base model with no on-demand custom model deployment (throughput only).
TITAN_LITE = "amazon.titan-text-lite-v1:0:4k"

#: Three support conversations; the custom model should answer each question with its reply.
TRAINING = [
    ("How do I reset my password?", "Open Settings › Security and choose Reset password."),
    ("Where can I download my invoices?", "Invoices are under Billing › History; each has a PDF link."),
    ("Can I change the email on my account?", "Yes: Settings › Profile › Email, then confirm the new address."),
]


class ManualClock:
    """A monotonic clock that moves only when told, for deterministic status changes."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass(frozen=True)
class TrainedModel:
    """A customization job moto has marked Completed, and the ARNs the bot would read from it."""

    job_name: str
    custom_model_arn: str
    output_model_arn: str


def conversation_lines(pairs: list[tuple[str, str]]) -> bytes:
    records = [
        {
            "schemaVersion": "bedrock-conversation-2024",
            "system": [{"text": "You are Acme's support agent."}],
            "messages": [
                {"role": "user", "content": [{"text": question}]},
                {"role": "assistant", "content": [{"text": reply}]},
            ],
        }
        for question, reply in pairs
    ]
    return "\n".join(json.dumps(record) for record in records).encode() + b"\n"


def trained_model(
    name: str = "support", *, base: str = NOVA_MICRO, data: bytes | None = None, complete: bool = True
) -> TrainedModel:
    """A job created over HTTP with its training file in moto's S3; moved to Completed on moto's backend."""
    s3 = boto3.client("s3", region_name=REGION)
    bedrock = boto3.client("bedrock", region_name=REGION)
    if BUCKET not in [bucket["Name"] for bucket in s3.list_buckets()["Buckets"]]:
        s3.create_bucket(Bucket=BUCKET)
    key = f"{name}/train.jsonl"
    s3.put_object(Bucket=BUCKET, Key=key, Body=conversation_lines(TRAINING) if data is None else data)
    bedrock.create_model_customization_job(
        jobName=f"{name}-job",
        customModelName=f"{name}-model",
        roleArn=ROLE,
        baseModelIdentifier=base,
        customizationType="FINE_TUNING",
        trainingDataConfig={"s3Uri": f"s3://{BUCKET}/{key}"},
        outputDataConfig={"s3Uri": f"s3://{BUCKET}/{name}/output/"},
        hyperParameters={"epochCount": "2"},
    )
    if complete:
        bedrock_backends[ACCOUNT_ID][REGION].model_customization_jobs[f"{name}-job"].status = "Completed"
    job = bedrock.get_model_customization_job(jobIdentifier=f"{name}-job")
    model = bedrock.get_custom_model(modelIdentifier=f"{name}-model")
    return TrainedModel(job["jobName"], model["modelArn"], job["outputModelArn"])


def shape_problems(service: str, name: str, response: dict[str, Any]) -> str:
    """What in a parsed answer does not fit the operation's output shape ("" when it fits).

    botocore's parser does not check required members, types or lengths, so the answer is checked
    here the way botocore checks requests.
    """
    shape = operation(service, name).output_shape
    body = {key: value for key, value in response.items() if key != "ResponseMetadata"}
    if shape is None:
        return ""
    members = {key: value for key, value in body.items() if shape.members[key].serialization.get("location") is None}
    report = ParamValidator().validate(members, shape)
    return report.generate_report() if report.has_errors() else ""
