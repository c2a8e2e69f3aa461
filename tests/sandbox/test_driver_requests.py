"""The driver's requests: signed like Slack's, shaped like Slack's, and mirrored in the emulator."""

from __future__ import annotations

import json
import time
import urllib.request

import pytest
from slack_sdk.signature import SignatureVerifier

from bot.sandbox.driver import SlackDriver
from bot.sandbox.emulator import GENERAL_CHANNEL, SlackEmulator
from bot.sandbox.signing import SigningMode
from tests.sandbox.conftest import SIGNING_SECRET, Received, StubBot

C = GENERAL_CHANNEL


def only(bot: StubBot) -> Received:
    """The single request the stub bot received."""
    [received] = bot.received
    return received


def answer_json(body: dict[str, object]) -> object:
    """A responder that acks with a JSON body."""
    return lambda _: (200, "application/json", json.dumps(body))


def test_a_valid_request_carries_slack_s_v0_signature(driver: SlackDriver, bot: StubBot) -> None:
    driver.slash_command("help")
    received = only(bot)
    timestamp = received.headers["X-Slack-Request-Timestamp"]
    expected = SignatureVerifier(SIGNING_SECRET).generate_signature(timestamp=timestamp, body=received.body)
    assert received.headers["X-Slack-Signature"] == expected
    assert abs(time.time() - int(timestamp)) < 5
    assert received.signature_ok


@pytest.mark.parametrize("signing", ["none", "wrong", "stale"])
def test_bad_signing_variants_fail_slack_verification(driver: SlackDriver, bot: StubBot, signing: SigningMode) -> None:
    response = driver.message("hello", signing=signing)
    assert response.status == 401
    assert not only(bot).signature_ok


def test_a_stale_request_is_correctly_signed_but_ten_minutes_old(driver: SlackDriver, bot: StubBot) -> None:
    driver.slash_command("help", signing="stale")
    received = only(bot)
    timestamp = received.headers["X-Slack-Request-Timestamp"]
    expected = SignatureVerifier(SIGNING_SECRET).generate_signature(timestamp=timestamp, body=received.body)
    assert received.headers["X-Slack-Signature"] == expected
    assert time.time() - int(timestamp) >= 590


def test_a_forged_message_leaves_no_trace_in_the_emulator(driver: SlackDriver, emulator: SlackEmulator) -> None:
    driver.message("forged", signing="wrong")
    driver.slash_command("forged", signing="none")
    assert emulator.messages(C) == []
    assert emulator.interactions() == []


def test_an_unsigned_request_has_no_signature_headers(driver: SlackDriver, bot: StubBot) -> None:
    driver.slash_command("help", signing="none")
    assert "X-Slack-Signature" not in only(bot).headers


def test_slash_command_is_form_encoded_with_slack_s_fields(driver: SlackDriver, bot: StubBot) -> None:
    driver.slash_command("new type=instruction")
    received = only(bot)
    form = received.form()
    assert received.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert set(form) >= {
        "token",
        "team_id",
        "team_domain",
        "channel_id",
        "channel_name",
        "user_id",
        "user_name",
        "command",
        "text",
        "api_app_id",
        "response_url",
        "trigger_id",
    }
    assert (form["command"], form["text"], form["channel_id"]) == ("/finetune", "new type=instruction", C)
    assert form["response_url"].startswith(driver.emulator.base_url)


def test_a_command_ack_with_text_shows_as_an_ephemeral(
    driver: SlackDriver, bot: StubBot, emulator: SlackEmulator
) -> None:
    bot.responder = lambda _: (200, "application/json", json.dumps({"text": "Usage: /finetune new"}))
    driver.slash_command("bogus")
    assert [e.text for e in emulator.ephemerals(C, driver.default_user)] == ["Usage: /finetune new"]


def test_an_in_channel_command_ack_posts_in_the_channel(
    driver: SlackDriver, bot: StubBot, emulator: SlackEmulator
) -> None:
    bot.responder = lambda _: (200, "application/json", json.dumps({"response_type": "in_channel", "text": "On it"}))
    driver.slash_command("new")
    assert [m.text for m in emulator.messages(C)] == ["On it"]


