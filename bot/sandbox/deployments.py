"""Custom model deployments and Provisioned Throughput as Bedrock keeps them, for the AWS stand-in (moto has neither).

A deployment is ``Creating`` for a while on the stand-in's clock (``speed`` simulated seconds per
real second), then ``Active`` (on demand) or ``InService`` (throughput), or ``Failed`` when asked: its
name contains ``fail``, or ``fail_next`` was called. Creation is idempotent by ``clientRequestToken``
as on AWS: the same token with the same request gives the same ARN, with a different request a
ValidationException.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from bot.sandbox.aws_http import AwsError, iso, not_found, validation
from bot.sandbox.moto_access import CustomModel, find_custom_model
from workflows.catalogue import UnknownModel, load_catalogue

#: Simulated minutes from Create to ready. Throughput takes 20–30 minutes on AWS; on-demand is a guess.
ON_DEMAND_MINUTES = 10.0
PROVISIONED_MINUTES = 25.0
#: A name containing this fails its deployment (case-insensitive), so a person can try the failure path.
FAIL_MARKER = "fail"
#: Simulated days a commitment lasts (a committed throughput cannot be deleted before).
COMMITMENT_DAYS = {"OneMonth": 30, "SixMonths": 182}


class Route(StrEnum):
    """How a custom model is served."""

    #: CreateCustomModelDeployment: per token.
    ON_DEMAND = "custom-model-deployment"
    #: CreateProvisionedModelThroughput: per model unit and hour.
    PROVISIONED = "provisioned-model"


@dataclass
class Deployment:
    """One deployment or throughput, with what it serves and when it was asked for."""

    route: Route
    arn: str
    name: str
    model_arn: str
    foundation_arn: str
    #: The custom model served, or None for a throughput on a base model.
    custom: CustomModel | None
    token: str
    request: dict[str, Any]
    began: float
    created: datetime
    failure: str | None
    units: int = 1
    commitment: str | None = None
    description: str | None = None
    tags: list[dict[str, str]] = field(default_factory=list)


class Deployments:
    """Every deployment and throughput of one emulated account, by ARN; safe to use from server threads."""

    def __init__(self, *, speed: float, clock: Callable[[], float] = time.monotonic) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.speed = speed
        self.clock = clock
        self._lock = threading.Lock()
        self._items: dict[str, Deployment] = {}
        self._fail_next: list[str] = []

    # -- the Python API for tests and the sandbox ---------------------------------------------------

    def fail_next(self, message: str = "Deployment failed because of an internal error.") -> None:
        """The next deployment or throughput created fails with ``message`` once its creation time has passed."""
        with self._lock:
            self._fail_next.append(message)

    def reset(self) -> None:
        with self._lock:
            self._items.clear()
            self._fail_next.clear()

    def status(self, deployment: Deployment) -> str:
        """Creating, then Active/InService or Failed, by the stand-in's clock."""
        minutes = ON_DEMAND_MINUTES if deployment.route is Route.ON_DEMAND else PROVISIONED_MINUTES
        if self._simulated_seconds(deployment) < minutes * 60:
            return "Creating"
        if deployment.failure is not None:
            return "Failed"
        return "Active" if deployment.route is Route.ON_DEMAND else "InService"

    def find(self, route: Route, identifier: str) -> Deployment:
        """By ARN or name; ResourceNotFoundException otherwise."""
        with self._lock:
            for item in self._items.values():
                if item.route is route and identifier in (item.arn, item.name):
                    return item
        kind = "custom model deployment" if route is Route.ON_DEMAND else "provisioned model"
        raise not_found(f"The {kind} {identifier} was not found.")

    def listed(self, route: Route) -> list[Deployment]:
        with self._lock:
            return [item for item in self._items.values() if item.route is route]

    # -- operations -----------------------------------------------------------------------------------

    def create(self, route: Route, region: str, account_id: str, request: dict[str, Any]) -> Deployment:
        """A new deployment, or the one this ``clientRequestToken`` already made."""
        name = str(request["modelDeploymentName" if route is Route.ON_DEMAND else "provisionedModelName"])
        model = str(request["modelArn" if route is Route.ON_DEMAND else "modelId"])
        token = str(request.get("clientRequestToken") or uuid.uuid4())
        with self._lock:
            for item in self._items.values():
                if item.route is route and item.token == token:
                    if item.request != request:
                        raise validation("The clientRequestToken was already used with different parameters.")
                    return item
            if any(item.route is route and item.name == name for item in self._items.values()):
                raise validation(f"A resource named {name} already exists.")
        custom, foundation_arn = _served(route, region, model)
        deployment = Deployment(
            route=route,
            arn=f"arn:aws:bedrock:{region}:{account_id}:{route.value}/{uuid.uuid4().hex[:12]}",
            name=name,
            model_arn=model if model.startswith("arn:") else (custom.arn if custom is not None else foundation_arn),
            foundation_arn=foundation_arn,
            custom=custom,
            token=token,
            request=request,
            began=self.clock(),
            created=datetime.now(UTC),
            failure=None,
            units=int(request.get("modelUnits", 1)),
            commitment=request.get("commitmentDuration"),
            description=request.get("description"),
            tags=list(request.get("tags") or []),
        )
        with self._lock:
            if FAIL_MARKER in name.lower():
                deployment.failure = (
                    f"Deployment failed: the sandbox fails every deployment whose name contains “{FAIL_MARKER}”."
                )
            elif self._fail_next:
                deployment.failure = self._fail_next.pop(0)
            self._items[deployment.arn] = deployment
        return deployment

    def delete(self, route: Route, identifier: str) -> None:
        """Gone at once; a committed throughput only after its term (ConflictException before)."""
        deployment = self.find(route, identifier)
        if deployment.commitment is not None:
            days = COMMITMENT_DAYS.get(deployment.commitment, 0)
            if self._simulated_seconds(deployment) < days * 86400:
                raise AwsError(
                    400,
                    "ConflictException",
                    "A provisioned model with a commitment cannot be deleted before its term ends.",
                )
        with self._lock:
            self._items.pop(deployment.arn, None)

    # -- shapes -------------------------------------------------------------------------------------

    def describe(self, deployment: Deployment, *, summary: bool = False) -> dict[str, Any]:
        """Get…'s answer (or a List summary) in the service model's shape."""
        if deployment.route is Route.ON_DEMAND:
            return self._describe_on_demand(deployment, summary=summary)
        return self._describe_provisioned(deployment)

    def _describe_on_demand(self, deployment: Deployment, *, summary: bool) -> dict[str, Any]:
        status = self.status(deployment)
        answer: dict[str, Any] = {
            "customModelDeploymentArn": deployment.arn,
            "customModelDeploymentName" if summary else "modelDeploymentName": deployment.name,
            "modelArn": deployment.model_arn,
            "createdAt": iso(deployment.created),
            "status": status,
            "lastUpdatedAt": iso(self._changed(deployment, status)),
        }
        if deployment.description and not summary:
            answer["description"] = deployment.description
        if status == "Failed" and deployment.failure:
            answer["failureMessage"] = deployment.failure
        return answer

    def _describe_provisioned(self, deployment: Deployment) -> dict[str, Any]:
        status = self.status(deployment)
        answer: dict[str, Any] = {
            "provisionedModelName": deployment.name,
            "provisionedModelArn": deployment.arn,
            "modelArn": deployment.model_arn,
            "desiredModelArn": deployment.model_arn,
            "foundationModelArn": deployment.foundation_arn,
            "modelUnits": deployment.units,
            "desiredModelUnits": deployment.units,
            "status": status,
            "creationTime": iso(deployment.created),
            "lastModifiedTime": iso(self._changed(deployment, status)),
        }
        if deployment.commitment is not None:
            days = COMMITMENT_DAYS.get(deployment.commitment, 0)
            answer["commitmentDuration"] = deployment.commitment
            answer["commitmentExpirationTime"] = iso(deployment.created + timedelta(seconds=days * 86400 / self.speed))
        if status == "Failed" and deployment.failure:
            answer["failureMessage"] = deployment.failure
        return answer

    def _simulated_seconds(self, deployment: Deployment) -> float:
        return (self.clock() - deployment.began) * self.speed

    def _changed(self, deployment: Deployment, status: str) -> datetime:
        """When the status last changed: creation, or the end of the creation time."""
        if status in ("Creating",):
            return deployment.created
        minutes = ON_DEMAND_MINUTES if deployment.route is Route.ON_DEMAND else PROVISIONED_MINUTES
        return deployment.created + timedelta(seconds=minutes * 60 / self.speed)


