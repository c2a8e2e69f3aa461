"""``/finetune deployments``: live ones first with route, status, hourly cost and cost so far; ended ones after."""

from __future__ import annotations

from datetime import timedelta

from tests.deployments.deployment_samples import CREATED, on_demand, ready, throughput
from workflows.deployments.deployment_list import NO_DEPLOYMENTS, deployments_answer
from workflows.deployments.deployment_ports import ModelUsage
from workflows.deployments.deployment_record import DeploymentStatus


def test_nothing_deployed_says_how_to_deploy() -> None:
    assert deployments_answer([], CREATED).text == NO_DEPLOYMENTS


def test_each_deployment_with_its_route_status_and_costs() -> None:
    now = CREATED + timedelta(hours=10)
    records = [
        throughput("gone-pt1-0a1b2c3d", status=DeploymentStatus.DELETED, deleted_at=CREATED + timedelta(hours=1)),
        ready(throughput(units=2, hourly_cost=None, created_at=CREATED + timedelta(hours=2))),
        ready(on_demand(created_at=CREATED + timedelta(hours=4))),
    ]
    usage = {"support-tone-od1-0a1b2c3d": ModelUsage(invocations=3, input_tokens=1000, output_tokens=1000)}
    answer = deployments_answer(records, now, usage)
    assert answer.text == "Deployments in this workspace: 2 live, 1 ended."
    assert answer.details[0].split("\n") == [
        "• `support-tone-od1-0a1b2c3d` — on demand (per token), Active; cost so far about $0.00018 "
        "(1,000 input and 1,000 output tokens)",
        "• `support-tone-pt1-0a1b2c3d` — Provisioned Throughput (2 units, unknown per hour), InService; "
        "cost so far unknown (no Provisioned Throughput price in the catalogue)",
        "• `gone-pt1-0a1b2c3d` — Provisioned Throughput (1 unit, $60.50 per hour), Deleted; "
        "cost so far about $60.50 (1.0 hours at $60.50 per hour)",
    ]
