"""Job monitoring over HTTP: the bot as a subprocess, the Slack emulator, moto in server mode and real Redis."""

from __future__ import annotations

import time
from typing import Any

import boto3
import pytest
import redis

from bot.sandbox.driver import SlackDriver
from bot.sandbox.emulator import SlackEmulator
from bot.slack_client import RATE_LIMIT_RETRIES
from tests.conftest import SIGNING_SECRET
from tests.jobs.monitoring.live import (
    POLL,
    BotFactory,
    SeededJob,
    monitoring_env,
    newest_ephemeral,
    notices,
    seed_job,
    settle,
    text_of,
    wait_for_notice,
)
from tests.jobs.monitoring.moto_jobs import BUCKET, REGION, put_metrics, set_status
from tests.support.bot_process import BotProcess
from tests.support.moto_server import MotoServer
from tests.support.stack import CHANNEL, REPLY_WAIT, USER
from workflows.adapters.aws_clients import bedrock_client
from workflows.adapters.bedrock import BedrockJobs
from workflows.jobs.job import JobStatus

pytestmark = pytest.mark.integration

#: A notice must follow a transition within two poll intervals; a second covers process and HTTP overhead.
WITHIN_TWO_POLLS = 2 * POLL + 1.0


@pytest.fixture
def s3(aws: MotoServer) -> Any:
    client = boto3.client("s3", region_name=REGION, endpoint_url=aws.endpoint_url)
    client.create_bucket(Bucket=BUCKET)
    return client


@pytest.fixture
def bedrock(aws: MotoServer) -> BedrockJobs:
    return BedrockJobs(bedrock_client(REGION))


@pytest.fixture
def env(emulator: SlackEmulator, redis_url: str, aws: MotoServer, redis_client: redis.Redis, s3: Any) -> dict[str, str]:
    return monitoring_env(emulator, redis_url, aws.endpoint_url)


@pytest.fixture
def job(emulator: SlackEmulator, redis_client: redis.Redis, bedrock: BedrockJobs, env: dict[str, str]) -> SeededJob:
    return seed_job(emulator, redis_client, bedrock, "tone-1a2b")


@pytest.fixture
def bot(bot_factory: BotFactory, env: dict[str, str], job: SeededJob) -> BotProcess:
    """One bot watching the seeded job, past its first tick."""
    started = bot_factory(env)
    time.sleep(POLL)
    return started


def test_a_completed_job_gets_one_channel_notice_with_metrics_and_cost_within_two_polls(
    bot: BotProcess, emulator: SlackEmulator, job: SeededJob, s3: Any
) -> None:
    put_metrics(s3, job.name)
    set_status(job.name, JobStatus.COMPLETED)
    moved = time.monotonic()

    notice = wait_for_notice(emulator, job.name, timeout=WITHIN_TWO_POLLS)
    took = time.monotonic() - moved
    settle()

    assert took <= WITHIN_TWO_POLLS
    assert len(notices(emulator, job.name)) == 1
    text = text_of(notice)
    for expected in (
        "<@U0ALICE>",
        "0.625 (from 2.25 over 3 steps)",
        "0.875 (from 1.75 over 2 evaluations)",
        "`tone-1a2b-model-tone-1a2b`",
        "*Training cost*\nabout $0.20",
        "$1.95 per month",
        "Provisioned Throughput: $7.10 per model-unit hour",
    ):
        assert expected in text
    status = emulator.message(CHANNEL, job.status_ts)
    assert status is not None
    assert "completed" in status.text
    charts = emulator.wait_for(lambda: emulator.uploaded_files, 10, "the loss chart")
    assert charts[0].content.startswith(b"\x89PNG")


def test_a_failed_job_carries_a_hint_for_bedrocks_message(
    bot: BotProcess, emulator: SlackEmulator, job: SeededJob
) -> None:
    reason = "Maximum input token count 4919 exceeds limit of 4096 for train data"
    set_status(job.name, JobStatus.FAILED, failure_message=reason)

    notice = wait_for_notice(emulator, job.name, timeout=WITHIN_TWO_POLLS)

    text = text_of(notice)
    assert "more tokens than the model allows" in text
    assert "4919" not in text


def test_a_confirmed_stop_says_in_the_channel_that_the_job_stopped(
    bot: BotProcess, emulator: SlackEmulator, job: SeededJob, bedrock: BedrockJobs
) -> None:
    driver = SlackDriver(bot.events_url, SIGNING_SECRET, emulator, default_user=USER, default_channel=CHANNEL)

    driver.slash_command(f"stop {job.name}")
    question = newest_ephemeral(emulator, USER, "Stop fine-tuning job")
    driver.click("Stop the job")

    assert "Tokens already trained are billed, no model or checkpoint is kept" in question
    assert "asked Bedrock to stop" in newest_ephemeral(emulator, USER, "asked Bedrock to stop")
    notice = wait_for_notice(emulator, job.name, timeout=WITHIN_TWO_POLLS + 1)
    assert "Tokens trained before the stop are billed" in text_of(notice)
    assert bedrock.describe(job.name).status is JobStatus.STOPPED


def test_a_bot_stopped_while_a_job_completes_announces_it_once_when_started_again(
    bot: BotProcess, bot_factory: BotFactory, env: dict[str, str], emulator: SlackEmulator, job: SeededJob
) -> None:
    bot.stop()
    set_status(job.name, JobStatus.COMPLETED)
    time.sleep(2 * POLL)
    assert notices(emulator, job.name) == []

    bot_factory(env)
    wait_for_notice(emulator, job.name, timeout=WITHIN_TWO_POLLS)
    settle()

    assert len(notices(emulator, job.name)) == 1


def test_a_429_on_chat_update_delays_the_update_but_loses_nothing(
    bot: BotProcess, emulator: SlackEmulator, job: SeededJob
) -> None:
    # one more 429 than the client waits out: the first attempt fails and the next tick tries again
    emulator.rate_limit("chat.update", times=RATE_LIMIT_RETRIES + 1, retry_after=0)
    set_status(job.name, JobStatus.COMPLETED)

    wait_for_notice(emulator, job.name, timeout=REPLY_WAIT)
    settle()

    assert len(notices(emulator, job.name)) == 1
    status = emulator.message(CHANNEL, job.status_ts)
    assert status is not None
    assert "completed" in status.text
    limited = [call for call in emulator.calls("chat.update") if call.status == 429]
    assert len(limited) == RATE_LIMIT_RETRIES + 1
