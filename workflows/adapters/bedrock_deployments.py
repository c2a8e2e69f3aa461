"""Bedrock's custom model deployments and Provisioned Throughput (and the custom models) behind ``Deployments``."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from botocore.exceptions import ClientError

from workflows.adapters.aws_retry import busy_error
from workflows.catalogue.values import Commitment
from workflows.deployments.deployment_advice import refusal_text
from workflows.deployments.deployment_errors import (
    DeploymentError,
    DeploymentNotDeletable,
    DeploymentNotFound,
    DeploymentRejected,
)
from workflows.deployments.deployment_record import (
    CustomModel,
    DeploymentRequest,
    DeploymentSnapshot,
    DeploymentStatus,
    Route,
)
from workflows.slack_text import code as as_code

if TYPE_CHECKING:
    from mypy_boto3_bedrock.client import BedrockClient
    from mypy_boto3_bedrock.literals import CommitmentDurationType
    from mypy_boto3_bedrock.type_defs import TagTypeDef

logger = logging.getLogger(__name__)

T = TypeVar("T")

#: ``commitmentDuration`` values back to what people type.
_COMMITMENTS = {commitment.api_value: commitment for commitment in Commitment if commitment.api_value}
#: Where each route's List answer keeps its summaries.
_SUMMARIES = {Route.ON_DEMAND: "modelDeploymentSummaries", Route.PROVISIONED: "provisionedModelSummaries"}
#: The statuses Bedrock reports (``Deleted`` is the product's own).
_AWS_STATUSES = {status.value: status for status in DeploymentStatus if status is not DeploymentStatus.DELETED}
#: Codes that mean "no such deployment" for a Get or Delete (a malformed name cannot name one either).
_NOT_FOUND = {"ResourceNotFoundException", "ValidationException"}


class BedrockDeployments:
    """``Deployments`` on a boto3 ``bedrock`` client (``aws_clients.bedrock_client``: standard retries and timeouts).

    What still fails after botocore's last attempt is raised as ``ServiceBusy``; AWS's messages go to the
    log, and people read the advice of ``deployment_advice``.
    """

    def __init__(self, client: BedrockClient, *, page_size: int = 100) -> None:
        self._client = client
        self._page_size = page_size

    def create(self, request: DeploymentRequest) -> DeploymentSnapshot:
        """Create it; Bedrock returns the same ARN for the same request token, so a retry never makes two."""
        tags: list[TagTypeDef] = [{"key": key, "value": value} for key, value in request.tags.items()]
        try:
            if request.route is Route.ON_DEMAND:
                arn = _call(
                    lambda: self._client.create_custom_model_deployment(
                        modelDeploymentName=request.name,
                        modelArn=request.model_arn,
                        clientRequestToken=request.client_request_token,
                        tags=tags,
                    )
                )["customModelDeploymentArn"]
            else:
                arn = self._create_throughput(request, tags)
        except ClientError as error:
            raise _refusal(error, f"create {request.name}", DeploymentRejected) from error
        logger.info("Created %s deployment %s (%s)", request.route.value, request.name, arn)
        return DeploymentSnapshot(
            route=request.route,
            arn=arn,
            name=request.name,
            status=DeploymentStatus.CREATING,
            model_arn=request.model_arn,
            units=request.units if request.route is Route.PROVISIONED else None,
            commitment=request.commitment,
        )

    def describe(self, route: Route, identifier: str) -> DeploymentSnapshot:
        """Its state now, by name or ARN."""
        try:
            if route is Route.ON_DEMAND:
                raw: Mapping[str, Any] = _call(
                    lambda: self._client.get_custom_model_deployment(customModelDeploymentIdentifier=identifier)
                )
            else:
                raw = _call(lambda: self._client.get_provisioned_model_throughput(provisionedModelId=identifier))
        except ClientError as error:
            raise _lookup_error(error, identifier) from error
        return _snapshot(route, raw)

    def listed(self, route: Route) -> list[DeploymentSnapshot]:
        """Every deployment of one route, page by page, newest first."""
        return [_snapshot(route, summary) for summary in self._summaries(route)]

    def delete(self, route: Route, identifier: str) -> None:
        """Delete it; a committed throughput before its term ends is refused by Bedrock (ConflictException)."""
        try:
            if route is Route.ON_DEMAND:
                _call(lambda: self._client.delete_custom_model_deployment(customModelDeploymentIdentifier=identifier))
            else:
                _call(lambda: self._client.delete_provisioned_model_throughput(provisionedModelId=identifier))
        except ClientError as error:
            if _code(error) == "ConflictException":
                raise self._not_deletable(route, identifier) from error
            raise _lookup_error(error, identifier) from error
        logger.info("Deleted %s deployment %s", route.value, identifier)

    def custom_model(self, identifier: str) -> CustomModel | None:
        """``GetCustomModel``: the model and the job that made it; None when Bedrock knows no such model."""
        try:
            raw: Mapping[str, Any] = _call(lambda: self._client.get_custom_model(modelIdentifier=identifier))
        except ClientError as error:
            if _code(error) in _NOT_FOUND:
                logger.info("No custom model %s: %s", identifier, _code(error))
                return None
            raise _refusal(error, f"read custom model {identifier}", DeploymentError) from error
        return CustomModel(arn=raw["modelArn"], name=raw["modelName"], job_name=raw.get("jobName"))

    def _create_throughput(self, request: DeploymentRequest, tags: list[TagTypeDef]) -> str:
        commitment = request.commitment.api_value
        if commitment is None:
            response = _call(
                lambda: self._client.create_provisioned_model_throughput(
                    modelUnits=request.units,
                    provisionedModelName=request.name,
                    modelId=request.model_arn,
                    clientRequestToken=request.client_request_token,
                    tags=tags,
                )
            )
        else:
            duration: CommitmentDurationType = "OneMonth" if commitment == "OneMonth" else "SixMonths"
            response = _call(
                lambda: self._client.create_provisioned_model_throughput(
                    modelUnits=request.units,
                    provisionedModelName=request.name,
                    modelId=request.model_arn,
                    clientRequestToken=request.client_request_token,
                    commitmentDuration=duration,
                    tags=tags,
                )
            )
        return response["provisionedModelArn"]

    def _summaries(self, route: Route) -> Iterator[Mapping[str, Any]]:
        """List… page by page; botocore retries a throttled page on its own."""
        token: str | None = None
        while True:
            params: dict[str, Any] = {"maxResults": self._page_size, "sortOrder": "Descending"}
            if token:
                params["nextToken"] = token
            listing = (
                self._client.list_custom_model_deployments
                if route is Route.ON_DEMAND
                else self._client.list_provisioned_model_throughputs
            )
            try:
                page: Mapping[str, Any] = _call(partial(listing, **params))
            except ClientError as error:
                raise _refusal(error, f"list {route.value}", DeploymentError) from error
            yield from page.get(_SUMMARIES[route], [])
            token = page.get("nextToken")
            if not token:
                return

    def _not_deletable(self, route: Route, identifier: str) -> DeploymentNotDeletable:
        """The refusal for a committed throughput, with the end of its term when Bedrock tells it."""
        ends = ""
        try:
            ends_at = self.describe(route, identifier).commitment_ends_at
        except DeploymentError:
            ends_at = None
        if ends_at is not None:
            ends = f" It can be deleted from {ends_at:%Y-%m-%d %H:%M} UTC."
        return DeploymentNotDeletable(
            f"{as_code(identifier)} has a commitment and cannot be deleted before its term ends; it is billed "
            f"until then.{ends}"
        )


def _call(function: Callable[[], T]) -> T:
    """``function()``; throttling or an outage that outlasted botocore's retries becomes ``ServiceBusy``."""
    try:
        return function()
    except Exception as error:
        busy = busy_error(error, "Bedrock")
        if busy is None:
            raise
        raise busy from error


