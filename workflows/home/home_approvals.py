"""The Home tab's pending approvals: each request an approver may answer, with Approve and Reject (pure).

The buttons are the request message's own (``Action.APPROVE`` and ``Action.REJECT``, valued with the request's
id), so a click on the Home tab goes to the same approvals listener and acts once, as a click anywhere does.
"""

from __future__ import annotations

from collections.abc import Sequence

from workflows.catalogue.costs import format_usd
from workflows.governance.approvals import ApprovalKind, ApprovalRequest
from workflows.home.home_view import Block, listing, section
from workflows.messages import Action
from workflows.slack_text import channel_link, mention, mrkdwn

#: The buttons' labels, as on the request's own message.
APPROVE, REJECT = "Approve", "Reject"


def approvals_blocks(requests: Sequence[ApprovalRequest]) -> list[Block]:
    """The section of pending approvals, oldest first; nothing at all when none waits for this person."""
    if not requests:
        return []
    return listing(
        "Waiting for your approval",
        [_request(request) for request in requests],
        empty="",
        noun="request",
    )


def _request(request: ApprovalRequest) -> list[Block]:
    what = "start a fine-tuning job" if request.kind is ApprovalKind.JOB else "deploy a custom model"
    estimate = request.estimate
    text = mrkdwn(
        "{user} asks to {what} in {channel}: {headline}\n{cost} · needs approval because {why} · expires {at} UTC",
        user=mention(request.requester),
        what=what,
        channel=channel_link(request.channel),
        headline=request.headline,
        cost=f"Estimate {format_usd(estimate)}" if estimate is not None else "Estimate unknown",
        why="; ".join(request.reasons),
        at=f"{request.expires_at:%Y-%m-%d %H:%M}",
    )
    buttons: Block = {
        "type": "actions",
        "block_id": f"approval-{request.id}",
        "elements": [
            _button(APPROVE, f"{Action.APPROVE.value}:0", request.id, "primary"),
            _button(REJECT, f"{Action.REJECT.value}:1", request.id, "danger"),
        ],
    }
    return [section(text), buttons]


def _button(label: str, action_id: str, value: str, style: str) -> Block:
    return {
        "type": "button",
        "text": {"type": "plain_text", "text": label},
        "action_id": action_id,
        "value": value,
        "style": style,
    }
