"""``BedrockDeployments`` through boto3 against the AWS stand-in over HTTP: what it sends, reads, and how it fails."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot.sandbox.deployments import Route as StandInRoute
from tests.sandbox.standin_support import TITAN_LITE, ManualClock, trained_model
from tests.support.aws_proxy import AwsProxy, Operation, aws_proxy
from tests.support.moto_server import REGION, MotoServer
from workflows.adapters.aws_clients import bedrock_client
from workflows.adapters.bedrock_deployments import BedrockDeployments
from workflows.catalogue import Commitment
from workflows.deployments.deployment_errors import DeploymentNotDeletable, DeploymentNotFound, DeploymentRejected
from workflows.deployments.deployment_record import DeploymentRequest, DeploymentStatus, Route
from workflows.exceptions import ServiceBusy

pytestmark = pytest.mark.integration

GET_THROUGHPUT = Operation("GetProvisionedModelThroughput", "bedrock", "GET", r"/provisioned-model-throughput/[^/]+")


@pytest.fixture
def deployments(aws: MotoServer, standin_clock: ManualClock) -> BedrockDeployments:
    return BedrockDeployments(bedrock_client(REGION, endpoint_url=aws.endpoint_url))


@pytest.fixture
def proxy(aws: MotoServer) -> Iterator[AwsProxy]:
    with aws_proxy(aws.endpoint_url) as running:
        yield running


def throughput(model_arn: str, name: str = "support-pt1-0a1b2c3d", **changes: object) -> DeploymentRequest:
    base = DeploymentRequest(
        route=Route.PROVISIONED,
        name=name,
        client_request_token=f"ftd-{name}",
        model_arn=model_arn,
        tags={"finetune-bot:user": "U0ALICE", "finetune-bot:channel": "C1"},
    )
    return base.model_copy(update=changes)


def test_the_request_token_and_tags_reach_bedrock(aws: MotoServer, deployments: BedrockDeployments) -> None:
    model = trained_model(base=TITAN_LITE)
    made = deployments.create(throughput(model.custom_model_arn, units=2))
    stored = aws.standin.deployments.find(StandInRoute.PROVISIONED, made.arn)
    assert stored.token == "ftd-support-pt1-0a1b2c3d"
    assert stored.units == 2
    assert stored.commitment is None
    assert {tag["key"]: tag["value"] for tag in stored.tags} == {
        "finetune-bot:user": "U0ALICE",
        "finetune-bot:channel": "C1",
    }


def test_a_commitment_is_sent_as_bedrocks_duration(aws: MotoServer, deployments: BedrockDeployments) -> None:
    model = trained_model(base=TITAN_LITE)
    made = deployments.create(throughput(model.custom_model_arn, commitment=Commitment.SIX_MONTHS))
    assert aws.standin.deployments.find(StandInRoute.PROVISIONED, made.arn).commitment == "SixMonths"


def test_every_page_is_read(deployments: BedrockDeployments, aws: MotoServer, standin_clock: ManualClock) -> None:
    model = trained_model(base=TITAN_LITE)
    paged = BedrockDeployments(bedrock_client(REGION, endpoint_url=aws.endpoint_url), page_size=1)
    for index in range(3):
        standin_clock.advance(1)
        deployments.create(throughput(model.custom_model_arn, name=f"support-pt{index + 1}-0a1b2c3d"))
    listed = [item.name for item in paged.listed(Route.PROVISIONED)]
    assert listed == ["support-pt3-0a1b2c3d", "support-pt2-0a1b2c3d", "support-pt1-0a1b2c3d"]


def test_a_failed_deployment_carries_its_reason_and_a_live_one_none(
    deployments: BedrockDeployments, standin_clock: ManualClock
) -> None:
    model = trained_model(base=TITAN_LITE)
    failing = deployments.create(throughput(model.custom_model_arn, name="will-fail-pt1-0a1b2c3d"))
    fine = deployments.create(throughput(model.custom_model_arn))
    standin_clock.advance(3600)
    failed = deployments.describe(Route.PROVISIONED, failing.arn)
    assert failed.status is DeploymentStatus.FAILED
    assert failed.failure_message is not None
    assert "fail" in failed.failure_message
    assert deployments.describe(Route.PROVISIONED, fine.name).failure_message is None


def test_a_model_that_is_not_ready_is_refused_with_advice_not_awss_words(deployments: BedrockDeployments) -> None:
    model = trained_model(base=TITAN_LITE, complete=False)
    with pytest.raises(DeploymentRejected) as refused:
        deployments.create(throughput(model.custom_model_arn))
    assert "The custom model is not ready yet" in str(refused.value)
    assert "123456789012" not in str(refused.value)
    assert "support-model" not in str(refused.value)


def test_on_demand_where_the_base_model_does_not_allow_it_is_refused(deployments: BedrockDeployments) -> None:
    model = trained_model(base=TITAN_LITE)
    wanted = throughput(model.custom_model_arn).model_copy(update={"route": Route.ON_DEMAND})
    with pytest.raises(DeploymentRejected, match="deploy it through Provisioned Throughput instead"):
        deployments.create(wanted)


def test_a_committed_throughput_refusal_says_when_it_can_go(deployments: BedrockDeployments) -> None:
    model = trained_model(base=TITAN_LITE)
    made = deployments.create(throughput(model.custom_model_arn, commitment=Commitment.ONE_MONTH))
    with pytest.raises(DeploymentNotDeletable, match=r"It can be deleted from \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC\."):
        deployments.delete(Route.PROVISIONED, made.arn)


def test_a_malformed_name_is_simply_not_found(deployments: BedrockDeployments) -> None:
    with pytest.raises(DeploymentNotFound):
        deployments.describe(Route.PROVISIONED, "not a name!")
    with pytest.raises(DeploymentNotFound):
        deployments.delete(Route.ON_DEMAND, "--")


def test_an_outage_that_outlasts_the_retries_is_service_busy(proxy: AwsProxy, deployments: BedrockDeployments) -> None:
    model = trained_model(base=TITAN_LITE)
    made = deployments.create(throughput(model.custom_model_arn))
    through_proxy = BedrockDeployments(bedrock_client(REGION, endpoint_url=proxy.endpoint_url))
    proxy.fail(GET_THROUGHPUT, "500", times=None)
    with pytest.raises(ServiceBusy, match="Bedrock is busy or unreachable"):
        through_proxy.describe(Route.PROVISIONED, made.arn)
    assert proxy.failed(GET_THROUGHPUT) == 4
