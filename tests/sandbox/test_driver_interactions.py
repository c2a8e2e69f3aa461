"""The driver as a person clicking: buttons by label, menu options by text, modal submissions."""

from __future__ import annotations

import json
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.webhook import WebhookClient

from bot.sandbox.driver import SlackDriver
from bot.sandbox.emulator import GENERAL_CHANNEL, SlackEmulator
from tests.sandbox.conftest import Received, StubBot

C = GENERAL_CHANNEL


def button(label: str, action_id: str, value: str = "") -> dict[str, Any]:
    """A button element."""
    return {"type": "button", "text": {"type": "plain_text", "text": label}, "action_id": action_id, "value": value}


def actions(*elements: dict[str, Any], block_id: str = "choices") -> list[dict[str, Any]]:
    """One actions block."""
    return [{"type": "actions", "block_id": block_id, "elements": list(elements)}]


def option(text: str, value: str) -> dict[str, Any]:
    """A menu option."""
    return {"text": {"type": "plain_text", "text": text}, "value": value}


def model_menu() -> dict[str, Any]:
    """A static select of base models."""
    return {
        "type": "static_select",
        "action_id": "pick_model",
        "placeholder": {"type": "plain_text", "text": "Base model"},
        "options": [option("Nova Micro", "amazon.nova-micro-v1:0"), option("Llama 3.1 8B", "meta.llama3-1-8b")],
    }


def setup_modal() -> dict[str, Any]:
    """A modal with a model menu and a job-name input."""
    return {
        "type": "modal",
        "callback_id": "setup",
        "title": {"type": "plain_text", "text": "Fine-tune"},
        "submit": {"type": "plain_text", "text": "Review"},
        "blocks": [
            {
                "type": "input",
                "block_id": "model",
                "label": {"type": "plain_text", "text": "Model"},
                "element": model_menu(),
            },
            {
                "type": "input",
                "block_id": "name",
                "label": {"type": "plain_text", "text": "Job name"},
                "element": {"type": "plain_text_input", "action_id": "value"},
            },
        ],
    }


def last_payload(bot: StubBot) -> dict[str, Any]:
    """The interaction payload the stub bot received last."""
    return bot.received[-1].payload()


def test_click_sends_block_actions_for_the_labelled_button(
    driver: SlackDriver, bot: StubBot, client: WebClient
) -> None:
    posted = client.chat_postMessage(
        channel=C,
        text="Which kind of fine-tuning?",
        blocks=actions(button("Instruction", "pick_type", "instruction"), button("Continued", "pick_type2", "cpt")),
    )
    driver.click("Continued")
    payload = last_payload(bot)
    [action] = payload["actions"]
    assert payload["type"] == "block_actions"
    assert (action["type"], action["action_id"], action["block_id"], action["value"]) == (
        "button",
        "pick_type2",
        "choices",
        "cpt",
    )
    assert action["text"]["text"] == "Continued"
    assert payload["container"] == {
        "type": "message",
        "message_ts": posted["ts"],
        "channel_id": C,
        "is_ephemeral": False,
    }
    assert payload["message"]["ts"] == posted["ts"]
    assert (payload["user"]["id"], payload["channel"]["id"]) == (driver.default_user, C)
    assert payload["trigger_id"]
    assert payload["response_url"].startswith(driver.emulator.base_url)


def test_click_picks_the_newest_button_with_that_label(driver: SlackDriver, bot: StubBot, client: WebClient) -> None:
    client.chat_postMessage(channel=C, text="old", blocks=actions(button("Start", "start")))
    newer = client.chat_postMessage(channel=C, text="new", blocks=actions(button("Start", "start")))
    driver.click("Start")
    assert last_payload(bot)["container"]["message_ts"] == newer["ts"]


def test_click_within_a_thread_ignores_buttons_elsewhere(driver: SlackDriver, bot: StubBot, client: WebClient) -> None:
    root = client.chat_postMessage(channel=C, text="root")["ts"]
    in_thread = client.chat_postMessage(channel=C, text="q", thread_ts=root, blocks=actions(button("Yes", "yes")))
    client.chat_postMessage(channel=C, text="elsewhere", blocks=actions(button("Yes", "yes")))
    driver.click("Yes", thread_ts=root)
    container = last_payload(bot)["container"]
    assert (container["message_ts"], container["thread_ts"]) == (in_thread["ts"], root)


