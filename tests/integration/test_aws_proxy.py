"""The fault-injecting proxy in front of moto: it forwards everything, holds a named operation, fails another."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, ConnectionClosedError

from tests.jobs.monitoring.moto_jobs import BUCKET, REGION, ROLE_ARN, TITAN_LITE
from tests.support.aws_proxy import CREATE_CUSTOMIZATION_JOB, S3_GET_OBJECT, AwsProxy, aws_proxy
from tests.support.moto_server import MotoServer

pytestmark = pytest.mark.integration

ONCE = Config(retries={"total_max_attempts": 1, "mode": "standard"})


@pytest.fixture
def proxy(aws: MotoServer) -> Iterator[AwsProxy]:
    with aws_proxy(aws.endpoint_url) as running:
        yield running


def clients(url: str) -> tuple[Any, Any]:
    return (
        boto3.client("s3", region_name=REGION, endpoint_url=url, config=ONCE),
        boto3.client("bedrock", region_name=REGION, endpoint_url=url, config=ONCE),
    )


def create(bedrock: Any, name: str) -> Any:
    return bedrock.create_model_customization_job(
        jobName=name,
        customModelName=f"{name}-model",
        roleArn=ROLE_ARN,
        baseModelIdentifier=TITAN_LITE,
        trainingDataConfig={"s3Uri": f"s3://{BUCKET}/train.jsonl"},
        outputDataConfig={"s3Uri": f"s3://{BUCKET}/out/"},
        hyperParameters={"epochCount": "1"},
    )


def test_a_held_create_reaches_moto_only_once_released(proxy: AwsProxy, aws: MotoServer) -> None:
    _, bedrock = clients(proxy.endpoint_url)
    _, direct = clients(aws.endpoint_url)
    held = proxy.hold(CREATE_CUSTOMIZATION_JOB)
    answers: list[Any] = []
    caller = threading.Thread(target=lambda: answers.append(create(bedrock, "held-job")), daemon=True)
    caller.start()
    held.wait_until_held(10)
    assert direct.list_model_customization_jobs()["modelCustomizationJobSummaries"] == []
    held.release()
    caller.join(10)
    names = [job["jobName"] for job in direct.list_model_customization_jobs()["modelCustomizationJobSummaries"]]
    assert names == ["held-job"]
    assert answers[0]["jobArn"].endswith("held-job")


@pytest.mark.parametrize(("kind", "error"), [("500", ClientError), ("drop", ConnectionClosedError)])
def test_a_failed_get_object_fails_then_s3_answers_again(proxy: AwsProxy, kind: str, error: type[Exception]) -> None:
    s3, _ = clients(proxy.endpoint_url)
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key="train.jsonl", Body=b"{}\n")
    proxy.fail(S3_GET_OBJECT, kind)
    with pytest.raises(error):
        s3.get_object(Bucket=BUCKET, Key="train.jsonl")
    assert s3.get_object(Bucket=BUCKET, Key="train.jsonl")["Body"].read() == b"{}\n"
    assert proxy.failed(S3_GET_OBJECT) == 1
