"""Redis outages over HTTP against ``serve``: prompt answers, no orphan in the channel, two log lines, recovery.

The bot runs against a private redis-server that each test stops (killed), pauses (SIGSTOP) or
makes refuse writes, and then brings back, with nothing restarted on the bot's side.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import TypeVar

import boto3
import pytest
import redis

from bot.sandbox.driver import SlackDriver
from bot.sandbox.emulator import SlackEmulator
from tests.conftest import SIGNING_SECRET
from tests.integration.test_conversation_flow import open_thread
from tests.support.bot_process import BotProcess
from tests.support.moto_server import MotoServer
from tests.support.net import http_status, wait_until
from tests.support.redis_server import ThrowawayRedis, throwaway_redis
from tests.support.stack import BUCKET, CHANNEL, REGION, USER, Stack, bot_environment
from workflows.exceptions import STORAGE_UNAVAILABLE

pytestmark = pytest.mark.integration

T = TypeVar("T")

#: Slack gives up on an acknowledgement after this many seconds.
ACK_DEADLINE = 3.0
#: What a health check (Docker's gives up at 4 s) may wait for ``/healthz``.
HEALTH_DEADLINE = 1.0
ROOT_TEXT = "is setting up a fine-tuning job"


@dataclass
class Outage:
    """The product against its own Redis, which the test controls."""

    stack: Stack
    redis: ThrowawayRedis

    @property
    def port(self) -> int:
        return int(self.redis.url.rsplit(":", 1)[1].split("/")[0])

    def stop_redis(self) -> None:
        self.redis.process.kill()
        self.redis.process.wait(timeout=10)

    def health(self) -> tuple[int | None, float]:
        return timed(lambda: http_status(f"{self.stack.bot.base_url}/healthz", timeout=5))

    def log_lines(self, text: str) -> list[str]:
        return [line for line in self.stack.bot.log().splitlines() if text in line]


@pytest.fixture
def outage(
    bot_factory: Callable[[Mapping[str, str]], BotProcess], emulator: SlackEmulator, aws: MotoServer
) -> Iterator[Outage]:
    boto3.client("s3", region_name=REGION, endpoint_url=aws.endpoint_url).create_bucket(Bucket=BUCKET)
    with throwaway_redis() as server:
        env = bot_environment(
            emulator=emulator, signing_secret=SIGNING_SECRET, redis_url=server.url, aws_url=aws.endpoint_url
        )
        env["FINETUNE_POLL_SECONDS"] = "1"
        bot = bot_factory(env)
        driver = SlackDriver(bot.events_url, SIGNING_SECRET, emulator, default_user=USER, default_channel=CHANNEL)
        stack = Stack(
            bot=bot, emulator=emulator, driver=driver, aws_url=aws.endpoint_url, env=env, start_bot=bot_factory
        )
        yield Outage(stack, server)


def timed(call: Callable[[], T]) -> tuple[T, float]:
    started = time.monotonic()
    result = call()
    return result, time.monotonic() - started


def apologies(emulator: SlackEmulator) -> list[str]:
    """The storage apologies people were sent (ephemeral, through the response URL)."""
    return [
        str(post.payload.get("text", ""))
        for post in emulator.responses()
        if STORAGE_UNAVAILABLE in str(post.payload.get("text", ""))
    ]


def wait_for_apologies(emulator: SlackEmulator, count: int) -> None:
    emulator.wait_for(lambda: len(apologies(emulator)) >= count, 10, f"{count} storage apologies")
    assert all(post.response_type == "ephemeral" for post in emulator.responses())


def root_messages(emulator: SlackEmulator) -> list[str]:
    return [message.ts for message in emulator.messages(CHANNEL) if ROOT_TEXT in message.text]


def assert_a_new_setup_works(stack: Stack) -> None:
    thread = open_thread(stack)
    stack.driver.click("Conversational fine-tuning", thread_ts=thread)
    stack.reply(thread, "Which base model?")


def test_with_redis_stopped_commands_and_clicks_get_an_apology_at_once_and_no_orphan(outage: Outage) -> None:
    stack = outage.stack
    thread = open_thread(stack)
    roots_before = root_messages(stack.emulator)
    outage.stop_redis()

    (status, seconds) = outage.health()
    assert (status, seconds < HEALTH_DEADLINE) == (503, True), seconds

    response, seconds = timed(lambda: stack.driver.slash_command(""))
    assert response.status == 200
    assert seconds < ACK_DEADLINE
    wait_for_apologies(stack.emulator, 1)

    response, seconds = timed(lambda: stack.driver.click("Conversational fine-tuning", thread_ts=thread))
    assert response.status == 200
    assert seconds < ACK_DEADLINE
    wait_for_apologies(stack.emulator, 2)

    response, seconds = timed(lambda: stack.driver.slash_command("cancel"))
    assert response.status == 200
    assert seconds < ACK_DEADLINE
    wait_for_apologies(stack.emulator, 3)

    assert root_messages(stack.emulator) == roots_before
    assert not any("Which base model?" in message.text for message in stack.emulator.messages(CHANNEL, thread))


def test_when_redis_comes_back_a_new_setup_works_and_the_outage_left_two_log_lines(outage: Outage) -> None:
    stack = outage.stack
    outage.stop_redis()
    wait_until(lambda: len(outage.log_lines("Redis unavailable")) == 1, timeout=10, what="the outage in the log")
    stack.driver.slash_command("")
    wait_for_apologies(stack.emulator, 1)
    time.sleep(2.5)  # several status ticks run into the outage

    with throwaway_redis(port=outage.port):
        wait_until(lambda: outage.health()[0] == 200, timeout=10, what="/healthz to answer 200 again")
        assert_a_new_setup_works(stack)
        wait_until(lambda: outage.log_lines("Redis available again"), timeout=10, what="the recovery in the log")

        assert len(outage.log_lines("Redis unavailable")) == 1
        assert len(outage.log_lines("Redis available again")) == 1
        assert "Traceback" not in stack.bot.log()


def test_with_redis_paused_health_says_503_within_a_second_and_commands_get_an_apology(outage: Outage) -> None:
    stack = outage.stack
    os.kill(outage.redis.process.pid, signal.SIGSTOP)
    try:
        for _ in range(3):
            status, seconds = outage.health()
            assert status == 503
            assert seconds < HEALTH_DEADLINE
        response, seconds = timed(lambda: stack.driver.slash_command(""))
        assert response.status == 200
        assert seconds < ACK_DEADLINE
        wait_for_apologies(stack.emulator, 1)
        assert root_messages(stack.emulator) == []
    finally:
        os.kill(outage.redis.process.pid, signal.SIGCONT)

    wait_until(lambda: outage.health()[0] == 200, timeout=10, what="/healthz to answer 200 again")
    assert_a_new_setup_works(stack)
    wait_until(lambda: outage.log_lines("Redis available again"), timeout=10, what="the recovery in the log")
    assert len(outage.log_lines("Redis unavailable")) == 1
    assert "Traceback" not in stack.bot.log()


def test_a_root_message_whose_setup_cannot_be_saved_is_taken_back(outage: Outage) -> None:
    """Redis answers but refuses writes (out of memory): the post already made is deleted."""
    stack = outage.stack
    admin = redis.Redis.from_url(outage.redis.url)
    admin.config_set("maxmemory-policy", "noeviction")
    admin.config_set("maxmemory", "1")
    try:
        response = stack.driver.slash_command("")
        assert response.status == 200
        stack.emulator.wait_for(
            lambda: any("Something went wrong" in str(post.payload.get("text")) for post in stack.emulator.responses()),
            10,
            "the apology",
        )
        (posted,) = [call for call in stack.emulator.calls("chat.postMessage") if call.params.get("thread_ts") is None]
        (deleted,) = stack.emulator.calls("chat.delete")
        assert deleted.ok
        assert root_messages(stack.emulator) == []
    finally:
        admin.config_set("maxmemory", "0")
        admin.close()
    assert posted.ok
    assert_a_new_setup_works(stack)
