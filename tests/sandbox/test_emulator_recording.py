"""The emulator's recording: rate limits, subscribers, and waiting for asynchronous posts."""

from __future__ import annotations

import threading
import time

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from bot.sandbox.emulator import GENERAL_CHANNEL, SlackEmulator
from bot.sandbox.events import EventKind, SandboxEvent

C = GENERAL_CHANNEL


def test_a_rate_limited_call_is_429_with_retry_after(client: WebClient, emulator: SlackEmulator) -> None:
    emulator.rate_limit("chat.postMessage", times=1, retry_after=7)
    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel=C, text="x")
    assert raised.value.response.status_code == 429
    assert raised.value.response.headers["Retry-After"] == "7"
    assert raised.value.response["error"] == "ratelimited"
    assert emulator.messages(C) == []


def test_the_retry_handler_rides_out_n_rate_limits(emulator: SlackEmulator) -> None:
    emulator.rate_limit("chat.postMessage", times=2, retry_after=0)
    client = WebClient(
        token=emulator.workspace.bot_token,
        base_url=emulator.api_url,
        retry_handlers=[RateLimitErrorRetryHandler(max_retry_count=2)],
    )
    assert client.chat_postMessage(channel=C, text="made it")["ok"]
    calls = emulator.calls("chat.postMessage")
    assert [(c.status, c.rate_limited, c.ok) for c in calls] == [
        (429, True, False),
        (429, True, False),
        (200, False, True),
    ]
    assert [m.text for m in emulator.messages(C)] == ["made it"]


def test_rate_limits_apply_only_to_the_named_method(client: WebClient, emulator: SlackEmulator) -> None:
    emulator.rate_limit("chat.update", times=1)
    assert client.chat_postMessage(channel=C, text="fine")["ok"]


def test_subscribers_see_every_change_in_order(client: WebClient, emulator: SlackEmulator) -> None:
    seen: list[SandboxEvent] = []
    emulator.subscribe(seen.append)
    ts = client.chat_postMessage(channel=C, text="one")["ts"]
    client.chat_update(channel=C, ts=ts, text="two")
    kinds = [e.kind for e in seen]
    assert kinds == [EventKind.MESSAGE_POSTED, EventKind.API_CALL, EventKind.MESSAGE_UPDATED, EventKind.API_CALL]
    assert [e.seq for e in seen] == sorted(e.seq for e in seen)


def test_the_event_log_keeps_every_change_in_order(client: WebClient, emulator: SlackEmulator) -> None:
    ts = client.chat_postMessage(channel=C, text="one")["ts"]
    client.chat_delete(channel=C, ts=ts)
    changes = [e.kind for e in emulator.events() if e.kind != EventKind.API_CALL]
    assert changes == [EventKind.MESSAGE_POSTED, EventKind.MESSAGE_DELETED]


def test_unsubscribed_callbacks_hear_nothing_more(client: WebClient, emulator: SlackEmulator) -> None:
    seen: list[SandboxEvent] = []
    unsubscribe = emulator.subscribe(seen.append)
    unsubscribe()
    client.chat_postMessage(channel=C, text="quiet")
    assert seen == []


def test_a_failing_subscriber_does_not_break_the_bot_s_call(client: WebClient, emulator: SlackEmulator) -> None:
    def broken(event: SandboxEvent) -> None:
        raise RuntimeError("printer jammed")

    emulator.subscribe(broken)
    assert client.chat_postMessage(channel=C, text="still posted")["ok"]


def test_wait_for_returns_once_an_asynchronous_post_arrives(client: WebClient, emulator: SlackEmulator) -> None:
    def post_later() -> None:
        time.sleep(0.2)
        client.chat_postMessage(channel=C, text="Dataset looks good")

    poster = threading.Thread(target=post_later)
    poster.start()
    message = emulator.wait_for_message(C, contains="Dataset", timeout=5)
    poster.join()
    assert message.text == "Dataset looks good"


def test_wait_for_times_out_with_a_description(emulator: SlackEmulator) -> None:
    with pytest.raises(TimeoutError, match="the cost estimate"):
        emulator.wait_for(lambda: emulator.messages(C), timeout=0.1, description="the cost estimate")
