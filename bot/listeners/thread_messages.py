"""Replies and file uploads in a conversation's thread, and questions in a Try it thread; the rest is ignored."""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from bot.listeners.apologies import after_event
from bot.listeners.translate import Addressed, from_message
from bot.services import Services
from workflows.setup.events import TextTyped


def register(app: App, services: Services) -> None:
    def on_message(body: dict[str, Any]) -> None:
        addressed = from_message(body)
        if addressed is not None:
            after_event(services, body, lambda: _route(services, body, addressed))

    app.event("message")(on_message)


def _route(services: Services, body: dict[str, Any], addressed: Addressed) -> None:
    """A question in a Try it thread goes to the model; anything else to the conversation of the thread."""
    event = body.get("event") or {}
    if isinstance(addressed.event, TextTyped) and services.tryouts.answer(
        team=addressed.where.team,
        channel=addressed.where.channel,
        user=addressed.where.user,
        thread_ts=str(event.get("thread_ts", "")),
        ts=str(event.get("ts", "")),
        text=addressed.event.text,
    ):
        return
    delivery = body.get("event_id")
    services.conversations.handle_reply(
        addressed.conversation_id,
        addressed.event,
        where=addressed.where,
        delivery=delivery if isinstance(delivery, str) else None,
    )
