"""The emulator refuses what Slack refuses: too many blocks, texts over their limits, malformed blocks."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from bot.sandbox.emulator import GENERAL_CHANNEL, SlackEmulator

C = GENERAL_CHANNEL
USER = "U0ALICE"
Blocks = list[dict[str, Any]]


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def buttons(count: int, label: str = "Go") -> dict[str, Any]:
    elements = [
        {"type": "button", "text": {"type": "plain_text", "text": label}, "action_id": f"a{i}"} for i in range(count)
    ]
    return {"type": "actions", "elements": elements}


def select(options: int, *, placeholder: str = "Pick", description: str | None = None) -> dict[str, Any]:
    listed = []
    for number in range(options):
        option: dict[str, Any] = {"text": {"type": "plain_text", "text": f"o{number}"}, "value": f"v{number}"}
        if description is not None:
            option["description"] = {"type": "plain_text", "text": description}
        listed.append(option)
    element = {
        "type": "static_select",
        "action_id": "s",
        "placeholder": {"type": "plain_text", "text": placeholder},
        "options": listed,
    }
    return {"type": "actions", "elements": [element]}


def context(count: int, text: str = "note") -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text} for _ in range(count)]}


def refusal(call: Callable[[], object]) -> tuple[str, list[str]]:
    """The error code and detail lines of a call the emulator refuses."""
    with pytest.raises(SlackApiError) as raised:
        call()
    response = raised.value.response
    return str(response["error"]), list((response.get("response_metadata") or {}).get("messages") or [])


#: (what is wrong, the blocks, where Slack points). Each is one step past a documented limit.
OVER_THE_LIMIT: list[tuple[str, Blocks, str]] = [
    ("51 blocks", [section("x")] * 51, "/blocks"),
    ("section text of 3,001", [section("x" * 3001)], "/blocks/0/text/text"),
    ("26 buttons in one actions block", [buttons(26)], "/blocks/0/elements"),
    ("button text of 76", [buttons(1, "b" * 76)], "/blocks/0/elements/0/text/text"),
    ("101 options", [select(101)], "/blocks/0/elements/0/options"),
    ("option description of 76", [select(1, description="d" * 76)], "/blocks/0/elements/0/options/0/description"),
    ("placeholder of 151", [select(1, placeholder="p" * 151)], "/blocks/0/elements/0/placeholder/text"),
    ("11 context elements", [context(11)], "/blocks/0/elements"),
    ("context text of 3,001", [context(1, "c" * 3001)], "/blocks/0/elements/0/text"),
    ("an unknown block type", [{"type": "paragraph", "text": "x"}], "/blocks/0/type"),
]


@pytest.mark.parametrize(("problem", "blocks", "pointer"), OVER_THE_LIMIT, ids=[case[0] for case in OVER_THE_LIMIT])
def test_post_message_refuses_blocks_past_slacks_limits(
    client: WebClient, emulator: SlackEmulator, problem: str, blocks: Blocks, pointer: str
) -> None:
    error, details = refusal(lambda: client.chat_postMessage(channel=C, text="x", blocks=blocks))
    assert error == "invalid_blocks", problem
    assert any(f"[json-pointer:{pointer}" in detail for detail in details), details
    assert emulator.messages(C) == []


def test_blocks_exactly_at_the_limits_are_accepted(client: WebClient) -> None:
    at_limits = [
        section("x" * 3000),
        buttons(25, "b" * 75),
        select(100, placeholder="p" * 150, description="d" * 75),
        context(10, "c" * 3000),
        *([section("y")] * 46),
    ]
    assert len(at_limits) == 50
    assert client.chat_postMessage(channel=C, text="x" * 40_000, blocks=at_limits)["ok"]


def test_text_over_40000_characters_is_msg_too_long_for_post_update_and_ephemeral(
    client: WebClient, emulator: SlackEmulator
) -> None:
    emulator.add_user(USER)
    ts = client.chat_postMessage(channel=C, text="short")["ts"]
    long_text = "x" * 40_001
    assert refusal(lambda: client.chat_postMessage(channel=C, text=long_text))[0] == "msg_too_long"
    assert refusal(lambda: client.chat_update(channel=C, ts=ts, text=long_text))[0] == "msg_too_long"
    assert refusal(lambda: client.chat_postEphemeral(channel=C, user=USER, text=long_text))[0] == "msg_too_long"
    assert [message.text for message in emulator.messages(C)] == ["short"]


def test_an_update_past_the_limits_leaves_the_message_as_it_was(client: WebClient, emulator: SlackEmulator) -> None:
    ts = client.chat_postMessage(channel=C, text="before", blocks=[section("before")])["ts"]
    too_many = [section("x")] * 51
    assert refusal(lambda: client.chat_update(channel=C, ts=ts, text="after", blocks=too_many))[0] == "invalid_blocks"
    message = emulator.message(C, ts)
    assert message is not None
    assert message.text == "before"
    assert message.blocks[0]["text"]["text"] == "before"


def test_blocks_that_are_not_a_json_array_are_invalid_blocks_format(client: WebClient) -> None:
    for blocks in ('{"type": "section"}', "[not json", '["a string"]'):
        call = lambda blocks=blocks: client.api_call("chat.postMessage", params={"channel": C, "blocks": blocks})  # noqa: E731
        assert refusal(call)[0] == "invalid_blocks_format", blocks


def respond(url: str, payload: dict[str, Any]) -> tuple[int, str]:
    """POST to a response URL as Bolt's ``respond`` does: the HTTP status and the error it answers."""
    answer = WebhookClient(url).send_dict(payload)
    return int(answer.status_code), str(json.loads(answer.body).get("error"))


@pytest.mark.parametrize(
    ("payload", "error"),
    [
        ({"text": "x", "blocks": [section("x")] * 51}, "invalid_blocks"),
        ({"text": "x", "blocks": [section("x" * 3001)]}, "invalid_blocks"),
        ({"text": "x" * 40_001}, "msg_too_long"),
        ({"text": "x", "blocks": json.dumps({"type": "section"})}, "invalid_blocks_format"),
    ],
    ids=["51 blocks", "long section", "long text", "blocks not an array"],
)
def test_a_response_url_refuses_what_slack_refuses(
    emulator: SlackEmulator, payload: dict[str, Any], error: str
) -> None:
    emulator.add_user(USER)
    url = emulator.new_response_url(channel=C, user=USER)
    assert respond(url, payload) == (400, error)
    [post] = emulator.responses(url)
    assert (post.status, post.error) == (400, error)
    assert emulator.ephemerals(C, user=USER) == []


def test_a_home_view_over_100_blocks_is_refused(client: WebClient, emulator: SlackEmulator) -> None:
    emulator.add_user(USER)
    view = {"type": "home", "blocks": [section("x")] * 101}
    error, details = refusal(lambda: client.views_publish(user_id=USER, view=view))
    assert error == "invalid_arguments"
    assert any("[json-pointer:/view/blocks]" in detail for detail in details)
    assert client.views_publish(user_id=USER, view={"type": "home", "blocks": [section("x")] * 100})["ok"]
