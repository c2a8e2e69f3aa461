"""Distillation from model invocation logs over HTTP: logging off explained, then on, one job reading the logs;
logging moved before Start creates no job."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.integration.test_prompt_types_flow import open_thread
from tests.support.stack import CHANNEL, REPLY_WAIT, Stack, full_text
from workflows.catalogue.loader import load_catalogue

pytestmark = pytest.mark.integration

TEACHER = "amazon.nova-pro-v1:0"
DISTILLATION_CONFIG = {
    "distillationConfig": {
        "teacherModelConfig": {"teacherModelIdentifier": TEACHER, "maxResponseLengthForInference": 1000}
    }
}


def turn_logging_on(stack: Stack, *, bucket: str, prefix: str) -> None:
    """What the person does in the Bedrock console: text logs delivered to S3."""
    stack.bedrock().put_model_invocation_logging_configuration(
        loggingConfig={"s3Config": {"bucketName": bucket, "keyPrefix": prefix}, "textDataDeliveryEnabled": True}
    )


def reviews(stack: Stack, thread: str) -> int:
    """How many reviews the thread shows."""
    return sum("Review your fine-tuning job" in full_text(m) for m in stack.emulator.messages(CHANNEL, thread))


def the_job(stack: Stack) -> dict[str, Any]:
    jobs = stack.jobs()
    assert len(jobs) == 1
    job: dict[str, Any] = stack.bedrock().get_model_customization_job(jobIdentifier=jobs[0]["jobName"])
    return job


def test_distillation_from_invocation_logs_checks_logging_then_starts_one_job_reading_them(stack: Stack) -> None:
    thread = open_thread(stack)
    stack.driver.click("Distillation", thread_ts=thread)
    stack.reply(thread, "Which base model?")
    stack.driver.choose("Nova Micro", thread_ts=thread)
    stack.reply(thread, "Which teacher should write the answers")
    stack.driver.click("Nova Pro", thread_ts=thread)
    stack.reply(thread, "Now the training data")
    stack.driver.click("Use invocation logs", thread_ts=thread)
    stack.reply(thread, "Where are the model invocation logs")

    stack.driver.message('s3://app-logs/bedrock/ filters="project=support te#am!=qa"', thread_ts=thread)
    refused = full_text(stack.reply(thread, "I could not use that."))
    assert "`te#am!=qa`: metadata keys and values may hold only" in refused

    stack.driver.message('s3://app-logs/bedrock/ filters="project=support team!=qa"', thread_ts=thread)
    off = full_text(stack.reply(thread, "The job would find no invocation logs to distill from."))
    assert "Model invocation logging does not deliver to S3 in us-east-1" in off
    assert "aws bedrock put-model-invocation-logging-configuration --region us-east-1" in off
    assert '"bucketName":"app-logs","keyPrefix":"bedrock/"' in off
    assert stack.jobs() == []

    turn_logging_on(stack, bucket="app-logs", prefix="bedrock/")
    stack.driver.click("Check logging again", thread_ts=thread)
    on = full_text(stack.reply(thread, "Model invocation logging is on in us-east-1"))
    assert "`s3://app-logs/bedrock/`" in on
    review = full_text(stack.reply(thread, "Review your fine-tuning job"))
    assert "cost unknown until the job reads the invocation logs" in review
    assert "requests with `project=support` and `team!=qa`" in review
    assert "Teacher writing the answers: unknown" in review
    price = load_catalogue().teacher(TEACHER).output_per_1k_tokens.usd
    assert price is not None
    assert f"at most ${price * 15_000:,.2f}" in review
    assert not re.search(r"\$0\.00(?!\d)", review)

    stack.driver.click("Start fine-tuning", thread_ts=thread)
    started = full_text(stack.reply(thread, "Started fine-tuning job"))
    assert "unknown until the job reads the invocation logs" in started
    stack.driver.click("Start fine-tuning", thread_ts=thread)
    job = the_job(stack)
    assert job["customizationType"] == "DISTILLATION"
    assert job["trainingDataConfig"] == {
        "invocationLogsConfig": {
            "invocationLogSource": {"s3Uri": "s3://app-logs/bedrock/"},
            "usePromptResponse": False,
            "requestMetadataFilters": {"andAll": [{"equals": {"project": "support"}}, {"notEquals": {"team": "qa"}}]},
        }
    }
    assert job["customizationConfig"] == DISTILLATION_CONFIG
    assert "validationDataConfig" not in job or not job["validationDataConfig"].get("validators")
    assert len(stack.jobs()) == 1


def test_the_one_line_setup_reads_invocation_logs_after_checking_logging(stack: Stack) -> None:
    turn_logging_on(stack, bucket="app-logs", prefix="")
    command = (
        "new type=distillation model=amazon.nova-micro-v1:0:128k teacher=amazon.nova-pro-v1:0 "
        "source=invocation-logs logs=s3://app-logs/ responses=logged"
    )
    assert stack.driver.slash_command(command).status == 200
    thread = stack.root().ts
    stack.reply(thread, "Model invocation logging is on in us-east-1")
    review = full_text(stack.reply(thread, "Review your fine-tuning job"))
    assert "every request logged there; the logged responses as the answers" in review
    assert "Teacher writing" not in review

    turn_logging_on(stack, bucket="other-logs", prefix="")  # moved between the review and Start
    stack.driver.click("Start fine-tuning", thread_ts=thread)
    moved = full_text(stack.reply(thread, "The job would find no invocation logs to distill from."))
    assert "delivers to `s3://other-logs/`, not to `s3://app-logs/`" in moved
    assert stack.jobs() == []

    turn_logging_on(stack, bucket="app-logs", prefix="")
    stack.driver.click("Check logging again", thread_ts=thread)
    stack.emulator.wait_for(lambda: reviews(stack, thread) == 2, REPLY_WAIT, "the review again")
    stack.driver.click("Start fine-tuning", thread_ts=thread)
    stack.reply(thread, "Started fine-tuning job")
    job = the_job(stack)
    assert job["trainingDataConfig"] == {
        "invocationLogsConfig": {"invocationLogSource": {"s3Uri": "s3://app-logs/"}, "usePromptResponse": True}
    }
    assert job["customizationConfig"] == DISTILLATION_CONFIG
