"""Idle throughput over HTTP: two bot replicas, the Slack emulator, the AWS stand-in's CloudWatch and real Redis."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
import redis

from bot.sandbox.deployments import PROVISIONED_MINUTES
from bot.sandbox.driver import SlackDriver
from bot.sandbox.emulator import SlackEmulator
from bot.slack_client import SERVER_ERROR_RETRIES
from tests.jobs.monitoring.live import (
    ADMIN,
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
from tests.support.served_jobs import driver_for
from tests.support.stack import CHANNEL, REPLY_WAIT, USER
from workflows.adapters.aws_clients import bedrock_client
from workflows.adapters.bedrock import BedrockJobs
from workflows.jobs.job import JobStatus

pytestmark = pytest.mark.integration

OTHER = "U0BOB"
IDLE_JOB = "quiet-1a2b"
USED_JOB = "busy-3c4d"
#: The idle period in these tests: 9 seconds (the setting takes fractions of an hour), eighteen times the
#: half second between the used model's requests.
IDLE_HOURS = 0.0025
PERIOD = IDLE_HOURS * 3600
#: The check runs every second, so many checks fall in one period.
CHECK_SECONDS = 1
QUESTION = "How do I reset my password?"


@pytest.fixture
def bedrock(aws: MotoServer) -> Any:
    return boto3.client("bedrock", region_name=REGION)


@pytest.fixture
def jobs(
    emulator: SlackEmulator, redis_client: redis.Redis, aws: MotoServer, standin_clock: ManualClock
) -> list[SeededJob]:
    """Two of Alice's jobs, completed, with their metrics and training data in S3."""
    s3 = boto3.client("s3", region_name=REGION, endpoint_url=aws.endpoint_url)
    s3.create_bucket(Bucket=BUCKET)
    seeded = []
    for name in (IDLE_JOB, USED_JOB):
        seeded.append(seed_job(emulator, redis_client, BedrockJobs(bedrock_client(REGION)), name))
        put_metrics(s3, name)
        training = json.dumps({"prompt": QUESTION, "completion": "Use the reset link on the sign-in page."})
        s3.put_object(Bucket=BUCKET, Key=f"data/{name}.jsonl", Body=training.encode())
        set_status(name, JobStatus.COMPLETED)
    return seeded


@pytest.fixture
def replicas(
    bot_factory: BotFactory, emulator: SlackEmulator, redis_url: str, aws: MotoServer, jobs: list[SeededJob]
) -> list[BotProcess]:
    """Two replicas sharing Redis, with a short idle period checked every second."""
    emulator.add_user(OTHER)
    env = monitoring_env(emulator, redis_url, aws.endpoint_url) | {
        "FINETUNE_IDLE_HOURS": str(IDLE_HOURS),
        "FINETUNE_IDLE_CHECK_SECONDS": str(CHECK_SECONDS),
    }
    started = [bot_factory(env), bot_factory(env)]
    for job in jobs:
        wait_for_notice(emulator, job.name, timeout=REPLY_WAIT)
    return started


def throughputs(bedrock: Any) -> dict[str, dict[str, Any]]:
    """The stand-in's throughputs by name, through boto3."""
    summaries = bedrock.list_provisioned_model_throughputs()["provisionedModelSummaries"]
    return {str(summary["provisionedModelName"]): summary for summary in summaries}


def thread_messages(emulator: SlackEmulator, job: SeededJob, contains: str) -> list[Any]:
    return [
        message
        for message in emulator.thread(CHANNEL, job.thread_ts)
        if message.from_bot and contains in text_of(message)
    ]


def wait_in_thread(emulator: SlackEmulator, job: SeededJob, contains: str, *, count: int = 1, timeout: float) -> None:
    emulator.wait_for(
        lambda: len(thread_messages(emulator, job, contains)) >= count or None,
        timeout,
        f"{count} message(s) containing {contains!r} in {job.name}'s thread",
    )


def deploy_both_and_make_them_ready(
    driver: SlackDriver,
    emulator: SlackEmulator,
    bedrock: Any,
    aws: MotoServer,
    clock: ManualClock,
    jobs: list[SeededJob],
) -> dict[str, str]:
    """``/finetune deploy JOB`` for each job (Titan Lite: Provisioned Throughput), confirmed; ARNs by job."""
    for count, job in enumerate(jobs, start=1):
        driver.slash_command(f"deploy {job.name}")
        newest_ephemeral(emulator, USER, f"Deploy `{job.name}`")
        driver.click("Deploy")
        emulator.wait_for(lambda n=count: len(throughputs(bedrock)) >= n or None, 10, "the throughput")
    clock.advance((PROVISIONED_MINUTES + 1) * 60 / aws.standin.deployments.speed)
    for job in jobs:
        wait_in_thread(emulator, job, "is ready", timeout=10)
    arns = {}
    for name, summary in throughputs(bedrock).items():
        job = next(job for job in jobs if name.startswith(job.name.split("-")[0]))
        arns[job.name] = str(summary["provisionedModelArn"])
    return arns


