"""Where the deploy, Try it and Compare tests over HTTP start: completed jobs, a bot that announced them, deploying.

Each of those modules seeds its own jobs (training data, validation files, system prompts differ); what
they share is here: the bucket, a job completed with its metrics, the bot started with a fast tick that
has posted the completion notices, a driver on it, the stand-in's throughputs, and deploying a job's model
through its *Deploy* button until the thread hears it is ready.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import boto3
import redis

from bot.sandbox.deployments import PROVISIONED_MINUTES
from bot.sandbox.driver import SlackDriver
from bot.sandbox.emulator import SlackEmulator
from tests.conftest import SIGNING_SECRET
from tests.jobs.monitoring.live import (
    BotFactory,
    SeededJob,
    monitoring_env,
    newest_ephemeral,
    seed_job,
    text_of,
    wait_for_notice,
)
from tests.jobs.monitoring.moto_jobs import BUCKET, REGION, put_metrics, set_status
from tests.sandbox.standin_support import ManualClock
from tests.support.bot_process import BotProcess
from tests.support.moto_server import MotoServer
from tests.support.stack import CHANNEL, REPLY_WAIT, USER
from workflows.adapters.aws_clients import bedrock_client
from workflows.adapters.bedrock import BedrockJobs
from workflows.jobs.job import JobStatus

#: Someone else in the channel, who did not start the jobs.
OTHER = "U0BOB"


def job_bucket(aws: MotoServer) -> Any:
    """An S3 client on the stand-in, with the jobs' bucket made."""
    s3 = boto3.client("s3", region_name=REGION, endpoint_url=aws.endpoint_url)
    s3.create_bucket(Bucket=BUCKET)
    return s3


def completed_job(
    emulator: SlackEmulator, redis_client: redis.Redis, s3: Any, name: str, *, validation_uri: str | None = None
) -> SeededJob:
    """A job as the launcher leaves it, then completed in Bedrock with its metrics in S3."""
    seeded = seed_job(emulator, redis_client, BedrockJobs(bedrock_client(REGION)), name, validation_uri=validation_uri)
    put_metrics(s3, name)
    set_status(name, JobStatus.COMPLETED)
    return seeded


def announcing_bot(
    bot_factory: BotFactory, emulator: SlackEmulator, redis_url: str, aws: MotoServer, jobs: Iterable[str]
) -> BotProcess:
    """The bot with a fast tick, once it has posted each job's completion notice (with its Deploy button)."""
    emulator.add_user(OTHER)
    started = bot_factory(monitoring_env(emulator, redis_url, aws.endpoint_url))
    for name in jobs:
        wait_for_notice(emulator, name, timeout=REPLY_WAIT)
    return started


def driver_for(bot: BotProcess, emulator: SlackEmulator) -> SlackDriver:
    """A driver sending signed requests to ``bot`` as the job's starter in the test channel."""
    return SlackDriver(bot.events_url, SIGNING_SECRET, emulator, default_user=USER, default_channel=CHANNEL)


def throughputs(bedrock: Any) -> list[dict[str, Any]]:
    """The stand-in's Provisioned Throughputs, through boto3."""
    return list(bedrock.list_provisioned_model_throughputs()["provisionedModelSummaries"])


def thread_text(emulator: SlackEmulator, job: SeededJob, contains: str, *, timeout: float = 10) -> str:
    """The text of the first bot message in the job's thread containing ``contains``, once there."""

    def found() -> str | None:
        texts = [text_of(message) for message in emulator.thread(CHANNEL, job.thread_ts) if message.from_bot]
        return next((text for text in texts if contains in text), None)

    text = emulator.wait_for(found, timeout, f"a thread message containing {contains!r}")
    assert text is not None
    return text


def deploy_until_ready(
    driver: SlackDriver,
    emulator: SlackEmulator,
    aws: MotoServer,
    clock: ManualClock,
    job: SeededJob,
    *,
    command: str | None = None,
) -> str:
    """*Deploy* on the job's completion notice (or ``/finetune COMMAND``), confirmed, and the stand-in made it
    ready: the new throughput's name."""
    bedrock = boto3.client("bedrock", region_name=REGION)
    before = {summary["provisionedModelName"] for summary in throughputs(bedrock)}
    if command is None:
        driver.click("Deploy", message_ts=wait_for_notice(emulator, job.name, timeout=REPLY_WAIT).ts)
    else:
        driver.slash_command(command)
    newest_ephemeral(emulator, USER, "What it will cost")
    driver.click("Deploy")

    def created() -> str | None:
        names = [str(summary["provisionedModelName"]) for summary in throughputs(bedrock)]
        return next((name for name in names if name not in before), None)

    name = emulator.wait_for(created, 10, "the throughput in the stand-in")
    assert name is not None
    clock.advance((PROVISIONED_MINUTES + 1) * 60 / aws.standin.deployments.speed)
    thread_text(emulator, job, "is ready")
    return name
