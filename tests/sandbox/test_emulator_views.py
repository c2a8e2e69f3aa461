"""Modals and Home tabs in the emulator: triggers, the modal stack, hashes and Block Kit checks."""

from __future__ import annotations

from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.sandbox.emulator import SlackEmulator

USER = "U0ALICE"


def modal(title: str = "Fine-tune", callback_id: str = "setup") -> dict[str, Any]:
    """A small modal with one text input."""
    return {
        "type": "modal",
        "callback_id": callback_id,
        "title": {"type": "plain_text", "text": title},
        "submit": {"type": "plain_text", "text": "Next"},
        "blocks": [
            {
                "type": "input",
                "block_id": "name",
                "label": {"type": "plain_text", "text": "Job name"},
                "element": {"type": "plain_text_input", "action_id": "value"},
            }
        ],
    }


def error_of(call: Any) -> str:
    """The Slack error code a failing call raised."""
    with pytest.raises(SlackApiError) as raised:
        call()
    return str(raised.value.response["error"])


def test_views_open_records_an_open_modal_for_the_trigger_s_user(client: WebClient, emulator: SlackEmulator) -> None:
    trigger = emulator.new_trigger_id(USER)
    answer = client.views_open(trigger_id=trigger, view=modal())
    [view] = emulator.views(USER)
    assert answer["view"]["id"] == view.id
    assert answer["view"]["hash"] == view.hash
    assert view.is_open
    assert view.callback_id == "setup"
    assert answer["view"]["blocks"][0]["block_id"] == "name"


def test_views_open_with_an_unknown_trigger_is_refused(client: WebClient) -> None:
    assert error_of(lambda: client.views_open(trigger_id="1.2.3", view=modal())) == "invalid_trigger_id"


def test_views_open_after_the_trigger_expired_is_refused() -> None:
    with SlackEmulator(trigger_ttl=0.0) as emulator:
        client = WebClient(token=emulator.workspace.bot_token, base_url=emulator.api_url)
        trigger = emulator.new_trigger_id(USER)
        assert error_of(lambda: client.views_open(trigger_id=trigger, view=modal())) == "expired_trigger_id"


def test_a_modal_title_over_24_characters_is_invalid_arguments(client: WebClient, emulator: SlackEmulator) -> None:
    trigger = emulator.new_trigger_id(USER)
    with pytest.raises(SlackApiError) as raised:
        client.views_open(trigger_id=trigger, view=modal(title="A title that is far too long"))
    assert raised.value.response["error"] == "invalid_arguments"
    assert "json-pointer:/view/title/text" in raised.value.response["response_metadata"]["messages"][0]


def test_views_update_replaces_content_and_issues_a_new_hash(client: WebClient, emulator: SlackEmulator) -> None:
    opened = client.views_open(trigger_id=emulator.new_trigger_id(USER), view=modal())["view"]
    updated = client.views_update(view_id=opened["id"], hash=opened["hash"], view=modal(title="Step 2"))["view"]
    assert updated["id"] == opened["id"]
    assert updated["hash"] != opened["hash"]
    view = emulator.view(opened["id"])
    assert view is not None
    assert view.payload["title"]["text"] == "Step 2"


def test_views_update_with_a_stale_hash_is_hash_conflict(client: WebClient, emulator: SlackEmulator) -> None:
    opened = client.views_open(trigger_id=emulator.new_trigger_id(USER), view=modal())["view"]
    client.views_update(view_id=opened["id"], view=modal(title="Step 2"))
    stale = opened["hash"]
    assert error_of(lambda: client.views_update(view_id=opened["id"], hash=stale, view=modal())) == "hash_conflict"


def test_views_update_of_an_unknown_view_is_not_found(client: WebClient) -> None:
    assert error_of(lambda: client.views_update(view_id="V0MISSING00", view=modal())) == "not_found"


def test_views_push_stacks_at_most_three_modals(client: WebClient, emulator: SlackEmulator) -> None:
    root = client.views_open(trigger_id=emulator.new_trigger_id(USER), view=modal())["view"]
    second = client.views_push(trigger_id=emulator.new_trigger_id(USER), view=modal(callback_id="two"))["view"]
    client.views_push(trigger_id=emulator.new_trigger_id(USER), view=modal(callback_id="three"))
    assert second["root_view_id"] == root["id"]
    assert second["previous_view_id"] == root["id"]
    fourth = modal(callback_id="four")
    trigger = emulator.new_trigger_id(USER)
    assert error_of(lambda: client.views_push(trigger_id=trigger, view=fourth)) == "push_limit_reached"
    assert [v.callback_id for v in emulator.visible_views(USER)] == ["three"]


def test_views_publish_keeps_one_home_view_per_person(client: WebClient, emulator: SlackEmulator) -> None:
    emulator.add_user(USER)
    home = {"type": "home", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "Jobs"}}]}
    first = client.views_publish(user_id=USER, view=home)["view"]
    second = client.views_publish(user_id=USER, view=home)["view"]
    assert first["id"] == second["id"]
    assert [v.type for v in emulator.visible_views(USER)] == ["home"]


def test_views_publish_for_an_unknown_person_is_user_not_found(client: WebClient) -> None:
    home = {"type": "home", "blocks": []}
    assert error_of(lambda: client.views_publish(user_id="U0NOBODY", view=home)) == "user_not_found"
