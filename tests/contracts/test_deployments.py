"""``Deployments``: the fake Bedrock and ``BedrockDeployments`` on the AWS stand-in over HTTP agree."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import boto3
import pytest

from tests.fakes.deployments import FakeDeployments
from tests.sandbox.standin_support import ManualClock, trained_model
from tests.support.moto_server import MotoServer
from workflows.adapters.bedrock_deployments import BedrockDeployments
from workflows.catalogue import Commitment
from workflows.deployments.deployment_errors import DeploymentNotDeletable, DeploymentNotFound, DeploymentRejected
from workflows.deployments.deployment_ports import Deployments
from workflows.deployments.deployment_record import CustomModel, DeploymentRequest, DeploymentStatus, Route

FAKE_MODEL = "arn:aws:bedrock:us-east-1:123456789012:custom-model/amazon.nova-micro-v1:0:128k/abcdef123456"


@dataclass
class Subject:
    deployments: Deployments
    #: A completed custom model to deploy, by name.
    model: Callable[[str], str]
    #: Lets Bedrock's time pass until what was created is ready (or failed, when asked).
    settle: Callable[[], None]
    #: The next deployment created fails with this message.
    fail_next: Callable[[str], None]


@pytest.fixture(params=["fake", pytest.param("real", marks=pytest.mark.integration)])
def subject(request: pytest.FixtureRequest) -> Subject:
    if request.param == "fake":
        return _fake()
    aws: MotoServer = request.getfixturevalue("aws")
    clock = ManualClock()
    request.getfixturevalue("monkeypatch").setattr(aws.standin.deployments, "clock", clock)

    def model(name: str) -> str:
        return trained_model(name).custom_model_arn

    return Subject(
        BedrockDeployments(boto3.client("bedrock", region_name="us-east-1")),
        model,
        lambda: clock.advance(3600),
        aws.standin.deployments.fail_next,
    )


def _fake() -> Subject:
    fake = FakeDeployments()

    def model(name: str) -> str:
        """Like ``trained_model``: the model ``{name}-model``, made by the job ``{name}-job``."""
        fake.add_model(CustomModel(arn=FAKE_MODEL, name=f"{name}-model", job_name=f"{name}-job"))
        return FAKE_MODEL

    return Subject(fake, model, fake.settle, fake.fail_next)


def request(model_arn: str, route: Route = Route.ON_DEMAND, **changes: object) -> DeploymentRequest:
    base = DeploymentRequest(
        route=route,
        name=f"support-{route.value}-1",
        client_request_token=f"ftd-support-{route.value}-1",
        model_arn=model_arn,
        tags={"finetune-bot:user": "U1", "finetune-bot:channel": "C1"},
    )
    return base.model_copy(update=changes)


def test_an_on_demand_deployment_is_creating_then_active(subject: Subject) -> None:
    made = subject.deployments.create(request(subject.model("support")))
    assert (made.route, made.status, made.name, made.units) == (
        Route.ON_DEMAND,
        DeploymentStatus.CREATING,
        "support-on-demand-1",
        None,
    )
    assert subject.deployments.describe(Route.ON_DEMAND, made.arn).status is DeploymentStatus.CREATING
    subject.settle()
    by_name = subject.deployments.describe(Route.ON_DEMAND, "support-on-demand-1")
    assert (by_name.arn, by_name.status, by_name.failure_message) == (made.arn, DeploymentStatus.ACTIVE, None)


def test_a_throughput_keeps_its_units_and_commitment(subject: Subject) -> None:
    wanted = request(subject.model("support"), Route.PROVISIONED, units=2, commitment=Commitment.ONE_MONTH)
    made = subject.deployments.create(wanted)
    subject.settle()
    seen = subject.deployments.describe(Route.PROVISIONED, made.arn)
    assert (seen.status, seen.units, seen.commitment, seen.model_arn) == (
        DeploymentStatus.IN_SERVICE,
        2,
        Commitment.ONE_MONTH,
        wanted.model_arn,
    )


def test_the_same_request_twice_makes_one_deployment(subject: Subject) -> None:
    wanted = request(subject.model("support"), Route.PROVISIONED)
    first = subject.deployments.create(wanted)
    second = subject.deployments.create(wanted)
    assert second.arn == first.arn
    assert [item.arn for item in subject.deployments.listed(Route.PROVISIONED)] == [first.arn]


def test_the_same_token_with_another_request_is_refused(subject: Subject) -> None:
    wanted = request(subject.model("support"), Route.PROVISIONED)
    subject.deployments.create(wanted)
    with pytest.raises(DeploymentRejected, match="already being created"):
        subject.deployments.create(wanted.model_copy(update={"units": 3}))


def test_a_failure_keeps_awss_reason_for_the_log(subject: Subject) -> None:
    subject.fail_next("Insufficient capacity for this model.")
    made = subject.deployments.create(request(subject.model("support")))
    subject.settle()
    seen = subject.deployments.describe(Route.ON_DEMAND, made.arn)
    assert (seen.status, seen.failure_message) == (DeploymentStatus.FAILED, "Insufficient capacity for this model.")


def test_lists_are_per_route_newest_first(subject: Subject) -> None:
    model = subject.model("support")
    older = subject.deployments.create(request(model, Route.PROVISIONED, name="older", client_request_token="t-older"))
    newer = subject.deployments.create(request(model, Route.PROVISIONED, name="newer", client_request_token="t-newer"))
    on_demand = subject.deployments.create(request(model))
    assert [item.arn for item in subject.deployments.listed(Route.PROVISIONED)] == [newer.arn, older.arn]
    assert [item.arn for item in subject.deployments.listed(Route.ON_DEMAND)] == [on_demand.arn]


def test_a_deleted_deployment_is_gone(subject: Subject) -> None:
    made = subject.deployments.create(request(subject.model("support"), Route.PROVISIONED))
    subject.settle()
    subject.deployments.delete(Route.PROVISIONED, made.arn)
    with pytest.raises(DeploymentNotFound, match="`/finetune deployments` lists them"):
        subject.deployments.describe(Route.PROVISIONED, made.arn)
    assert subject.deployments.listed(Route.PROVISIONED) == []


def test_unknown_deployments_are_not_found(subject: Subject) -> None:
    with pytest.raises(DeploymentNotFound):
        subject.deployments.describe(Route.ON_DEMAND, "nobody")
    with pytest.raises(DeploymentNotFound):
        subject.deployments.delete(Route.PROVISIONED, "nobody")


def test_a_committed_throughput_cannot_be_deleted_before_its_term(subject: Subject) -> None:
    wanted = request(subject.model("support"), Route.PROVISIONED, commitment=Commitment.SIX_MONTHS)
    made = subject.deployments.create(wanted)
    subject.settle()
    with pytest.raises(DeploymentNotDeletable, match="cannot be deleted before its term ends"):
        subject.deployments.delete(Route.PROVISIONED, made.arn)
    assert subject.deployments.describe(Route.PROVISIONED, made.arn).status is DeploymentStatus.IN_SERVICE


def test_a_custom_model_is_found_by_name_or_arn_with_the_job_that_made_it(subject: Subject) -> None:
    arn = subject.model("support")
    by_name = subject.deployments.custom_model("support-model")
    assert by_name == CustomModel(arn=arn, name="support-model", job_name="support-job")
    assert subject.deployments.custom_model(arn) == by_name


def test_an_unknown_custom_model_is_none(subject: Subject) -> None:
    subject.model("support")
    assert subject.deployments.custom_model("nobody-model") is None
    assert subject.deployments.custom_model(FAKE_MODEL.replace("abcdef123456", "000000000000")) is None
