"""Buttons and menus in conversation threads: acknowledge, translate, hand to the conversation service."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import Ack, App
from slack_bolt.context.respond import Respond

from bot.listeners.apologies import Later, guarded
from bot.listeners.translate import from_action
from bot.services import Services

#: Every action id the bot renders starts with ``ft_`` (see ``workflows.messages.Action``); the stop,
#: deployment, comparison and approval buttons have their own listeners.
CONVERSATION_ACTIONS = re.compile(
    r"^ft_(?!confirm_stop|keep_running|deploy|confirm_deploy|cancel_deploy|confirm_undeploy|keep_deployment"
    r"|delete_deployment|try_it|side_by_side|custom_only|compare|approve|reject)"
)


def register(app: App, services: Services) -> None:
    def on_action(ack: Ack, body: dict[str, Any], respond: Respond, later: Later) -> None:
        ack()
        addressed = from_action(body)
        if addressed is not None:
            conversation, event, where = addressed.conversation_id, addressed.event, addressed.where
            later(lambda: services.conversations.handle(conversation, event, where=where))

    app.action(CONVERSATION_ACTIONS)(guarded(services, on_action))
