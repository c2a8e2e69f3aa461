"""Which route serves a custom model: on demand where its base model allows it here, else Provisioned Throughput."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from workflows.catalogue import Commitment, ModelSpec
from workflows.deployments.deploy_arguments import DeployArguments
from workflows.deployments.deployment_record import Route


@dataclass(frozen=True, slots=True)
class DeployTarget:
    """The custom model someone asked to deploy, as the product found it (from a job record or Bedrock)."""

    #: What people call it: the job name, or the custom model's name.
    label: str
    custom_model_arn: str
    base_model_id: str
    #: The day its customization job was created; None when not known.
    customized_on: date | None
    #: The person who started the job; None for a model the product did not train.
    owner: str | None
    job_name: str | None = None


@dataclass(frozen=True, slots=True)
class RoutePlan:
    """The route chosen, its size (throughput only), and why, in words."""

    route: Route
    units: int
    commitment: Commitment
    reason: str


def choose_route(target: DeployTarget, model: ModelSpec | None, region: str, arguments: DeployArguments) -> RoutePlan:
    """On demand by default where supported; Provisioned Throughput when asked for (units, commitment) or needed."""
    name = model.name if model is not None else target.base_model_id
    on_demand = model is not None and model.on_demand_in(region, target.customized_on)
    if arguments.asks_for_throughput:
        reason = "you asked for model units or a commitment"
        if on_demand:
            reason += (
                "; on-demand deployment (per token, no hourly fee) is available too: "
                "leave out `units=` and `commitment=`"
            )
        return _throughput(arguments, reason + ".")
    if on_demand:
        return RoutePlan(Route.ON_DEMAND, 1, Commitment.NONE, f"{name} supports on-demand deployment in {region}.")
    return _throughput(arguments, _why_not_on_demand(target, model, region))


def _throughput(arguments: DeployArguments, reason: str) -> RoutePlan:
    return RoutePlan(
        Route.PROVISIONED,
        arguments.units if arguments.units is not None else 1,
        arguments.commitment if arguments.commitment is not None else Commitment.NONE,
        f"Provisioned Throughput: {reason}",
    )


def _why_not_on_demand(target: DeployTarget, model: ModelSpec | None, region: str) -> str:
    """Why this custom model can only be served through throughput."""
    if model is None:
        return f"{target.base_model_id} is not in the catalogue, so on-demand support is unknown."
    deployment = model.on_demand_deployment
    if deployment is None:
        return f"{model.name} has no on-demand deployment for custom models."
    if region not in deployment.regions:
        return f"{model.name} supports on-demand deployment only in {', '.join(deployment.regions)}, not {region}."
    return (
        f"on-demand deployment of {model.name} needs a model customized on or after "
        f"{deployment.customized_on_or_after:%Y-%m-%d}."
    )
