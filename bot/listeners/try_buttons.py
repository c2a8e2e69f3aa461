"""The Try it buttons: *Try it* on a ready notice, and *Side by side* / *Custom model only* on a Try it thread."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import Ack, App
from slack_bolt.context.respond import Respond

from bot.blocks import action_name, fallback_text, render
from bot.listeners.apologies import Later, guarded
from bot.listeners.stop_buttons import clicked_where
from bot.services import Services
from workflows.messages import Action

_NAMES = (Action.TRY_IT, Action.SIDE_BY_SIDE, Action.CUSTOM_ONLY)
TRY_ACTIONS = re.compile(rf"^({'|'.join(action.value for action in _NAMES)})(:\d+)?$")


def register(app: App, services: Services) -> None:
    def on_try_action(ack: Ack, body: dict[str, Any], respond: Respond, later: Later) -> None:
        ack()
        later(lambda: _answer(services, body, respond))

    app.action(TRY_ACTIONS)(guarded(services, on_try_action))


def _answer(services: Services, body: dict[str, Any], respond: Respond) -> None:
    """Each click is answered privately; the switch also updates the thread's opening message."""
    action = (body.get("actions") or [{}])[0]
    name = action_name(str(action.get("action_id", "")))
    where = clicked_where(body)
    if name == Action.TRY_IT.value:
        message = services.tryouts.open_deployment(where, str(action.get("value", "")))
    else:
        container = body.get("container") or {}
        opening_ts = str(container.get("message_ts") or (body.get("message") or {}).get("ts") or "")
        message = services.tryouts.switch(where, opening_ts, side_by_side=name == Action.SIDE_BY_SIDE.value)
    respond(text=fallback_text(message), blocks=render(message), response_type="ephemeral", replace_original=False)
