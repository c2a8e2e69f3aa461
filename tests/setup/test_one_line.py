"""The one-line setup: checked options become a conversation that goes to the review once its data passes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from workflows.catalogue.loader import load_catalogue
from workflows.dataset_rules import CustomizationType
from workflows.setup.effects import CheckDataset, CheckGrader, Say
from workflows.setup.events import BackPressed, DatasetAccepted, GraderChecked, StartPressed, TextTyped
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
    plan = plan_one_line(options, CONTEXT, team="T1", channel="C1")
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


def test_distillation_in_one_line_names_its_teacher_and_starts_with_the_data_check() -> None:
    options = {"type": "distillation", "model": NOVA, "data": OPTIONS["data"], "teacher": "amazon.nova-pro-v1:0"}
    conversation = planned({**options, "maxResponseLengthForInference": "600"})
    assert conversation.customization is CustomizationType.DISTILLATION
    assert conversation.teacher_id == "amazon.nova-pro-v1:0"
    assert conversation.hyperparameters == {"maxResponseLengthForInference": "600"}


def test_reinforcement_in_one_line_looks_the_grader_up_before_the_data() -> None:
    arn = "arn:aws:lambda:us-east-1:123456789012:function:grader"
    options = {"type": "rft", "model": "amazon.nova-2-lite-v1:0:256k", "data": OPTIONS["data"], "grader": arn}
    plan = plan_one_line({**options, "batchSize": "32"}, CONTEXT, team="T1", channel="C1")
    assert isinstance(plan, OneLinePlan)
    step = plan.start(team="T", channel="C", thread_ts="1.0", user="U1", context=CONTEXT)
    assert step.conversation.stage is Stage.AWAITING_GRADER
    assert step.effects[-1] == CheckGrader(arn)
    found = advance(step.conversation, GraderChecked(arn), CONTEXT)
    assert found.conversation.stage is Stage.CHECKING_TRAINING
    assert found.conversation.grader_arn == arn
    assert isinstance(found.effects[-1], CheckDataset)
    assert found.effects[-1].source == OPTIONS["data"]


@pytest.mark.parametrize(
    ("options", "problem"),
    [
        ({"type": "distillation"}, "`teacher=` is required for distillation"),
        (
            {"type": "distillation", "teacher": "meta.llama3-1-405b-instruct-v1:0"},
            "cannot teach Nova Micro in us-east-1",
        ),
        ({"type": "distillation", "teacher": "amazon.nova-pro-v1:0", "epochs": "3"}, "`epochs=` does not apply"),
        (
            {"type": "distillation", "teacher": "amazon.nova-pro-v1:0", "maxResponseLengthForInference": "x"},
            "whole number",
        ),
        ({"type": "reinforcement", "model": "amazon.nova-2-lite-v1:0:256k"}, "`grader=` is required"),
        (
            {
                "type": "reinforcement",
                "model": "amazon.nova-2-lite-v1:0:256k",
                "grader": "arn:aws:lambda:us-west-2:123456789012:function:g",
            },
            "jobs here run in us-east-1",
        ),
        (
            {"type": "reinforcement", "model": "amazon.nova-2-lite-v1:0:256k", "grader": "my-grader"},
            "is not a Lambda function ARN",
        ),
        (
            {"grader": "arn:aws:lambda:us-east-1:123456789012:function:g"},
            "`grader=` goes with `type=reinforcement` only",
        ),
    ],
)
def test_one_line_problems_with_the_new_types_are_named(options: dict[str, str], problem: str) -> None:
    problems = plan_one_line({**OPTIONS, **options}, CONTEXT, team="T1", channel="C1")
    assert isinstance(problems, list)
    assert any(problem in found for found in problems), problems
