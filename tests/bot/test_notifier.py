"""``SlackNotifier`` against the Slack emulator: what no longer exists becomes ``MessageGone``, nothing else does."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from slack_sdk.errors import SlackApiError

from bot.notifier import SlackNotifier
from bot.sandbox.emulator import SlackEmulator
from bot.slack_client import build_web_client
from tests.support.stack import CHANNEL
from workflows.exceptions import MessageGone
from workflows.messages import Message

pytestmark = pytest.mark.integration


@pytest.fixture
def notifier(emulator: SlackEmulator) -> SlackNotifier:
    return SlackNotifier(build_web_client(token=emulator.workspace.bot_token, base_url=emulator.api_url))


def test_delete_removes_the_bot_s_message(emulator: SlackEmulator, notifier: SlackNotifier) -> None:
    ts = notifier.post(channel=CHANNEL, message=Message("root"))
    notifier.delete(channel=CHANNEL, ts=ts)
    assert emulator.messages(CHANNEL) == []


ACTIONS: dict[str, Callable[[SlackNotifier, str], object]] = {
    "reply": lambda notifier, ts: notifier.post(channel=CHANNEL, thread_ts=ts, message=Message("reply")),
    "update": lambda notifier, ts: notifier.update(channel=CHANNEL, ts=ts, message=Message("edited")),
    "delete": lambda notifier, ts: notifier.delete(channel=CHANNEL, ts=ts),
}


@pytest.mark.parametrize("action", ACTIONS)
def test_a_deleted_thread_or_message_is_message_gone(
    emulator: SlackEmulator, notifier: SlackNotifier, action: str
) -> None:
    ts = notifier.post(channel=CHANNEL, message=Message("root"))
    emulator.delete_message(CHANNEL, ts)
    with pytest.raises(MessageGone, match="_not_found"):
        ACTIONS[action](notifier, ts)


def test_an_unknown_channel_is_message_gone(notifier: SlackNotifier) -> None:
    with pytest.raises(MessageGone, match="channel_not_found"):
        notifier.post(channel="C0NOWHERE", message=Message("hello"))


def test_other_refusals_stay_slack_errors(notifier: SlackNotifier) -> None:
    with pytest.raises(SlackApiError) as caught:
        notifier.whisper(channel=CHANNEL, user="U0NOBODY", text="psst")
    assert caught.value.response["error"] == "user_not_found"
