"""The conversation state machine: each answer moves to the right stage and asks the right thing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from workflows.catalogue.loader import load_catalogue
from workflows.dataset_rules import CustomizationType
from workflows.messages import Message, Reply
from workflows.setup.effects import CheckDataset, LaunchJob, Say, Whisper
from workflows.setup.events import (
    BackPressed,
    CancelPressed,
    DataAnswered,
    DatasetAccepted,
    DatasetRefused,
    Event,
    FileAttached,
    GoalAnswered,
    HelpRequested,
    JobLaunched,
    JobLaunchRefused,
    ModelChosen,
    SlackFile,
    StartPressed,
    TextTyped,
    TypeChosen,
    ValidationSkipped,
)
from workflows.setup.machine import Context, Step, advance, begin
from workflows.setup.model import Conversation, DatasetRole, DatasetSummary, Stage

USER = "U1"
NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
NOVA = "amazon.nova-micro-v1:0:128k"
CONTEXT = Context(catalogue=load_catalogue(), region="us-east-1", max_upload_bytes=10 * 1024 * 1024, now=NOW)
JSONL = SlackFile("F1", "train.jsonl", 2048, "jsonl", "application/x-ndjson", "http://files/F1")
SUMMARY = DatasetSummary(
    source="slack", name="train.jsonl", uri="s3://b/k.jsonl", size_bytes=2048, records=50, tokens=9000
)


def run(events: list[Event], start: Conversation | None = None) -> Step:
    step = Step(start) if start else begin(team="T", channel="C", thread_ts="1.0", user=USER, context=CONTEXT)
    for event in events:
        step = advance(step.conversation, event, CONTEXT)
    return step


def said(step: Step) -> list[str]:
    return [effect.reply.message.text for effect in step.effects if isinstance(effect, Say)]


def labels(step: Step) -> list[str]:
    return [button.label for e in step.effects if isinstance(e, Say) for button in e.reply.message.buttons]


TO_REVIEW: list[Event] = [
    TypeChosen(USER, CustomizationType.CONVERSATION),
    ModelChosen(USER, NOVA),
    FileAttached(USER, JSONL),
    DatasetAccepted(DatasetRole.TRAINING, SUMMARY),
    ValidationSkipped(USER),
]


def test_a_new_conversation_asks_for_the_type_with_a_help_path() -> None:
    step = run([])
    assert step.conversation.stage is Stage.CHOOSING_TYPE
    assert "Help me choose" in labels(step)
    assert "Conversational fine-tuning" in labels(step)


@pytest.mark.parametrize(
    ("events", "stage"),
    [
        ([TypeChosen(USER, CustomizationType.CONVERSATION)], Stage.CHOOSING_MODEL),
        ([TextTyped(USER, "instruction")], Stage.CHOOSING_MODEL),
        ([HelpRequested(USER)], Stage.ASKING_DATA),
        ([HelpRequested(USER), DataAnswered(USER, "CHATS")], Stage.ASKING_GOAL),
        ([HelpRequested(USER), DataAnswered(USER, "CHATS"), GoalAnswered(USER, "CHATBOT")], Stage.CHOOSING_TYPE),
        (TO_REVIEW[:2], Stage.AWAITING_TRAINING),
        (TO_REVIEW[:3], Stage.CHECKING_TRAINING),
        (TO_REVIEW[:4], Stage.AWAITING_VALIDATION),
        (TO_REVIEW, Stage.REVIEWING),
        ([*TO_REVIEW[:4], TextTyped(USER, "skip")], Stage.REVIEWING),
        ([*TO_REVIEW, StartPressed(USER)], Stage.STARTING),
        ([*TO_REVIEW, StartPressed(USER), JobLaunched("job", "arn:job")], Stage.STARTED),
        ([*TO_REVIEW, StartPressed(USER), JobLaunchRefused("no access")], Stage.REVIEWING),
        ([*TO_REVIEW[:3], DatasetRefused(DatasetRole.TRAINING, "errors")], Stage.AWAITING_TRAINING),
        ([*TO_REVIEW[:2], TextTyped(USER, "s3://bucket/train.jsonl")], Stage.CHECKING_TRAINING),
        ([CancelPressed(USER)], Stage.CANCELLED),
        ([*TO_REVIEW, TextTyped(USER, "cancel")], Stage.CANCELLED),
    ],
)
def test_answers_move_the_conversation_to_the_expected_stage(events: list[Event], stage: Stage) -> None:
    assert run(events).conversation.stage is stage


def test_help_me_choose_recommends_conversational_for_chats() -> None:
    step = run([HelpRequested(USER), DataAnswered(USER, "CHATS"), GoalAnswered(USER, "CHATBOT")])
    assert said(step) == ["I recommend *Conversational fine-tuning*."]
    assert "Conversational fine-tuning (recommended)" in labels(step)


@pytest.mark.parametrize("goal", ["FRESH_FACTS", "SMALL_TWEAK"])
def test_help_me_choose_says_when_fine_tuning_is_the_wrong_tool(goal: str) -> None:
    step = run([HelpRequested(USER), DataAnswered(USER, "PAIRS"), GoalAnswered(USER, goal)])
    message = next(e.reply.message for e in step.effects if isinstance(e, Say))
    assert message.text == "Fine-tuning may not be the right tool here."
    assert any("retrieval" in d or "prompt" in d for d in message.details)


def test_the_model_menu_lists_only_models_for_the_type_in_the_region() -> None:
    step = run([TypeChosen(USER, CustomizationType.CONVERSATION)])
    menu = next(e.reply.message.menu for e in step.effects if isinstance(e, Say))
    assert menu is not None
    values = [option.value for option in menu.options]
    assert NOVA in values
    assert all(model.startswith("amazon.nova") for model in values)


@pytest.mark.parametrize(
    ("model_id", "reason"),
    [
        ("meta.llama3-3-70b-instruct-v1:0:128k", "is not available in us-east-1"),
        ("amazon.titan-text-express-v1:0:8k", "does not support"),
        ("gpt-4", "gpt-4"),
    ],
)
def test_an_unusable_model_is_refused_with_the_reason(model_id: str, reason: str) -> None:
    step = run([TypeChosen(USER, CustomizationType.CONVERSATION), ModelChosen(USER, model_id)])
    assert step.conversation.stage is Stage.CHOOSING_MODEL
    assert any(reason in text for text in said(step))


def test_a_file_over_the_upload_cap_is_refused_before_download() -> None:
    big = SlackFile("F2", "huge.jsonl", 50 * 1024 * 1024, "jsonl", "text/plain", "http://files/F2")
    step = run([*TO_REVIEW[:2], FileAttached(USER, big)])
    assert step.conversation.stage is Stage.AWAITING_TRAINING
    assert not any(isinstance(e, CheckDataset) for e in step.effects)
    assert "more than the 10 MB" in said(step)[0]


def test_a_binary_file_is_refused_before_download() -> None:
    pdf = SlackFile("F3", "paper.pdf", 1000, "pdf", "application/pdf", "http://files/F3")
    step = run([*TO_REVIEW[:2], FileAttached(USER, pdf)])
    assert step.conversation.stage is Stage.AWAITING_TRAINING
    assert "not JSON Lines" in said(step)[0]


def test_an_attached_file_is_checked_as_training_data_with_a_progress_message_in_a_slot() -> None:
    step = run(TO_REVIEW[:3])
    busy = step.conversation.busy
    assert busy is not None
    assert step.effects == (
        Say(Reply(Message("Checking `train.jsonl` line by line…")), slot=busy.slot),
        CheckDataset(DatasetRole.TRAINING, JSONL, check=busy.token),
    )


def test_someone_else_gets_a_private_note_and_changes_nothing() -> None:
    before = run(TO_REVIEW[:2]).conversation
    step = advance(before, FileAttached("U2", JSONL), CONTEXT)
    assert step.conversation is before
    assert isinstance(step.effects[0], Whisper)
    assert step.effects[0].user == "U2"


def test_unknown_text_gets_a_hint_not_silence() -> None:
    step = run([*TO_REVIEW[:2], TextTyped(USER, "what now?")])
    assert step.conversation.stage is Stage.AWAITING_TRAINING
    assert "Upload a .jsonl file" in said(step)[0]


@pytest.mark.parametrize(
    ("events", "back_to"),
    [
        ([TypeChosen(USER, CustomizationType.CONVERSATION)], Stage.CHOOSING_TYPE),
        (TO_REVIEW[:2], Stage.CHOOSING_MODEL),
        (TO_REVIEW[:4], Stage.AWAITING_TRAINING),
        (TO_REVIEW, Stage.AWAITING_VALIDATION),
        ([HelpRequested(USER), DataAnswered(USER, "CHATS"), GoalAnswered(USER, "CHATBOT")], Stage.ASKING_GOAL),
    ],
)
def test_back_returns_to_the_previous_question(events: list[Event], back_to: Stage) -> None:
    step = run([*events, BackPressed(USER)])
    assert step.conversation.stage is back_to
    assert said(step)


def test_back_to_the_dataset_forgets_the_checked_file() -> None:
    step = run([*TO_REVIEW[:4], BackPressed(USER)])
    assert step.conversation.training is None


def test_settings_typed_at_the_review_change_hyperparameters() -> None:
    step = run([*TO_REVIEW, TextTyped(USER, "epochCount=3 name=support-bot")])
    assert step.conversation.hyperparameters == {"epochCount": "3"}
    assert step.conversation.name == "support-bot"
    assert said(step)[0].startswith("Review your fine-tuning job")


def test_a_value_out_of_range_is_refused_with_the_range() -> None:
    step = run([*TO_REVIEW, TextTyped(USER, "epochCount=9")])
    assert step.conversation.hyperparameters == {}
    message = next(e.reply.message for e in step.effects if isinstance(e, Say))
    assert any("between 1 and 5" in detail and "9" in detail for detail in message.details)


def test_the_review_shows_the_cost_and_a_start_button() -> None:
    step = run(TO_REVIEW)
    message = next(e.reply.message for e in step.effects if isinstance(e, Say))
    assert "Start fine-tuning" in [button.label for button in message.buttons]
    assert any("Training" in detail for detail in message.details)
    assert dict(message.facts)["Training data"].startswith("`train.jsonl`: 50 records")


def test_start_pressed_again_while_starting_says_what_is_happening_and_launches_once() -> None:
    starting = run([*TO_REVIEW, StartPressed(USER)])
    assert starting.effects == (LaunchJob(),)
    again = advance(starting.conversation, StartPressed(USER), CONTEXT)
    assert again.conversation is starting.conversation
    (note,) = again.effects
    assert isinstance(note, Whisper)
    assert "being created" in note.text
    started = advance(starting.conversation, JobLaunched("job", "arn"), CONTEXT)
    after = advance(started.conversation, StartPressed(USER), CONTEXT)
    assert after.conversation is started.conversation
    assert isinstance(after.effects[0], Whisper)


def test_a_queued_validation_uri_is_checked_after_the_training_file() -> None:
    conversation = run(TO_REVIEW[:3]).conversation.model_copy(update={"queued_validation_uri": "s3://b/v.jsonl"})
    step = advance(conversation, DatasetAccepted(DatasetRole.TRAINING, SUMMARY), CONTEXT)
    assert step.conversation.stage is Stage.CHECKING_VALIDATION
    busy = step.conversation.busy
    assert busy is not None
    assert step.effects[-1] == CheckDataset(DatasetRole.VALIDATION, "s3://b/v.jsonl", check=busy.token)