def test_an_unknown_label_fails_listing_the_labels_seen(driver: SlackDriver, bot: StubBot, client: WebClient) -> None:
    client.chat_postMessage(channel=C, text="q", blocks=actions(button("Start", "start"), button("Cancel", "cancel")))
    with pytest.raises(LookupError, match=r"no button labelled 'Go'.*'Start', 'Cancel'"):
        driver.click("Go")
    assert bot.received == []


def test_a_click_s_response_url_can_replace_the_message(
    driver: SlackDriver, bot: StubBot, client: WebClient, emulator: SlackEmulator
) -> None:
    client.chat_postMessage(channel=C, text="Start the job?", blocks=actions(button("Start", "start")))
    driver.click("Start")
    WebhookClient(last_payload(bot)["response_url"]).send(text="Job started", replace_original=True)
    assert [m.text for m in emulator.messages(C)] == ["Job started"]


def test_buttons_in_ephemerals_are_clickable(driver: SlackDriver, bot: StubBot, client: WebClient) -> None:
    client.chat_postEphemeral(channel=C, user=driver.default_user, text="only you", blocks=actions(button("Help", "h")))
    driver.click("Help")
    payload = last_payload(bot)
    assert payload["container"]["is_ephemeral"] is True
    assert "message" not in payload


def test_buttons_in_an_open_modal_are_clickable(
    driver: SlackDriver, bot: StubBot, client: WebClient, emulator: SlackEmulator
) -> None:
    view = setup_modal()
    view["blocks"].append({"type": "actions", "elements": [button("Explain the types", "explain")]})
    opened = client.views_open(trigger_id=emulator.new_trigger_id(driver.default_user), view=view)["view"]
    driver.click("Explain the types")
    payload = last_payload(bot)
    assert payload["container"] == {"type": "view", "view_id": opened["id"]}
    assert payload["view"]["id"] == opened["id"]
    assert "response_url" not in payload


def test_choose_sends_the_selected_option_of_a_menu(driver: SlackDriver, bot: StubBot, client: WebClient) -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "Pick a model"}, "accessory": model_menu()}]
    client.chat_postMessage(channel=C, text="Pick a model", blocks=blocks)
    driver.choose("Llama 3.1 8B", menu="Base model")
    payload = last_payload(bot)
    [action] = payload["actions"]
    assert action["selected_option"]["value"] == "meta.llama3-1-8b"
    block_id = action["block_id"]
    assert payload["state"]["values"][block_id]["pick_model"]["selected_option"]["value"] == "meta.llama3-1-8b"


def test_choose_picks_from_an_overflow_menu(driver: SlackDriver, bot: StubBot, client: WebClient) -> None:
    overflow = {
        "type": "overflow",
        "action_id": "more",
        "options": [option("Stop job", "stop"), option("Cost", "cost")],
    }
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "Job running"}, "accessory": overflow}]
    client.chat_postMessage(channel=C, text="Job running", blocks=blocks)
    driver.choose("Stop job")
    [action] = last_payload(bot)["actions"]
    assert (action["type"], action["selected_option"]["value"]) == ("overflow", "stop")


def test_radio_buttons_in_a_message_report_the_choice_in_state(
    driver: SlackDriver, bot: StubBot, client: WebClient
) -> None:
    radio = {"type": "radio_buttons", "action_id": "kind", "options": [option("Instruction", "i"), option("Chat", "c")]}
    client.chat_postMessage(channel=C, text="Kind?", blocks=actions(radio, block_id="kind_block"))
    driver.choose("Chat", menu="kind")
    payload = last_payload(bot)
    assert payload["state"]["values"]["kind_block"]["kind"] == {
        "type": "radio_buttons",
        "selected_option": option("Chat", "c"),
    }


