"""Helpers for monitoring tests over HTTP: the bot's settings, a seeded job, and the notices it posts."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

import redis
from slack_sdk import WebClient

from bot.sandbox.emulator import SlackEmulator
from bot.sandbox.records import Ephemeral, Message
from tests.conftest import SIGNING_SECRET
from tests.jobs.monitoring.moto_jobs import TITAN_LITE, create_job
from tests.support.bot_process import BotProcess
from tests.support.stack import CHANNEL, USER, bot_environment, full_text
from workflows.adapters.bedrock import BedrockJobs
from workflows.adapters.redis_jobs import RedisJobRecords
from workflows.dataset_rules import CustomizationType
from workflows.jobs.job import JobRecord

#: Seconds between status ticks in these tests (the setting's minimum is 1).
POLL = 1
ADMIN = "U0ADMIN"
#: Words that open each end-of-job notice.
ENDINGS = ("completed.", "failed.", "was stopped.")

BotFactory = Callable[[Mapping[str, str]], BotProcess]


def monitoring_env(emulator: SlackEmulator, redis_url: str, aws_url: str) -> dict[str, str]:
    """The stack's settings with a fast poll and one admin."""
    env = bot_environment(emulator=emulator, signing_secret=SIGNING_SECRET, redis_url=redis_url, aws_url=aws_url)
    return env | {"FINETUNE_POLL_SECONDS": str(POLL), "FINETUNE_ADMINS": ADMIN}


@dataclass(frozen=True)
class SeededJob:
    """A job as the launcher leaves it: in moto, recorded in Redis, with its thread and status message."""

    name: str
    thread_ts: str
    status_ts: str


def seed_job(
    emulator: SlackEmulator,
    client: redis.Redis,
    bedrock: BedrockJobs,
    name: str,
    *,
    user: str = USER,
    validation_uri: str | None = None,
) -> SeededJob:
    """Create the job in moto and record it as the launcher does, with the thread the bot posted."""
    slack = WebClient(token=emulator.workspace.bot_token, base_url=emulator.api_url)
    root = slack.chat_postMessage(channel=CHANNEL, text=f"<@{user}> is setting up a fine-tuning job.")
    status = slack.chat_postMessage(channel=CHANNEL, thread_ts=root["ts"], text=f"Started fine-tuning job `{name}`.")
    arn = create_job(bedrock, name, validation_uri=validation_uri)
    record = JobRecord(
        job_name=name,
        job_arn=arn,
        base_model_id=TITAN_LITE,
        customization=CustomizationType.INSTRUCTION,
        conversation_id=f"{emulator.workspace.team_id}:{CHANNEL}:{root['ts']}",
        team=emulator.workspace.team_id,
        channel=CHANNEL,
        thread_ts=root["ts"],
        status_message_ts=status["ts"],
        user=user,
        started_at=datetime.now(UTC),
        epochs=2,
        training_tokens=250_000,
        estimated_training_cost="0.20",
    )
    RedisJobRecords(client).save(record)
    return SeededJob(name=name, thread_ts=root["ts"], status_ts=status["ts"])


def notices(emulator: SlackEmulator, name: str) -> list[Message]:
    """The end-of-job notices about ``name`` at the top of the channel."""
    return [
        message
        for message in emulator.messages(CHANNEL)
        if message.from_bot and f"`{name}`" in message.text and message.text.endswith(ENDINGS)
    ]


def wait_for_notice(emulator: SlackEmulator, name: str, *, timeout: float) -> Message:
    """The first notice about ``name``, once it is there."""
    found = emulator.wait_for(lambda: notices(emulator, name), timeout, f"the notice about {name}")
    return found[0]


def settle(polls: int = 2) -> None:
    """Let a few more ticks pass, so a duplicate announcement would have shown up."""
    time.sleep(polls * POLL + 0.5)


def text_of(message: Message | Ephemeral) -> str:
    """Everything a person reads in a message or an ephemeral: its text and every text in its blocks."""
    shown = (
        message if isinstance(message, Message) else Message(CHANNEL, message.ts, "", "", message.text, message.blocks)
    )
    return full_text(shown)


def newest_ephemeral(emulator: SlackEmulator, user: str, contains: str, *, timeout: float = 5) -> str:
    """The text of the newest ephemeral ``user`` sees that contains ``contains``, once there."""

    def found() -> str | None:
        texts = [text_of(ephemeral) for ephemeral in emulator.ephemerals(CHANNEL, user)]
        return next((text for text in reversed(texts) if contains in text), None)

    text = emulator.wait_for(found, timeout, f"an ephemeral for {user} containing {contains!r}")
    assert text is not None
    return text


def newest_response(emulator: SlackEmulator, contains: str, *, timeout: float = 10) -> str:
    """Everything in the newest answer posted to a response URL that contains ``contains``, once there."""

    def found() -> str | None:
        texts = [str(response.payload) for response in emulator.responses()]
        return next((text for text in reversed(texts) if contains in text), None)

    text = emulator.wait_for(found, timeout, f"an answer containing {contains!r}")
    assert text is not None
    return text
