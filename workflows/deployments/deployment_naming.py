"""The deterministic name and request token of a deployment, so a double click or a retry never makes two."""

from __future__ import annotations

import hashlib
import re

from workflows.deployments.deployment_record import DeploymentRecord, Route

#: Bedrock's deployment and throughput names: ``([0-9a-zA-Z][_-]?){1,63}``, at most 63 characters.
MAX_NAME_LENGTH = 63
_UNSAFE = re.compile(r"[^a-zA-Z0-9]+")
_ROUTE_TAG = {Route.ON_DEMAND: "od", Route.PROVISIONED: "pt"}


def deployment_names(*, team: str, model_arn: str, label: str, route: Route, attempt: int) -> tuple[str, str]:
    """Name and client request token for the ``attempt``-th deployment of a model by a route in a workspace.

    The same inputs always give the same pair, so a repeated or retried confirmation reaches the
    deployment it already created (Bedrock returns it for the same token) instead of making a second.
    """
    if attempt < 1:
        raise ValueError("attempt counts from 1")
    identity = f"{team}\n{model_arn}\n{route.value}\n{attempt}"
    digest = hashlib.sha256(identity.encode("utf-8")).hexdigest()
    suffix = f"-{_ROUTE_TAG[route]}{attempt}-{digest[:8]}"
    slug = _UNSAFE.sub("-", label).strip("-").lower() or "model"
    slug = slug[: MAX_NAME_LENGTH - len(suffix)].rstrip("-") or "model"
    return slug + suffix, f"ftd-{digest[8:40]}"


def next_attempt(existing: list[DeploymentRecord], *, model_arn: str, route: Route) -> int:
    """1 for a model's first deployment by this route; one more than the last for a new one after it."""
    attempts = [_attempt(record.name) for record in existing if record.model_arn == model_arn and record.route is route]
    return max(attempts, default=0) + 1


def live_deployment_of(existing: list[DeploymentRecord], *, model_arn: str) -> DeploymentRecord | None:
    """A deployment of this model that is still creating or serving: deploy it again only after deleting it."""
    return next(
        (record for record in existing if record.model_arn == model_arn and not record.status.terminal),
        None,
    )


def _attempt(name: str) -> int:
    match = re.search(r"-(?:od|pt)(\d+)-[0-9a-f]{8}$", name)
    return int(match[1]) if match else 0
