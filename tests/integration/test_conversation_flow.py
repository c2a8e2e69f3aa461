"""The whole setup conversation over HTTP: from ``/finetune`` to exactly one Bedrock job, for each type."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from bot.sandbox.samples import (
    CONTINUED_PRETRAINING,
    CONVERSATION,
    CONVERSATION_WITH_MISTAKES,
    INSTRUCTION,
    sample_bytes,
)
from tests.support.stack import BUCKET, CHANNEL, ROLE_ARN, USER, Stack, full_text

pytestmark = pytest.mark.integration


@dataclass(frozen=True)
class Case:
    type_label: str
    model_label: str
    model_id: str
    bedrock_type: str
    sample: str
    epochs: str


CASES = [
    Case(
        "Instruction fine-tuning",
        "Titan Text G1 Express",
        "amazon.titan-text-express-v1:0:8k",
        "FINE_TUNING",
        INSTRUCTION,
        "5",
    ),
    Case(
        "Continued pre-training",
        "Titan Text G1 Lite",
        "amazon.titan-text-lite-v1:0:4k",
        "CONTINUED_PRE_TRAINING",
        CONTINUED_PRETRAINING,
        "5",
    ),
    Case("Conversational fine-tuning", "Nova Micro", "amazon.nova-micro-v1:0:128k", "FINE_TUNING", CONVERSATION, "2"),
]


def open_thread(stack: Stack) -> str:
    assert stack.driver.slash_command("").status == 200
    thread = stack.root().ts
    stack.reply(thread, "What kind of customization do you want?")
    return thread


def reach_review(stack: Stack, case: Case) -> str:
    thread = open_thread(stack)
    stack.driver.click(case.type_label, thread_ts=thread)
    stack.reply(thread, "Which base model?")
    stack.driver.choose(case.model_label, thread_ts=thread)
    stack.reply(thread, "Now the training data")
    stack.driver.upload_file("train.jsonl", sample_bytes(case.sample), thread_ts=thread)
    stack.reply(thread, "is ready")
    stack.reply(thread, "Do you have a validation file?")
    stack.driver.click("Skip validation", thread_ts=thread)
    stack.reply(thread, "Review your fine-tuning job")
    return thread


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.bedrock_type + "-" + case.sample)
def test_the_full_conversation_creates_exactly_one_correct_job(stack: Stack, case: Case) -> None:
    thread = reach_review(stack, case)
    stack.driver.click("Start fine-tuning", thread_ts=thread)
    stack.reply(thread, "Started fine-tuning job")

    jobs = stack.jobs()
    assert len(jobs) == 1
    job = stack.bedrock().get_model_customization_job(jobIdentifier=jobs[0]["jobName"])
    assert job["baseModelArn"].endswith(case.model_id) or case.model_id in job["baseModelArn"]
    assert job["customizationType"] == case.bedrock_type
    assert job["roleArn"] == ROLE_ARN
    assert job["hyperParameters"]["epochCount"] == case.epochs
    assert job["outputDataConfig"]["s3Uri"].startswith(f"s3://{BUCKET}/finetune-bot/output/")
    tags = stack.bedrock().list_tags_for_resource(resourceARN=job["jobArn"])["tags"]
    assert {"key": "finetune-bot:user", "value": USER} in tags
    assert {"key": "finetune-bot:channel", "value": CHANNEL} in tags

    bucket, _, key = job["trainingDataConfig"]["s3Uri"].removeprefix("s3://").partition("/")
    stored = stack.s3().get_object(Bucket=bucket, Key=key)["Body"].read()
    assert stored == sample_bytes(case.sample)


def test_errors_are_named_by_line_and_a_fixed_file_continues(stack: Stack) -> None:
    thread = open_thread(stack)
    stack.driver.click("Conversational fine-tuning", thread_ts=thread)
    stack.reply(thread, "Which base model?")
    stack.driver.choose("Nova Micro", thread_ts=thread)
    stack.reply(thread, "Now the training data")
    stack.driver.upload_file("train.jsonl", sample_bytes(CONVERSATION_WITH_MISTAKES), thread_ts=thread)
    text = full_text(stack.reply(thread, "problems to fix before training"))
    assert "Line 3" in text
    assert "Line 7" in text
    assert stack.jobs() == []

    stack.driver.upload_file("train-fixed.jsonl", sample_bytes(CONVERSATION), thread_ts=thread)
    stack.reply(thread, "`train-fixed.jsonl` is ready")
    stack.reply(thread, "Do you have a validation file?")
