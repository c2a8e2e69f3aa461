"""Approvals as pure decisions: when the policy asks for one, the request as stored, and who may answer it."""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from workflows.catalogue.costs import format_usd
from workflows.governance.policy import Approval, People


class ApprovalKind(StrEnum):
    """What waits for the approval."""

    #: A reviewed fine-tuning setup; the subject is its conversation id.
    JOB = "job"
    #: A deployment; the subject is the words after ``/finetune deploy``.
    DEPLOYMENT = "deployment"


class ApprovalStatus(StrEnum):
    """Where a request stands; only a pending one can be answered."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    #: Nobody answered in time.
    EXPIRED = "expired"
    #: The requester cancelled it, or a policy or price change sent it back to them.
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True, slots=True)
class Requirement:
    """The policy asks for approval: why (plain sentences), from whom, where, and for how long."""

    reasons: tuple[str, ...]
    approvers: People
    #: The approvals channel; None: a direct message to each approver.
    channel: str | None
    expires_after: timedelta


def requirement(approval: Approval | None, *, estimate: Decimal | None) -> Requirement | None:
    """Whether the rules in force ask for approval of a job of this estimate; None: they do not.

    A job whose cost cannot be estimated (a price the catalogue lacks) counts as above any threshold.
    """
    if approval is None or approval.above_usd is None:
        return None
    limit = format_usd(approval.above_usd)
    if estimate is None:
        return _needed(approval, f"its cost cannot be estimated, and the policy here asks for approval above {limit}")
    if estimate > approval.above_usd:
        return _needed(approval, f"its estimate, {format_usd(estimate)}, is above the {limit} allowed without approval")
    return None


def deployment_requirement(approval: Approval | None, *, provisioned: bool, commitment: bool) -> Requirement | None:
    """Whether the rules in force ask for approval of a deployment: any Provisioned Throughput, any commitment.

    ``above_usd`` is about a job's estimate and does not apply: a deployment is billed by the hour or the token.
    """
    if approval is None:
        return None
    reasons = []
    if provisioned and approval.provisioned_throughput:
        reasons.append("the policy here asks for approval of any Provisioned Throughput")
    if commitment and approval.commitment:
        reasons.append("it commits to a term, and the policy here asks for approval of any commitment")
    return _needed(approval, *reasons) if reasons else None


def _needed(approval: Approval, *reasons: str) -> Requirement:
    hours = timedelta(hours=float(approval.expires_after_hours))
    return Requirement(tuple(reasons), approval.approvers, approval.channel, hours)


def basis(needed: Requirement | None, estimate: Decimal | None) -> str:
    """What an approval was given on: whether one is needed, from whom, and the cost.

    A change of any of these between the request and the answer sends the request back; a change of the
    threshold or the wording alone does not.
    """
    if needed is None:
        return "none"
    people = ",".join(sorted(needed.approvers.users)) + "|" + ",".join(sorted(needed.approvers.groups))
    cost = "unknown" if estimate is None else str(estimate.normalize())
    return f"approvers={people};cost={cost}"


def request_id(kind: ApprovalKind, subject: str, attempt: str) -> str:
    """A short, stable id for one request: the same subject and attempt always name the same request."""
    digest = hashlib.sha256(f"{kind.value}|{subject}|{attempt}".encode()).hexdigest()[:20]
    return f"a{digest}"


class ApprovalRequest(BaseModel):
    """One request as stored: what it is for, who asked, who may answer, and how it ended."""

    model_config = ConfigDict(frozen=True)

    id: str
    kind: ApprovalKind
    #: The conversation id of a job; the ``deploy`` words of a deployment.
    subject: str
    team: str
    #: Where the requester asked, and the thread that hears the outcome.
    channel: str
    thread_ts: str
    requester: str
    #: The review's first line, its facts and its cost lines, shown to the approvers (plain text).
    headline: str
    facts: tuple[tuple[str, str], ...] = ()
    details: tuple[str, ...] = ()
    estimate_usd: str | None = None
    reasons: tuple[str, ...]
    approvers: People
    approvals_channel: str | None = None
    #: ``basis`` at the time of the request.
    basis: str
    created_at: datetime
    expires_at: datetime
    status: ApprovalStatus = ApprovalStatus.PENDING
    decided_by: str | None = None
    decided_at: datetime | None = None
    #: The rejecter's reason, or why it was withdrawn.
    reason: str = ""
    #: Withdrawn because the decision it was asked on changed (policy, prices): what waits asks again as it stands.
    changed: bool = False
    #: The approvers' messages (recipient, the channel it landed in, ts), edited once it is answered.
    posts: tuple[tuple[str, str, str], ...] = ()
    #: The approvers were sent it and the request was recorded in the audit log.
    asked: bool = False
    #: The outcome was answered in the requester's thread and handed to what waits for it.
    settled: bool = False
    #: Optimistic-concurrency counter, owned by the store.
    version: int = 0

    @property
    def estimate(self) -> Decimal | None:
        return None if self.estimate_usd is None else Decimal(self.estimate_usd)

    @property
    def open(self) -> bool:
        """Still owed something: an answer, its announcement, or the outcome's hand-over."""
        return self.status is ApprovalStatus.PENDING or not self.settled


class Verdict(StrEnum):
    """Whether a person may answer a request now, and if not, why."""

    GO = "go"
    UNKNOWN = "unknown"
    OWN = "own"
    NOT_APPROVER = "not_approver"
    ANSWERED = "answered"
    EXPIRED = "expired"


def verdict(
    request: ApprovalRequest | None, *, team: str, user: str, members: Collection[str], now: datetime
) -> Verdict:
    """May ``user`` (of ``team``, in ``members`` of the approver groups) approve or reject ``request`` now?

    The requester never may, even when they are an approver.
    """
    if request is None or request.team != team:
        return Verdict.UNKNOWN
    if user == request.requester:
        return Verdict.OWN
    if user not in request.approvers.users and user not in members:
        return Verdict.NOT_APPROVER
    if request.status is not ApprovalStatus.PENDING:
        return Verdict.ANSWERED
    if now >= request.expires_at:
        return Verdict.EXPIRED
    return Verdict.GO


def recipients(request: ApprovalRequest, members: Collection[str]) -> list[str]:
    """Where the request goes: the approvals channel, else each approver (never the requester) by direct message."""
    if request.approvals_channel is not None:
        return [request.approvals_channel]
    people = dict.fromkeys([*request.approvers.users, *sorted(members)])
    return [person for person in people if person != request.requester]