@pytest.fixture
def keep_asking() -> Iterator[list[str]]:
    """Ask the models whose ARNs are put in the list a question every half second, as people would."""
    arns: list[str] = []
    stop = threading.Event()

    def ask() -> None:
        runtime = boto3.client("bedrock-runtime", region_name=REGION)
        while not stop.wait(0.5):
            for arn in list(arns):
                runtime.converse(modelId=arn, messages=[{"role": "user", "content": [{"text": QUESTION}]}])

    worker = threading.Thread(target=ask, daemon=True)
    worker.start()
    yield arns
    stop.set()
    worker.join(timeout=5)


@pytest.fixture
def driver(replicas: list[BotProcess], emulator: SlackEmulator) -> SlackDriver:
    return driver_for(replicas[0], emulator)


@pytest.fixture
def serving(
    driver: SlackDriver,
    emulator: SlackEmulator,
    jobs: list[SeededJob],
    bedrock: Any,
    aws: MotoServer,
    standin_clock: ManualClock,
    keep_asking: list[str],
) -> dict[str, str]:
    """Both jobs' models deployed and ready, the used one asked a question every half second: ARNs by job."""
    arns = deploy_both_and_make_them_ready(driver, emulator, bedrock, aws, standin_clock, jobs)
    keep_asking.append(arns[USED_JOB])
    return arns


def test_an_idle_throughput_gets_one_reminder_per_period_and_a_used_one_none_and_delete_removes_it(
    driver: SlackDriver, emulator: SlackEmulator, jobs: list[SeededJob], bedrock: Any, serving: dict[str, str]
) -> None:
    idle_job, used_job = jobs

    wait_in_thread(emulator, idle_job, "has had no requests", timeout=PERIOD + 15)
    first = thread_messages(emulator, idle_job, "has had no requests")[0]
    time.sleep(PERIOD * 0.6)  # many checks by two replicas: still one reminder
    assert len(thread_messages(emulator, idle_job, "has had no requests")) == 1
    wait_in_thread(emulator, idle_job, "has had no requests", count=2, timeout=PERIOD + 10)
    reminders = thread_messages(emulator, idle_job, "has had no requests")

    assert len(reminders) == 2
    assert float(reminders[1].ts) - float(first.ts) >= PERIOD - 1
    text = text_of(first)
    assert "in the last 9 seconds" in text
    assert "Cost so far" in text
    assert "per hour" in text
    assert thread_messages(emulator, used_job, "has had no requests") == []
    name = next(n for n in throughputs(bedrock) if n.startswith("quiet"))
    assert f"`{name}`" in text

    driver.click("Delete", thread_ts=idle_job.thread_ts, user=OTHER)
    refused = newest_ephemeral(emulator, OTHER, "may delete")
    assert f"Only <@{USER}>, who started the job, or an admin may delete `{name}`" in refused
    assert f"<@{ADMIN}>" in refused
    assert name in throughputs(bedrock)

    driver.click("Delete", thread_ts=idle_job.thread_ts)
    newest_ephemeral(emulator, USER, "This cannot be undone")
    driver.click("Delete it")
    assert driver.redeliver().status == 200  # Slack delivering the click again
    wait_in_thread(emulator, idle_job, f"was deleted by <@{USER}>", timeout=10)
    time.sleep(2)

    assert name not in throughputs(bedrock)
    assert len(thread_messages(emulator, idle_job, "was deleted by")) == 1
    assert len(thread_messages(emulator, idle_job, "has had no requests")) == 2
    assert any(n.startswith("busy") for n in throughputs(bedrock))


def test_a_reminder_slack_refused_goes_out_at_the_next_tick_not_a_period_later_and_once(
    emulator: SlackEmulator, jobs: list[SeededJob], serving: dict[str, str]
) -> None:
    idle_job, _ = jobs
    refusals = SERVER_ERROR_RETRIES + 1  # the bot's Slack client retries 5xx answers, then gives up
    emulator.faults.fail("chat.postMessage", "500", times=refusals)

    emulator.wait_for(
        lambda: len(emulator.faults.injected("chat.postMessage")) >= refusals or None,
        PERIOD + 15,
        "the reminder's post refused",
    )
    refused_at = emulator.faults.injected("chat.postMessage")[-1].time
    wait_in_thread(emulator, idle_job, "has had no requests", timeout=10)
    reminder = thread_messages(emulator, idle_job, "has had no requests")[0]
    time.sleep(PERIOD * 0.6)  # many checks by two replicas meanwhile

    assert float(reminder.ts) - refused_at < PERIOD / 2
    assert len(thread_messages(emulator, idle_job, "has had no requests")) == 1
