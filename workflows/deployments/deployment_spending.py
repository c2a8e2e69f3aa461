"""What deployments cost this month, for the governance budgets: throughput hours within the month × its price."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal

from workflows.deployments.deployment_ports import DeploymentStore
from workflows.deployments.deployment_record import DeploymentRecord, Route
from workflows.governance.budget_decisions import MonthToDate

_HOUR_SECONDS = Decimal(3600)


def month_start(now: datetime) -> datetime:
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def next_month_start(now: datetime) -> datetime:
    return month_start(month_start(now) + timedelta(days=32))


def accrued_this_month(record: DeploymentRecord, now: datetime) -> Decimal:
    """A throughput's hours inside this month (up to now, or its deletion) at its hourly price; on demand is 0.

    On-demand deployments are billed per token, which the records do not count, so they add nothing here.
    """
    if record.route is not Route.PROVISIONED or record.hourly_cost is None:
        return Decimal(0)
    start = max(record.created_at, month_start(now))
    end = min(record.deleted_at or now, now)
    seconds = Decimal(max(0.0, (end - start).total_seconds()))
    return record.hourly_cost * seconds / _HOUR_SECONDS


def rest_of_month(hourly: Decimal, now: datetime) -> Decimal:
    """What a throughput created now costs until the month ends (its first month; it goes on until deleted)."""
    seconds = Decimal((next_month_start(now) - now).total_seconds())
    return hourly * seconds / _HOUR_SECONDS


class DeploymentSpending:
    """``Spending`` from the deployment records: throughput hours this month, for their channel and their owner
    (the job's starter, as ``/finetune cost`` counts them)."""

    def __init__(self, store: DeploymentStore) -> None:
        self._store = store

    def month_to_date(self, *, team: str, channel: str, user: str, now: datetime) -> MonthToDate:
        channel_usd = person_usd = Decimal(0)
        for record in self._store.in_team(team):
            amount = accrued_this_month(record, now)
            if record.channel == channel:
                channel_usd += amount
            if record.owner == user:
                person_usd += amount
        return MonthToDate(month=f"{now:%B %Y}", key=f"{now:%Y-%m}", channel=channel_usd, person=person_usd)
