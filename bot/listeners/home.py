"""The Home tab: when a person opens it (``app_home_opened``), publish what they have going on."""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from bot.listeners.acting import request_team
from bot.listeners.apologies import after_event
from bot.services import Services


def register(app: App, services: Services) -> None:
    def on_home_opened(body: dict[str, Any]) -> None:
        event = body.get("event") or {}
        team, user = request_team(str(body.get("team_id") or "")), str(event.get("user") or "")
        if event.get("tab") == "home" and team and user:
            after_event(services, body, lambda: services.home.opened(team=team, user=user))

    app.event("app_home_opened")(on_home_opened)
