"""Several sources of spend (jobs, deployments) as one ``Spending`` for the budgets."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from workflows.governance.budget_decisions import MonthToDate
from workflows.governance.governance_ports import Spending


class SpendingSum:
    """The sum of every part's month to date."""

    def __init__(self, *parts: Spending) -> None:
        self._parts = parts

    def month_to_date(self, *, team: str, channel: str, user: str, now: datetime) -> MonthToDate:
        total = MonthToDate(month=f"{now:%B %Y}", key=f"{now:%Y-%m}", channel=Decimal(0), person=Decimal(0))
        for part in self._parts:
            total = total + part.month_to_date(team=team, channel=channel, user=user, now=now)
        return total
