"""The *Compare with base* button: acknowledge, then start the comparison and tell the clicker where it runs."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import Ack, App
from slack_bolt.context.respond import Respond

from bot.blocks import fallback_text, render
from bot.listeners.apologies import Later, guarded
from bot.listeners.stop_buttons import clicked_where
from bot.services import Services
from workflows.messages import Action

COMPARE_ACTIONS = re.compile(rf"^{Action.COMPARE.value}(:\d+)?$")


def register(app: App, services: Services) -> None:
    def on_compare(ack: Ack, body: dict[str, Any], respond: Respond, later: Later) -> None:
        ack()
        later(lambda: _answer(services, body, respond))

    app.action(COMPARE_ACTIONS)(guarded(services, on_compare))


def _answer(services: Services, body: dict[str, Any], respond: Respond) -> None:
    """The button's value is the deployment's name; the answer is for the clicker only, the run is in the thread."""
    action = (body.get("actions") or [{}])[0]
    message = services.comparisons.compare(clicked_where(body), str(action.get("value", "")))
    respond(text=fallback_text(message), blocks=render(message), response_type="ephemeral", replace_original=False)
