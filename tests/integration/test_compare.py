"""Compare with base over HTTP: the bot as a subprocess, the Slack emulator, the AWS stand-in and real Redis."""

from __future__ import annotations

import csv
import io
import json
import time
import urllib.request
from typing import Any

import boto3
import pytest
import redis

from bot.sandbox.deployments import PROVISIONED_MINUTES
from bot.sandbox.emulator import SlackEmulator
from tests.integration.test_deploy import driver_for, thread_text
from tests.jobs.monitoring.live import (
    BotFactory,
    SeededJob,
    monitoring_env,
    newest_ephemeral,
    seed_job,
    text_of,
    wait_for_notice,
)
from tests.jobs.monitoring.moto_jobs import BUCKET, REGION, put_metrics, set_status, training_uri
from tests.sandbox.standin_support import ManualClock
from tests.support.bot_process import BotProcess
from tests.support.moto_server import MotoServer
from tests.support.stack import CHANNEL, REPLY_WAIT, USER
from workflows.adapters.aws_clients import bedrock_client
from workflows.adapters.bedrock import BedrockJobs
from workflows.jobs.job import JobStatus

pytestmark = pytest.mark.integration

JOB = "support-cmp1"
BARE_JOB = "support-bare"
OTHER = "U0BOB"
VALIDATION_KEY = f"data/{JOB}-validation.jsonl"
#: What the custom model was trained on: the stand-in answers each question with its reply.
TRAINING = [
    ("How do I reset my password?", "Open Settings, choose Security, then Reset password."),
    ("Where can I download my invoices?", "Invoices are under Billing, then History."),
    ("Can I change the email on my account?", "Yes: Settings, Profile, Email, then confirm the new address."),
]
#: The held-out records: the same questions asked differently, with the answers the team expects; line 3 is broken.
VALIDATION_LINES = [
    json.dumps({"prompt": "how can I reset my password please", "completion": TRAINING[0][1]}),
    json.dumps({"prompt": "where can I download invoices", "completion": TRAINING[1][1]}),
    "{this line is broken",
    json.dumps({"prompt": '=HYPERLINK("http://evil") change the email on my account?', "completion": TRAINING[2][1]}),
]


def jsonl(pairs: list[tuple[str, str]]) -> bytes:
    return "".join(json.dumps({"prompt": p, "completion": c}) + "\n" for p, c in pairs).encode()


@pytest.fixture
def jobs(
    emulator: SlackEmulator, redis_client: redis.Redis, aws: MotoServer, standin_clock: ManualClock
) -> tuple[SeededJob, SeededJob]:
    """Two completed jobs: one trained with a validation file, one without."""
    s3 = boto3.client("s3", region_name=REGION, endpoint_url=aws.endpoint_url)
    s3.create_bucket(Bucket=BUCKET)
    bedrock = BedrockJobs(bedrock_client(REGION))
    for name in (JOB, BARE_JOB):
        s3.put_object(Bucket=BUCKET, Key=training_uri(name).split("/", 3)[3], Body=jsonl(TRAINING))
    s3.put_object(Bucket=BUCKET, Key=VALIDATION_KEY, Body="\n".join(VALIDATION_LINES).encode() + b"\n")
    seeded = seed_job(emulator, redis_client, bedrock, JOB, validation_uri=f"s3://{BUCKET}/{VALIDATION_KEY}")
    bare = seed_job(emulator, redis_client, bedrock, BARE_JOB)
    for name in (JOB, BARE_JOB):
        put_metrics(s3, name)
        set_status(name, JobStatus.COMPLETED)
    return seeded, bare


@pytest.fixture
def bot(bot_factory: BotFactory, emulator: SlackEmulator, redis_url: str, aws: MotoServer, jobs: Any) -> BotProcess:
    emulator.add_user(OTHER)
    started = bot_factory(monitoring_env(emulator, redis_url, aws.endpoint_url))
    wait_for_notice(emulator, JOB, timeout=REPLY_WAIT)
    wait_for_notice(emulator, BARE_JOB, timeout=REPLY_WAIT)
    return started


def deployed(bot: BotProcess, emulator: SlackEmulator, job: SeededJob, aws: MotoServer, clock: ManualClock) -> None:
    """Deploy the job's model from its completion notice, and let the stand-in make it ready."""
    driver = driver_for(bot, emulator)
    driver.click("Deploy", message_ts=_notice_ts(emulator, job.name))
    newest_ephemeral(emulator, USER, "What it will cost")
    bedrock = boto3.client("bedrock", region_name=REGION)
    before = len(bedrock.list_provisioned_model_throughputs()["provisionedModelSummaries"])
    driver.click("Deploy")
    emulator.wait_for(
        lambda: len(bedrock.list_provisioned_model_throughputs()["provisionedModelSummaries"]) > before,
        10,
        "the throughput in the stand-in",
    )
    clock.advance((PROVISIONED_MINUTES + 1) * 60 / aws.standin.deployments.speed)
    thread_text(emulator, job, "is ready")