def test_message_is_an_event_callback_envelope(driver: SlackDriver, bot: StubBot, emulator: SlackEmulator) -> None:
    driver.message("hello bot")
    envelope = only(bot).envelope()
    event = envelope["event"]
    assert envelope["type"] == "event_callback"
    assert envelope["team_id"] == emulator.workspace.team_id
    assert envelope["api_app_id"] == emulator.workspace.app_id
    assert envelope["authorizations"][0]["user_id"] == emulator.workspace.bot_user_id
    assert isinstance(envelope["event_time"], int)
    assert (event["type"], event["channel"], event["user"], event["text"]) == (
        "message",
        C,
        driver.default_user,
        "hello bot",
    )
    assert event["channel_type"] == "channel"
    assert event["client_msg_id"]
    assert "thread_ts" not in event


def test_a_message_is_recorded_as_the_person_s_in_the_emulator(driver: SlackDriver, emulator: SlackEmulator) -> None:
    driver.message("hello bot")
    [message] = emulator.messages(C)
    assert (message.text, message.user, message.from_bot) == ("hello bot", driver.default_user, False)


def test_a_thread_reply_carries_thread_ts_and_parent_user(
    driver: SlackDriver, bot: StubBot, emulator: SlackEmulator
) -> None:
    root = emulator.record_user_message(C, "U0BOB", "root")
    driver.message("in thread", thread_ts=root.ts)
    event = only(bot).envelope()["event"]
    assert (event["thread_ts"], event["parent_user_id"]) == (root.ts, "U0BOB")
    assert [m.text for m in emulator.messages(C, thread_ts=root.ts)] == ["in thread"]


def test_replying_under_a_missing_message_is_an_error(driver: SlackDriver, bot: StubBot) -> None:
    with pytest.raises(LookupError, match="to reply under"):
        driver.message("hello?", thread_ts="1700000000.000001")
    assert bot.received == []


def test_event_ids_are_unique(driver: SlackDriver, bot: StubBot) -> None:
    for i in range(30):
        driver.message(f"message {i}")
    event_ids = [r.envelope()["event_id"] for r in bot.received]
    assert len(set(event_ids)) == 30
    assert all(event_id.startswith("Ev") for event_id in event_ids)


def test_upload_file_is_a_file_share_event_with_a_downloadable_file(
    driver: SlackDriver, bot: StubBot, emulator: SlackEmulator
) -> None:
    root = emulator.record_user_message(C, driver.default_user, "start")
    driver.upload_file("train.jsonl", b'{"prompt": "a", "completion": "b"}\n', thread_ts=root.ts, text="here")
    event = only(bot).envelope()["event"]
    [file] = event["files"]
    assert (event["subtype"], event["thread_ts"], event["text"]) == ("file_share", root.ts, "here")
    assert (file["name"], file["filetype"], file["size"]) == ("train.jsonl", "jsonl", 35)
    request = urllib.request.Request(
        file["url_private_download"], headers={"Authorization": f"Bearer {emulator.workspace.bot_token}"}
    )
    with urllib.request.urlopen(request) as download:
        assert download.read() == b'{"prompt": "a", "completion": "b"}\n'
    [shared] = emulator.messages(C, thread_ts=root.ts)
    assert [f["id"] for f in shared.files] == [file["id"]]


def test_redeliver_sends_the_same_envelope_with_retry_headers(driver: SlackDriver, bot: StubBot) -> None:
    driver.message("only once please")
    driver.redeliver()
    first, retry = bot.received
    assert retry.body == first.body
    assert retry.headers["X-Slack-Retry-Num"] == "1"
    assert retry.headers["X-Slack-Retry-Reason"] == "http_timeout"
    assert retry.signature_ok


def test_redeliver_before_anything_was_sent_is_an_error(driver: SlackDriver) -> None:
    with pytest.raises(RuntimeError, match="nothing has been sent"):
        driver.redeliver()


def test_send_raw_signs_arbitrary_bytes(driver: SlackDriver, bot: StubBot) -> None:
    response = driver.send_raw(b"not json at all", "application/json")
    assert only(bot).body == b"not json at all"
    assert only(bot).signature_ok
    assert response.ok


def test_commands_are_recorded_as_interactions(driver: SlackDriver, emulator: SlackEmulator) -> None:
    driver.slash_command("status")
    [interaction] = emulator.interactions()
    assert (interaction.kind, interaction.label, interaction.user) == ("slash_command", "/finetune status", "U0ALICE")
