"""The deploy decision end to end on fakes: refusals, the proposal, one deployment per confirmation, the record."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.deployments.deployment_samples import ADMIN, CREATED, MODEL_ARN, OWNER, TITAN_LITE, target
from tests.fakes.deployments import FakeDeployments
from workflows.catalogue import Catalogue, Commitment, load_catalogue
from workflows.deployments.deploy_arguments import DeployArguments
from workflows.deployments.deployment_notices import DeployProposal
from workflows.deployments.deployment_plan import deployment_record, deployment_request, propose
from workflows.deployments.deployment_record import DeploymentRecord, DeploymentStatus, Route
from workflows.deployments.routing import DeployTarget
from workflows.messages import Message

ADMINS = frozenset({ADMIN})


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue()


def proposed(
    catalogue: Catalogue,
    deploy_target: DeployTarget | None = None,
    arguments: DeployArguments | None = None,
    *,
    user: str = OWNER,
    existing: list[DeploymentRecord] | None = None,
) -> DeployProposal | Message:
    chosen = deploy_target or target()
    return propose(
        chosen,
        catalogue.model(chosen.base_model_id),
        arguments or DeployArguments(chosen.label),
        region="us-east-1",
        team="T1",
        user=user,
        admins=ADMINS,
        existing=existing or [],
    )


def confirmed(proposal: DeployProposal | Message, deployments: FakeDeployments, user: str = OWNER) -> DeploymentRecord:
    """What the confirm click does: create, then keep the record."""
    assert isinstance(proposal, DeployProposal)
    created = deployments.create(deployment_request(proposal, team="T1", channel="C1", user=user))
    return deployment_record(
        proposal, created, team="T1", channel="C1", thread_ts="1790000000.000100", deployed_by=user, now=CREATED
    )


def test_someone_elses_model_is_refused(catalogue: Catalogue) -> None:
    refused = proposed(catalogue, user="U0BOB")
    assert isinstance(refused, Message)
    assert refused.text == f"Only <@{OWNER}>, who started the job, or an admin may deploy `support-tone`."
    assert isinstance(proposed(catalogue, user=ADMIN), DeployProposal)


def test_the_proposal_carries_route_costs_and_a_deterministic_name(catalogue: Catalogue) -> None:
    proposal = proposed(catalogue)
    assert isinstance(proposal, DeployProposal)
    assert (proposal.plan.route, proposal.model_name, proposal.region) == (Route.ON_DEMAND, "Nova Micro", "us-east-1")
    assert proposal.name.startswith("support-tone-od1-")
    assert proposal.costs.input_per_1k == Decimal("0.000035")
    assert proposed(catalogue) == proposal


def test_a_double_click_or_a_retry_makes_one_deployment(catalogue: Catalogue) -> None:
    deployments = FakeDeployments()
    proposal = proposed(catalogue)
    first, second = confirmed(proposal, deployments), confirmed(proposal, deployments)
    assert first.arn == second.arn
    assert len(deployments.items) == 1


def test_a_second_deploy_while_one_lives_points_at_it(catalogue: Catalogue) -> None:
    record = confirmed(proposed(catalogue), FakeDeployments())
    again = proposed(catalogue, existing=[record])
    assert isinstance(again, Message)
    assert f"`/finetune undeploy {record.name}`" in again.text


def test_after_deletion_a_new_deploy_gets_a_new_name(catalogue: Catalogue) -> None:
    record = confirmed(proposed(catalogue), FakeDeployments())
    deleted = record.model_copy(update={"status": DeploymentStatus.DELETED})
    proposal = proposed(catalogue, existing=[deleted])
    assert isinstance(proposal, DeployProposal)
    assert proposal.name.startswith("support-tone-od2-")
    assert proposal.name != record.name


def test_the_request_is_tagged_and_sized(catalogue: Catalogue) -> None:
    proposal = proposed(catalogue, arguments=DeployArguments("support-tone", units=2, commitment=Commitment.ONE_MONTH))
    assert isinstance(proposal, DeployProposal)
    request = deployment_request(proposal, team="T1", channel="C1", user=ADMIN)
    assert (request.route, request.units, request.commitment, request.model_arn) == (
        Route.PROVISIONED,
        2,
        Commitment.ONE_MONTH,
        MODEL_ARN,
    )
    assert request.tags == {
        "finetune-bot:user": ADMIN,
        "finetune-bot:channel": "C1",
        "finetune-bot:team": "T1",
        "finetune-bot:job": "support-tone",
    }
    assert request.client_request_token == proposal.client_request_token


def test_the_record_keeps_whose_it_is_and_its_hourly_cost(catalogue: Catalogue) -> None:
    proposal = proposed(catalogue, target(base_model_id=TITAN_LITE), user=ADMIN)
    record = confirmed(proposal, FakeDeployments(), user=ADMIN)
    assert (record.route, record.status, record.owner, record.deployed_by) == (
        Route.PROVISIONED,
        DeploymentStatus.CREATING,
        OWNER,
        ADMIN,
    )
    assert (record.hourly_cost, record.input_per_1k, record.created_at) == (Decimal("7.10"), None, CREATED)
    assert record.ready_at is None


def test_a_model_the_product_did_not_train_belongs_to_the_admin_who_deployed_it(catalogue: Catalogue) -> None:
    foreign = target(owner=None, job_name=None, label="imported-model")
    proposal = proposed(catalogue, foreign, user=ADMIN)
    record = confirmed(proposal, FakeDeployments(), user=ADMIN)
    assert (record.owner, record.job_name) == (ADMIN, None)
    assert "finetune-bot:job" not in deployment_request(proposal, team="T1", channel="C1", user=ADMIN).tags
