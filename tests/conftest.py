"""Fixtures for the real components: Redis, moto in server mode, the Slack emulator and the bot as a subprocess."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import boto3
import pytest
import redis

from bot.sandbox.driver import SlackDriver
from bot.sandbox.emulator import SlackEmulator
from tests.sandbox.standin_support import ManualClock
from tests.support.bot_process import BotProcess, start_bot
from tests.support.moto_server import CREDENTIALS, MotoServer, moto_server
from tests.support.redis_cluster import MISSING, cluster_tools, throwaway_cluster
from tests.support.redis_server import redis_for_tests
from tests.support.stack import BUCKET, CHANNEL, REGION, USER, Stack, bot_environment
from workflows.adapters.redis_connection import connect

#: The secret the tests' Slack signs with, and the bot's token on the emulator.
SIGNING_SECRET = "test-signing-secret"
BOT_TOKEN = "xoxb-test-bot-token"


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """Parallel runs keep a test class's tests on one worker (``tests/support/xdist_schedule.py``)."""
    from tests.support.xdist_schedule import make_scheduler  # xdist is there whenever this hook is called

    return make_scheduler(config, log)


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A Redis database for tests: REDIS_URL's server if it answers, else a throwaway one (redis-server or Valkey)."""
    try:
        with redis_for_tests(os.environ.get("REDIS_URL")) as url:
            yield url
    except RuntimeError as exc:
        pytest.fail(str(exc), pytrace=False)


@pytest.fixture
def redis_client(redis_url: str) -> Iterator[redis.Redis]:
    """A client on the test database, emptied before and after each test."""
    client = redis.Redis.from_url(redis_url)
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


@pytest.fixture(scope="session")
def redis_cluster_url() -> Iterator[str]:
    """A three-primary Redis Cluster started for this test session (skipped without redis-server and redis-cli)."""
    if cluster_tools() is None:
        pytest.skip(MISSING)
    with throwaway_cluster() as cluster:
        yield cluster.url


@pytest.fixture
def cluster_redis_client(redis_cluster_url: str) -> Iterator[redis.Redis]:
    """The product's cluster client on the test cluster, every primary emptied before and after each test."""
    client = connect(redis_cluster_url, cluster=True)
    client.flushall()
    yield client
    client.flushall()
    client.close()


@pytest.fixture(scope="session")
def moto_session() -> Iterator[MotoServer]:
    with moto_server() as server:
        yield server


@pytest.fixture
def aws(moto_session: MotoServer, monkeypatch: pytest.MonkeyPatch) -> Iterator[MotoServer]:
    """Emulated AWS, empty for each test; boto3 in this process reaches it through AWS_ENDPOINT_URL."""
    moto_session.reset()
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_session.endpoint_url)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    yield moto_session
    moto_session.reset()


@pytest.fixture
def standin_clock(aws: MotoServer, monkeypatch: pytest.MonkeyPatch) -> ManualClock:
    """The AWS stand-in's deployments move only when the test moves this clock."""
    manual = ManualClock()
    monkeypatch.setattr(aws.standin.deployments, "clock", manual)
    return manual


@pytest.fixture
def bot_factory() -> Iterator[Callable[[Mapping[str, str]], BotProcess]]:
    """Start bots with a given environment; every bot started is stopped after the test."""
    started: list[BotProcess] = []

    def start(env: Mapping[str, str]) -> BotProcess:
        bot = start_bot(env)
        started.append(bot)
        return bot

    yield start
    for bot in started:
        bot.stop()


@pytest.fixture
def emulator() -> Iterator[SlackEmulator]:
    """The Slack Web API emulator on a free loopback port."""
    with SlackEmulator(bot_token=BOT_TOKEN) as running:
        yield running


@pytest.fixture
def stack(
    bot_factory: Callable[[Mapping[str, str]], BotProcess],
    emulator: SlackEmulator,
    redis_client: redis.Redis,
    redis_url: str,
    aws: MotoServer,
) -> Stack:
    """The bot as a subprocess against the emulator, moto (with the product's bucket) and a real Redis."""
    boto3.client("s3", region_name=REGION, endpoint_url=aws.endpoint_url).create_bucket(Bucket=BUCKET)
    env = bot_environment(
        emulator=emulator, signing_secret=SIGNING_SECRET, redis_url=redis_url, aws_url=aws.endpoint_url
    )
    bot = bot_factory(env)
    driver = SlackDriver(bot.events_url, SIGNING_SECRET, emulator, default_user=USER, default_channel=CHANNEL)
    return Stack(bot=bot, emulator=emulator, driver=driver, aws_url=aws.endpoint_url, env=env, start_bot=bot_factory)
