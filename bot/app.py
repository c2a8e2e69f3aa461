"""Build the Bolt app from a Web API client and the services; nothing connects here."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from slack_bolt import App
from slack_sdk import WebClient

from bot import listeners
from bot.services import Services

#: Threads that run listener work after the ack (downloads, validation, AWS calls).
LISTENER_THREADS = 16


def create_app(*, client: WebClient, signing_secret: str | None, services: Services) -> App:
    """The Bolt app with every listener registered.

    ``signing_secret`` is None in Socket Mode, where Slack does not sign requests.
    """
    app = App(
        client=client,
        signing_secret=signing_secret or "",
        request_verification_enabled=signing_secret is not None,
        token_verification_enabled=False,
        listener_executor=ThreadPoolExecutor(max_workers=LISTENER_THREADS, thread_name_prefix="listener"),
    )
    listeners.register(app, services)
    return app