def _served(route: Route, region: str, identifier: str) -> tuple[CustomModel | None, str]:
    """The custom model behind ``identifier`` (None for a base model on throughput), and its foundation model ARN."""
    custom = find_custom_model(region, identifier)
    if custom is None:
        if route is Route.PROVISIONED and not _looks_custom(identifier):
            base = identifier.rsplit("foundation-model/", 1)[-1]
            return None, f"arn:aws:bedrock:{region}::foundation-model/{base}"
        raise not_found(f"The custom model {identifier} was not found.")
    if custom.job_status != "Completed":
        raise validation(
            f"The custom model {custom.name} is not active yet: its customization job is {custom.job_status}."
        )
    if route is Route.ON_DEMAND and not _on_demand_supported(custom.base_model_id, region):
        raise validation(
            f"On-demand deployment is not supported for custom models based on {custom.base_model_id} in {region}. "
            "Use Provisioned Throughput."
        )
    return custom, custom.base_model_arn


def _looks_custom(identifier: str) -> bool:
    return ":custom-model/" in identifier or "." not in identifier


def _on_demand_supported(base_model_id: str, region: str) -> bool:
    """What the catalogue says of the base model (the same data the bot decides from)."""
    try:
        deployment = load_catalogue().model(base_model_id).on_demand_deployment
    except UnknownModel:
        return False
    return deployment is not None and region in deployment.regions
