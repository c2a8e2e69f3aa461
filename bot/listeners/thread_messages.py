"""Replies and file uploads in a conversation's thread; everything else in the channel is ignored."""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from bot.listeners.apologies import after_event
from bot.listeners.translate import from_message
from bot.services import Services


def register(app: App, services: Services) -> None:
    def on_message(body: dict[str, Any]) -> None:
        addressed = from_message(body)
        if addressed is not None:
            conversation, event, where = addressed.conversation_id, addressed.event, addressed.where
            after_event(services, body, lambda: services.conversations.handle_reply(conversation, event, where=where))

    app.event("message")(on_message)
