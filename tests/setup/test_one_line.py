"""The one-line setup: checked options become a conversation that goes to the review once its data passes."""

from __future__ import annotations

from datetime import UTC, datetime

from workflows.catalogue.loader import load_catalogue
from workflows.setup.effects import CheckDataset, Say
from workflows.setup.events import BackPressed, DatasetAccepted, StartPressed, TextTyped
from workflows.setup.machine import Context, advance
from workflows.setup.model import Conversation, DatasetRole, DatasetSummary, Stage
from workflows.setup.one_line import OneLinePlan, plan_one_line

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
CONTEXT = Context(catalogue=load_catalogue(), region="us-east-1", max_upload_bytes=10 * 1024 * 1024, now=NOW)
NOVA = "amazon.nova-micro-v1:0:128k"
OPTIONS = {"type": "conversation", "model": NOVA, "data": "s3://bucket/train.jsonl"}
TRAINING = DatasetSummary(source="s3", name="train.jsonl", uri=OPTIONS["data"], size_bytes=10, records=50, tokens=900)
VALIDATION = TRAINING.model_copy(update={"name": "valid.jsonl", "uri": "s3://bucket/valid.jsonl"})


def planned(options: dict[str, str]) -> Conversation:
    plan = plan_one_line(options, CONTEXT)
    assert isinstance(plan, OneLinePlan)
    step = plan.start(team="T", channel="C", thread_ts="1.0", user="U1", context=CONTEXT)
    assert step.conversation.stage is Stage.CHECKING_TRAINING
    assert step.conversation.busy is not None
    assert step.effects[-1] == CheckDataset(DatasetRole.TRAINING, options["data"], check=step.conversation.busy.token)
    return step.conversation


def say(effects: tuple[object, ...]) -> Say:
    (said,) = [effect for effect in effects if isinstance(effect, Say)]
    return said


def test_without_validation_the_passing_training_file_leads_to_the_review_with_start() -> None:
    step = advance(planned(OPTIONS), DatasetAccepted(DatasetRole.TRAINING, TRAINING), CONTEXT)
    assert step.conversation.stage is Stage.REVIEWING
    review = say(step.effects).reply.message
    assert review.text.startswith("Review your fine-tuning job")
    assert "Start fine-tuning" in [button.label for button in review.buttons]
    validation_line = dict(review.facts)["Validation data"]
    assert validation_line.startswith("none given")
    assert "press *Back*" in validation_line


def test_back_from_that_review_asks_for_the_validation_file() -> None:
    review = advance(planned(OPTIONS), DatasetAccepted(DatasetRole.TRAINING, TRAINING), CONTEXT)
    back = advance(review.conversation, BackPressed("U1"), CONTEXT)
    assert back.conversation.stage is Stage.AWAITING_VALIDATION
    assert "Do you have a validation file?" in say(back.effects).reply.message.text
    checking = advance(back.conversation, TextTyped("U1", VALIDATION.uri), CONTEXT).conversation
    again = advance(checking, DatasetAccepted(DatasetRole.VALIDATION, VALIDATION), CONTEXT)
    assert again.conversation.stage is Stage.REVIEWING
    assert dict(say(again.effects).reply.message.facts)["Validation data"].startswith("`valid.jsonl`")


def test_start_from_that_review_launches() -> None:
    review = advance(planned(OPTIONS), DatasetAccepted(DatasetRole.TRAINING, TRAINING), CONTEXT)
    assert advance(review.conversation, StartPressed("U1"), CONTEXT).conversation.stage is Stage.STARTING


def test_with_validation_the_validation_file_is_checked_next() -> None:
    conversation = planned({**OPTIONS, "validation": "s3://bucket/valid.jsonl"})
    step = advance(conversation, DatasetAccepted(DatasetRole.TRAINING, TRAINING), CONTEXT)
    assert step.conversation.stage is Stage.CHECKING_VALIDATION
    busy = step.conversation.busy
    assert busy is not None
    assert step.effects[-1] == CheckDataset(DatasetRole.VALIDATION, "s3://bucket/valid.jsonl", check=busy.token)


def test_a_training_file_passing_again_after_going_back_asks_for_validation() -> None:
    review = advance(planned(OPTIONS), DatasetAccepted(DatasetRole.TRAINING, TRAINING), CONTEXT)
    validation = advance(review.conversation, BackPressed("U1"), CONTEXT).conversation
    training = advance(validation, BackPressed("U1"), CONTEXT).conversation
    assert training.stage is Stage.AWAITING_TRAINING
    checking = training.model_copy(update={"stage": Stage.CHECKING_TRAINING})
    step = advance(checking, DatasetAccepted(DatasetRole.TRAINING, TRAINING), CONTEXT)
    assert step.conversation.stage is Stage.AWAITING_VALIDATION


def test_a_type_the_conversation_does_not_offer_yet_is_refused_in_words() -> None:
    problems = plan_one_line({**OPTIONS, "type": "reinforcement"}, CONTEXT)
    assert problems == [
        "reinforcement is not offered here yet: use instruction, continued-pretraining or conversation."
    ]