def _snapshot(route: Route, raw: Mapping[str, Any]) -> DeploymentSnapshot:
    """A Get answer or a List summary of either route, in the product's terms."""
    if route is Route.ON_DEMAND:
        arn = raw["customModelDeploymentArn"]
        name = raw.get("modelDeploymentName") or raw.get("customModelDeploymentName") or arn
        created, units = raw.get("createdAt"), None
    else:
        arn, name = raw["provisionedModelArn"], raw["provisionedModelName"]
        created, units = raw.get("creationTime"), raw.get("modelUnits")
    status = _status(raw.get("status"))
    return DeploymentSnapshot(
        route=route,
        arn=arn,
        name=name,
        status=status,
        model_arn=raw.get("modelArn"),
        units=units,
        commitment=_COMMITMENTS.get(str(raw.get("commitmentDuration")), Commitment.NONE),
        commitment_ends_at=_utc(raw.get("commitmentExpirationTime")),
        created_at=_utc(created),
        failure_message=raw.get("failureMessage") if status is DeploymentStatus.FAILED else None,
    )


def _status(value: object) -> DeploymentStatus:
    """Bedrock's status; one this code does not know yet is treated as still creating, not a crash."""
    status = _AWS_STATUSES.get(str(value))
    if status is None:
        logger.warning("Unknown deployment status %r; treating it as Creating", value)
        return DeploymentStatus.CREATING
    return status


def _utc(value: object) -> datetime | None:
    if not isinstance(value, datetime):
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def _message(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Message", "")).strip()


def _refusal(error: ClientError, what: str, kind: type[DeploymentError]) -> DeploymentError:
    """Bedrock's definite no, as advice (its own words go to the log)."""
    code, message = _code(error), _message(error)
    logger.warning("Bedrock refused to %s: %s: %s", what, code, message)
    return kind(refusal_text(code, message))


def _lookup_error(error: ClientError, identifier: str) -> DeploymentError:
    """A Get or Delete that failed: not found, or Bedrock's refusal as advice."""
    if _code(error) in _NOT_FOUND:
        logger.info("No deployment %s: %s", identifier, _code(error))
        return DeploymentNotFound(
            f"There is no deployment named {as_code(identifier)}; `/finetune deployments` lists them."
        )
    return _refusal(error, f"read or delete {identifier}", DeploymentError)
