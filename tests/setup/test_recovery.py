"""Busy stages have owners and deadlines, and what the bot owes is queued with the state (pure decisions)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from tests.setup.test_conversation import CONTEXT, JSONL, NOW, SUMMARY, TO_REVIEW, USER, run
from workflows.messages import Attachment, Message, Reply
from workflows.setup import outbox
from workflows.setup.effects import CheckDataset, ResolveLaunch, Say, Whisper
from workflows.setup.events import (
    DatasetAccepted,
    DatasetRefused,
    JobLaunched,
    JobLaunchRefused,
    LaunchAbandoned,
    Recover,
    StartPressed,
    TextTyped,
)
from workflows.setup.machine import CHECK_SECONDS, LAUNCH_SECONDS, advance, overdue
from workflows.setup.model import Conversation, DatasetRole, Stage
from workflows.setup.outgoing import OutgoingKind

LATER = replace(CONTEXT, now=NOW + timedelta(seconds=CHECK_SECONDS + 1), worker="host-b:2")
VERDICT = Message("`train.jsonl` is ready for training.")


def checking() -> Conversation:
    return run(TO_REVIEW[:3]).conversation


def starting() -> Conversation:
    return run([*TO_REVIEW, StartPressed(USER)]).conversation


def test_a_check_records_its_owner_and_deadline() -> None:
    busy = checking().busy
    assert busy is not None
    assert (busy.owner, busy.since, busy.until) == ("unknown", NOW, NOW + timedelta(seconds=CHECK_SECONDS))
    assert (busy.role, busy.source, busy.attempt) == (DatasetRole.TRAINING, JSONL, 1)


def test_a_launch_records_its_owner_and_a_shorter_deadline() -> None:
    busy = starting().busy
    assert busy is not None
    assert busy.until == NOW + timedelta(seconds=LAUNCH_SECONDS)


@pytest.mark.parametrize(("seconds", "late"), [(0, False), (CHECK_SECONDS - 1, False), (CHECK_SECONDS, True)])
def test_a_check_is_overdue_only_from_its_deadline(seconds: int, late: bool) -> None:
    assert overdue(checking(), NOW + timedelta(seconds=seconds)) is late


def test_a_busy_stage_without_an_owner_is_overdue_at_once() -> None:
    assert overdue(checking().model_copy(update={"busy": None}), NOW)


def test_recover_before_the_deadline_changes_nothing() -> None:
    conversation = checking()
    step = advance(conversation, Recover(), CONTEXT)
    assert step.conversation is conversation
    assert step.effects == ()


def test_a_lost_check_is_run_again_by_the_new_owner_in_the_same_message() -> None:
    conversation = checking()
    step = advance(conversation, Recover(), LATER)
    busy, before = step.conversation.busy, conversation.busy
    assert busy is not None
    assert before is not None
    assert step.conversation.stage is Stage.CHECKING_TRAINING
    assert (busy.owner, busy.attempt, busy.slot) == ("host-b:2", 2, before.slot)
    assert busy.token != before.token
    say, check = step.effects
    assert isinstance(say, Say)
    assert say.slot == before.slot
    assert "again" in say.reply.message.text
    assert check == CheckDataset(DatasetRole.TRAINING, JSONL, check=busy.token)


def test_a_check_lost_twice_asks_for_the_file_again() -> None:
    again = advance(checking(), Recover(), LATER).conversation
    step = advance(again, Recover(), replace(LATER, now=LATER.now + timedelta(seconds=CHECK_SECONDS)))
    assert step.conversation.stage is Stage.AWAITING_TRAINING
    assert step.conversation.busy is None
    (say,) = step.effects
    assert isinstance(say, Say)
    assert "Please send it again" in say.reply.message.text


def test_a_person_writing_after_the_deadline_triggers_the_recovery_not_the_busy_note() -> None:
    step = advance(checking(), TextTyped(USER, "back"), LATER)
    assert any(isinstance(effect, CheckDataset) for effect in step.effects)


def test_a_person_writing_before_the_deadline_hears_the_check_is_running() -> None:
    step = advance(checking(), TextTyped(USER, "back"), CONTEXT)
    (note,) = step.effects
    assert isinstance(note, Whisper)
    assert "still checking" in note.text


def test_the_result_of_an_abandoned_attempt_is_ignored() -> None:
    first = checking()
    assert first.busy is not None
    rerun = advance(first, Recover(), LATER).conversation
    late = DatasetAccepted(DatasetRole.TRAINING, SUMMARY, check=first.busy.token, verdict=VERDICT)
    assert advance(rerun, late, LATER).conversation is rerun


def test_the_verdict_replaces_the_progress_message_then_the_next_question_follows() -> None:
    conversation = checking()
    assert conversation.busy is not None
    report = Attachment("train-validation-report.txt", b"all lines", "Full report")
    result = DatasetAccepted(DatasetRole.TRAINING, SUMMARY, conversation.busy.token, VERDICT, report)
    step = advance(conversation, result, CONTEXT)
    assert step.conversation.stage is Stage.AWAITING_VALIDATION
    assert step.conversation.busy is None
    verdict, question = step.effects
    assert isinstance(verdict, Say)
    assert verdict.slot == conversation.busy.slot
    assert verdict.reply == Reply(VERDICT, (report,))
    assert isinstance(question, Say)
    assert "validation file" in question.reply.message.text


def test_a_refusal_goes_back_to_waiting_with_its_verdict() -> None:
    conversation = checking()
    step = advance(conversation, DatasetRefused(DatasetRole.TRAINING, "errors", verdict=VERDICT), CONTEXT)
    assert step.conversation.stage is Stage.AWAITING_TRAINING
    assert step.effects == (Say(Reply(VERDICT), slot=conversation.busy.slot if conversation.busy else None),)


def test_a_lost_launch_is_resolved_in_bedrock_by_the_new_owner() -> None:
    later = replace(CONTEXT, now=NOW + timedelta(seconds=LAUNCH_SECONDS), worker="host-b:2")
    step = advance(starting(), Recover(), later)
    assert step.conversation.stage is Stage.STARTING
    assert step.effects == (ResolveLaunch(),)
    assert step.conversation.busy is not None
    assert step.conversation.busy.owner == "host-b:2"


def test_start_clicked_after_a_launch_deadline_resolves_it_rather_than_staying_silent() -> None:
    later = replace(CONTEXT, now=NOW + timedelta(seconds=LAUNCH_SECONDS))
    resolve, note = advance(starting(), StartPressed(USER), later).effects
    assert resolve == ResolveLaunch()
    assert isinstance(note, Whisper)
    assert "looking it up in Bedrock" in note.text


def test_an_abandoned_launch_gives_the_review_and_start_back() -> None:
    step = advance(starting(), LaunchAbandoned(), CONTEXT)
    assert step.conversation.stage is Stage.REVIEWING
    texts = [effect.reply.message for effect in step.effects if isinstance(effect, Say)]
    assert "was not created" in texts[0].text
    assert "Start fine-tuning" in [button.label for button in texts[1].buttons]


def test_a_found_job_finishes_the_setup_and_a_late_refusal_is_ignored() -> None:
    started = advance(starting(), JobLaunched("job", "arn:job"), CONTEXT).conversation
    assert (started.stage, started.busy) == (Stage.STARTED, None)
    assert advance(started, JobLaunchRefused("late"), CONTEXT).conversation is started


# --- the outbox ---


def test_says_are_queued_in_order_with_unique_ids_and_work_is_left_to_perform() -> None:
    step = run(TO_REVIEW[:3])
    queued, work = outbox.queue(step.conversation, step.effects)
    assert [entry.kind for entry in queued.outbox] == [OutgoingKind.POST]
    assert queued.outbox[0].slot == step.conversation.busy.slot if step.conversation.busy else False
    assert work == (step.effects[-1],)
    again, _ = outbox.queue(queued, (Say(Reply(Message("one"))), Say(Reply(Message("two")))))
    assert [entry.id for entry in again.outbox] == ["e1", "e2", "e3"]


def test_a_verdict_for_a_progress_message_not_yet_posted_replaces_it_in_place() -> None:
    queued, _ = outbox.queue(checking(), (Say(Reply(Message("Checking…")), slot="s"),))
    replaced, _ = outbox.queue(queued, (Say(Reply(VERDICT), slot="s"),))
    assert [(entry.kind, entry.message) for entry in replaced.outbox] == [(OutgoingKind.POST, VERDICT)]


def test_a_verdict_for_a_posted_progress_message_edits_it() -> None:
    queued, _ = outbox.queue(checking(), (Say(Reply(Message("Checking…")), slot="s"),))
    posted = outbox.delivered(queued, queued.outbox[0].id, "111.222")
    assert posted.outbox == ()
    edited, _ = outbox.queue(posted, (Say(Reply(VERDICT), slot="s"),))
    (entry,) = edited.outbox
    assert (entry.kind, entry.ts, entry.message) == (OutgoingKind.EDIT, "111.222", VERDICT)


def test_failures_back_off_and_an_entry_is_given_up_after_max_tries() -> None:
    queued, _ = outbox.queue(checking(), (Say(Reply(Message("hi"))),))
    entry_id = queued.outbox[0].id
    once = outbox.failed(queued, entry_id)
    assert once.outbox[0].tries == 1
    assert outbox.due_at(once) == min(once.updated_at + outbox.backoff(1), once.busy.until if once.busy else NOW)
    assert outbox.backoff(1) > outbox.backoff(0)
    assert outbox.backoff(50) == outbox.MAX_BACKOFF
    worn = queued
    for _ in range(outbox.MAX_TRIES):
        worn = outbox.failed(worn, entry_id)
    assert worn.outbox == ()


def test_a_conversation_with_nothing_owed_is_not_due() -> None:
    assert outbox.due_at(run([]).conversation) is None
