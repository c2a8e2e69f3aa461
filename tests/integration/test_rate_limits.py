"""The Web API client rides out Slack's 429s (waiting out ``Retry-After``), 500s and dropped connections."""

from __future__ import annotations

import time

import pytest
from slack_sdk.errors import SlackApiError

from bot.sandbox.emulator import SlackEmulator
from bot.slack_client import RATE_LIMIT_RETRIES, SERVER_ERROR_RETRIES, build_web_client
from tests.support.stack import CHANNEL

pytestmark = pytest.mark.integration


def test_a_429_with_retry_after_is_waited_out_and_the_message_arrives(emulator: SlackEmulator) -> None:
    client = build_web_client(token=emulator.workspace.bot_token, base_url=emulator.api_url)
    emulator.rate_limit("chat.postMessage", times=2, retry_after=1)
    started = time.monotonic()
    response = client.chat_postMessage(channel=CHANNEL, text="status update")
    assert response["ok"]
    assert time.monotonic() - started >= 2.0
    assert [m.text for m in emulator.messages(CHANNEL)] == ["status update"]


def test_more_429s_than_the_retry_budget_surface_as_an_error(emulator: SlackEmulator) -> None:
    client = build_web_client(token=emulator.workspace.bot_token, base_url=emulator.api_url)
    emulator.rate_limit("chat.update", times=RATE_LIMIT_RETRIES + 1, retry_after=0)
    with pytest.raises(SlackApiError) as caught:
        client.chat_update(channel=CHANNEL, ts="1.0", text="x")
    assert caught.value.response.status_code == 429


@pytest.mark.parametrize("kind", ["500", "drop"])
def test_a_server_error_or_a_dropped_connection_is_retried_and_the_message_arrives(
    emulator: SlackEmulator, kind: str
) -> None:
    client = build_web_client(token=emulator.workspace.bot_token, base_url=emulator.api_url)
    emulator.faults.fail("chat.postMessage", kind, times=2)
    response = client.chat_postMessage(channel=CHANNEL, text="status update")
    assert response["ok"]
    assert [m.text for m in emulator.messages(CHANNEL)] == ["status update"]
    assert len(emulator.faults.injected("chat.postMessage")) == 2


def test_more_server_errors_than_the_retry_budget_surface_as_an_error(emulator: SlackEmulator) -> None:
    client = build_web_client(token=emulator.workspace.bot_token, base_url=emulator.api_url)
    emulator.faults.fail("chat.postMessage", "500", times=SERVER_ERROR_RETRIES + 1)
    with pytest.raises(SlackApiError) as caught:
        client.chat_postMessage(channel=CHANNEL, text="x")
    assert caught.value.response.status_code == 500
    assert emulator.messages(CHANNEL) == []
