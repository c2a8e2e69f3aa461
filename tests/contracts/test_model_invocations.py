"""``ModelInvocations``: the fake usage and ``CloudWatchInvocations`` on moto over HTTP agree on sums per window."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import boto3
import pytest

from tests.fakes.invocations import FakeInvocations
from workflows.adapters.cloudwatch_metrics import NAMESPACE, CloudWatchInvocations
from workflows.deployments.deployment_ports import LAST_USE_RESOLUTION, ModelInvocations, ModelUsage

MODEL = "arn:aws:bedrock:us-east-1:123456789012:provisioned-model/abcdef123456"
OTHER = "arn:aws:bedrock:us-east-1:123456789012:provisioned-model/fedcba654321"
#: Whole minutes, so the moment lines up with CloudWatch's one-minute datapoints.
NOW = datetime.now(UTC).replace(second=0, microsecond=0)

Record = Callable[[str, datetime, int, int, int], None]


@dataclass
class Subject:
    invocations: ModelInvocations
    #: What Bedrock reports to CloudWatch after serving requests: invocations, input and output tokens.
    record: Record


@pytest.fixture(params=["fake", pytest.param("real", marks=pytest.mark.integration)])
def subject(request: pytest.FixtureRequest) -> Subject:
    if request.param == "fake":
        fake = FakeInvocations()

        def remember(model_id: str, at: datetime, invocations: int, input_tokens: int, output_tokens: int) -> None:
            fake.record(model_id, at, invocations=invocations, input_tokens=input_tokens, output_tokens=output_tokens)

        return Subject(fake, remember)
    request.getfixturevalue("aws")
    client = boto3.client("cloudwatch", region_name="us-east-1")

    def put(model_id: str, at: datetime, invocations: int, input_tokens: int, output_tokens: int) -> None:
        dimensions = [{"Name": "ModelId", "Value": model_id}]
        values = {"Invocations": invocations, "InputTokenCount": input_tokens, "OutputTokenCount": output_tokens}
        client.put_metric_data(
            Namespace=NAMESPACE,
            MetricData=[
                {"MetricName": name, "Dimensions": dimensions, "Value": value, "Timestamp": at}
                for name, value in values.items()
            ],
        )

    return Subject(CloudWatchInvocations(client), put)


def test_no_datapoints_is_zero_use(subject: Subject) -> None:
    assert subject.invocations.usage(model_id=MODEL, start=NOW - timedelta(hours=24), end=NOW) == ModelUsage(0, 0, 0)


def test_usage_sums_the_window_for_that_model_only(subject: Subject) -> None:
    subject.record(MODEL, NOW - timedelta(hours=2), 3, 1200, 300)
    subject.record(MODEL, NOW - timedelta(hours=5), 2, 800, 100)
    subject.record(MODEL, NOW - timedelta(hours=30), 7, 7000, 900)
    subject.record(OTHER, NOW - timedelta(hours=1), 9, 9000, 900)
    last_day = subject.invocations.usage(model_id=MODEL, start=NOW - timedelta(hours=24), end=NOW)
    assert last_day == ModelUsage(invocations=5, input_tokens=2000, output_tokens=400)
    two_days = subject.invocations.usage(model_id=MODEL, start=NOW - timedelta(hours=48), end=NOW)
    assert two_days == ModelUsage(invocations=12, input_tokens=9000, output_tokens=1300)


def test_last_use_is_the_newest_request_in_the_window_to_within_the_resolution(subject: Subject) -> None:
    subject.record(MODEL, NOW - timedelta(hours=5), 2, 800, 100)
    subject.record(MODEL, NOW - timedelta(hours=2), 3, 1200, 300)
    subject.record(OTHER, NOW - timedelta(minutes=10), 9, 9000, 900)
    last = subject.invocations.last_used(model_id=MODEL, start=NOW - timedelta(days=14), end=NOW)
    assert last is not None
    assert NOW - timedelta(hours=2) - LAST_USE_RESOLUTION < last <= NOW - timedelta(hours=2)


def test_no_request_in_the_window_is_no_last_use(subject: Subject) -> None:
    subject.record(MODEL, NOW - timedelta(days=20), 3, 1200, 300)
    assert subject.invocations.last_used(model_id=MODEL, start=NOW - timedelta(days=14), end=NOW) is None
