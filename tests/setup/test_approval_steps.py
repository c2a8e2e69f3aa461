"""The setup and approvals: the review asks for it, Start asks the approvers, and only approval starts the job."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from tests.setup.test_conversation import CONTEXT, TO_REVIEW, USER, labels, said
from workflows.governance.approvals import ApprovalStatus
from workflows.governance.policy import Policy
from workflows.setup.effects import LaunchJob, RequestApproval, Whisper, WithdrawApproval
from workflows.setup.events import (
    ApprovalAnswered,
    ApprovalAsked,
    BackPressed,
    CancelPressed,
    Event,
    Recover,
    StartPressed,
)
from workflows.setup.machine import Step, advance, begin
from workflows.setup.model import Stage

POLICY = Policy.model_validate(
    {"version": 1, "workspaces": {"*": {"approval": {"above_usd": "20", "approvers": {"users": ["U2"]}}}}}
)
GOVERNED = replace(CONTEXT, policy=POLICY)


def run(events: list[Event]) -> Step:
    step = begin(team="T", channel="C", thread_ts="1.0", user=USER, context=GOVERNED)
    for event in events:
        step = advance(step.conversation, event, GOVERNED)
    return step


def requested() -> tuple[Step, str]:
    step = run([*TO_REVIEW, StartPressed(USER)])
    (effect,) = step.effects
    assert isinstance(effect, RequestApproval)
    return step, effect.request_id


def test_the_review_says_approval_is_needed_and_offers_request_approval_instead_of_start() -> None:
    review = run(TO_REVIEW)
    assert "Request approval" in labels(review)
    assert "Start fine-tuning" not in labels(review)
    (text,) = [effect.reply.message for effect in review.effects if hasattr(effect, "reply")]
    assert any(
        detail.startswith("Needs approval before it starts: its cost cannot be estimated") for detail in text.details
    )


def test_request_approval_waits_with_a_deadline_until_the_request_is_confirmed_sent() -> None:
    step, request_id = requested()
    assert step.conversation.stage is Stage.AWAITING_APPROVAL
    assert step.conversation.approval == request_id
    assert step.conversation.busy is not None

    confirmed = advance(step.conversation, ApprovalAsked(request_id), GOVERNED)
    assert confirmed.conversation.busy is None
    assert (
        advance(confirmed.conversation, Recover(), replace(GOVERNED, now=GOVERNED.now + timedelta(days=1))).effects
        == ()
    )


def test_a_request_never_confirmed_is_asked_again_under_the_same_id_after_the_deadline() -> None:
    step, request_id = requested()
    early = advance(step.conversation, Recover(), GOVERNED)
    assert early.effects == ()
    later = replace(GOVERNED, now=GOVERNED.now + timedelta(minutes=5))
    again = advance(step.conversation, Recover(), later)
    assert again.effects == (RequestApproval(request_id),)
    assert again.conversation.busy is not None
    assert again.conversation.busy.until > step.conversation.busy.until  # type: ignore[union-attr]


def test_approval_starts_the_job_once_and_later_answers_change_nothing() -> None:
    step, request_id = requested()
    approved = advance(step.conversation, ApprovalAnswered(request_id, ApprovalStatus.APPROVED.value), GOVERNED)
    assert approved.conversation.stage is Stage.STARTING
    assert approved.effects == (LaunchJob(),)
    again = advance(approved.conversation, ApprovalAnswered(request_id, ApprovalStatus.APPROVED.value), GOVERNED)
    assert again.effects == ()
    assert again.conversation.stage is Stage.STARTING


def test_an_answer_to_another_request_is_ignored() -> None:
    step, _ = requested()
    other = advance(step.conversation, ApprovalAnswered("a-other", ApprovalStatus.APPROVED.value), GOVERNED)
    assert other.conversation == step.conversation
    assert other.effects == ()


def test_rejected_expired_or_withdrawn_go_back_to_the_review_with_request_approval() -> None:
    for status in (ApprovalStatus.REJECTED, ApprovalStatus.EXPIRED, ApprovalStatus.WITHDRAWN):
        step, request_id = requested()
        back = advance(step.conversation, ApprovalAnswered(request_id, status.value), GOVERNED)
        assert back.conversation.stage is Stage.REVIEWING
        assert back.conversation.approval is None
        assert "Request approval" in labels(back)
        assert said(back)[0].startswith("Review your fine-tuning job")


def test_a_request_sent_back_by_a_change_is_asked_again_when_approval_is_still_needed() -> None:
    step, request_id = requested()
    saved = step.conversation.model_copy(update={"version": step.conversation.version + 1})  # as the store does
    sent_back = ApprovalAnswered(request_id, ApprovalStatus.WITHDRAWN.value, changed=True)
    again = advance(saved, sent_back, GOVERNED)
    assert again.conversation.stage is Stage.AWAITING_APPROVAL
    (asking,) = [effect for effect in again.effects if isinstance(effect, RequestApproval)]
    assert asking.request_id == again.conversation.approval != request_id
    assert said(again) == ["Asking for approval again, on the policy and prices in force now."]

    open_now = replace(GOVERNED, policy=None)
    back = advance(saved, sent_back, open_now)
    assert back.conversation.stage is Stage.REVIEWING
    assert "Start fine-tuning" in labels(back)


def test_while_waiting_a_second_press_is_answered_privately_and_asks_nobody_again() -> None:
    step, _ = requested()
    pressed = advance(step.conversation, StartPressed(USER), GOVERNED)
    assert pressed.conversation == step.conversation
    (whisper,) = pressed.effects
    assert isinstance(whisper, Whisper)
    assert whisper.text.startswith("This setup is waiting for approval")


def test_back_and_cancel_ask_to_withdraw_the_request_and_its_answer_does_what_they_asked() -> None:
    step, request_id = requested()
    back = advance(step.conversation, BackPressed(USER), GOVERNED)
    assert back.conversation.stage is Stage.AWAITING_APPROVAL
    assert back.effects == (WithdrawApproval(request_id, "the requester went back to change the setup."),)
    withdrawn = advance(back.conversation, ApprovalAnswered(request_id, ApprovalStatus.WITHDRAWN.value), GOVERNED)
    assert withdrawn.conversation.stage is Stage.REVIEWING
    assert withdrawn.conversation.leaving is None
    assert said(withdrawn)[0].startswith("Review your fine-tuning job")

    cancelled = advance(step.conversation, CancelPressed(USER), GOVERNED)
    assert cancelled.conversation.stage is Stage.AWAITING_APPROVAL
    assert cancelled.effects == (WithdrawApproval(request_id, "the requester cancelled the setup."),)
    for status in ApprovalStatus.WITHDRAWN, ApprovalStatus.REJECTED, ApprovalStatus.EXPIRED:
        ended = advance(cancelled.conversation, ApprovalAnswered(request_id, status.value, changed=True), GOVERNED)
        assert ended.conversation.stage is Stage.CANCELLED
        assert said(ended) == ["Cancelled. Nothing was started and nothing was spent."]
        assert not any(isinstance(effect, RequestApproval | LaunchJob) for effect in ended.effects)


def test_an_approval_saved_just_before_back_or_cancel_still_starts_the_job_once_and_says_so() -> None:
    step, request_id = requested()
    for pressed in BackPressed(USER), CancelPressed(USER):
        leaving = advance(step.conversation, pressed, GOVERNED)
        approved = advance(leaving.conversation, ApprovalAnswered(request_id, ApprovalStatus.APPROVED.value), GOVERNED)
        assert approved.conversation.stage is Stage.STARTING
        assert approved.conversation.leaving is None
        assert [effect for effect in approved.effects if isinstance(effect, LaunchJob)] == [LaunchJob()]
        (told,) = [effect for effect in approved.effects if isinstance(effect, Whisper)]
        assert told.user == USER
        assert "approved — starting the job" in told.text
        again = advance(approved.conversation, ApprovalAnswered(request_id, ApprovalStatus.APPROVED.value), GOVERNED)
        assert again.effects == ()


def test_a_withdrawal_lost_in_a_crash_is_withdrawn_again_by_the_tick_not_asked_again() -> None:
    step, request_id = requested()
    asked = advance(step.conversation, ApprovalAsked(request_id), GOVERNED)
    leaving = advance(asked.conversation, CancelPressed(USER), GOVERNED)
    assert leaving.conversation.busy is not None
    confirmed = advance(leaving.conversation, ApprovalAsked(request_id), GOVERNED)
    assert confirmed.conversation.busy == leaving.conversation.busy
    later = replace(GOVERNED, now=GOVERNED.now + timedelta(seconds=GOVERNED.launch_seconds + 1))
    tick = advance(leaving.conversation, Recover(), later)
    assert tick.effects == (WithdrawApproval(request_id, "the requester cancelled the setup."),)
    assert tick.conversation.stage is Stage.AWAITING_APPROVAL


def test_without_an_approval_rule_start_launches_at_once() -> None:
    step = begin(team="T", channel="C", thread_ts="1.0", user=USER, context=CONTEXT)
    for event in [*TO_REVIEW, StartPressed(USER)]:
        step = advance(step.conversation, event, CONTEXT)
    assert step.effects == (LaunchJob(),)
