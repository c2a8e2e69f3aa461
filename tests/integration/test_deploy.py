"""Deploy from Slack over HTTP: the bot as a subprocess, the Slack emulator, the AWS stand-in and real Redis."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import boto3
import pytest
import redis

from bot.sandbox.deployments import PROVISIONED_MINUTES
from bot.sandbox.driver import SlackDriver
from bot.sandbox.emulator import SlackEmulator
from tests.jobs.monitoring.live import (
    ADMIN,
    BotFactory,
    SeededJob,
    monitoring_env,
    newest_ephemeral,
    newest_response,
    text_of,
    wait_for_notice,
)
from tests.jobs.monitoring.moto_jobs import BUCKET, REGION
from tests.sandbox.standin_support import ManualClock
from tests.support.bot_process import BotProcess
from tests.support.moto_server import MotoServer
from tests.support.served_jobs import (
    OTHER,
    announcing_bot,
    completed_job,
    driver_for,
    job_bucket,
    thread_text,
    throughputs,
)
from tests.support.stack import CHANNEL, USER

pytestmark = pytest.mark.integration

JOB = "tone-1a2b"


@pytest.fixture
def bedrock(aws: MotoServer) -> Any:
    return boto3.client("bedrock", region_name=REGION)


@pytest.fixture
def job(emulator: SlackEmulator, redis_client: redis.Redis, aws: MotoServer, standin_clock: ManualClock) -> SeededJob:
    """A job the bot watches, completed with its metrics in S3."""
    return completed_job(emulator, redis_client, job_bucket(aws), JOB)


@pytest.fixture
def bot(
    bot_factory: BotFactory, emulator: SlackEmulator, redis_url: str, aws: MotoServer, job: SeededJob
) -> BotProcess:
    """A bot that has announced the completion, with its Deploy button."""
    return announcing_bot(bot_factory, emulator, redis_url, aws, [JOB])


def deploy_confirmed(driver: SlackDriver, emulator: SlackEmulator, bedrock: Any) -> str:
    """Deploy from the completion notice and confirm; the name of the one throughput created."""
    driver.click("Deploy")
    newest_ephemeral(emulator, USER, "What it will cost")
    driver.click("Deploy")
    emulator.wait_for(lambda: throughputs(bedrock), 10, "the throughput in the stand-in")
    return str(throughputs(bedrock)[0]["provisionedModelName"])


def test_deploy_from_the_completion_notice_confirms_the_cost_creates_one_however_often_and_says_when_ready(
    bot: BotProcess, emulator: SlackEmulator, job: SeededJob, bedrock: Any, standin_clock: ManualClock, aws: MotoServer
) -> None:
    driver = driver_for(bot, emulator)

    driver.click("Deploy")
    question = newest_ephemeral(emulator, USER, "What it will cost")
    driver.click("Deploy")
    driver.click("Deploy")  # a double click on the confirmation
    assert driver.redeliver().status == 200  # and Slack retrying the second click
    thread_text(emulator, job, "is deploying")
    time.sleep(1.5)  # a tick or more: a second creation would show up in the stand-in by now

    assert "$7.10 per hour" in question
    assert "Per 30 days: $5,112.00" in question
    assert "billed every hour from creation until it is deleted" in question
    assert "Who may delete it: <@U0ALICE>" in question
    created = throughputs(bedrock)
    assert len(created) == 1
    assert created[0]["status"] == "Creating"
    standin_clock.advance((PROVISIONED_MINUTES + 1) * 60 / aws.standin.deployments.speed)
    ready = thread_text(emulator, job, "is ready")
    assert created[0]["provisionedModelName"] in ready
    assert "per hour until it is deleted" in ready
    time.sleep(1.5)
    readies = [m for m in emulator.thread(CHANNEL, job.thread_ts) if m.from_bot and "is ready" in m.text]
    assert len(readies) == 1


def test_a_failed_deployment_is_explained_without_aws_words(
    bot: BotProcess, emulator: SlackEmulator, job: SeededJob, bedrock: Any, standin_clock: ManualClock, aws: MotoServer
) -> None:
    aws.standin.deployments.fail_next("InternalFailure 0xDEADBEEF in capacity pool")
    deploy_confirmed(driver_for(bot, emulator), emulator, bedrock)

    standin_clock.advance((PROVISIONED_MINUTES + 1) * 60 / aws.standin.deployments.speed)
    failed = thread_text(emulator, job, "failed")

    assert "What to do" in failed
    assert "0xDEADBEEF" not in failed


def test_someone_elses_deploy_is_refused_and_nothing_is_created(
    bot: BotProcess, emulator: SlackEmulator, bedrock: Any
) -> None:
    driver = driver_for(bot, emulator)

    driver.click("Deploy", user=OTHER)
    refusal = newest_ephemeral(emulator, OTHER, "may deploy")

    assert "Only <@U0ALICE>, who started the job, or an admin may deploy" in refusal
    assert throughputs(bedrock) == []


def test_deployments_lists_it_and_undeploy_deletes_it_after_a_confirmation_but_not_for_others(
    bot: BotProcess, emulator: SlackEmulator, job: SeededJob, bedrock: Any
) -> None:
    driver = driver_for(bot, emulator)
    driver.slash_command(f"deploy {JOB} units=1")
    newest_ephemeral(emulator, USER, "What it will cost")
    driver.click("Deploy")
    emulator.wait_for(lambda: throughputs(bedrock), 10, "the throughput in the stand-in")
    name = str(throughputs(bedrock)[0]["provisionedModelName"])

    driver.slash_command("deployments")
    listed = newest_ephemeral(emulator, USER, "Deployments in this workspace")
    driver.slash_command(f"undeploy {name}", user=OTHER)
    refused = newest_ephemeral(emulator, OTHER, "may delete")
    driver.slash_command(f"undeploy {name}", user=ADMIN)
    newest_ephemeral(emulator, ADMIN, "This cannot be undone")
    driver.click("Delete it", user=ADMIN)
    thread_text(emulator, job, "was deleted by <@U0ADMIN>")

    assert f"`{name}`" in listed
    assert "1 live" in listed
    assert "Only <@U0ALICE>, who started the job, or an admin may delete" in refused
    assert throughputs(bedrock) == []


def test_deployments_shows_last_use_and_cost_counts_the_deployment_with_its_price_date(
    bot: BotProcess, emulator: SlackEmulator, job: SeededJob, bedrock: Any, standin_clock: ManualClock, aws: MotoServer
) -> None:
    s3 = boto3.client("s3", region_name=REGION)
    line = '{"prompt": "How do I reset my password?", "completion": "Use the reset link."}'
    s3.put_object(Bucket=BUCKET, Key=f"data/{JOB}.jsonl", Body=line.encode())
    driver = driver_for(bot, emulator)
    name = deploy_confirmed(driver, emulator, bedrock)
    driver.slash_command("deployments")
    before = newest_ephemeral(emulator, USER, "Deployments in this workspace")
    standin_clock.advance((PROVISIONED_MINUTES + 1) * 60 / aws.standin.deployments.speed)
    thread_text(emulator, job, "is ready")
    arn = throughputs(bedrock)[0]["provisionedModelArn"]
    boto3.client("bedrock-runtime", region_name=REGION).converse(
        modelId=arn, messages=[{"role": "user", "content": [{"text": "How do I reset my password?"}]}]
    )

    time.sleep(1.1)  # CloudWatch reads whole seconds: the request's second must have passed

    driver.slash_command("deployments")
    listed = newest_response(emulator, "last used")
    driver.slash_command("cost")
    cost = newest_response(emulator, "Estimated fine-tuning spend")

    assert "not used since it was deployed" in before
    assert f"`{name}` — Provisioned Throughput (1 unit, $7.10 per hour), InService; cost so far about $" in listed
    assert " UTC" in listed
    assert "Prices as of " in listed
    assert "Deployments" in cost
    assert f"`{name}` (Provisioned Throughput): $" in cost
    assert "hours at $7.10 per hour" in cost
    assert "Deployment prices as of " in cost


def test_a_throughput_the_policy_holds_is_created_once_an_approver_approves_it(
    bot_factory: BotFactory,
    emulator: SlackEmulator,
    redis_url: str,
    aws: MotoServer,
    job: SeededJob,
    bedrock: Any,
    tmp_path: Path,
) -> None:
    policy = tmp_path / "policy.yml"
    policy.write_text(
        "version: 1\nworkspaces:\n  '*':\n    approval:\n      provisioned_throughput: true\n"
        f"      approvers: {{users: [{OTHER}]}}\n",
        encoding="utf-8",
    )
    emulator.add_user(OTHER)
    started = bot_factory(monitoring_env(emulator, redis_url, aws.endpoint_url) | {"FINETUNE_POLICY_FILE": str(policy)})
    wait_for_notice(emulator, JOB, timeout=30)
    driver = driver_for(started, emulator)

    driver.click("Deploy")
    question = newest_ephemeral(emulator, USER, "What it will cost")
    assert "Needs approval before it is created: the policy here asks for approval of any Provisioned" in question
    driver.click("Request approval")
    newest_response(emulator, "Asked for approval to deploy")
    asked = emulator.wait_for_message("D0BOB", contains="asks for approval to deploy a custom model", timeout=10)
    assert "$7.10 per hour" in text_of(asked)
    time.sleep(1.5)  # a tick or more: nothing is created before the approval
    assert throughputs(bedrock) == []

    driver.click("Approve", channel="D0BOB", message_ts=asked.ts, user=OTHER)
    assert driver.redeliver().status == 200
    thread_text(emulator, job, f"<@{OTHER}> approved this. Deploying it now.")
    thread_text(emulator, job, "is deploying")
    time.sleep(1.5)
    assert len(throughputs(bedrock)) == 1
