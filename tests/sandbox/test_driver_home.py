"""The driver opening the app's Home tab: a signed ``app_home_opened`` event, and clicks on the published view."""

from __future__ import annotations

from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.sandbox.driver import SlackDriver
from bot.sandbox.emulator import SlackEmulator
from tests.sandbox.conftest import StubBot


def home(*blocks: dict[str, Any]) -> dict[str, Any]:
    return {"type": "home", "blocks": list(blocks)}


def test_opening_home_sends_a_signed_app_home_opened_event_without_a_view_before_any_publish(
    driver: SlackDriver, bot: StubBot
) -> None:
    assert driver.open_home().status == 200

    [received] = bot.received
    envelope = received.envelope()
    event = envelope["event"]
    assert received.signature_ok
    assert envelope["type"] == "event_callback"
    assert envelope["event_id"].startswith("Ev")
    assert (event["type"], event["user"], event["tab"]) == ("app_home_opened", driver.default_user, "home")
    assert event["channel"].startswith("D")
    assert "view" not in event
    assert driver.emulator.interactions()[-1].kind == "app_home_opened"


def test_opening_home_again_carries_the_published_view_and_its_buttons_can_be_clicked(
    driver: SlackDriver, bot: StubBot, client: WebClient, emulator: SlackEmulator
) -> None:
    section = {"type": "section", "text": {"type": "mrkdwn", "text": "Job `tone` is waiting for approval"}}
    buttons = {
        "type": "actions",
        "elements": [{"type": "button", "text": {"type": "plain_text", "text": "Approve"}, "action_id": "approve"}],
    }
    published = client.views_publish(user_id=driver.default_user, view=home(section, buttons))["view"]

    driver.open_home()
    driver.click("Approve")

    event = bot.received[0].envelope()["event"]
    assert (event["view"]["id"], event["view"]["type"]) == (published["id"], "home")
    payload = bot.received[1].payload()
    assert payload["container"] == {"type": "view", "view_id": published["id"]}
    assert payload["view"]["type"] == "home"
    assert payload["actions"][0]["action_id"] == "approve"
    home_view = emulator.home(driver.default_user)
    assert home_view is not None
    assert home_view.id == published["id"]


def test_a_modal_is_not_a_home_view(client: WebClient, driver: SlackDriver) -> None:
    modal = {"type": "modal", "title": {"type": "plain_text", "text": "x"}, "blocks": []}
    with pytest.raises(SlackApiError) as refused:
        client.views_publish(user_id=driver.default_user, view=modal)
    assert refused.value.response["error"] == "invalid_arguments"
    assert refused.value.response["response_metadata"]["messages"] == [
        "[ERROR] must be of type home [json-pointer:/view/type]"
    ]
    assert driver.emulator.home(driver.default_user) is None
