"""``finetune-bot serve`` under hostile HTTP: refused fast, with no outbound call of any kind and no 500.

Each hostile command names a ``response_url`` on a recording server, so any post to it is seen; the
emulator records every Web API call. After the hostile requests, one signed ``/finetune`` is sent and
answered, so whatever the bot might have queued has had its turn before the absence is asserted.
"""

from __future__ import annotations

import json
import urllib.parse

import pytest

from bot.guard.body import MAX_BODY_BYTES
from bot.sandbox.signing import signed_headers
from tests.conftest import SIGNING_SECRET
from tests.security.conftest import command_form, signed
from tests.support.hostile import HostileServer
from tests.support.raw_http import RawAnswer, raw_post, status_before_body
from tests.support.stack import CHANNEL, Stack

pytestmark = pytest.mark.integration

FORM = "application/x-www-form-urlencoded"
#: The bot must refuse within this, whatever it is sent.
DEADLINE_SECONDS = 1.0


def assert_nothing_went_out(stack: Stack, hostile: HostileServer, calls_before: int) -> None:
    """No Web API call, no response_url post, no message, no traceback: then one signed request still works."""
    assert stack.emulator.calls()[calls_before:] == []
    assert stack.driver.slash_command("").status == 200
    stack.root()
    assert hostile.requests() == []
    assert stack.emulator.responses() == []
    roots = [m for m in stack.emulator.all_messages(CHANNEL) if "is setting up a fine-tuning job" in m.text]
    assert len(roots) == 1
    log = stack.bot.log()
    assert "Traceback" not in log
    assert " 500" not in log


def unsigned_cases(stack: Stack, hostile: HostileServer) -> dict[str, tuple[bytes, dict[str, str]]]:
    """Bodies and headers no one with the signing secret sent."""
    command = command_form(stack, "", response_url=hostile.base_url + "hook")
    good = signed(command)
    interaction = urllib.parse.urlencode(
        {"payload": json.dumps({"type": "block_actions", "response_url": hostile.base_url + "hook", "actions": []})}
    ).encode()
    return {
        "no signature": (command, {"Content-Type": FORM}),
        "non-numeric timestamp": (
            command,
            {"Content-Type": FORM, "X-Slack-Request-Timestamp": "now", "X-Slack-Signature": good["X-Slack-Signature"]},
        ),
        "non-ASCII signature": (
            command,
            {
                "Content-Type": FORM,
                "X-Slack-Request-Timestamp": good["X-Slack-Request-Timestamp"],
                "X-Slack-Signature": "v0=" + "é" * 64,
            },
        ),
        "forged signature": (command, {"Content-Type": FORM} | signed_headers(SIGNING_SECRET, command, "wrong")),
        "stale signature": (command, {"Content-Type": FORM} | signed_headers(SIGNING_SECRET, command, "stale")),
        "signature of another body": (command + b"&x=1", {"Content-Type": FORM} | good),
        "bad UTF-8, unsigned": (b"command=%2Ffinetune&text=\xff\xfe&response_url=" + hostile.base_url.encode(), {}),
        "broken JSON payload, unsigned": (b"payload=%7B%22type%22%3A", {"Content-Type": FORM}),
        "JSON array, unsigned": (b"[1, 2, 3]", {"Content-Type": "application/json"}),
        "interaction naming a response_url, unsigned": (interaction, {"Content-Type": FORM}),
        "500,000 form fields, unsigned": (b"a&" * 500_000, {"Content-Type": FORM}),
    }


def test_unsigned_and_malformed_requests_get_401_fast_and_cause_nothing(stack: Stack, hostile: HostileServer) -> None:
    calls_before = len(stack.emulator.calls())
    answers: dict[str, RawAnswer] = {}
    for name, (body, headers) in unsigned_cases(stack, hostile).items():
        answers[name] = raw_post(stack.bot.events_url, body, headers)
    for name, answer in answers.items():
        assert answer.status == 401, name
        assert answer.seconds < DEADLINE_SECONDS, (name, answer.seconds)
    assert_nothing_went_out(stack, hostile, calls_before)


@pytest.mark.parametrize("signing", ["none", "valid"])
def test_a_body_over_the_cap_is_refused_before_it_is_sent(stack: Stack, hostile: HostileServer, signing: str) -> None:
    """10⁶ form fields (or 10 MB of anything): answered from the request head alone, the body never read."""
    calls_before = len(stack.emulator.calls())
    body_size = len(b"k=v&" * 1_000_000)
    headers = {"Content-Type": FORM}
    if signing == "valid":
        headers |= signed(b"k=v&" * 1_000_000)
    answer = status_before_body(stack.bot.events_url, headers, declared_length=body_size)
    assert answer.status == 413
    assert answer.seconds < DEADLINE_SECONDS
    assert body_size > MAX_BODY_BYTES
    assert_nothing_went_out(stack, hostile, calls_before)


def test_signed_but_malformed_bodies_get_400_and_cause_nothing(stack: Stack, hostile: HostileServer) -> None:
    calls_before = len(stack.emulator.calls())
    hook = urllib.parse.quote(hostile.base_url + "hook", safe="")
    cases = {
        "bad UTF-8": (b"command=%2Ffinetune&text=\xff\xfe&response_url=" + hook.encode(), FORM),
        "percent-encoded bad UTF-8": (b"command=%2Ffinetune&text=%FF&response_url=" + hook.encode(), FORM),
        "payload that is not JSON": (b"payload=%7B%22type%22%3A%22block_actions%22", FORM),
        "payload that is a JSON array": (b"payload=%5B%7B%22type%22%3A%22block_actions%22%7D%5D", FORM),
        "JSON array": (b'[{"type": "event_callback"}]', "application/json"),
        "JSON without a type": (b'{"event": {"type": "message"}}', "application/json"),
        "too many form fields": (b"a&" * 500_000, FORM),
        "unknown content type": (b"command=/finetune", "text/plain"),
    }
    for name, (body, content_type) in cases.items():
        answer = raw_post(stack.bot.events_url, body, {"Content-Type": content_type} | signed(body))
        assert answer.status == 400, name
        assert answer.seconds < DEADLINE_SECONDS, (name, answer.seconds)
    assert_nothing_went_out(stack, hostile, calls_before)


@pytest.mark.parametrize(
    "text", ["payload", "payload=1", 'payload={"type":"block_actions"}', "help payload", "{payload}"]
)
def test_a_slash_command_mentioning_payload_gets_its_normal_answer(stack: Stack, text: str) -> None:
    response = stack.driver.slash_command(text)
    assert response.status == 200
    assert response.json is not None
    assert "/finetune help" in response.json["text"]


def test_a_command_from_a_channel_named_payload_gets_its_normal_answer(stack: Stack) -> None:
    stack.emulator.add_channel("C0PAYLOAD", "payload-team")
    response = stack.driver.slash_command("help", channel="C0PAYLOAD")
    assert response.status == 200
    assert response.json is not None
    assert "/finetune new type=TYPE" in response.json["text"]


def test_slacks_url_verification_is_answered(stack: Stack) -> None:
    body = json.dumps({"type": "url_verification", "token": "t", "challenge": "c-123"}).encode()
    response = stack.driver.send_raw(body, "application/json")
    assert response.status == 200
    assert "c-123" in response.body
