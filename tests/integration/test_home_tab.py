"""The App Home tab over HTTP: ``serve`` publishes each person's own setups, jobs, deployments and spend.

The bot runs as a subprocess against the Slack emulator, which records each ``views.publish`` per person
(checked as Slack checks it: a ``home`` view within 100 blocks), the AWS stand-in and a real Redis. A person
opens the tab with ``app_home_opened``; a job's transition publishes it again without anyone opening it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import boto3
import pytest
import redis

from bot.sandbox.driver import SlackDriver
from bot.sandbox.emulator import SlackEmulator
from bot.sandbox.records import Message, View
from tests.conftest import SIGNING_SECRET
from tests.jobs.monitoring.live import (
    POLL,
    BotFactory,
    SeededJob,
    monitoring_env,
    newest_ephemeral,
    seed_job,
    settle,
    wait_for_notice,
)
from tests.jobs.monitoring.moto_jobs import BUCKET, REGION, put_metrics, set_status
from tests.sandbox.standin_support import ManualClock
from tests.support.bot_process import BotProcess
from tests.support.moto_server import MotoServer
from tests.support.stack import CHANNEL, REPLY_WAIT, USER, full_text
from workflows.adapters.aws_clients import bedrock_client
from workflows.adapters.bedrock import BedrockJobs
from workflows.jobs.job import JobStatus

pytestmark = pytest.mark.integration

BOB = "U0BOB"
RUNNING, DONE, BOBS = "tone-2b3c", "done-1a2b", "bobs-3c4d"


@pytest.fixture
def bedrock(aws: MotoServer) -> BedrockJobs:
    boto3.client("s3", region_name=REGION, endpoint_url=aws.endpoint_url).create_bucket(Bucket=BUCKET)
    return BedrockJobs(bedrock_client(REGION))


@pytest.fixture
def jobs(emulator: SlackEmulator, redis_client: redis.Redis, bedrock: BedrockJobs) -> dict[str, SeededJob]:
    """Alice's running job, Bob's running job, and Alice's completed one (with its metrics) to deploy."""
    emulator.add_user(BOB, "bob")
    seeded = {
        RUNNING: seed_job(emulator, redis_client, bedrock, RUNNING),
        BOBS: seed_job(emulator, redis_client, bedrock, BOBS, user=BOB),
        DONE: seed_job(emulator, redis_client, bedrock, DONE),
    }
    put_metrics(boto3.client("s3", region_name=REGION), DONE)
    set_status(DONE, JobStatus.COMPLETED)
    return seeded


@pytest.fixture
def bot(bot_factory: BotFactory, emulator: SlackEmulator, redis_url: str, aws: MotoServer, jobs: Any) -> BotProcess:
    """A bot watching the jobs, past the completion notice of Alice's finished one."""
    started = bot_factory(monitoring_env(emulator, redis_url, aws.endpoint_url))
    wait_for_notice(emulator, DONE, timeout=15)
    return started


@pytest.fixture
def driver(bot: BotProcess, emulator: SlackEmulator) -> SlackDriver:
    return SlackDriver(bot.events_url, SIGNING_SECRET, emulator, default_user=USER, default_channel=CHANNEL)


def home_text(view: View | None) -> str:
    """Everything a person reads on a Home tab."""
    return "" if view is None else full_text(Message(CHANNEL, "0", "", "", "", view.blocks))


def wait_home(
    emulator: SlackEmulator, user: str, check: Callable[[str], bool], what: str, timeout: float = REPLY_WAIT
) -> str:
    """The person's Home tab text once ``check`` holds for it."""

    def shown() -> str | None:
        text = home_text(emulator.home(user))
        return text if text and check(text) else None

    text = emulator.wait_for(shown, timeout, f"{user}'s Home tab {what}")
    assert text is not None
    return text


def publishes(emulator: SlackEmulator, user: str) -> int:
    """How many ``views.publish`` calls Slack took for ``user``."""
    return len([call for call in emulator.calls("views.publish") if call.ok and call.params.get("user_id") == user])


def open_setup(driver: SlackDriver, emulator: SlackEmulator, user: str) -> str:
    assert driver.slash_command("", user=user).status == 200
    root = emulator.wait_for_message(CHANNEL, contains=f"<@{user}> is setting up", timeout=15)
    return root.ts


