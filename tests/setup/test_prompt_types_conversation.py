"""Distillation and reinforcement fine-tuning in the conversation: teacher, grader, *Test my grader*, review."""

from __future__ import annotations

import json

from workflows.dataset_rules import CustomizationType
from workflows.messages import Message
from workflows.ports import GraderReply
from workflows.setup import effects, grader
from workflows.setup.effects import CheckGrader, LaunchJob, Say
from workflows.setup.events import (
    BackPressed,
    DatasetAccepted,
    Event,
    FileAttached,
    GraderChecked,
    GraderTested,
    GraderTestPressed,
    ModelChosen,
    StartPressed,
    TeacherChosen,
    TextTyped,
    TypeChosen,
    ValidationSkipped,
)
from workflows.setup.model import DatasetRole, DatasetSummary, Stage

from .test_conversation import JSONL, NOVA, USER, labels, run, said

NOVA_2_LITE = "amazon.nova-2-lite-v1:0:256k"
GRADER = "arn:aws:lambda:us-east-1:123456789012:function:grader"
RECORD = json.dumps({"messages": [{"role": "user", "content": "2+2?"}], "reference_answer": "4", "task": "t1"})
PROMPTS = DatasetSummary(
    source="slack",
    name="train.jsonl",
    uri="s3://b/k.jsonl",
    size_bytes=2048,
    records=120,
    tokens=6000,
    longest_tokens=80,
    samples=(RECORD,),
)
DISTILLATION: list[Event] = [
    TypeChosen(USER, CustomizationType.DISTILLATION),
    ModelChosen(USER, NOVA),
    TeacherChosen(USER, "amazon.nova-pro-v1:0"),
    FileAttached(USER, JSONL),
    DatasetAccepted(DatasetRole.TRAINING, PROMPTS),
    ValidationSkipped(USER),
]
REINFORCEMENT: list[Event] = [
    TypeChosen(USER, CustomizationType.REINFORCEMENT),
    ModelChosen(USER, NOVA_2_LITE),
    TextTyped(USER, GRADER),
    GraderChecked(GRADER),
    FileAttached(USER, JSONL),
    DatasetAccepted(DatasetRole.TRAINING, PROMPTS),
    ValidationSkipped(USER),
]


def review_text(step: object) -> str:
    messages = [e.reply.message for e in step.effects if isinstance(e, Say)]  # type: ignore[attr-defined]
    review = next(m for m in messages if m.text.startswith("Review"))
    return "\n".join([review.text, *(f"{k}: {v}" for k, v in review.facts), *review.details])


def test_distillation_asks_for_a_teacher_among_the_students_teachers() -> None:
    step = run(DISTILLATION[:2])
    assert step.conversation.stage is Stage.CHOOSING_TEACHER
    assert labels(step)[:2] == ["Nova Pro", "Nova Premier"]
    refused = run([TeacherChosen(USER, "meta.llama3-1-405b-instruct-v1:0")], step.conversation)
    assert refused.conversation.stage is Stage.CHOOSING_TEACHER
    assert "cannot teach Nova Micro" in said(refused)[0]


def test_the_distillation_review_bills_the_teacher_and_names_it() -> None:
    text = review_text(run(DISTILLATION))
    assert "Teacher: `amazon.nova-pro-v1:0`" in text
    assert "Teacher writing the answers" in text
    assert "maxResponseLengthForInference=1000" in text
    assert "up to $0.39 for the teacher's answers" in text  # 6,000 × $0.0008 + 120 × 1,000 × $0.0032, per 1K


def test_distillation_takes_its_one_setting_at_the_review_and_refuses_others() -> None:
    step = run(DISTILLATION)
    changed = run([TextTyped(USER, "maxResponseLengthForInference=200")], step.conversation)
    assert changed.conversation.hyperparameters == {"maxResponseLengthForInference": "200"}
    refused = run([TextTyped(USER, "epochCount=3")], step.conversation)
    assert refused.conversation is step.conversation
    assert "not a setting of a distillation job" in " ".join(
        d for e in refused.effects if isinstance(e, Say) for d in e.reply.message.details
    )


def test_reinforcement_asks_for_the_grader_and_looks_it_up() -> None:
    step = run(REINFORCEMENT[:2])
    assert step.conversation.stage is Stage.AWAITING_GRADER
    typed = run([TextTyped(USER, GRADER)], step.conversation)
    assert typed.effects[-1] == CheckGrader(GRADER)
    missing = run([GraderChecked(GRADER, problem="There is no Lambda function")], typed.conversation)
    assert missing.conversation.stage is Stage.AWAITING_GRADER
    assert said(missing) == ["There is no Lambda function"]
    found = run([GraderChecked(GRADER)], typed.conversation)
    assert found.conversation.stage is Stage.AWAITING_TRAINING
    assert found.conversation.grader_arn == GRADER


