"""``/finetune deployments``: live ones first with route, status, hourly cost and cost so far; ended ones after."""

from __future__ import annotations

from datetime import timedelta

from tests.deployments.deployment_samples import CREATED, on_demand, ready, throughput
from workflows.deployments.deployment_list import LAST_USE_DAYS, NO_DEPLOYMENTS, Activity, deployments_answer
from workflows.deployments.deployment_ports import ModelUsage
from workflows.deployments.deployment_record import DeploymentStatus


def test_nothing_deployed_says_how_to_deploy() -> None:
    assert deployments_answer([], CREATED).text == NO_DEPLOYMENTS


def test_each_deployment_with_its_route_status_costs_and_last_use() -> None:
    now = CREATED + timedelta(hours=10)
    records = [
        throughput("gone-pt1-0a1b2c3d", status=DeploymentStatus.DELETED, deleted_at=CREATED + timedelta(hours=1)),
        ready(throughput(units=2, hourly_cost=None, created_at=CREATED + timedelta(hours=2))),
        ready(on_demand(created_at=CREATED + timedelta(hours=4))),
    ]
    activity = {
        "support-tone-od1-0a1b2c3d": Activity(
            usage=ModelUsage(invocations=3, input_tokens=1000, output_tokens=1000),
            last_used=CREATED + timedelta(hours=9, minutes=35),
        ),
        "support-tone-pt1-0a1b2c3d": Activity(),
        "gone-pt1-0a1b2c3d": Activity(),
    }
    answer = deployments_answer(records, now, activity=activity, sources=("as of 2025-06-01, AWS pricing page",))
    assert answer.text == "Deployments in this workspace: 2 live, 1 ended."
    assert answer.details[0].split("\n") == [
        "• `support-tone-od1-0a1b2c3d` — on demand (per token), Active; cost so far about $0.00018 "
        "(1,000 input and 1,000 output tokens); last used 2026-10-05 17:35 UTC",
        "• `support-tone-pt1-0a1b2c3d` — Provisioned Throughput (2 units, unknown per hour), InService; "
        "cost so far unknown (no Provisioned Throughput price in the catalogue); not used since it was deployed",
        "• `gone-pt1-0a1b2c3d` — Provisioned Throughput (1 unit, $60.50 per hour), Deleted; "
        "cost so far about $60.50 (1.0 hours at $60.50 per hour)",
    ]
    assert answer.context is not None
    assert answer.context.endswith("Prices as of 2025-06-01, AWS pricing page.")


def test_last_use_says_how_far_back_it_looked_or_that_cloudwatch_did_not_answer() -> None:
    now = CREATED + timedelta(days=30)
    record = ready(throughput())
    quiet = deployments_answer([record], now, activity={record.name: Activity()})
    unread = deployments_answer([record], now, activity={record.name: Activity(unread=True)})
    assert quiet.details[0].endswith(f"; no use in the last {LAST_USE_DAYS} days")
    assert unread.details[0].endswith("; last use unknown (CloudWatch did not answer)")


def test_on_demand_tokens_unread_are_an_unknown_cost_never_zero() -> None:
    record = ready(on_demand())
    answer = deployments_answer([record], CREATED + timedelta(hours=1), activity={record.name: Activity(unread=True)})
    assert "cost so far unknown (the token counts from CloudWatch are unavailable)" in answer.details[0]
    assert "$0.00" not in answer.details[0]
