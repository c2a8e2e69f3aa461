"""Slack payloads become conversation events; anything not addressed to a conversation is ignored."""

from __future__ import annotations

from typing import Any

import pytest

from bot.listeners.translate import from_action, from_message
from workflows.dataset_rules import CustomizationType
from workflows.setup.events import (
    BackPressed,
    FileAttached,
    LoggingRecheckPressed,
    LogsChosen,
    ModelChosen,
    StartPressed,
    TextTyped,
    TypeChosen,
)


def click(action_id: str, value: str = "", **extra: Any) -> dict[str, Any]:
    return {
        "type": "block_actions",
        "user": {"id": "U1", "team_id": "T1"},
        "team": {"id": "T1"},
        "container": {"type": "message", "channel_id": "C1", "message_ts": "5.0", "thread_ts": "1.0"},
        "actions": [{"action_id": action_id, "value": value, **extra}],
    }


@pytest.mark.parametrize(
    ("payload", "event"),
    [
        (click("ft_choose_type:2", "conversation"), TypeChosen("U1", CustomizationType.CONVERSATION)),
        (click("ft_start:0"), StartPressed("U1")),
        (click("ft_back:3"), BackPressed("U1")),
        (click("ft_use_logs:0"), LogsChosen("U1")),
        (click("ft_check_logging:0"), LoggingRecheckPressed("U1")),
        (
            click("ft_choose_model:0", selected_option={"value": "amazon.nova-micro-v1:0:128k"}),
            ModelChosen("U1", "amazon.nova-micro-v1:0:128k"),
        ),
    ],
)
def test_clicks_become_events_for_the_thread_they_were_in(payload: dict[str, Any], event: object) -> None:
    addressed = from_action(payload)
    assert addressed is not None
    assert addressed.conversation_id == "T1:C1:1.0"
    assert addressed.event == event


def test_unknown_actions_and_bad_type_values_are_ignored() -> None:
    assert from_action(click("something_else:0")) is None
    assert from_action(click("ft_choose_type:0", "images")) is None


def envelope(**event: Any) -> dict[str, Any]:
    return {"team_id": "T1", "event": {"type": "message", "channel": "C1", "user": "U1", "ts": "9.0", **event}}


def test_a_thread_reply_becomes_typed_text_without_mentions_or_link_brackets() -> None:
    addressed = from_message(envelope(text="<@U0BOT> <s3://bucket/train.jsonl>", thread_ts="1.0"))
    assert addressed is not None
    assert addressed.event == TextTyped("U1", "s3://bucket/train.jsonl")


def test_the_characters_slack_sends_as_entities_are_typed_text_again() -> None:
    addressed = from_message(envelope(text="s3://bucket/a&amp;b.jsonl &lt;!channel&gt; &amp;lt;", thread_ts="1.0"))
    assert addressed is not None
    assert isinstance(addressed.event, TextTyped)
    assert addressed.event.text == "s3://bucket/a&b.jsonl <!channel> &lt;"


def test_a_file_share_in_a_thread_becomes_an_attachment_with_its_size() -> None:
    file = {
        "id": "F1",
        "name": "t.jsonl",
        "size": 42,
        "filetype": "jsonl",
        "mimetype": "text/plain",
        "url_private_download": "https://files/F1",
    }
    addressed = from_message(envelope(subtype="file_share", files=[file], thread_ts="1.0"))
    assert addressed is not None
    assert isinstance(addressed.event, FileAttached)
    assert addressed.event.file.size == 42
    assert addressed.event.file.download_url == "https://files/F1"


@pytest.mark.parametrize(
    "event",
    [
        {"text": "top-level chatter"},
        {"text": "from a bot", "thread_ts": "1.0", "bot_id": "B1"},
        {"text": "edited", "thread_ts": "1.0", "subtype": "message_changed"},
        {"text": "", "thread_ts": "1.0"},
    ],
)
def test_messages_that_are_not_thread_replies_by_people_are_ignored(event: dict[str, Any]) -> None:
    assert from_message(envelope(**event)) is None