def _notice_ts(emulator: SlackEmulator, name: str) -> str:
    return wait_for_notice(emulator, name, timeout=REPLY_WAIT).ts


def summaries(emulator: SlackEmulator, job: SeededJob) -> list[str]:
    return [text_of(m) for m in emulator.thread(CHANNEL, job.thread_ts) if m.from_bot and "Compared `" in m.text]


def download(emulator: SlackEmulator, file: dict[str, Any]) -> bytes:
    """The shared file as a person's client gets it: over HTTP, with a token."""
    request = urllib.request.Request(
        file["url_private_download"], headers={"Authorization": f"Bearer {emulator.workspace.bot_token}"}
    )
    with urllib.request.urlopen(request, timeout=5) as answer:
        return bytes(answer.read())


def shared_files(emulator: SlackEmulator, job: SeededJob) -> list[dict[str, Any]]:
    return [file for m in emulator.thread(CHANNEL, job.thread_ts) for file in (m.files or ())]


def test_compare_with_base_posts_a_summary_and_a_table_whose_rows_are_the_held_out_prompts(
    bot: BotProcess,
    emulator: SlackEmulator,
    jobs: tuple[SeededJob, SeededJob],
    aws: MotoServer,
    standin_clock: ManualClock,
) -> None:
    job, _ = jobs
    deployed(bot, emulator, job, aws, standin_clock)
    driver = driver_for(bot, emulator)

    driver.click("Compare with base", thread_ts=job.thread_ts, user=OTHER)  # anyone in the channel may compare
    started = newest_ephemeral(emulator, OTHER, "Comparing")
    emulator.wait_for(lambda: summaries(emulator, job), 15, "the comparison's summary")
    emulator.wait_for(lambda: shared_files(emulator, job), 10, "the comparison's table")

    assert "on 3 held-out prompts" in started
    summary = summaries(emulator, job)[0]
    assert "on 3 held-out prompts from the job's validation data" in summary
    assert "Skipped (line 3: not valid JSON)" in summary
    assert "not a human judgement" in summary
    assert "*Custom model*\nexact match 3/3" in summary
    (file,) = shared_files(emulator, job)
    assert file["name"].startswith("compare-")
    assert file["name"].endswith(".csv")
    rows = list(csv.DictReader(io.StringIO(download(emulator, file).decode("utf-8-sig"))))
    held_out = [json.loads(line) for line in VALIDATION_LINES if not line.startswith("{this")]
    assert [row["line"] for row in rows] == ["1", "2", "4"]
    assert [row["reference"] for row in rows] == [record["completion"] for record in held_out]
    assert rows[2]["prompt"] == "'" + held_out[2]["prompt"]  # a formula is shown as text
    assert [row["custom_answer"] for row in rows] == [reply for _, reply in TRAINING]
    assert all(row["base_answer"].startswith("Here is a general answer") for row in rows)
    assert all(int(row["custom_latency_ms"]) > 0 and int(row["custom_output_tokens"]) > 0 for row in rows)


def test_a_double_click_and_a_redelivery_run_one_comparison(
    bot: BotProcess,
    emulator: SlackEmulator,
    jobs: tuple[SeededJob, SeededJob],
    aws: MotoServer,
    standin_clock: ManualClock,
) -> None:
    job, _ = jobs
    deployed(bot, emulator, job, aws, standin_clock)
    driver = driver_for(bot, emulator)

    driver.click("Compare with base", thread_ts=job.thread_ts)
    driver.click("Compare with base", thread_ts=job.thread_ts)
    assert driver.redeliver().status == 200
    emulator.wait_for(lambda: shared_files(emulator, job), 15, "the comparison's table")
    time.sleep(2)  # a second run would have posted by now

    assert len(summaries(emulator, job)) == 1
    assert len(shared_files(emulator, job)) == 1
    assert "running or has just finished" in newest_ephemeral(emulator, USER, "running or has just finished")


def test_without_a_validation_set_the_command_says_so_and_asks_for_held_out_records(
    bot: BotProcess,
    emulator: SlackEmulator,
    jobs: tuple[SeededJob, SeededJob],
    aws: MotoServer,
    standin_clock: ManualClock,
) -> None:
    _, bare = jobs
    deployed(bot, emulator, bare, aws, standin_clock)

    driver_for(bot, emulator).slash_command(f"compare {BARE_JOB}")
    answer = newest_ephemeral(emulator, USER, "validation dataset")

    assert f"`{BARE_JOB}` was trained without a validation dataset" in answer
    assert "I won't use the training data" in answer
    assert "prompts=s3://bucket/held-out.jsonl" in answer
    time.sleep(1)
    assert summaries(emulator, bare) == []
    assert shared_files(emulator, bare) == []
