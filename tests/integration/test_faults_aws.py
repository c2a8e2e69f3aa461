"""AWS failing or the bot dying under a running setup: the setup recovers by itself, and every job is watched once.

The bot reaches moto through ``AwsProxy``, which holds or fails named operations; the bot is
killed with SIGKILL as a crash would, and restarted on the same Redis.
"""

from __future__ import annotations

import time
from functools import partial
from typing import Any

import pytest

from bot.sandbox.records import Ephemeral
from bot.sandbox.samples import CONVERSATION, sample_bytes
from tests.integration.test_conversation_flow import CASES, open_thread, reach_review
from tests.jobs.monitoring.live import ENDINGS, newest_ephemeral
from tests.jobs.monitoring.moto_jobs import TITAN_LITE, set_status
from tests.support.aws_proxy import CREATE_CUSTOMIZATION_JOB, S3_GET_OBJECT
from tests.support.fault_stack import FaultStack, faulty
from tests.support.stack import BUCKET, CHANNEL, ROLE_ARN, USER, Stack, full_text
from workflows import keys
from workflows.jobs.job import JobStatus

pytestmark = pytest.mark.integration

__all__ = ["faulty"]

NOVA = CASES[2]
#: A recovery must be visible within this many seconds (deadline plus a few ticks and S3 retries).
BOUNDED = 45


def thread_mentions(stack: Stack, thread: str, text: str) -> list[str]:
    return [full_text(m) for m in stack.emulator.messages(CHANNEL, thread) if m.from_bot and text in full_text(m)]


def channel_notices(stack: Stack, job_name: str) -> list[str]:
    texts = [m.text for m in stack.emulator.messages(CHANNEL) if m.from_bot]
    return [text for text in texts if f"`{job_name}`" in text and text.endswith(ENDINGS)]


#: What a Start click may hear while a launch is being resolved, and once it is.
START_ANSWERS = ("being created", "looking it up in Bedrock", "already started")


def new_ephemerals(stack: Stack, seen: int) -> list[Ephemeral]:
    return stack.emulator.ephemerals(CHANNEL, USER)[seen:]


def start_until_already_started(stack: Stack, thread: str) -> None:
    """Click Start until the setup says its job already started; every answer on the way says what is happening."""
    deadline = time.monotonic() + BOUNDED
    while True:
        seen = len(stack.emulator.ephemerals(CHANNEL, USER))
        stack.driver.click("Start fine-tuning", thread_ts=thread)
        answers = stack.emulator.wait_for(partial(new_ephemerals, stack, seen), 10, "an answer to the Start click")
        assert any(expected in answers[0].text for expected in START_ANSWERS), answers[0].text
        if "already started" in answers[0].text:
            return
        assert time.monotonic() < deadline, "the setup never said its job had started"
        time.sleep(1)


@pytest.mark.parametrize("kind", ["drop", "500"])
def test_s3_failing_during_a_check_answers_the_person_and_a_new_try_goes_on(faulty: FaultStack, kind: str) -> None:
    stack = faulty.stack
    stack.s3().put_object(Bucket=BUCKET, Key="data/train.jsonl", Body=sample_bytes(CONVERSATION))
    thread = open_thread(stack)
    stack.driver.click("Conversational fine-tuning", thread_ts=thread)
    stack.reply(thread, "Which base model?")
    stack.driver.choose("Nova Micro", thread_ts=thread)
    stack.reply(thread, "Now the training data")
    faulty.proxy.fail(S3_GET_OBJECT, kind, times=None)

    stack.driver.message(f"s3://{BUCKET}/data/train.jsonl", thread_ts=thread)

    refusal = full_text(stack.reply(thread, "I could not", timeout=BOUNDED))
    assert "`train.jsonl`" in refusal
    assert "again" in refusal
    assert thread_mentions(stack, thread, "line by line") == []
    assert faulty.proxy.failed(S3_GET_OBJECT) >= 1
    faulty.proxy.clear()
    stack.driver.message(f"s3://{BUCKET}/data/train.jsonl", thread_ts=thread)
    stack.reply(thread, "Do you have a validation file?", timeout=BOUNDED)


