"""Bolt listeners, registered on an app by ``register(app, services)``; none is attached at import time."""

from __future__ import annotations

from slack_bolt import App

from bot.listeners import actions, commands, dedupe, errors, jobs, messages
from bot.services import Services


def register(app: App, services: Services) -> None:
    """Attach every listener module to ``app``."""
    for module in (dedupe, commands, actions, jobs, messages, errors):
        module.register(app, services)