def test_an_unknown_option_fails_listing_the_options(driver: SlackDriver, client: WebClient) -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "Pick"}, "accessory": model_menu()}]
    client.chat_postMessage(channel=C, text="Pick", blocks=blocks)
    with pytest.raises(LookupError, match=r"'Nova Micro', 'Llama 3\.1 8B'"):
        driver.choose("GPT-5")


def test_a_choice_in_a_modal_input_travels_with_the_submission(
    driver: SlackDriver, bot: StubBot, client: WebClient, emulator: SlackEmulator
) -> None:
    opened = client.views_open(trigger_id=emulator.new_trigger_id(driver.default_user), view=setup_modal())["view"]
    assert driver.choose("Nova Micro", menu="Model") is None
    assert bot.received == []
    response = driver.submit_view("setup", {"name": {"value": "support-tone-v1"}})
    payload = last_payload(bot)
    values = payload["view"]["state"]["values"]
    assert response.status == 200
    assert payload["type"] == "view_submission"
    assert values["model"]["pick_model"]["selected_option"]["value"] == "amazon.nova-micro-v1:0"
    assert values["name"]["value"] == {"type": "plain_text_input", "value": "support-tone-v1"}
    view = emulator.view(opened["id"])
    assert view is not None
    assert not view.is_open, "a plain 200 closes the modal"


def test_a_submission_answered_with_errors_keeps_the_modal_open(
    driver: SlackDriver, bot: StubBot, client: WebClient, emulator: SlackEmulator
) -> None:
    bot.responder = lambda _: (
        200,
        "application/json",
        json.dumps({"response_action": "errors", "errors": {"name": "Use letters and dashes"}}),
    )
    opened = client.views_open(trigger_id=emulator.new_trigger_id(driver.default_user), view=setup_modal())["view"]
    response = driver.submit_view(opened["id"], {"name": {"value": "bad name!"}})
    view = emulator.view(opened["id"])
    assert response.json == {"response_action": "errors", "errors": {"name": "Use letters and dashes"}}
    assert view is not None
    assert view.is_open


def test_a_submission_answered_with_update_replaces_the_modal(
    driver: SlackDriver, bot: StubBot, client: WebClient, emulator: SlackEmulator
) -> None:
    review = {**setup_modal(), "title": {"type": "plain_text", "text": "Review"}}

    def update(_: Received) -> tuple[int, str, str]:
        return 200, "application/json", json.dumps({"response_action": "update", "view": review})

    bot.responder = update
    opened = client.views_open(trigger_id=emulator.new_trigger_id(driver.default_user), view=setup_modal())["view"]
    driver.submit_view("setup", {"name": {"value": "job"}})
    view = emulator.view(opened["id"])
    assert view is not None
    assert view.is_open
    assert view.payload["title"]["text"] == "Review"


def test_submitting_an_element_the_modal_lacks_fails_listing_real_ones(
    driver: SlackDriver, client: WebClient, emulator: SlackEmulator
) -> None:
    client.views_open(trigger_id=emulator.new_trigger_id(driver.default_user), view=setup_modal())
    with pytest.raises(LookupError, match=r"no element epochs/value.*'name', 'value'"):
        driver.submit_view("setup", {"epochs": {"value": "3"}})


def test_closing_a_modal_notifies_the_bot_only_when_asked(
    driver: SlackDriver, bot: StubBot, client: WebClient, emulator: SlackEmulator
) -> None:
    client.views_open(trigger_id=emulator.new_trigger_id(driver.default_user), view=setup_modal())
    assert driver.close_view("setup") is None
    client.views_open(
        trigger_id=emulator.new_trigger_id(driver.default_user), view={**setup_modal(), "notify_on_close": True}
    )
    response = driver.close_view("setup")
    assert response is not None
    assert [r.payload()["type"] for r in bot.received] == ["view_closed"]
    assert [v.is_open for v in emulator.views()] == [False, False]


def test_clicks_are_recorded_as_interactions(driver: SlackDriver, client: WebClient, emulator: SlackEmulator) -> None:
    client.chat_postMessage(channel=C, text="q", blocks=actions(button("Start", "start")))
    driver.click("Start")
    assert [(i.kind, i.label) for i in emulator.interactions()] == [("button", "Start")]
