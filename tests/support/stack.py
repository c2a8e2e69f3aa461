"""The whole product on loopback for end-to-end tests: the bot subprocess, the Slack emulator, moto and Redis."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import boto3

from bot.sandbox.driver import SlackDriver
from bot.sandbox.emulator import SlackEmulator
from bot.sandbox.records import Message
from tests.support.bot_process import BotProcess
from tests.support.moto_server import ACCOUNT_ID, CREDENTIALS

REGION = "us-east-1"
BUCKET = "finetune-test-bucket"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT_ID}:role/finetune-bot-bedrock"
CHANNEL = "C0GENERAL"
#: Seconds a wait for the bot's next message may last. Each wait returns as soon as the message is
#: there (about a second on an idle machine); the margin is for a machine busy with other work.
REPLY_WAIT = 30
USER = "U0ALICE"


def bot_environment(*, emulator: SlackEmulator, signing_secret: str, redis_url: str, aws_url: str) -> dict[str, str]:
    """What ``finetune-bot serve`` reads, pointing at the loopback stand-ins."""
    return {
        "SLACK_BOT_TOKEN": emulator.workspace.bot_token,
        "SLACK_SIGNING_SECRET": signing_secret,
        "SLACK_API_URL": emulator.api_url,
        "REDIS_URL": redis_url,
        "AWS_REGION": REGION,
        "AWS_ENDPOINT_URL": aws_url,
        "FINETUNE_ROLE_ARN": ROLE_ARN,
        "FINETUNE_BUCKET": BUCKET,
        "FINETUNE_MAX_UPLOAD_MB": "5",
        **CREDENTIALS,
    }


@dataclass
class Stack:
    """A running product and the handles a test drives it with."""

    bot: BotProcess
    emulator: SlackEmulator
    driver: SlackDriver
    aws_url: str
    env: dict[str, str]
    start_bot: Callable[[Mapping[str, str]], BotProcess]

    def restart(self) -> BotProcess:
        """Kill the bot at once (as a crash would) and start a new one on the same state."""
        self.bot.kill()
        self.bot = self.start_bot(self.env)
        self.driver.transport.bot_url = self.bot.events_url
        return self.bot

    def s3(self) -> Any:
        return boto3.client("s3", region_name=REGION, endpoint_url=self.aws_url)

    def bedrock(self) -> Any:
        return boto3.client("bedrock", region_name=REGION, endpoint_url=self.aws_url)

    def jobs(self) -> list[dict[str, Any]]:
        summaries: list[dict[str, Any]] = self.bedrock().list_model_customization_jobs()[
            "modelCustomizationJobSummaries"
        ]
        return summaries

    def root(self) -> Message:
        """The conversation's root message in the channel (the newest the bot posted there)."""
        return self.emulator.wait_for_message(CHANNEL, contains="is setting up a fine-tuning job", timeout=REPLY_WAIT)

    def reply(self, thread_ts: str, contains: str, *, timeout: float = REPLY_WAIT) -> Message:
        """Wait for a bot reply in the thread whose text or blocks contain ``contains``."""

        def found() -> Message | None:
            replies = [m for m in self.emulator.messages(CHANNEL, thread_ts) if m.from_bot]
            return next((m for m in reversed(replies) if contains in full_text(m)), None)

        return self.emulator.wait_for(found, timeout, f"a reply containing {contains!r}")

    def thread_text(self, thread_ts: str) -> str:
        return "\n".join(full_text(m) for m in self.emulator.messages(CHANNEL, thread_ts))


def full_text(message: Message) -> str:
    """Everything a person reads in a message: its text and every text in its blocks."""
    parts = [message.text]
    for block in message.blocks:
        parts += _texts(block)
    return "\n".join(parts)


def _texts(node: Any) -> list[str]:
    """Every ``"text": "…"`` string anywhere in a block tree."""
    if isinstance(node, dict):
        found: list[str] = []
        for key, value in node.items():
            found += [value] if key == "text" and isinstance(value, str) else _texts(value)
        return found
    if isinstance(node, list):
        return [text for item in node for text in _texts(item)]
    return []