def test_start_clicked_while_bedrock_holds_the_create_says_what_is_happening(faulty: FaultStack) -> None:
    stack = faulty.stack
    thread = reach_review(stack, NOVA)
    held = faulty.proxy.hold(CREATE_CUSTOMIZATION_JOB)
    stack.driver.click("Start fine-tuning", thread_ts=thread)
    held.wait_until_held(10)

    stack.driver.click("Start fine-tuning", thread_ts=thread)

    note = newest_ephemeral(stack.emulator, USER, "being created", timeout=10)
    assert "has not confirmed it yet" in note
    held.release()
    stack.reply(thread, "Started fine-tuning job", timeout=BOUNDED)
    assert len(stack.jobs()) == 1


def test_a_bot_killed_while_bedrock_holds_the_create_adopts_the_one_job_after_restart(faulty: FaultStack) -> None:
    stack = faulty.stack
    thread = reach_review(stack, NOVA)
    held = faulty.proxy.hold(CREATE_CUSTOMIZATION_JOB)
    stack.driver.click("Start fine-tuning", thread_ts=thread)
    held.wait_until_held(10)

    stack.bot.kill()
    held.release()
    stack.emulator.wait_for(lambda: len(stack.jobs()) == 1, 10, "Bedrock to have the job")
    stack.restart()

    (job,) = stack.jobs()
    name = job["jobName"]
    stack.emulator.wait_for(lambda: thread_mentions(stack, thread, f"`{name}`"), BOUNDED, "the job's status message")
    assert len(thread_mentions(stack, thread, f"`{name}`")) == 1
    assert faulty.redis.sismember(keys.WATCHED_JOBS, name)
    start_until_already_started(stack, thread)
    assert len(stack.jobs()) == 1

    set_status(name, JobStatus.COMPLETED)
    stack.emulator.wait_for(lambda: channel_notices(stack, name), BOUNDED, "the completion notice")
    time.sleep(3)
    assert len(channel_notices(stack, name)) == 1


def test_a_launch_lost_before_bedrock_took_it_gives_start_back(faulty: FaultStack) -> None:
    stack = faulty.stack
    thread = reach_review(stack, NOVA)
    held = faulty.proxy.hold(CREATE_CUSTOMIZATION_JOB)
    stack.driver.click("Start fine-tuning", thread_ts=thread)
    held.wait_until_held(10)

    stack.bot.kill()
    held.abandon()
    stack.restart()

    stack.reply(thread, "The job was not created", timeout=BOUNDED)
    assert stack.jobs() == []
    stack.reply(thread, "Review your fine-tuning job")
    stack.driver.click("Start fine-tuning", thread_ts=thread)
    stack.reply(thread, "Started fine-tuning job", timeout=BOUNDED)
    assert len(stack.jobs()) == 1


def test_a_running_job_with_the_bots_tags_and_no_record_is_adopted_in_its_thread(faulty: FaultStack) -> None:
    stack = faulty.stack
    thread = open_thread(stack)
    team = stack.emulator.workspace.team_id
    bedrock: Any = stack.bedrock()
    bedrock.create_model_customization_job(
        jobName="orphan-job",
        customModelName="orphan-model",
        roleArn=ROLE_ARN,
        baseModelIdentifier=TITAN_LITE,
        trainingDataConfig={"s3Uri": f"s3://{BUCKET}/data/train.jsonl"},
        outputDataConfig={"s3Uri": f"s3://{BUCKET}/out/"},
        hyperParameters={"epochCount": "2"},
        jobTags=[
            {"key": "finetune-bot:user", "value": USER},
            {"key": "finetune-bot:channel", "value": CHANNEL},
            {"key": "finetune-bot:team", "value": team},
            {"key": "finetune-bot:conversation", "value": f"{team}:{CHANNEL}:{thread}"},
        ],
    )

    stack.emulator.wait_for(lambda: thread_mentions(stack, thread, "`orphan-job`"), BOUNDED, "the adopted job's status")
    assert faulty.redis.sismember(keys.WATCHED_JOBS, "orphan-job")
    set_status("orphan-job", JobStatus.FAILED, failure_message="Internal error")
    stack.emulator.wait_for(lambda: channel_notices(stack, "orphan-job"), BOUNDED, "the failure notice")
