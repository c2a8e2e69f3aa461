"""The route: on demand by default where the base model allows it here, else Provisioned Throughput; and who may."""

from __future__ import annotations

from datetime import date

import pytest

from tests.deployments.deployment_samples import ADMIN, NOVA_MICRO, OWNER, TITAN_LITE, target, throughput
from workflows.catalogue import Catalogue, Commitment, load_catalogue
from workflows.deployments.deploy_arguments import DeployArguments
from workflows.deployments.deployment_record import Route
from workflows.deployments.deployment_rights import may_delete, may_deploy
from workflows.deployments.routing import RoutePlan, choose_route

ADMINS = frozenset({ADMIN})


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue()


def plan(catalogue: Catalogue, *, base: str = NOVA_MICRO, region: str = "us-east-1", **changes: object) -> RoutePlan:
    arguments = changes.pop("arguments", DeployArguments("support-tone"))
    assert isinstance(arguments, DeployArguments)
    return choose_route(target(base_model_id=base, **changes), catalogue.model(base), region, arguments)


def test_on_demand_is_the_default_where_the_base_model_supports_it(catalogue: Catalogue) -> None:
    chosen = plan(catalogue)
    assert (chosen.route, chosen.units, chosen.commitment) == (Route.ON_DEMAND, 1, Commitment.NONE)
    assert chosen.reason == "Nova Micro supports on-demand deployment in us-east-1."


def test_a_base_model_without_on_demand_gets_throughput_with_no_commitment(catalogue: Catalogue) -> None:
    chosen = plan(catalogue, base=TITAN_LITE)
    assert (chosen.route, chosen.units, chosen.commitment) == (Route.PROVISIONED, 1, Commitment.NONE)
    assert "has no on-demand deployment for custom models" in chosen.reason


def test_another_region_gets_throughput_and_says_where_on_demand_works(catalogue: Catalogue) -> None:
    chosen = plan(catalogue, region="us-west-2")
    assert chosen.route is Route.PROVISIONED
    assert "only in us-east-1, not us-west-2" in chosen.reason


def test_a_model_customized_before_on_demand_existed_gets_throughput(catalogue: Catalogue) -> None:
    chosen = plan(catalogue, customized_on=date(2025, 7, 15))
    assert chosen.route is Route.PROVISIONED
    assert "customized on or after 2025-07-16" in chosen.reason
    assert plan(catalogue, customized_on=date(2025, 7, 16)).route is Route.ON_DEMAND


def test_an_unknown_customization_day_is_judged_by_region_only(catalogue: Catalogue) -> None:
    assert plan(catalogue, customized_on=None).route is Route.ON_DEMAND


def test_units_or_a_commitment_choose_throughput_and_mention_on_demand(catalogue: Catalogue) -> None:
    chosen = plan(catalogue, arguments=DeployArguments("m", units=2, commitment=Commitment.SIX_MONTHS))
    assert (chosen.route, chosen.units, chosen.commitment) == (Route.PROVISIONED, 2, Commitment.SIX_MONTHS)
    assert "on-demand deployment (per token, no hourly fee) is available too" in chosen.reason
    only_commitment = plan(catalogue, base=TITAN_LITE, arguments=DeployArguments("m", commitment=Commitment.ONE_MONTH))
    assert (only_commitment.units, only_commitment.commitment) == (1, Commitment.ONE_MONTH)
    assert "available too" not in only_commitment.reason


def test_a_base_model_outside_the_catalogue_gets_throughput() -> None:
    chosen = choose_route(target(base_model_id="acme.unknown-v1"), None, "us-east-1", DeployArguments("m"))
    assert chosen.route is Route.PROVISIONED
    assert "acme.unknown-v1 is not in the catalogue" in chosen.reason


@pytest.mark.parametrize(
    ("user", "owner", "allowed"),
    [
        (OWNER, OWNER, True),
        (ADMIN, OWNER, True),
        ("U0BOB", OWNER, False),
        (ADMIN, None, True),
        ("U0BOB", None, False),
    ],
)
def test_who_may_deploy(user: str, owner: str | None, allowed: bool) -> None:
    assert may_deploy(target(owner=owner), user, ADMINS) is allowed


def test_who_may_delete_is_the_jobs_starter_or_an_admin_not_whoever_deployed() -> None:
    deployed_by_admin = throughput(deployed_by=ADMIN)
    assert may_delete(deployed_by_admin, OWNER, ADMINS)
    assert may_delete(deployed_by_admin, ADMIN, ADMINS)
    assert not may_delete(deployed_by_admin, "U0BOB", ADMINS)
    assert not may_delete(throughput(deployed_by="U0BOB"), "U0BOB", frozenset())
