"""From ``/finetune deploy`` (or the Deploy button) to what is confirmed, created and kept: the whole decision."""

from __future__ import annotations

from datetime import datetime

from workflows.catalogue import ModelSpec
from workflows.deployments.deploy_arguments import DeployArguments
from workflows.deployments.deployment_costs import plan_costs
from workflows.deployments.deployment_naming import deployment_names, live_deployment_of, next_attempt
from workflows.deployments.deployment_notices import DeployProposal, already_deployed, not_allowed_to_deploy
from workflows.deployments.deployment_record import DeploymentRecord, DeploymentRequest, DeploymentSnapshot
from workflows.deployments.deployment_rights import may_deploy
from workflows.deployments.routing import DeployTarget, choose_route
from workflows.messages import Message

#: The tag prefix the product puts on what it creates in AWS (the same as on its customization jobs).
TAG_PREFIX = "finetune-bot"


def propose(
    target: DeployTarget,
    model: ModelSpec | None,
    arguments: DeployArguments,
    *,
    region: str,
    team: str,
    user: str,
    admins: frozenset[str],
    existing: list[DeploymentRecord],
) -> DeployProposal | Message:
    """The proposal to confirm, or why not: someone else's model, or one already deployed.

    ``existing`` is the workspace's deployment records; they decide the attempt number, so a
    repeated confirmation names the same deployment and a new one after deletion another.
    """
    if not may_deploy(target, user, admins):
        return not_allowed_to_deploy(target)
    live = live_deployment_of(existing, model_arn=target.custom_model_arn)
    if live is not None:
        return already_deployed(live)
    plan = choose_route(target, model, region, arguments)
    attempt = next_attempt(existing, model_arn=target.custom_model_arn, route=plan.route)
    name, token = deployment_names(
        team=team, model_arn=target.custom_model_arn, label=target.label, route=plan.route, attempt=attempt
    )
    return DeployProposal(
        target=target,
        plan=plan,
        costs=plan_costs(model, plan, base_model_id=target.base_model_id),
        model_name=model.name if model is not None else target.base_model_id,
        region=region,
        name=name,
        client_request_token=token,
    )


def deployment_request(proposal: DeployProposal, *, team: str, channel: str, user: str) -> DeploymentRequest:
    """The Create call for a confirmed proposal, tagged with who asked and where."""
    return DeploymentRequest(
        route=proposal.plan.route,
        name=proposal.name,
        client_request_token=proposal.client_request_token,
        model_arn=proposal.target.custom_model_arn,
        units=proposal.plan.units,
        commitment=proposal.plan.commitment,
        tags={
            f"{TAG_PREFIX}:user": user,
            f"{TAG_PREFIX}:channel": channel,
            f"{TAG_PREFIX}:team": team,
            **({f"{TAG_PREFIX}:job": proposal.target.job_name} if proposal.target.job_name else {}),
        },
    )


def deployment_record(
    proposal: DeployProposal,
    created: DeploymentSnapshot,
    *,
    team: str,
    channel: str,
    thread_ts: str,
    deployed_by: str,
    now: datetime,
) -> DeploymentRecord:
    """What the product keeps once Bedrock accepted the Create: where to report, whose it is, what it costs."""
    target, costs = proposal.target, proposal.costs
    return DeploymentRecord(
        name=created.name,
        route=created.route,
        arn=created.arn,
        model_arn=target.custom_model_arn,
        base_model_id=target.base_model_id,
        job_name=target.job_name,
        team=team,
        channel=channel,
        thread_ts=thread_ts,
        owner=target.owner or deployed_by,
        deployed_by=deployed_by,
        units=proposal.plan.units,
        commitment=proposal.plan.commitment,
        hourly_cost=costs.hourly,
        input_per_1k=costs.input_per_1k,
        output_per_1k=costs.output_per_1k,
        created_at=created.created_at or now,
    )
