"""The composition root: the only place that turns settings into concrete clients and services.

``serve`` uses it, and so will the demo and the sandbox, so all of them run the same app.
"""

from __future__ import annotations

from dataclasses import dataclass

from slack_bolt import App

from bot.app import create_app
from bot.services import Services
from bot.settings import Settings
from bot.slack_client import build_web_client
from workflows.adapters.redis_connection import RedisHealth, connect


@dataclass(frozen=True)
class Runtime:
    """Everything a running bot is made of."""

    settings: Settings
    services: Services
    app: App


def build_runtime(settings: Settings) -> Runtime:
    """Clients, services and the Bolt app for ``settings``; connects to nothing yet."""
    settings.require("SLACK_BOT_TOKEN")
    assert settings.slack_bot_token is not None
    redis_client = connect(settings.redis_url)
    client = build_web_client(
        token=settings.slack_bot_token.get_secret_value(), base_url=settings.slack_api_url
    )
    services = Services(healthy=RedisHealth(redis_client))
    signing_secret = None if settings.socket_mode else _signing_secret(settings)
    app = create_app(client=client, signing_secret=signing_secret, services=services)
    return Runtime(settings=settings, services=services, app=app)


def _signing_secret(settings: Settings) -> str:
    settings.require("SLACK_SIGNING_SECRET")
    assert settings.slack_signing_secret is not None
    return settings.slack_signing_secret.get_secret_value()
