"""Back or Cancel in the instant an approval is saved: one compare-and-set on the request decides, once."""

from __future__ import annotations

from tests.fakes.governance import gatekeeper
from tests.setup.test_service import WHERE, World
from workflows.governance.approvals import ApprovalStatus
from workflows.governance.policy import Policy
from workflows.setup.events import BackPressed, CancelPressed, StartPressed
from workflows.setup.model import Stage

POLICY = Policy.model_validate(
    {"version": 1, "workspaces": {"*": {"approval": {"above_usd": "0", "approvers": {"users": ["U2"]}}}}}
)


def waiting() -> tuple[World, str, str]:
    """A setup waiting for approval: the world, the conversation id and the request id."""
    world = World(keeper=gatekeeper(POLICY))
    conversation_id = world.to_review()
    world.service.handle(conversation_id, StartPressed("U1"), where=WHERE)
    conversation = world.conversation(conversation_id)
    assert conversation.stage is Stage.AWAITING_APPROVAL
    assert conversation.approval is not None
    return world, conversation_id, conversation.approval


def test_cancel_after_the_approval_is_saved_but_before_it_is_handed_over_starts_the_job_once_and_says_so() -> None:
    world, conversation_id, request_id = waiting()
    stored = world.approval_store.get(request_id)
    assert stored is not None
    # The approver's save went through, then that process died before telling the thread or the setup.
    world.approval_store.save(stored.model_copy(update={"status": ApprovalStatus.APPROVED, "decided_by": "U2"}))

    world.service.handle(conversation_id, CancelPressed("U1"), where=WHERE)
    assert world.conversation(conversation_id).stage is Stage.AWAITING_APPROVAL
    assert world.jobs.requests == []

    world.approvals.sweep()  # the tick hands the approval over
    assert len(world.jobs.requests) == 1
    assert world.conversation(conversation_id).stage is not Stage.CANCELLED
    assert any("approved — starting the job" in text for user, text in world.notifier.whispers if user == "U1")
    assert not any("Cancelled." in sent.message.text for sent in world.notifier.posts if sent.message)

    world.approvals.sweep()
    world.service.handle(conversation_id, CancelPressed("U1"), where=WHERE)
    assert len(world.jobs.requests) == 1


def test_back_before_the_approval_withdraws_it_and_a_late_approve_starts_nothing() -> None:
    world, conversation_id, request_id = waiting()
    world.service.handle(conversation_id, BackPressed("U1"), where=WHERE)
    conversation = world.conversation(conversation_id)
    assert conversation.stage is Stage.REVIEWING
    assert conversation.leaving is None
    withdrawn = world.approval_store.get(request_id)
    assert withdrawn is not None
    assert withdrawn.status is ApprovalStatus.WITHDRAWN

    answer = world.approvals.approve(request_id, team="T1", user="U2")
    assert "Nothing more was done" in answer.text
    world.approvals.sweep()
    assert world.jobs.requests == []
    assert world.conversation(conversation_id).stage is Stage.REVIEWING


def test_cancel_before_the_approval_ends_the_setup() -> None:
    world, conversation_id, request_id = waiting()
    world.service.handle(conversation_id, CancelPressed("U1"), where=WHERE)
    assert world.conversation(conversation_id).stage is Stage.CANCELLED
    assert any("Cancelled. Nothing was started" in sent.message.text for sent in world.notifier.posts if sent.message)
    world.approvals.approve(request_id, team="T1", user="U2")
    assert world.jobs.requests == []
