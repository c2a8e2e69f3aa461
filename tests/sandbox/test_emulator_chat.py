"""The emulator's chat, reactions, users and conversations methods, driven through slack_sdk's WebClient."""

from __future__ import annotations

import json
import re
import urllib.parse
import urllib.request

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.sandbox.emulator import GENERAL_CHANNEL, SlackEmulator

C = GENERAL_CHANNEL


def buttons(*labels: str) -> list[dict[str, object]]:
    """An actions block with one button per label."""
    elements = [
        {"type": "button", "text": {"type": "plain_text", "text": label}, "action_id": f"a{i}"}
        for i, label in enumerate(labels)
    ]
    return [{"type": "actions", "elements": elements}]


def error_of(call: object) -> str:
    """The Slack error code a failing call raised."""
    with pytest.raises(SlackApiError) as raised:
        call()  # type: ignore[operator]
    return str(raised.value.response["error"])


def test_auth_test_describes_the_bot(client: WebClient, emulator: SlackEmulator) -> None:
    answer = client.auth_test()
    assert answer["user_id"] == emulator.workspace.bot_user_id
    assert answer["team_id"] == emulator.workspace.team_id
    assert answer["bot_id"] == emulator.workspace.bot_id


def test_api_url_ends_with_api_slash(emulator: SlackEmulator) -> None:
    assert re.fullmatch(r"http://127\.0\.0\.1:\d+/api/", emulator.api_url)


def test_post_message_answers_with_the_message_as_slack_shapes_it(client: WebClient) -> None:
    answer = client.chat_postMessage(channel=C, text="hello", blocks=buttons("Go"))
    message = answer["message"]
    assert answer["channel"] == C
    assert re.fullmatch(r"\d{10}\.\d{6}", answer["ts"])
    assert message["ts"] == answer["ts"]
    assert message["text"] == "hello"
    assert message["bot_id"]
    assert message["user"]
    assert message["blocks"][0]["block_id"], "Slack fills in missing block_ids"


def test_timestamps_strictly_increase(client: WebClient) -> None:
    stamps = [client.chat_postMessage(channel=C, text=str(i))["ts"] for i in range(20)]
    assert stamps == sorted(stamps, key=float)
    assert len(set(stamps)) == 20


def test_thread_replies_are_kept_apart_from_top_level_messages(client: WebClient, emulator: SlackEmulator) -> None:
    root = client.chat_postMessage(channel=C, text="root")["ts"]
    client.chat_postMessage(channel=C, text="reply", thread_ts=root)
    assert [m.text for m in emulator.messages(C)] == ["root"]
    assert [m.text for m in emulator.messages(C, thread_ts=root)] == ["reply"]
    assert [m.text for m in emulator.thread(C, root)] == ["root", "reply"]


def test_a_reply_to_a_reply_lands_in_the_parent_thread(client: WebClient, emulator: SlackEmulator) -> None:
    root = client.chat_postMessage(channel=C, text="root")["ts"]
    first = client.chat_postMessage(channel=C, text="first", thread_ts=root)["ts"]
    client.chat_postMessage(channel=C, text="second", thread_ts=first)
    assert [m.text for m in emulator.messages(C, thread_ts=root)] == ["first", "second"]


def test_broadcast_reply_shows_in_thread_and_channel(client: WebClient, emulator: SlackEmulator) -> None:
    root = client.chat_postMessage(channel=C, text="root")["ts"]
    client.chat_postMessage(channel=C, text="news", thread_ts=root, reply_broadcast=True)
    assert [m.text for m in emulator.messages(C)] == ["root", "news"]
    assert [m.text for m in emulator.messages(C, thread_ts=root)] == ["news"]


def test_reply_to_an_unknown_thread_is_refused(client: WebClient) -> None:
    assert error_of(lambda: client.chat_postMessage(channel=C, text="x", thread_ts="1.000001")) == "thread_not_found"


