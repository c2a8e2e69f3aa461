"""The product on loopback with faults within reach: the Slack emulator's ``faults``, a proxy in front of moto.

Like the ``stack`` fixture, but the bot reaches AWS through ``AwsProxy`` and runs its scheduled tick
every second with a short launch deadline, so recoveries are seen within seconds.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

import boto3
import pytest
import redis

from bot.sandbox.driver import SlackDriver
from bot.sandbox.emulator import SlackEmulator
from tests.conftest import SIGNING_SECRET
from tests.support.aws_proxy import AwsProxy, aws_proxy
from tests.support.bot_process import BotProcess
from tests.support.moto_server import MotoServer
from tests.support.stack import BUCKET, CHANNEL, REGION, USER, Stack, bot_environment

#: Seconds between the bot's scheduled ticks (re-drives, recoveries, job status).
TICK_SECONDS = 1
#: Seconds a launch may take before the bot looks the job up in Bedrock.
LAUNCH_DEADLINE = 3


@dataclass
class FaultStack:
    """A running product, the handles to drive it, and the AWS proxy to break it with."""

    stack: Stack
    proxy: AwsProxy
    redis: redis.Redis


@pytest.fixture
def faulty(
    bot_factory: Callable[[Mapping[str, str]], BotProcess],
    emulator: SlackEmulator,
    redis_client: redis.Redis,
    redis_url: str,
    aws: MotoServer,
) -> Iterator[FaultStack]:
    """The bot as a subprocess whose AWS goes through a fault-injecting proxy in front of moto."""
    boto3.client("s3", region_name=REGION, endpoint_url=aws.endpoint_url).create_bucket(Bucket=BUCKET)
    with aws_proxy(aws.endpoint_url) as proxy:
        env = bot_environment(
            emulator=emulator, signing_secret=SIGNING_SECRET, redis_url=redis_url, aws_url=proxy.endpoint_url
        ) | {"FINETUNE_POLL_SECONDS": str(TICK_SECONDS), "FINETUNE_LAUNCH_TIMEOUT_SECONDS": str(LAUNCH_DEADLINE)}
        bot = bot_factory(env)
        driver = SlackDriver(bot.events_url, SIGNING_SECRET, emulator, default_user=USER, default_channel=CHANNEL)
        stack = Stack(
            bot=bot, emulator=emulator, driver=driver, aws_url=aws.endpoint_url, env=env, start_bot=bot_factory
        )
        yield FaultStack(stack=stack, proxy=proxy, redis=redis_client)
