"""What approvals say: the request the approvers see, its outcome, and the answers to a click."""

from __future__ import annotations

from datetime import datetime

from workflows.governance.approvals import ApprovalKind, ApprovalRequest, ApprovalStatus, Verdict
from workflows.governance.policy_decisions import who_can
from workflows.messages import Action, Button, Message, Style
from workflows.slack_text import Mrkdwn, channel_link, mention, mrkdwn

APPROVE = "Approve"
REJECT = "Reject"
#: The label of the review's button when the policy asks for approval (it replaces *Start*).
REQUEST_APPROVAL = "Request approval"


def needs_approval(reasons: tuple[str, ...], *, before: str = "it starts") -> str:
    """The review's line when the policy asks for approval (plain text: it is kept in the thread's outbox)."""
    return f"Needs approval before {before}: " + "; ".join(reasons) + ". Press *Request approval* to ask."


def request_message(request: ApprovalRequest) -> Message:
    """What the approvers see: who asks for what, where, why it needs approval, the review and its cost."""
    text = mrkdwn(
        "{user} asks for approval to {what} in {channel}: {headline}",
        user=mention(request.requester),
        what=_what(request.kind),
        channel=channel_link(request.channel),
        headline=request.headline,
    )
    return Message(
        text=text,
        facts=(*request.facts, ("Needs approval because", "; ".join(request.reasons))),
        details=request.details,
        buttons=(
            Button(APPROVE, Action.APPROVE, value=request.id, style=Style.PRIMARY),
            Button(REJECT, Action.REJECT, value=request.id, style=Style.DANGER),
        ),
        context=mrkdwn(
            "Expires {at} if nobody answers. {who} The requester cannot approve their own request.",
            at=_when(request.expires_at),
            who=who_can(request.approvers),
        ),
    )


def outcome_message(request: ApprovalRequest) -> Message:
    """The approvers' message once the request is answered: the same facts, the outcome, no buttons."""
    return Message(
        text=mrkdwn(
            "{outcome} {user}'s request to {what} in {channel}: {headline}",
            outcome=_outcome(request),
            user=mention(request.requester),
            what=_what(request.kind),
            channel=channel_link(request.channel),
            headline=request.headline,
        ),
        facts=request.facts,
        details=request.details,
    )


def thread_outcome(request: ApprovalRequest) -> Message:
    """The outcome in the requester's thread."""
    by = mention(request.decided_by or "")
    match request.status:
        case ApprovalStatus.APPROVED:
            then = "Starting the job now." if request.kind is ApprovalKind.JOB else "Deploying it now."
            return Message(mrkdwn(":white_check_mark: {by} approved this. {then}", by=by, then=then))
        case ApprovalStatus.REJECTED:
            return Message(
                mrkdwn(":no_entry: {by} rejected this: {reason}", by=by, reason=request.reason or "no reason given."),
                context=_again(request.kind),
            )
        case ApprovalStatus.EXPIRED:
            return Message(
                mrkdwn(
                    "Nobody answered the request for approval by {at}, so it expired.", at=_when(request.expires_at)
                ),
                context=_again(request.kind),
            )
        case ApprovalStatus.WITHDRAWN:
            return Message(mrkdwn("The request for approval was withdrawn: {why}", why=request.reason))
        case ApprovalStatus.PENDING:
            return asked_message(request)


def asked_message(request: ApprovalRequest) -> Message:
    """The requester's thread, once the approvers were asked."""
    where = (
        mrkdwn("in {channel}", channel=channel_link(request.approvals_channel))
        if request.approvals_channel is not None
        else mrkdwn("by direct message")
    )
    return Message(
        mrkdwn(
            ":hourglass: Asked for approval {where}, because {why}. {who} I'll say here when it is answered "
            "(by {at} at the latest).",
            where=where,
            why="; ".join(request.reasons),
            who=who_can(request.approvers),
            at=_when(request.expires_at),
        ),
        context="Cancel (or type `cancel`) withdraws the request.",
    )


def verdict_answer(verdict: Verdict, request: ApprovalRequest | None) -> Message:
    """What a person who may not answer the request is told instead."""
    if verdict is Verdict.UNKNOWN or request is None:
        return Message("I no longer have this request for approval (requests are kept for a week).")
    if verdict is Verdict.OWN:
        return Message("You asked for this approval yourself, so someone else must answer it: nothing was done.")
    if verdict is Verdict.NOT_APPROVER:
        return Message(
            mrkdwn(
                "You are not one of the approvers of this request: nothing was done. {who}",
                who=who_can(request.approvers),
            )
        )
    if verdict is Verdict.EXPIRED:
        return Message(mrkdwn("This request expired at {at}: nothing was done.", at=_when(request.expires_at)))
    return Message(mrkdwn("{outcome} Nothing more was done.", outcome=_outcome(request)))


def decided_answer(request: ApprovalRequest) -> Message:
    """The answer to the approver who decided."""
    if request.status is ApprovalStatus.APPROVED:
        then = "the job is starting" if request.kind is ApprovalKind.JOB else "the deployment is being created"
        return Message(
            mrkdwn(
                "Approved: {then}; its thread in {channel} hears about it.",
                then=then,
                channel=channel_link(request.channel),
            )
        )
    if request.status is ApprovalStatus.WITHDRAWN:
        return Message(mrkdwn("Nothing was done: {why}", why=request.reason))
    return Message(mrkdwn("{outcome} The requester was told in their thread.", outcome=_outcome(request)))


def _outcome(request: ApprovalRequest) -> Mrkdwn:
    by, at = mention(request.decided_by or ""), _when(request.decided_at or request.expires_at)
    match request.status:
        case ApprovalStatus.APPROVED:
            return mrkdwn(":white_check_mark: Approved by {by} at {at}.", by=by, at=at)
        case ApprovalStatus.REJECTED:
            reason = mrkdwn(": {reason}", reason=request.reason) if request.reason else mrkdwn(".")
            return mrkdwn(":no_entry: Rejected by {by} at {at}{reason}", by=by, at=at, reason=reason)
        case ApprovalStatus.EXPIRED:
            return mrkdwn("Expired at {at} without an answer.", at=_when(request.expires_at))
        case ApprovalStatus.WITHDRAWN:
            return mrkdwn("Withdrawn: {why}", why=request.reason)
        case ApprovalStatus.PENDING:
            return mrkdwn("Waiting for an answer.")


def _what(kind: ApprovalKind) -> str:
    return "start a fine-tuning job" if kind is ApprovalKind.JOB else "deploy a custom model"


def _again(kind: ApprovalKind) -> str:
    if kind is ApprovalKind.JOB:
        return "Change the settings and press *Request approval* to ask again, or Cancel."
    return "Type `/finetune deploy` again to ask again."


def _when(at: datetime) -> str:
    return f"{at:%Y-%m-%d %H:%M} UTC"
