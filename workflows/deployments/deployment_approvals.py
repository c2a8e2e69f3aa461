"""Deployments the policy holds for approval: when one is needed, the request the approvers see, and its id."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from workflows.catalogue.values import Commitment
from workflows.deployments.deployment_notices import DeployProposal, confirmation
from workflows.deployments.deployment_record import Route
from workflows.governance.approvals import (
    ApprovalKind,
    ApprovalRequest,
    Requirement,
    basis,
    deployment_requirement,
    request_id,
)
from workflows.governance.policy import Rules


@dataclass(frozen=True, slots=True)
class Requesting:
    """The requester of a deployment, where its job's thread is (``Requester`` for the deploy commands)."""

    team: str
    channel: str
    user: str


#: How many requests one person may make for the same deployment before being told to stop asking.
MAX_ASKS = 20


def approval_needed(rules: Rules, proposal: DeployProposal) -> Requirement | None:
    """Whether the rules of the job's channel ask for approval of this deployment (throughput, commitment)."""
    plan = proposal.plan
    return deployment_requirement(
        rules.approval,
        provisioned=plan.route is Route.PROVISIONED,
        commitment=plan.route is Route.PROVISIONED and plan.commitment is not Commitment.NONE,
    )


def deployment_basis(needed: Requirement | None, proposal: DeployProposal) -> str:
    """What an approval of this deployment is given on: who approves, and its hourly price."""
    return basis(needed, proposal.costs.hourly)


def ask_ids(*, team: str, user: str, words: str) -> list[str]:
    """The ids one person's requests for one ``deploy`` take in turn (a rejected one is asked again under the next)."""
    return [request_id(ApprovalKind.DEPLOYMENT, f"{team}|{user}|{words}", str(n)) for n in range(1, MAX_ASKS + 1)]


def approval_request(
    request_id: str,
    proposal: DeployProposal,
    needed: Requirement,
    *,
    words: str,
    team: str,
    user: str,
    channel: str,
    thread_ts: str,
    now: datetime,
) -> ApprovalRequest:
    """The request the approvers see: the confirmation's facts and costs (``channel``/``thread_ts``: the job's)."""
    question = confirmation(proposal, frozenset())
    hourly: Decimal | None = proposal.costs.hourly
    return ApprovalRequest(
        id=request_id,
        kind=ApprovalKind.DEPLOYMENT,
        subject=words,
        team=team,
        channel=channel,
        thread_ts=thread_ts,
        requester=user,
        headline=question.text,
        facts=question.facts,
        details=question.details[:2],
        estimate_usd=None if hourly is None else str(hourly),
        reasons=needed.reasons,
        approvers=needed.approvers,
        approvals_channel=needed.channel,
        basis=deployment_basis(needed, proposal),
        created_at=now,
        expires_at=now + needed.expires_after,
    )
