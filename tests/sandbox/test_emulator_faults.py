"""Injected Slack failures: armed in Python or over HTTP, each answers one call of its method, then Slack works."""

from __future__ import annotations

import http.client
import json
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest

from bot.sandbox.emulator import SlackEmulator

CHANNEL = "C0GENERAL"


def call(emulator: SlackEmulator, method: str, **params: str) -> tuple[int, dict[str, str], dict[str, object]]:
    body = json.dumps({"channel": CHANNEL, **params}).encode()
    request = urllib.request.Request(
        emulator.api_url + method,
        data=body,
        headers={"Authorization": f"Bearer {emulator.workspace.bot_token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:
            return answer.status, dict(answer.headers.items()), json.loads(answer.read())
    except urllib.error.HTTPError as error:
        with error:
            return error.code, dict(error.headers.items()), json.loads(error.read())


def arm_over_http(emulator: SlackEmulator, spec: dict[str, object]) -> int:
    request = urllib.request.Request(emulator.faults_url, data=json.dumps(spec).encode(), method="POST")
    with urllib.request.urlopen(request, timeout=5) as answer:
        return int(answer.status)


@pytest.fixture
def emulator() -> Iterator[SlackEmulator]:
    with SlackEmulator() as running:
        yield running


def test_a_500_answers_the_next_call_only(emulator: SlackEmulator) -> None:
    emulator.faults.fail("chat.postMessage", "500")
    status, _, body = call(emulator, "chat.postMessage", text="one")
    assert (status, body) == (500, {"ok": False, "error": "fatal_error"})
    status, _, body = call(emulator, "chat.postMessage", text="two")
    assert status == 200
    assert body["ok"] is True
    assert [m.text for m in emulator.messages(CHANNEL)] == ["two"]


def test_a_429_armed_over_http_carries_retry_after_and_other_methods_still_work(emulator: SlackEmulator) -> None:
    assert arm_over_http(emulator, {"method": "chat.update", "kind": "429", "times": 2, "retry_after": 7}) == 200
    posted = call(emulator, "chat.postMessage", text="hello")[2]
    for _ in range(2):
        status, headers, body = call(emulator, "chat.update", ts=str(posted["ts"]), text="edited")
        assert (status, body["error"], headers["Retry-After"]) == (429, "ratelimited", "7")
    assert call(emulator, "chat.update", ts=str(posted["ts"]), text="edited")[0] == 200
    assert [i.method for i in emulator.faults.injected()] == ["chat.update", "chat.update"]


def test_a_dropped_connection_gets_no_answer_at_all(emulator: SlackEmulator) -> None:
    emulator.faults.fail("chat.postMessage", "drop")
    with pytest.raises((http.client.RemoteDisconnected, ConnectionResetError)):
        call(emulator, "chat.postMessage", text="lost")
    assert emulator.messages(CHANNEL) == []


def test_delete_disarms_and_a_bad_spec_is_refused(emulator: SlackEmulator) -> None:
    emulator.faults.fail("chat.postMessage", "500", times=5)
    urllib.request.urlopen(urllib.request.Request(emulator.faults_url, method="DELETE"), timeout=5).close()
    assert emulator.faults.armed("chat.postMessage") == 0
    with pytest.raises(urllib.error.HTTPError) as refused:
        arm_over_http(emulator, {"kind": "500"})
    assert refused.value.code == 400
    refused.value.close()