def test_opening_the_home_tab_shows_the_person_their_setups_jobs_deployments_and_spend_and_nobody_else_s(
    driver: SlackDriver, emulator: SlackEmulator, standin_clock: ManualClock
) -> None:
    open_setup(driver, emulator, USER)
    open_setup(driver, emulator, BOB)
    driver.click("Deploy")
    newest_ephemeral(emulator, USER, "What it will cost", timeout=15)
    driver.click("Deploy")
    deployment = emulator.wait_for(
        lambda: boto3.client("bedrock", region_name=REGION).list_provisioned_model_throughputs()[
            "provisionedModelSummaries"
        ],
        15,
        "the throughput",
    )[0]["provisionedModelName"]

    before = publishes(emulator, USER)
    assert driver.open_home(user=USER).status == 200
    emulator.wait_for(lambda: publishes(emulator, USER) > before, 15, "a publish after app_home_opened")
    alice = wait_home(emulator, USER, lambda text: deployment in text, "with the deployment")

    assert "*Setups in progress* (1)" in alice
    assert f"in <#{CHANNEL}>: choosing the kind of customization" in alice
    assert "*Running jobs* (1)" in alice
    assert f"`{RUNNING}` on *Titan Text G1 Lite* in <#{CHANNEL}>: *running*" in alice
    assert "cost so far up to about $0.20" in alice
    assert f"`{deployment}` (Provisioned Throughput, 1 model unit, Creating) in <#{CHANNEL}>: $7.10 per hour" in alice
    assert "Your estimated spend for " in alice
    assert BOBS not in alice
    assert f"`{DONE}`" not in alice  # completed: no longer running

    assert driver.open_home(user=BOB).status == 200
    bob = wait_home(emulator, BOB, lambda text: BOBS in text, "with Bob's job")
    assert RUNNING not in bob
    assert deployment not in bob
    assert "*Setups in progress* (1)" in bob
    assert emulator.unknown_methods == []


def test_a_job_transition_publishes_the_tab_again_and_a_quiet_tick_does_not(
    driver: SlackDriver, emulator: SlackEmulator
) -> None:
    assert driver.open_home(user=USER).status == 200
    wait_home(emulator, USER, lambda text: f"`{RUNNING}`" in text, "with the running job")
    # Two publishes always come: the opening's, and the completion of Alice's other job at start (its tick
    # renders a loss chart first, so its publish may land after the opening's). Then nothing changes.
    emulator.wait_for(lambda: publishes(emulator, USER) >= 2, REPLY_WAIT, "the opening's and the completion's")
    settle()
    quiet = publishes(emulator, USER)
    time.sleep(3 * POLL + 0.5)
    assert publishes(emulator, USER) == quiet  # ticks that change nothing publish nothing

    set_status(RUNNING, JobStatus.COMPLETED)
    wait_for_notice(emulator, RUNNING, timeout=15)

    text = wait_home(emulator, USER, lambda text: f"`{RUNNING}`" not in text, "without the finished job")
    assert "No job running." in text
    assert BOBS not in text


def test_a_failing_views_publish_never_stops_the_job_notice(
    bot: BotProcess, driver: SlackDriver, emulator: SlackEmulator, jobs: dict[str, SeededJob]
) -> None:
    emulator.faults.fail("views.publish", "500", times=50)

    set_status(RUNNING, JobStatus.COMPLETED)

    notice = wait_for_notice(emulator, RUNNING, timeout=15)
    assert notice.text.endswith("completed.")
    status = emulator.message(CHANNEL, jobs[RUNNING].status_ts)
    assert status is not None
    assert "completed" in status.text
    emulator.wait_for(lambda: emulator.faults.injected("views.publish"), 15, "a failed views.publish")
    emulator.wait_for(lambda: "Could not publish the Home tab of U0ALICE" in bot.log(), 15, "the log line")
    settle()
    assert len([m for m in emulator.messages(CHANNEL) if m.from_bot and f"`{RUNNING}`" in m.text]) == 1

    emulator.faults.clear()
    assert driver.open_home(user=USER).status == 200
    text = wait_home(emulator, USER, lambda text: "No job running." in text, "after Slack recovered")
    assert RUNNING not in text
