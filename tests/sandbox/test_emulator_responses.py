"""``response_url``s in the emulator: recorded posts and their effect on what people see."""

from __future__ import annotations

import urllib.error
import urllib.request

from slack_sdk import WebClient
from slack_sdk.webhook import WebhookClient

from bot.sandbox.emulator import GENERAL_CHANNEL, SlackEmulator

C = GENERAL_CHANNEL
USER = "U0ALICE"


def respond(url: str, **payload: object) -> int:
    """POST to a response URL the way Bolt's ``respond`` does; the HTTP status."""
    return int(WebhookClient(url).send_dict(dict(payload)).status_code)


def test_a_response_is_ephemeral_by_default(emulator: SlackEmulator) -> None:
    emulator.add_user(USER)
    url = emulator.new_response_url(channel=C, user=USER)
    assert respond(url, text="Only you can see this") == 200
    [post] = emulator.responses(url)
    assert post.response_type == "ephemeral"
    assert [e.text for e in emulator.ephemerals(C, user=USER)] == ["Only you can see this"]
    assert emulator.messages(C) == []


def test_an_in_channel_response_posts_as_the_bot_in_the_thread(client: WebClient, emulator: SlackEmulator) -> None:
    root = client.chat_postMessage(channel=C, text="root")["ts"]
    url = emulator.new_response_url(channel=C, user=USER)
    respond(url, text="Everyone sees this", response_type="in_channel", thread_ts=root)
    [reply] = emulator.messages(C, thread_ts=root)
    assert reply.text == "Everyone sees this"
    assert reply.from_bot


def test_replace_original_edits_the_clicked_message(client: WebClient, emulator: SlackEmulator) -> None:
    ts = client.chat_postMessage(channel=C, text="Pick a type")["ts"]
    url = emulator.new_response_url(channel=C, user=USER, message_ts=ts)
    respond(url, text="You picked instruction fine-tuning", replace_original=True)
    assert [m.text for m in emulator.messages(C)] == ["You picked instruction fine-tuning"]
    [post] = emulator.responses(url)
    assert post.replace_original


def test_delete_original_removes_the_clicked_message(client: WebClient, emulator: SlackEmulator) -> None:
    ts = client.chat_postMessage(channel=C, text="Are you sure?")["ts"]
    url = emulator.new_response_url(channel=C, user=USER, message_ts=ts)
    respond(url, delete_original=True)
    assert emulator.messages(C) == []


def test_replace_original_on_an_ephemeral_replaces_it_in_place(emulator: SlackEmulator) -> None:
    emulator.add_user(USER)
    first = emulator.new_response_url(channel=C, user=USER)
    respond(first, text="Step 1")
    [ephemeral] = emulator.ephemerals(C, USER)
    url = emulator.new_response_url(channel=C, user=USER, message_ts=ephemeral.ts, is_ephemeral=True)
    respond(url, text="Step 2", replace_original=True)
    assert [(e.ts, e.text) for e in emulator.ephemerals(C, USER)] == [(ephemeral.ts, "Step 2")]


def test_a_response_url_takes_five_posts(emulator: SlackEmulator) -> None:
    url = emulator.new_response_url(channel=C, user=USER)
    statuses = [respond(url, text=str(i)) for i in range(6)]
    assert statuses == [200, 200, 200, 200, 200, 404]
    assert emulator.responses(url)[-1].error == "used_url"


def test_an_unknown_response_url_is_404_and_recorded(emulator: SlackEmulator) -> None:
    url = emulator.base_url + "commands/T0SANDBOX01/1/nope"
    assert respond(url, text="hi") == 404
    assert [p.error for p in emulator.responses(url)] == ["no_service"]


def test_a_response_without_text_or_blocks_is_refused(emulator: SlackEmulator) -> None:
    url = emulator.new_response_url(channel=C, user=USER)
    request = urllib.request.Request(url, data=b"{}", headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request) as answer:
            status = answer.status
    except urllib.error.HTTPError as error:
        with error:
            status = error.code
    assert status == 400
    assert emulator.responses(url)[0].error == "no_text"
