"""What the deployments' CloudWatch metrics tell people: last use and tokens, and what they cost in a span."""

from __future__ import annotations

import logging
from datetime import datetime

from workflows.catalogue import CatalogueError, ModelSpec
from workflows.catalogue.schema import Catalogue
from workflows.deployments.deployment_costs import cost_basis, cost_between, price_sources
from workflows.deployments.deployment_list import Activity, last_use_window
from workflows.deployments.deployment_ports import DeploymentStore, ModelInvocations, ModelUsage
from workflows.deployments.deployment_record import DeploymentRecord, DeploymentStatus, Route
from workflows.exceptions import BotError
from workflows.jobs.job_ports import ServingCost

logger = logging.getLogger(__name__)


class DeploymentUsage:
    """Reads CloudWatch for the deployments the product made; a metric it cannot read is unknown, never zero."""

    def __init__(
        self,
        *,
        store: DeploymentStore,
        invocations: ModelInvocations,
        catalogue: Catalogue,
    ) -> None:
        self._store = store
        self._invocations = invocations
        self._catalogue = catalogue

    def activity(self, record: DeploymentRecord, now: datetime) -> Activity:
        """Last use of a live deployment, and, on demand, its tokens since creation (for its cost so far)."""
        try:
            usage = self._tokens(record, record.created_at, record.deleted_at or now)
            if record.status.terminal:
                return Activity(usage=usage)
            start, end = last_use_window(record, now)
            last = self._invocations.last_used(model_id=record.arn, start=start, end=end) if end > start else None
        except BotError as exc:
            logger.warning("could not read the use of deployment %s: %s", record.name, exc)
            return Activity(unread=True)
        return Activity(usage=usage, last_used=last)

    def sources(self, records: list[DeploymentRecord]) -> tuple[str, ...]:
        """The catalogue's "as of …, source" of every price these records use, each once."""
        found = (source for record in records for source in price_sources(record, self._model(record.base_model_id)))
        return tuple(dict.fromkeys(found))

    def spent(self, team: str, *, start: datetime, end: datetime) -> list[ServingCost]:
        """``ServingCosts``: each of the workspace's deployments that existed between ``start`` and ``end``."""
        costs = []
        for record in self._store.in_team(team):
            if record.created_at >= end or (record.deleted_at is not None and record.deleted_at <= start):
                continue
            if record.status is DeploymentStatus.FAILED and record.ready_at is None:
                continue  # never served, never billed
            costs.append(self._cost(record, start, end))
        return costs

    def _cost(self, record: DeploymentRecord, start: datetime, end: datetime) -> ServingCost:
        span_start, span_end = max(start, record.created_at), min(end, record.deleted_at or end)
        try:
            usage = self._tokens(record, span_start, span_end)
        except BotError as exc:
            logger.warning("could not read the tokens of deployment %s: %s", record.name, exc)
            usage = None
        amount = cost_between(record, start, end, usage)
        return ServingCost(
            name=record.name,
            kind=record.route.words,
            channel=record.channel,
            person=record.owner,
            amount=amount,
            basis=cost_basis(record, start, end, usage),
            sources=price_sources(record, self._model(record.base_model_id)) if amount is not None else (),
        )

    def _model(self, model_id: str) -> ModelSpec | None:
        try:
            return self._catalogue.model(model_id)
        except CatalogueError:
            return None

    def _tokens(self, record: DeploymentRecord, start: datetime, end: datetime) -> ModelUsage | None:
        """On demand, the tokens served from ``start`` to ``end`` (what it is billed by); None for throughput."""
        if record.route is not Route.ON_DEMAND:
            return None
        if end <= start:
            return ModelUsage(0, 0, 0)
        return self._invocations.usage(model_id=record.arn, start=start, end=end)
