"""Compare with base over HTTP: the bot as a subprocess, the Slack emulator, the AWS stand-in and real Redis."""

from __future__ import annotations

import csv
import io
import json
import time
import urllib.request
from typing import Any

import pytest
import redis

from bot.sandbox.driver import SlackDriver
from bot.sandbox.emulator import SlackEmulator
from tests.jobs.monitoring.live import (
    BotFactory,
    SeededJob,
    newest_ephemeral,
    text_of,
)
from tests.jobs.monitoring.moto_jobs import BUCKET, training_uri
from tests.sandbox.standin_support import ManualClock
from tests.support.bot_process import BotProcess
from tests.support.moto_server import MotoServer
from tests.support.served_jobs import (
    OTHER,
    announcing_bot,
    completed_job,
    deploy_until_ready,
    driver_for,
    job_bucket,
)
from tests.support.stack import CHANNEL, USER

pytestmark = pytest.mark.integration

JOB = "support-cmp1"
BARE_JOB = "support-bare"
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
    s3 = job_bucket(aws)
    for name in (JOB, BARE_JOB):
        s3.put_object(Bucket=BUCKET, Key=training_uri(name).split("/", 3)[3], Body=jsonl(TRAINING))
    s3.put_object(Bucket=BUCKET, Key=VALIDATION_KEY, Body="\n".join(VALIDATION_LINES).encode() + b"\n")
    seeded = completed_job(emulator, redis_client, s3, JOB, validation_uri=f"s3://{BUCKET}/{VALIDATION_KEY}")
    return seeded, completed_job(emulator, redis_client, s3, BARE_JOB)


@pytest.fixture
def bot(bot_factory: BotFactory, emulator: SlackEmulator, redis_url: str, aws: MotoServer, jobs: Any) -> BotProcess:
    return announcing_bot(bot_factory, emulator, redis_url, aws, [JOB, BARE_JOB])


@pytest.fixture
def driver(bot: BotProcess, emulator: SlackEmulator) -> SlackDriver:
    return driver_for(bot, emulator)


@pytest.fixture
def job(
    driver: SlackDriver,
    emulator: SlackEmulator,
    jobs: tuple[SeededJob, SeededJob],
    aws: MotoServer,
    standin_clock: ManualClock,
) -> SeededJob:
    """The job with a validation file, its model deployed from the completion notice and ready."""
    deploy_until_ready(driver, emulator, aws, standin_clock, jobs[0])
    return jobs[0]


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
    driver: SlackDriver, emulator: SlackEmulator, job: SeededJob
) -> None:
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
    driver: SlackDriver, emulator: SlackEmulator, job: SeededJob
) -> None:
    driver.click("Compare with base", thread_ts=job.thread_ts)
    driver.click("Compare with base", thread_ts=job.thread_ts)
    assert driver.redeliver().status == 200
    emulator.wait_for(lambda: shared_files(emulator, job), 15, "the comparison's table")
    time.sleep(2)  # a second run would have posted by now

    assert len(summaries(emulator, job)) == 1
    assert len(shared_files(emulator, job)) == 1
    assert "running or has just finished" in newest_ephemeral(emulator, USER, "running or has just finished")


def test_without_a_validation_set_the_command_says_so_and_asks_for_held_out_records(
    driver: SlackDriver,
    emulator: SlackEmulator,
    jobs: tuple[SeededJob, SeededJob],
    aws: MotoServer,
    standin_clock: ManualClock,
) -> None:
    _, bare = jobs
    deploy_until_ready(driver, emulator, aws, standin_clock, bare)

    driver.slash_command(f"compare {BARE_JOB}")
    answer = newest_ephemeral(emulator, USER, "validation dataset")

    assert f"`{BARE_JOB}` was trained without a validation dataset" in answer
    assert "I won't use the training data" in answer
    assert "prompts=s3://bucket/held-out.jsonl" in answer
    time.sleep(1)
    assert summaries(emulator, bare) == []
    assert shared_files(emulator, bare) == []
