"""Bolt listeners, registered on an app by ``register(app, services)``; none is attached at import time."""

from __future__ import annotations

from slack_bolt import App

from bot.listeners import (
    actions,
    approval_buttons,
    compare_buttons,
    dedupe,
    deploy_buttons,
    home,
    last_resort,
    slash_command,
    stop_buttons,
    thread_messages,
    try_buttons,
)
from bot.services import Services


def register(app: App, services: Services) -> None:
    """Attach every listener module to ``app``."""
    for module in (
        dedupe,
        slash_command,
        actions,
        stop_buttons,
        deploy_buttons,
        try_buttons,
        compare_buttons,
        approval_buttons,
        thread_messages,
        home,
        last_resort,
    ):
        module.register(app, services)
