"""What people are told about a deployment, built without I/O: the confirmation, ready, failed, idle and deleted.

Buttons (Confirm, Delete) are added where the messages are wired to Slack actions; every value a
person or AWS supplied is escaped (plain ``str``) or shown as code, and mentions are built from ids.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from workflows.catalogue import Commitment
from workflows.catalogue.costs import format_price
from workflows.deployments.deployment_advice import failure_text
from workflows.deployments.deployment_costs import DeploymentCosts
from workflows.deployments.deployment_record import DeploymentRecord, Route
from workflows.deployments.idle_check import span_words
from workflows.deployments.routing import DeployTarget, RoutePlan
from workflows.messages import Message
from workflows.slack_text import Mrkdwn, code, join, mention, mrkdwn

_COMMITMENT_WORDS = {
    Commitment.NONE: "none (delete it at any time)",
    Commitment.ONE_MONTH: "1 month (cannot be deleted before it ends)",
    Commitment.SIX_MONTHS: "6 months (cannot be deleted before it ends)",
}


@dataclass(frozen=True, slots=True)
class DeployProposal:
    """Everything the confirmation shows, decided before anything is created."""

    target: DeployTarget
    plan: RoutePlan
    costs: DeploymentCosts
    #: The base model's name in the catalogue, or its id when the catalogue does not list it.
    model_name: str
    region: str
    #: The deployment's deterministic name and request token (``deployment_naming``).
    name: str
    client_request_token: str


def confirmation(proposal: DeployProposal, admins: frozenset[str]) -> Message:
    """What deploying will cost and who may delete it, before anything is created."""
    plan, target = proposal.plan, proposal.target
    facts = [
        ("Custom model", code(target.label)),
        ("Base model", proposal.model_name),
        ("Route", plan.route.words),
    ]
    if plan.route is Route.PROVISIONED:
        facts += [("Model units", str(plan.units)), ("Commitment", _COMMITMENT_WORDS[plan.commitment])]
    facts += [("Region", proposal.region), ("Name", code(proposal.name))]
    costs = "\n".join(("*What it will cost:*", *proposal.costs.text_lines()))
    return Message(
        text=f"Deploy {code(target.label)} {plan.route.served}?",
        details=(plan.reason, costs, who_may_delete(target.owner, admins)),
        facts=tuple(facts),
        context="Nothing is created until you confirm.",
    )


def who_may_delete(owner: str | None, admins: frozenset[str]) -> Mrkdwn:
    """``Who may delete it: @owner (who started the job) and the admins (@a, @b).``"""
    people = join(", ", [mention(admin) for admin in sorted(admins)]) if admins else mrkdwn("none are set")
    if owner is None:
        return mrkdwn("Who may delete it: the admins in FINETUNE_ADMINS ({people}).", people=people)
    return mrkdwn(
        "Who may delete it: {owner} (who started the job) and the admins in FINETUNE_ADMINS ({people}).",
        owner=mention(owner),
        people=people,
    )


def ready_notice(record: DeploymentRecord, admins: frozenset[str]) -> Message:
    """The deployment answers requests now; what it costs while it stays."""
    if record.route is Route.PROVISIONED:
        units = f"{record.units} model unit{'' if record.units == 1 else 's'}"
        served = f"through Provisioned Throughput ({units})"
        hourly = format_price(record.hourly_cost) if record.hourly_cost is not None else "an unknown amount"
        billing = f"It costs {hourly} per hour until it is deleted, used or not."
    else:
        served = "on demand"
        billing = "There is no hourly fee: you pay for the tokens it reads and writes."
    return Message(
        text=f":white_check_mark: {code(record.name)} is ready: {code(_label(record))} is served {served}.",
        details=(billing, _delete_hint(record), who_may_delete(record.owner, admins)),
    )


def failed_notice(record: DeploymentRecord, failure_message: str | None) -> Message:
    """Why it failed, translated; Bedrock's own words go to the log only."""
    return Message(
        text=f":x: Deployment {code(record.name)} of {code(_label(record))} failed.",
        details=(f"*What to do:* {failure_text(failure_message)}",),
        context=f"Fix the cause, then deploy again with {code('/finetune deploy ' + _label(record))}.",
    )


def gone_notice(record: DeploymentRecord) -> Message:
    """It was deleted outside the product (console, CLI); nothing more to watch."""
    return Message(
        text=f":wastebasket: {code(record.name)} no longer exists in Bedrock: it was deleted outside finetune-bot.",
        details=("It no longer serves requests and is no longer billed.",),
    )


def idle_reminder(record: DeploymentRecord, *, idle_hours: float, spent: str) -> Message:
    """A throughput unused for ``idle_hours``: what it has cost, and how to delete it."""
    hourly = format_price(record.hourly_cost) if record.hourly_cost is not None else "an unknown amount"
    period = span_words(idle_hours)
    return Message(
        text=(
            f":zzz: {code(record.name)} (Provisioned Throughput for {code(_label(record))}) has had no requests "
            f"in the last {period}."
        ),
        facts=(("Cost so far", spent), ("Costs", f"{hourly} per hour until deleted")),
        details=(_delete_hint(record),),
        context=f"I remind at most once every {period} while it stays idle.",
    )


def delete_confirmation(record: DeploymentRecord, *, spent: str) -> Message:
    """Before ``undeploy``: what deleting does."""
    return Message(
        text=f"Delete {code(record.name)} ({record.route.words} for {code(_label(record))})?",
        details=("It stops answering requests at once, and billing stops. This cannot be undone.",),
        facts=(("Cost so far", spent),),
    )


def deleted_notice(record: DeploymentRecord, user: str, now: datetime) -> Message:
    """Said in the deployment's thread once it is deleted."""
    return Message(
        text=mrkdwn(
            ":wastebasket: {name:code} was deleted by {user} at {when} UTC.",
            name=record.name,
            user=mention(user),
            when=f"{now:%Y-%m-%d %H:%M}",
        ),
    )


def not_allowed_to_delete(record: DeploymentRecord, admins: frozenset[str] = frozenset()) -> Message:
    """The refusal names who may delete it instead."""
    return Message(
        text=mrkdwn(
            "Only {owner}, who started the job, or an admin may delete {name:code}.",
            owner=mention(record.owner),
            name=record.name,
        ),
        details=(who_may_delete(record.owner, admins),),
    )


def not_allowed_to_deploy(target: DeployTarget) -> Message:
    if target.owner is None:
        return Message(text=f"Only an admin may deploy {code(target.label)}: finetune-bot did not train it.")
    return Message(
        text=mrkdwn(
            "Only {owner}, who started the job, or an admin may deploy {label:code}.",
            owner=mention(target.owner),
            label=target.label,
        )
    )


def already_deployed(record: DeploymentRecord) -> Message:
    """A second deploy of a model that is still creating or serving points at the first."""
    return Message(
        text=(
            f"{code(_label(record))} already has a deployment, {code(record.name)} ({record.status.value}). "
            f"Delete it with {code('/finetune undeploy ' + record.name)} before deploying it again."
        )
    )


def _label(record: DeploymentRecord) -> str:
    return record.job_name or record.model_arn.rsplit("/", 1)[-1]


def _delete_hint(record: DeploymentRecord) -> str:
    return f"Delete it when you are done: {code('/finetune undeploy ' + record.name)}."