def test_update_changes_the_recorded_message(client: WebClient, emulator: SlackEmulator) -> None:
    ts = client.chat_postMessage(channel=C, text="before", blocks=buttons("Start"))["ts"]
    answer = client.chat_update(channel=C, ts=ts, text="after")
    current = emulator.message(C, ts)
    assert answer["message"]["text"] == "after"
    assert current is not None
    assert current.text == "after"
    assert current.edited_ts is not None
    assert current.blocks[0]["elements"][0]["text"]["text"] == "Start", "blocks not sent are kept"


def test_update_of_an_unknown_ts_is_message_not_found(client: WebClient) -> None:
    assert error_of(lambda: client.chat_update(channel=C, ts="1.000001", text="x")) == "message_not_found"


def test_update_of_a_person_s_message_is_refused(client: WebClient, emulator: SlackEmulator) -> None:
    person = emulator.record_user_message(C, "U0BOB", "mine")
    assert error_of(lambda: client.chat_update(channel=C, ts=person.ts, text="x")) == "cant_update_message"


def test_delete_removes_the_message(client: WebClient, emulator: SlackEmulator) -> None:
    ts = client.chat_postMessage(channel=C, text="bye")["ts"]
    client.chat_delete(channel=C, ts=ts)
    assert emulator.messages(C) == []
    assert error_of(lambda: client.chat_delete(channel=C, ts=ts)) == "message_not_found"


def test_ephemeral_is_recorded_for_its_one_viewer(client: WebClient, emulator: SlackEmulator) -> None:
    emulator.add_user("U0BOB")
    answer = client.chat_postEphemeral(channel=C, user="U0BOB", text="psst", thread_ts=None)
    [ephemeral] = emulator.ephemerals(C, user="U0BOB")
    assert ephemeral.ts == answer["message_ts"]
    assert ephemeral.text == "psst"
    assert emulator.ephemerals(C, user="U0CAROL") == []
    assert emulator.messages(C) == []


def test_ephemeral_to_an_unknown_person_is_refused(client: WebClient) -> None:
    assert error_of(lambda: client.chat_postEphemeral(channel=C, user="U0NOBODY", text="x")) == "user_not_found"


def test_post_to_an_unregistered_channel_is_channel_not_found(client: WebClient) -> None:
    assert error_of(lambda: client.chat_postMessage(channel="C0NOWHERE", text="x")) == "channel_not_found"


def test_post_to_a_person_s_id_goes_to_their_direct_message(client: WebClient, emulator: SlackEmulator) -> None:
    emulator.add_user("U0BOB")
    answer = client.chat_postMessage(channel="U0BOB", text="hi Bob")
    assert answer["channel"].startswith("D")
    assert [m.text for m in emulator.messages(answer["channel"])] == ["hi Bob"]


def test_post_without_text_or_blocks_is_no_text(client: WebClient) -> None:
    assert error_of(lambda: client.api_call("chat.postMessage", json={"channel": C})) == "no_text"


def test_blocks_over_slack_limits_are_invalid_blocks_with_details(client: WebClient) -> None:
    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel=C, text="x", blocks=buttons("x" * 76))
    assert raised.value.response["error"] == "invalid_blocks"
    messages = raised.value.response["response_metadata"]["messages"]
    assert messages == ["[ERROR] must be less than 76 characters [json-pointer:/blocks/0/elements/0/text/text]"]


