"""Build the Bolt app from a Web API client and the services; nothing connects here."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot import listeners
from bot.services import Services

#: Threads that run listener work after the ack (downloads, validation, AWS calls).
LISTENER_THREADS = 16


def create_app(*, client: WebClient, services: Services, before_authorize: Callable[..., Any]) -> App:
    """The Bolt app with every listener registered.

    Bolt's own signature check is off: over HTTP the request guard (``bot.guard``) verifies the raw
    bytes before Bolt sees anything and hands Bolt the parsed fields, and in Socket Mode Slack does not
    sign requests. ``before_authorize`` (the workspace pin) runs before Bolt's own ``auth.test``.
    """
    app = App(
        client=client,
        signing_secret="",
        request_verification_enabled=False,
        token_verification_enabled=False,
        before_authorize=before_authorize,
        listener_executor=ThreadPoolExecutor(max_workers=LISTENER_THREADS, thread_name_prefix="listener"),
    )
    listeners.register(app, services)
    return app
