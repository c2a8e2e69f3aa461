"""``CloudWatchInvocations`` through boto3 against moto over HTTP: the client, the window and its one datapoint."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.support.moto_server import REGION, MotoServer
from workflows.adapters.cloudwatch_metrics import CloudWatchInvocations, cloudwatch_client
from workflows.deployments.deployment_ports import ModelUsage

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