def post_form(emulator: SlackEmulator, method: str, fields: dict[str, str], token: str | None) -> dict[str, object]:
    """Call a method with a form-encoded body, optionally with a bearer token."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    request = urllib.request.Request(
        emulator.api_url + method, data=urllib.parse.urlencode(fields).encode(), headers=headers
    )
    with urllib.request.urlopen(request) as answer:
        body: dict[str, object] = json.loads(answer.read())
    return body


def test_form_bodies_with_json_string_blocks_and_a_token_field_are_accepted(emulator: SlackEmulator) -> None:
    fields = {"token": emulator.workspace.bot_token, "channel": C, "text": "hi", "blocks": json.dumps(buttons("A"))}
    body = post_form(emulator, "chat.postMessage", fields, token=None)
    assert body["ok"] is True
    [message] = emulator.messages(C)
    assert message.blocks[0]["elements"][0]["text"]["text"] == "A"


def test_a_wrong_token_is_invalid_auth(emulator: SlackEmulator) -> None:
    wrong = WebClient(token="xoxb-not-the-bot", base_url=emulator.api_url)
    assert error_of(wrong.auth_test) == "invalid_auth"
    assert emulator.messages(C) == []


def test_a_missing_token_is_not_authed(emulator: SlackEmulator) -> None:
    body = post_form(emulator, "chat.postMessage", {"channel": C, "text": "x"}, token=None)
    assert body == {"ok": False, "error": "not_authed"}


def test_unknown_methods_answer_200_and_are_recorded(client: WebClient, emulator: SlackEmulator) -> None:
    with pytest.raises(SlackApiError) as raised:
        client.api_call("chat.postMessagez", json={"channel": C})
    assert raised.value.response.status_code == 200
    assert raised.value.response["error"] == "unknown_method"
    assert emulator.unknown_methods == ["chat.postMessagez"]


def test_calls_are_recorded_without_the_token(client: WebClient, emulator: SlackEmulator) -> None:
    client.chat_postMessage(channel=C, text="hi")
    [call] = emulator.calls("chat.postMessage")
    assert call.ok
    assert call.status == 200
    assert call.params["text"] == "hi"
    assert "token" not in call.params


def test_a_reply_s_permalink_points_into_its_thread(client: WebClient) -> None:
    root = client.chat_postMessage(channel=C, text="root")["ts"]
    reply = client.chat_postMessage(channel=C, text="reply", thread_ts=root)["ts"]
    link = client.chat_getPermalink(channel=C, message_ts=reply)["permalink"]
    assert link == f"https://sandbox.slack.com/archives/{C}/p{reply.replace('.', '')}?thread_ts={root}&cid={C}"


def test_reactions_are_recorded_once(client: WebClient, emulator: SlackEmulator) -> None:
    ts = client.chat_postMessage(channel=C, text="done")["ts"]
    client.reactions_add(channel=C, timestamp=ts, name="white_check_mark")
    assert [(r.ts, r.name) for r in emulator.reactions(C)] == [(ts, "white_check_mark")]
    assert error_of(lambda: client.reactions_add(channel=C, timestamp=ts, name="white_check_mark")) == (
        "already_reacted"
    )


def test_users_info_knows_registered_people_only(client: WebClient, emulator: SlackEmulator) -> None:
    emulator.add_user("U0BOB", "bob")
    assert client.users_info(user="U0BOB")["user"]["name"] == "bob"
    assert error_of(lambda: client.users_info(user="U0NOBODY")) == "user_not_found"


def test_conversations_info_describes_a_registered_channel(client: WebClient, emulator: SlackEmulator) -> None:
    emulator.add_channel("C0ML", "ml-team")
    assert client.conversations_info(channel="C0ML")["channel"]["name"] == "ml-team"
    assert error_of(lambda: client.conversations_info(channel="C0NOWHERE")) == "channel_not_found"


def test_history_is_newest_first_and_replies_start_with_the_parent(client: WebClient) -> None:
    root = client.chat_postMessage(channel=C, text="root")["ts"]
    client.chat_postMessage(channel=C, text="later")
    client.chat_postMessage(channel=C, text="reply", thread_ts=root)
    assert [m["text"] for m in client.conversations_history(channel=C)["messages"]] == ["later", "root"]
    assert [m["text"] for m in client.conversations_replies(channel=C, ts=root)["messages"]] == ["root", "reply"]


def test_people_s_messages_are_distinguishable_from_the_bot_s(client: WebClient, emulator: SlackEmulator) -> None:
    client.chat_postMessage(channel=C, text="from bot")
    emulator.record_user_message(C, "U0BOB", "from bob")
    assert [(m.text, m.from_bot) for m in emulator.messages(C)] == [("from bot", True), ("from bob", False)]
