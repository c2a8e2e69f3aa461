"""``/finetune status``, ``list``, ``stop`` and ``cost`` over HTTP: correct answers and clear refusals."""

from __future__ import annotations

import time

import boto3
import pytest
import redis

from bot.sandbox.driver import SlackDriver
from bot.sandbox.emulator import SlackEmulator
from tests.conftest import SIGNING_SECRET
from tests.jobs.monitoring.live import ADMIN, BotFactory, monitoring_env, newest_ephemeral, seed_job
from tests.jobs.monitoring.moto_jobs import BUCKET, REGION, set_status
from tests.support.moto_server import MotoServer
from tests.support.stack import CHANNEL, USER
from workflows.adapters.aws_clients import bedrock_client
from workflows.adapters.bedrock import BedrockJobs
from workflows.jobs.job import JobStatus

pytestmark = pytest.mark.integration

BOB = "U0BOB"


@pytest.fixture
def bedrock(aws: MotoServer) -> BedrockJobs:
    boto3.client("s3", region_name=REGION, endpoint_url=aws.endpoint_url).create_bucket(Bucket=BUCKET)
    return BedrockJobs(bedrock_client(REGION))


@pytest.fixture
def driver(
    bot_factory: BotFactory,
    emulator: SlackEmulator,
    redis_url: str,
    aws: MotoServer,
    redis_client: redis.Redis,
    bedrock: BedrockJobs,
) -> SlackDriver:
    """A bot with two of Alice's jobs (the newer one finished) and one of Bob's, all in #general."""
    seed_job(emulator, redis_client, bedrock, "older-job")
    seed_job(emulator, redis_client, bedrock, "bobs-job", user=BOB)
    seed_job(emulator, redis_client, bedrock, "newer-job")
    set_status("newer-job", JobStatus.COMPLETED)
    bot = bot_factory(monitoring_env(emulator, redis_url, aws.endpoint_url))
    emulator.wait_for(
        lambda: any("newer-job" in m.text for m in emulator.messages(CHANNEL)), 5, "the completion to be announced"
    )
    return SlackDriver(bot.events_url, SIGNING_SECRET, emulator, default_user=USER, default_channel=CHANNEL)


def ask(driver: SlackDriver, text: str, contains: str, *, user: str = USER) -> str:
    """Run a command as ``user`` and read the answer only they see."""
    response = driver.slash_command(text, user=user)
    assert response.status == 200
    return newest_ephemeral(driver.emulator, user, contains)


def test_status_of_a_job_answers_with_its_live_state(driver: SlackDriver) -> None:
    answer = ask(driver, "status older-job", "older-job")

    assert "*Status*\nInProgress" in answer
    assert "*Started by*\n<@U0ALICE>" in answer


def test_status_without_a_job_lists_my_recent_jobs(driver: SlackDriver) -> None:
    answer = ask(driver, "status", "Your recent fine-tuning jobs")

    assert answer.index("newer-job") < answer.index("older-job")
    assert "bobs-job" not in answer


def test_list_shows_the_channels_jobs_newest_first_with_status_and_cost(driver: SlackDriver) -> None:
    answer = ask(driver, "list", "Fine-tuning jobs started in this channel")

    lines = [line for line in answer.splitlines() if line.startswith("•")]
    assert [line.split("`")[1] for line in lines] == ["newer-job", "bobs-job", "older-job"]
    assert "completed" in lines[0]
    assert "about $0.20" in lines[0]


@pytest.mark.parametrize("command", ["status no-such-job", "stop no-such-job"])
def test_an_unknown_job_is_refused_clearly(driver: SlackDriver, command: str) -> None:
    answer = ask(driver, command, "I don't know a fine-tuning job named `no-such-job`")

    assert "`/finetune list`" in answer


def test_someone_else_may_not_stop_my_job(driver: SlackDriver, bedrock: BedrockJobs) -> None:
    answer = ask(driver, "stop older-job", "Only <@U0ALICE>", user=BOB)

    assert "or a finetune-bot admin can stop it" in answer
    assert bedrock.describe("older-job").status is JobStatus.IN_PROGRESS


def test_an_admin_may_stop_anyones_job(driver: SlackDriver, bedrock: BedrockJobs) -> None:
    ask(driver, "stop bobs-job", "Stop fine-tuning job `bobs-job`?", user=ADMIN)
    driver.click("Stop the job", user=ADMIN)

    newest_ephemeral(driver.emulator, ADMIN, "asked Bedrock to stop `bobs-job`")
    assert bedrock.describe("bobs-job").status is JobStatus.STOPPED


def test_keep_running_leaves_the_job_alone(driver: SlackDriver, bedrock: BedrockJobs) -> None:
    ask(driver, "stop older-job", "Stop fine-tuning job `older-job`?")
    driver.click("Keep it running")

    newest_ephemeral(driver.emulator, USER, "keeps running")
    time.sleep(0.5)
    assert bedrock.describe("older-job").status is JobStatus.IN_PROGRESS


def test_a_finished_job_cannot_be_stopped(driver: SlackDriver) -> None:
    ask(driver, "stop newer-job", "has already completed; there is nothing to stop")


def test_cost_sums_this_months_training_and_storage(driver: SlackDriver) -> None:
    answer = ask(driver, "cost", "Estimated fine-tuning spend")

    assert "*Training*\n$0.60 for 3 jobs" in answer
    assert "*Model storage*\n$1.95 for 1 custom model" in answer
    assert "• <@U0ALICE>: $2.35 (training $0.40, storage $1.95)" in answer
    assert "• <#C0GENERAL>: $2.55" in answer


def test_the_answers_are_ephemeral_and_post_nothing_in_the_channel(driver: SlackDriver) -> None:
    before = len(driver.emulator.all_messages(CHANNEL))
    for command, contains in (("list", "Fine-tuning jobs"), ("cost", "Estimated"), ("status", "Your recent")):
        ask(driver, command, contains)

    assert len(driver.emulator.all_messages(CHANNEL)) == before
