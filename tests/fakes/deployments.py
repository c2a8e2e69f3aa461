"""Bedrock's deployments and throughput in a dict (``Deployments``), with statuses a test moves by hand."""

from __future__ import annotations

from dataclasses import dataclass, field

from workflows.catalogue import Commitment
from workflows.deployments.deployment_errors import DeploymentNotDeletable, DeploymentNotFound, DeploymentRejected
from workflows.deployments.deployment_record import (
    CustomModel,
    DeploymentRequest,
    DeploymentSnapshot,
    DeploymentStatus,
    Route,
)

ARN_PREFIX = {
    Route.ON_DEMAND: "arn:aws:bedrock:us-east-1:123456789012:custom-model-deployment/",
    Route.PROVISIONED: "arn:aws:bedrock:us-east-1:123456789012:provisioned-model/",
}


@dataclass
class FakeDeployments:
    """Creating until ``set_status``; idempotent by request token; a committed throughput cannot be deleted."""

    items: dict[str, DeploymentSnapshot] = field(default_factory=dict)
    requests: list[DeploymentRequest] = field(default_factory=list)
    #: Every create raises this (Bedrock refusing: quota, access, a bad request).
    refuse_with: Exception | None = None
    #: Custom models Bedrock knows, by name and by ARN (``add_model``).
    models: dict[str, CustomModel] = field(default_factory=dict)
    _tokens: dict[str, DeploymentRequest] = field(default_factory=dict)
    _fail_next: list[str] = field(default_factory=list)
    #: Failure messages by ARN, applied when the deployment settles.
    _failures: dict[str, str] = field(default_factory=dict)

    def create(self, request: DeploymentRequest) -> DeploymentSnapshot:
        if self.refuse_with is not None:
            raise self.refuse_with
        earlier = self._tokens.get(request.client_request_token)
        if earlier is not None:
            if earlier != request:
                raise DeploymentRejected("A deployment of this model with the same name is already being created.")
            return self._by_name(request.route, request.name)
        if any(item.name == request.name and item.route is request.route for item in self.items.values()):
            raise DeploymentRejected("A deployment of this model with the same name is already being created.")
        arn = ARN_PREFIX[request.route] + f"{len(self.requests):012d}"
        snapshot = DeploymentSnapshot(
            route=request.route,
            arn=arn,
            name=request.name,
            status=DeploymentStatus.CREATING,
            model_arn=request.model_arn,
            units=request.units if request.route is Route.PROVISIONED else None,
            commitment=request.commitment,
        )
        self.requests.append(request)
        self._tokens[request.client_request_token] = request
        if self._fail_next:
            self._failures[arn] = self._fail_next.pop(0)
        self.items[arn] = snapshot
        return snapshot

    def describe(self, route: Route, identifier: str) -> DeploymentSnapshot:
        return self._by_name(route, identifier)

    def listed(self, route: Route) -> list[DeploymentSnapshot]:
        return [item for item in reversed(self.items.values()) if item.route is route]

    def delete(self, route: Route, identifier: str) -> None:
        item = self._by_name(route, identifier)
        if item.commitment is not Commitment.NONE:
            raise DeploymentNotDeletable(f"{identifier} has a commitment and cannot be deleted before its term ends.")
        del self.items[item.arn]

    def custom_model(self, identifier: str) -> CustomModel | None:
        return self.models.get(identifier)

    def add_model(self, model: CustomModel) -> None:
        """Bedrock knows this custom model (made by ``model.job_name``)."""
        self.models[model.name] = self.models[model.arn] = model

    def fail_next(self, message: str) -> None:
        """The next deployment created fails with ``message`` when it settles (as the stand-in's ``fail_next``)."""
        self._fail_next.append(message)

    def settle(self) -> None:
        """Time passes: everything creating is ready, or failed when it was told to fail."""
        for item in list(self.items.values()):
            if item.status is DeploymentStatus.CREATING:
                failure = self._failures.pop(item.arn, None)
                ready = DeploymentStatus.ACTIVE if item.route is Route.ON_DEMAND else DeploymentStatus.IN_SERVICE
                self.set_status(item.arn, DeploymentStatus.FAILED if failure else ready, failure=failure)

    def set_status(self, identifier: str, status: DeploymentStatus, *, failure: str | None = None) -> None:
        """What Bedrock does over time: Creating → Active/InService, or Failed with a message."""
        item = next(item for item in self.items.values() if identifier in (item.arn, item.name))
        self.items[item.arn] = item.model_copy(update={"status": status, "failure_message": failure})

    def _by_name(self, route: Route, identifier: str) -> DeploymentSnapshot:
        for item in self.items.values():
            if item.route is route and identifier in (item.arn, item.name):
                return item
        raise DeploymentNotFound(f"There is no deployment named `{identifier}`; `/finetune deployments` lists them.")