def test_a_grader_in_another_region_or_not_an_arn_is_refused_without_a_call() -> None:
    step = run(REINFORCEMENT[:2])
    elsewhere = run([TextTyped(USER, GRADER.replace("us-east-1", "eu-west-1"))], step.conversation)
    assert not any(isinstance(e, CheckGrader) for e in elsewhere.effects)
    assert "jobs here run in us-east-1" in said(elsewhere)[0]
    junk = run([TextTyped(USER, "grader please")], step.conversation)
    assert "is not a Lambda function ARN" in said(junk)[0]


def test_a_late_answer_about_another_grader_is_ignored() -> None:
    typed = run([*REINFORCEMENT[:3]])
    assert run([GraderChecked(GRADER + "-old")], typed.conversation).conversation is typed.conversation


def test_the_reinforcement_review_offers_test_my_grader_and_shows_cost_per_hour() -> None:
    step = run(REINFORCEMENT)
    assert "Test my grader" in labels(step)
    text = review_text(step)
    assert "not tested yet" in text
    assert "per training hour" in text or "training price unknown" in text
    assert "AWS Lambda bills those invocations" in text


def test_test_my_grader_sends_the_samples_and_a_failed_test_holds_start() -> None:
    step = run(REINFORCEMENT)
    pressed = run([GraderTestPressed(USER)], step.conversation)
    assert pressed.effects[-1] == effects.TestGrader(GRADER, (RECORD,))
    failed = run(
        [GraderTested(GRADER, False, Message("Your grader raised an error instead of answering."))], step.conversation
    )
    assert failed.conversation.grader_test == "failed"
    held = run([StartPressed(USER)], failed.conversation)
    assert held.conversation.stage is Stage.REVIEWING
    assert not any(isinstance(e, LaunchJob) for e in held.effects)
    fixed = run([GraderTested(GRADER, True, Message("Your grader works"))], failed.conversation)
    assert run([StartPressed(USER)], fixed.conversation).effects == (LaunchJob(),)


def test_max_prompt_length_shorter_than_the_longest_prompt_is_refused_at_the_review() -> None:
    step = run(REINFORCEMENT)
    refused = run([TextTyped(USER, "maxPromptLength=50")], step.conversation)
    assert refused.conversation is step.conversation
    details = " ".join(d for e in refused.effects if isinstance(e, Say) for d in e.reply.message.details)
    assert "shorter than the longest prompt" in details
    accepted = run([TextTyped(USER, "maxPromptLength=100 reasoningEffort=low")], step.conversation)
    assert accepted.conversation.hyperparameters == {"maxPromptLength": "100", "reasoningEffort": "low"}


def test_back_from_the_training_question_returns_to_the_grader_and_forgets_it() -> None:
    step = run(REINFORCEMENT[:4])
    back = run([BackPressed(USER)], step.conversation)
    assert back.conversation.stage is Stage.AWAITING_GRADER
    assert back.conversation.grader_arn is None


def test_the_grader_is_sent_what_bedrock_sends_with_a_plausible_answer() -> None:
    (item,) = grader.test_items((RECORD,))
    assert item["id"] == "sample-1"
    assert item["messages"][-1] == {"role": "assistant", "content": "4"}
    assert item["metadata"] == {"reference_answer": "4", "task": "t1"}


def test_judging_the_graders_answer_explains_each_wrong_shape() -> None:
    items = grader.test_items((RECORD, RECORD.replace('"4"', '"5"')))
    ok, message = grader.judge(
        items,
        GraderReply(
            payload=[{"id": "sample-1", "aggregate_reward_score": 1}, {"id": "sample-2", "aggregate_reward_score": 0.0}]
        ),
    )
    assert ok
    assert "scored 2 records" in message.text
    cases = [
        ({"scores": [1, 0]}, "It answered an object, not a list."),
        (
            [{"id": "sample-1", "aggregate_reward_score": "1.0"}, {"id": "sample-2", "aggregate_reward_score": 0}],
            "not a number",
        ),
        ([{"aggregate_reward_score": 1}, {"id": "sample-2", "aggregate_reward_score": 0}], "Item 1 has no `id`."),
        (
            [{"id": "sample-1", "score": 1}, {"id": "sample-2", "aggregate_reward_score": 0}],
            "has no `aggregate_reward_score`",
        ),
        (
            [{"id": "sample-1", "aggregate_reward_score": True}, {"id": "sample-2", "aggregate_reward_score": 0}],
            "not a number",
        ),
        ([{"id": "sample-1", "aggregate_reward_score": 1}], "It answered 1 items for the 2 it was sent."),
        (
            [{"id": "x", "aggregate_reward_score": 1}, {"id": "sample-2", "aggregate_reward_score": 0}],
            "which was not sent",
        ),
    ]
    for payload, problem in cases:
        ok, message = grader.judge(items, GraderReply(payload=payload))
        assert not ok
        assert problem in message.details[0], (payload, message.details)
        assert "aggregate_reward_score" in message.details[1]
    ok, message = grader.judge(items, GraderReply(error="KeyError: 'reference_answer'"))
    assert not ok
    assert message.text == "Your grader raised an error instead of answering."
    assert "KeyError" in message.details[0]
