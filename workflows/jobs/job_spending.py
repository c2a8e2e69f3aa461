"""This month's spend for the governance budgets, counted the way ``/finetune cost`` counts it (``spend``)."""

from __future__ import annotations

from datetime import datetime

from workflows.catalogue import CatalogueError, ModelSpec
from workflows.catalogue.schema import Catalogue
from workflows.governance.budget_decisions import MonthToDate
from workflows.jobs.job_ports import JobHistory
from workflows.jobs.spend import month_spend


class JobSpending:
    """``Spending`` from the job records: training estimates of this month's jobs and storage of their models."""

    def __init__(self, *, history: JobHistory, catalogue: Catalogue) -> None:
        self._history = history
        self._catalogue = catalogue

    def month_to_date(self, *, team: str, channel: str, user: str, now: datetime) -> MonthToDate:
        spend = month_spend(self._history.in_team(team), now=now, model=self._model)
        return MonthToDate(
            month=spend.month,
            key=f"{now:%Y-%m}",
            channel=spend.by_channel[channel].total,
            person=spend.by_person[user].total,
        )

    def _model(self, model_id: str) -> ModelSpec | None:
        try:
            return self._catalogue.model(model_id)
        except CatalogueError:
            return None
