"""``CloudWatchInvocations`` through boto3 against moto over HTTP: the client, the window and its one datapoint."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import boto3
import pytest

from tests.sandbox.standin_support import TITAN_LITE, ManualClock, trained_model
from tests.support.moto_server import REGION, MotoServer
from workflows.adapters.aws_clients import bedrock_client
from workflows.adapters.bedrock_deployments import BedrockDeployments
from workflows.adapters.cloudwatch_metrics import CloudWatchInvocations, cloudwatch_client
from workflows.deployments.deployment_ports import ModelUsage
from workflows.deployments.deployment_record import DeploymentRequest, Route
from workflows.deployments.idle_check import is_idle

pytestmark = pytest.mark.integration

NOW = datetime.now(UTC).replace(second=0, microsecond=0)
MODEL = "arn:aws:bedrock:us-east-1:123456789012:provisioned-model/abcdef123456"


def test_the_product_client_reads_a_day_of_invocations(aws: MotoServer) -> None:
    client = cloudwatch_client(REGION, endpoint_url=aws.endpoint_url)
    client.put_metric_data(
        Namespace="AWS/Bedrock",
        MetricData=[
            {
                "MetricName": "Invocations",
                "Dimensions": [{"Name": "ModelId", "Value": MODEL}],
                "Value": 1,
                "Timestamp": NOW - timedelta(minutes=minutes),
            }
            for minutes in (5, 65, 600)
        ],
    )
    usage = CloudWatchInvocations(client).usage(model_id=MODEL, start=NOW - timedelta(hours=24), end=NOW)
    assert usage == ModelUsage(invocations=3, input_tokens=0, output_tokens=0)


def test_a_window_must_end_after_it_starts(aws: MotoServer) -> None:
    invocations = CloudWatchInvocations(cloudwatch_client(REGION, endpoint_url=aws.endpoint_url))
    with pytest.raises(ValueError, match="must end after it starts"):
        invocations.usage(model_id=MODEL, start=NOW, end=NOW)


def test_a_question_to_a_throughput_shows_in_its_usage_and_ends_its_idleness(
    aws: MotoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Converse on the stand-in reports to CloudWatch as Bedrock does; the idle check then sees a used throughput."""
    clock = ManualClock()
    monkeypatch.setattr(aws.standin.deployments, "clock", clock)
    deployments = BedrockDeployments(bedrock_client(REGION, endpoint_url=aws.endpoint_url))
    model = trained_model(base=TITAN_LITE)
    made = deployments.create(
        DeploymentRequest(
            route=Route.PROVISIONED,
            name="support-pt1-0a1b2c3d",
            client_request_token="t1",
            model_arn=model.custom_model_arn,
        )
    )
    clock.advance(3600)
    invocations = CloudWatchInvocations(cloudwatch_client(REGION, endpoint_url=aws.endpoint_url))
    start, end = datetime.now(UTC) - timedelta(hours=24), datetime.now(UTC) + timedelta(minutes=1)
    assert is_idle(invocations.usage(model_id=made.arn, start=start, end=end))
    boto3.client("bedrock-runtime", region_name=REGION).converse(
        modelId=made.arn, messages=[{"role": "user", "content": [{"text": "How do I reset my password?"}]}]
    )
    used = invocations.usage(model_id=made.arn, start=start, end=end)
    assert used.invocations == 1
    assert used.input_tokens > 0
    assert used.output_tokens > 0
    assert not is_idle(used)


def test_a_window_shorter_than_a_second_is_widened_to_a_minute_not_refused(aws: MotoServer) -> None:
    invocations = CloudWatchInvocations(cloudwatch_client(REGION, endpoint_url=aws.endpoint_url))
    now = datetime.now(UTC)
    start = now - timedelta(milliseconds=3)
    assert invocations.usage(model_id=MODEL, start=start, end=now) == ModelUsage(0, 0, 0)
    assert invocations.last_used(model_id=MODEL, start=start, end=now) is None
