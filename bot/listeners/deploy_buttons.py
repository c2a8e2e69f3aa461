"""The deployment buttons: Deploy (completion notice), Delete (idle reminder), and their confirmations' buttons."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import Ack, App
from slack_bolt.context.respond import Respond

from bot.blocks import action_name, fallback_text, render
from bot.listeners.apologies import Later, guarded
from bot.listeners.stop_buttons import clicked_where
from bot.services import Services
from workflows.messages import Action, Message
from workflows.setup.service import Where

_NAMES = (
    Action.DEPLOY,
    Action.CONFIRM_DEPLOY,
    Action.CANCEL_DEPLOY,
    Action.DELETE_DEPLOYMENT,
    Action.CONFIRM_UNDEPLOY,
    Action.KEEP_DEPLOYMENT,
)
DEPLOY_ACTIONS = re.compile(rf"^({'|'.join(action.value for action in _NAMES)})(:\d+)?$")


def register(app: App, services: Services) -> None:
    def on_deploy_action(ack: Ack, body: dict[str, Any], respond: Respond, later: Later) -> None:
        ack()
        later(lambda: _answer(services, body, respond))

    app.action(DEPLOY_ACTIONS)(guarded(services, on_deploy_action))


def _answer(services: Services, body: dict[str, Any], respond: Respond) -> None:
    """Deploy and Delete ask in an ephemeral; the confirmations' buttons replace their question."""
    action = (body.get("actions") or [{}])[0]
    value = str(action.get("value", ""))
    name = action_name(str(action.get("action_id", "")))
    where = clicked_where(body)
    if name in (Action.DEPLOY.value, Action.DELETE_DEPLOYMENT.value):
        ask = (
            services.deployments.ask_to_deploy if name == Action.DEPLOY.value else services.deployments.ask_to_undeploy
        )
        message = ask(where, value)
        respond(text=fallback_text(message), blocks=render(message), response_type="ephemeral", replace_original=False)
        return
    message = _confirmed(services, where, name, value)
    respond(text=fallback_text(message), blocks=render(message), replace_original=True)


def _confirmed(services: Services, where: Where, name: str, value: str) -> Message:
    deployments = services.deployments
    if name == Action.CONFIRM_DEPLOY.value:
        return deployments.confirm_deploy(where, value)
    if name == Action.CANCEL_DEPLOY.value:
        return deployments.cancel_deploy(value)
    if name == Action.CONFIRM_UNDEPLOY.value:
        return deployments.confirm_undeploy(where, value)
    return deployments.keep(value)
