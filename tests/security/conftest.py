"""Fixtures for the hostile tests: a recording hostile server, and helpers that craft what Slack never would."""

from __future__ import annotations

import json
import urllib.parse
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from bot.sandbox import payloads
from bot.sandbox.ids import slack_id
from bot.sandbox.signing import signed_headers
from tests.conftest import SIGNING_SECRET
from tests.support.hostile import HostileServer, hostile_server
from tests.support.stack import CHANNEL, USER, Stack


@pytest.fixture
def hostile() -> Iterator[HostileServer]:
    """A server that records everything sent to it; a test asserts it was sent nothing."""
    with hostile_server() as server:
        yield server


def command_form(stack: Stack, text: str, *, response_url: str, **overrides: str) -> bytes:
    """A slash command's form body as Slack sends it, with a chosen ``response_url`` and field overrides."""
    emulator = stack.emulator
    form = payloads.slash_command(
        stack.driver.workspace,
        command="/finetune",
        text=text,
        user=emulator.add_user(USER),
        channel=emulator.add_channel(CHANNEL),
        response_url=response_url,
        trigger_id=emulator.new_trigger_id(USER),
    )
    return urllib.parse.urlencode(form | overrides).encode()


def signed(body: bytes) -> dict[str, str]:
    """Correct signature headers for ``body``, signed now."""
    return signed_headers(SIGNING_SECRET, body, "valid")


def share_file(stack: Stack, thread_ts: str, file: dict[str, Any]) -> None:
    """Deliver a signed ``file_share`` event for ``file`` (whose URLs a test may have pointed anywhere)."""
    emulator = stack.emulator
    message = emulator.record_user_message(
        CHANNEL, USER, "", thread_ts=thread_ts, files=[file], client_msg_id=str(uuid.uuid4())
    )
    event = payloads.message_event(
        message, channel=emulator.add_channel(CHANNEL), parent_user=emulator.workspace.bot_user_id
    )
    envelope = payloads.event_envelope(stack.driver.workspace, event, event_id=slack_id("Ev"))
    assert stack.driver.send_raw(json.dumps(envelope).encode(), "application/json").status == 200


def file_at(stack: Stack, url: str, name: str = "train.jsonl") -> dict[str, Any]:
    """A Slack file object whose download URLs point at ``url``."""
    file = stack.emulator.register_file(name, b"{}\n", user=USER)
    return file | {"url_private": url, "url_private_download": url}
