"""Deployments in the budgets: a throughput's hours inside this month at its price; the rest of the month ahead."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from tests.fakes.deployment_store import MemoryDeploymentStore
from tests.fakes.governance import FixedSpending
from workflows.deployments.deployment_record import DeploymentRecord, Route
from workflows.deployments.deployment_spending import DeploymentSpending, accrued_this_month, rest_of_month
from workflows.governance.spending_sum import SpendingSum

NOW = datetime(2026, 11, 10, 12, 0, tzinfo=UTC)


def throughput(name: str = "tp", **changes: object) -> DeploymentRecord:
    base = DeploymentRecord(
        name=name,
        route=Route.PROVISIONED,
        arn=f"arn:aws:bedrock:us-east-1:123456789012:provisioned-model/{name}",
        model_arn="arn:aws:bedrock:us-east-1:123456789012:custom-model/m",
        base_model_id="amazon.titan-text-lite-v1:0:4k",
        team="T1",
        channel="C1",
        thread_ts="1.0",
        owner="U1",
        deployed_by="U1",
        hourly_cost=Decimal("10"),
        created_at=datetime(2026, 11, 10, 2, 0, tzinfo=UTC),
    )
    return base.model_copy(update=changes)


@pytest.mark.parametrize(
    ("changes", "accrued"),
    [
        ({}, Decimal(100)),
        ({"created_at": datetime(2026, 10, 31, 12, 0, tzinfo=UTC)}, Decimal(10 * (9 * 24 + 12))),
        ({"deleted_at": datetime(2026, 11, 10, 4, 30, tzinfo=UTC)}, Decimal(25)),
        ({"deleted_at": datetime(2026, 10, 31, 0, 0, tzinfo=UTC), "created_at": datetime(2026, 10, 1, tzinfo=UTC)}, 0),
        ({"hourly_cost": None}, Decimal(0)),
        ({"route": Route.ON_DEMAND, "hourly_cost": None}, Decimal(0)),
    ],
)
def test_accrued_this_month(changes: dict[str, object], accrued: Decimal) -> None:
    assert accrued_this_month(throughput(**changes), NOW) == accrued


def test_the_rest_of_the_month_runs_to_the_first_of_the_next() -> None:
    assert rest_of_month(Decimal(10), NOW) == Decimal(10 * (20 * 24 + 12))
    assert rest_of_month(Decimal(1), datetime(2026, 12, 31, 23, 0, tzinfo=UTC)) == Decimal(1)


def test_the_channel_and_the_owner_are_charged_and_sums_add_up() -> None:
    store = MemoryDeploymentStore()
    store.save(throughput("a"))
    store.save(throughput("b", channel="C2"))
    store.save(throughput("c", owner="U9", deployed_by="U1"))
    store.save(throughput("d", team="T2"))
    spent = DeploymentSpending(store).month_to_date(team="T1", channel="C1", user="U1", now=NOW)
    assert (spent.channel, spent.person) == (Decimal(200), Decimal(200))
    both = SpendingSum(DeploymentSpending(store), FixedSpending(Decimal(5), Decimal(7)))
    total = both.month_to_date(team="T1", channel="C1", user="U1", now=NOW)
    assert (total.channel, total.person, total.month) == (Decimal(205), Decimal(207), "November 2026")
