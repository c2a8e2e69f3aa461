"""The service with in-memory ports when Slack fails or a worker dies: nothing owed is lost, nothing is doubled."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.sandbox.samples import CONVERSATION, sample_bytes
from tests.setup.test_service import NOVA, WHERE, World
from workflows.dataset_rules import CustomizationType
from workflows.jobs.launch import job_request
from workflows.messages import Message
from workflows.setup import outbox
from workflows.setup.effects import Reply, Say
from workflows.setup.events import (
    Event,
    FileAttached,
    ModelChosen,
    SlackFile,
    StartPressed,
    TextTyped,
    TypeChosen,
)
from workflows.setup.machine import CHECK_SECONDS, LAUNCH_SECONDS, advance
from workflows.setup.model import Stage
from workflows.setup.outgoing import OutgoingKind


def dies_after_saving(world: World, conversation_id: str, event: Event) -> None:
    """What a worker killed right after its save leaves behind: the new state and its outbox, nothing done."""
    conversation = world.conversation(conversation_id)
    step = advance(conversation, event, world.service.context())
    queued, _ = outbox.queue(step.conversation, step.effects)
    world.store.save(queued)


def said(world: World, opening: str) -> int:
    """How many messages in the thread open with ``opening``."""
    return sum(text.startswith(opening) for text in world.notifier.texts())


def later(world: World, seconds: float) -> None:
    world.clock.advance(seconds=seconds)


def to_training_data(world: World) -> str:
    conversation_id = world.start()
    world.service.handle(conversation_id, TypeChosen("U1", CustomizationType.CONVERSATION), where=WHERE)
    world.service.handle(conversation_id, ModelChosen("U1", NOVA), where=WHERE)
    return conversation_id


def test_a_question_slack_refused_stays_owed_with_the_state_and_the_tick_delivers_it_once() -> None:
    world = World()
    conversation_id = world.start()
    world.notifier.fail_next = 1

    world.service.handle(conversation_id, TypeChosen("U1", CustomizationType.CONVERSATION), where=WHERE)

    owed = world.conversation(conversation_id)
    assert owed.stage is Stage.CHOOSING_MODEL
    assert [entry.tries for entry in owed.outbox] == [1]
    assert world.service.sweep() == 0  # not due yet: the re-drive waits a little
    later(world, outbox.backoff(1).total_seconds())
    assert world.service.sweep() == 1
    assert world.conversation(conversation_id).outbox == ()
    assert said(world, "Which base model?") == 1
    assert world.service.sweep() == 0


def test_the_next_event_delivers_what_is_owed_before_its_own_reply() -> None:
    world = World()
    conversation_id = world.start()
    world.notifier.fail_next = 1
    world.service.handle(conversation_id, TypeChosen("U1", CustomizationType.CONVERSATION), where=WHERE)

    world.service.handle(conversation_id, TextTyped("U1", "what now please"), where=WHERE)

    texts = world.notifier.texts()
    question = next(i for i, t in enumerate(texts) if t.startswith("Which base model?"))
    assert question < next(i for i, t in enumerate(texts) if t.startswith("Sorry"))


def test_a_post_whose_answer_was_lost_is_found_in_the_thread_not_posted_twice() -> None:
    world = World()
    conversation_id = world.start()
    world.notifier.answers_lost = 1
    world.service.handle(conversation_id, TypeChosen("U1", CustomizationType.CONVERSATION), where=WHERE)
    assert said(world, "Which base model?") == 1

    later(world, 60)
    world.service.sweep()

    assert said(world, "Which base model?") == 1
    assert world.conversation(conversation_id).outbox == ()


def test_the_verdict_of_a_check_whose_progress_was_never_posted_is_posted_once_in_its_place() -> None:
    world = World()
    conversation_id = to_training_data(world)
    world.notifier.fail_next = 1

    world.attach(conversation_id, sample_bytes(CONVERSATION))

    texts = world.notifier.texts()
    assert not any("line by line" in text for text in texts)
    assert sum("`train.jsonl` is ready" in text for text in texts) == 1
    assert texts[-1].startswith("Do you have a validation file?")


def test_a_check_lost_with_its_worker_is_run_again_by_the_tick_after_its_deadline() -> None:
    world = World()
    conversation_id = to_training_data(world)
    content = sample_bytes(CONVERSATION)
    world.files.contents["http://files/train.jsonl"] = content
    upload = SlackFile("F1", "train.jsonl", len(content), "jsonl", "application/json", "http://files/train.jsonl")
    dies_after_saving(world, conversation_id, FileAttached("U1", upload))
    assert world.conversation(conversation_id).stage is Stage.CHECKING_TRAINING

    later(world, CHECK_SECONDS - 1)
    world.service.sweep()
    assert world.conversation(conversation_id).stage is Stage.CHECKING_TRAINING
    later(world, 1)
    world.service.sweep()

    assert world.conversation(conversation_id).stage is Stage.AWAITING_VALIDATION
    assert sum("`train.jsonl` is ready" in text for text in world.notifier.texts()) == 1
    assert not any("line by line" in text or "again" in text for text in world.notifier.texts())


def test_an_unexpected_storage_failure_refuses_the_file_and_the_setup_goes_on(monkeypatch: pytest.MonkeyPatch) -> None:
    world = World()
    conversation_id = to_training_data(world)

    def broken(source: Path, *, key: str) -> str:
        raise ConnectionResetError("S3 dropped the connection")

    monkeypatch.setattr(world.storage, "upload", broken)
    world.attach(conversation_id, sample_bytes(CONVERSATION))

    assert world.conversation(conversation_id).stage is Stage.AWAITING_TRAINING
    assert "I could not finish checking `train.jsonl`" in world.notifier.everything()
    monkeypatch.undo()
    world.attach(conversation_id, sample_bytes(CONVERSATION))
    assert world.conversation(conversation_id).stage is Stage.AWAITING_VALIDATION


def test_a_job_created_by_a_worker_that_died_is_adopted_after_the_launch_deadline() -> None:
    world = World()
    conversation_id = world.to_review()
    dies_after_saving(world, conversation_id, StartPressed("U1"))
    conversation = world.conversation(conversation_id)
    world.jobs.create(job_request(conversation, world.catalogue.model(NOVA), role_arn="arn:role", bucket="bucket"))

    world.service.handle(conversation_id, StartPressed("U1"), where=WHERE)
    assert "being created" in world.notifier.whispers[-1][1]
    later(world, LAUNCH_SECONDS)
    world.service.sweep()

    started = world.conversation(conversation_id)
    assert started.stage is Stage.STARTED
    assert started.job_name is not None
    assert world.records.get(started.job_name) is not None
    assert sum(text.startswith("Started fine-tuning job") for text in world.notifier.texts()) == 1


def test_a_launch_lost_before_bedrock_took_it_gives_start_back_after_the_deadline() -> None:
    world = World()
    conversation_id = world.to_review()
    dies_after_saving(world, conversation_id, StartPressed("U1"))

    later(world, LAUNCH_SECONDS)
    world.service.sweep()

    assert world.conversation(conversation_id).stage is Stage.REVIEWING
    assert "The job was not created" in world.notifier.everything()
    world.service.handle(conversation_id, StartPressed("U1"), where=WHERE)
    assert world.conversation(conversation_id).stage is Stage.STARTED


def test_progress_replaced_by_the_verdict_while_another_worker_posts_it_is_not_lost() -> None:
    world = World()
    conversation_id = to_training_data(world)
    progress = Say(Reply(Message("Checking `train.jsonl` line by line…")), slot="check-1")
    verdict = Say(Reply(Message("I could not use `train.jsonl`.")), slot="check-1")
    owed, _ = outbox.queue(world.conversation(conversation_id), (progress,))
    in_flight = outbox.next_entry(owed)  # one worker starts posting the progress message…
    assert in_flight is not None

    replaced, _ = outbox.queue(owed, (verdict,))  # …while the worker that ran the check queues its verdict
    landed = outbox.delivered(replaced, entry_id=in_flight.id, ts="1700000000.000900", slot=in_flight.slot)

    [still_owed] = [entry for entry in landed.outbox if entry.slot == "check-1"]
    assert still_owed.message == verdict.reply.message
    assert (still_owed.kind, still_owed.ts) == (OutgoingKind.EDIT, "1700000000.000900")
    assert landed.slots["check-1"] == "1700000000.000900"
