"""Deployments' use from CloudWatch: last use, tokens, what each cost in a span, and unknown when unread."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from tests.deployments.deployment_samples import CREATED, on_demand, ready, throughput
from tests.fakes.deployment_store import MemoryDeploymentStore
from tests.fakes.invocations import FakeInvocations
from workflows.catalogue import load_catalogue
from workflows.deployments.deployment_list import Activity
from workflows.deployments.deployment_ports import ModelUsage
from workflows.deployments.deployment_record import DeploymentStatus
from workflows.deployments.deployment_usage import DeploymentUsage
from workflows.exceptions import BotError

CATALOGUE = load_catalogue(None)


class Refusing:
    """CloudWatch denying the bot access."""

    def usage(self, *, model_id: str, start: datetime, end: datetime) -> ModelUsage:
        raise BotError("CloudWatch denied the bot access.")

    def last_used(self, *, model_id: str, start: datetime, end: datetime) -> datetime | None:
        raise BotError("CloudWatch denied the bot access.")


def test_activity_has_the_last_use_and_on_demand_tokens() -> None:
    store, metrics = MemoryDeploymentStore(), FakeInvocations()
    record = ready(on_demand())
    metrics.record(record.arn, CREATED + timedelta(hours=2), invocations=2, input_tokens=500, output_tokens=100)
    usage = DeploymentUsage(store=store, invocations=metrics, catalogue=CATALOGUE)
    assert usage.activity(record, CREATED + timedelta(hours=5)) == Activity(
        usage=ModelUsage(2, 500, 100), last_used=CREATED + timedelta(hours=2)
    )
    deleted = ready(throughput()).model_copy(update={"status": DeploymentStatus.DELETED})
    assert usage.activity(deleted, CREATED + timedelta(hours=5)) == Activity()


def test_cloudwatch_refusing_is_unread_not_zero() -> None:
    usage = DeploymentUsage(store=MemoryDeploymentStore(), invocations=Refusing(), catalogue=CATALOGUE)
    assert usage.activity(ready(throughput()), CREATED + timedelta(hours=5)) == Activity(unread=True)


def test_spent_counts_each_deployment_that_existed_in_the_span() -> None:
    store, metrics = MemoryDeploymentStore(), FakeInvocations()
    month = CREATED + timedelta(days=1)
    store.save(ready(throughput("live-pt1-11111111")))
    store.save(ready(throughput("before-pt1-22222222", deleted_at=CREATED + timedelta(hours=3))))
    store.save(throughput("failed-pt1-33333333", status=DeploymentStatus.FAILED))
    store.save(ready(throughput("priceless-pt1-44444444", hourly_cost=None)))
    od = ready(on_demand())
    store.save(od)
    metrics.record(od.arn, month + timedelta(hours=1), invocations=1, input_tokens=1000, output_tokens=1000)
    metrics.record(od.arn, CREATED + timedelta(hours=1), invocations=1, input_tokens=9000, output_tokens=9000)
    usage = DeploymentUsage(store=store, invocations=metrics, catalogue=CATALOGUE)

    costs = {cost.name: cost for cost in usage.spent("T1", start=month, end=month + timedelta(hours=2))}

    assert set(costs) == {"live-pt1-11111111", "priceless-pt1-44444444", "support-tone-od1-0a1b2c3d"}
    assert costs["live-pt1-11111111"].amount == Decimal("121.00")
    assert costs["live-pt1-11111111"].basis == "2.0 hours at $60.50 per hour"
    assert costs["live-pt1-11111111"].sources
    assert costs["priceless-pt1-44444444"].amount is None
    assert costs["priceless-pt1-44444444"].sources == ()
    assert costs["support-tone-od1-0a1b2c3d"].amount == Decimal("0.000175")
    assert costs["support-tone-od1-0a1b2c3d"].basis == "1,000 input and 1,000 output tokens"


def test_spent_with_cloudwatch_refusing_leaves_on_demand_unknown() -> None:
    store = MemoryDeploymentStore()
    store.save(ready(on_demand()))
    usage = DeploymentUsage(store=store, invocations=Refusing(), catalogue=CATALOGUE)
    [cost] = usage.spent("T1", start=CREATED, end=CREATED + timedelta(hours=1))
    assert cost.amount is None
    assert cost.basis == "the token counts from CloudWatch are unavailable"
