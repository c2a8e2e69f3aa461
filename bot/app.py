"""Build the Bolt app from a Web API client and the services; nothing connects here."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from slack_bolt import App
from slack_sdk import WebClient

from bot import listeners
from bot.guard.identity import TokenWorkspace
from bot.listeners.pinning import only_this_workspace
from bot.services import Services

#: Bolt's listener threads: each only acknowledges and hands the rest to the after-ack threads.
LISTENER_THREADS = 16
#: Threads that run the work after the ack (Redis saves, Slack posts, downloads, validation, AWS calls).
AFTER_ACK_THREADS = 8


def create_app(*, client: WebClient, services: Services, workspace: TokenWorkspace) -> App:
    """The Bolt app with every listener registered.

    ``client`` carries no token: Bolt is authorized per request by ``workspace`` from the one cached
    ``auth.test``, after the workspace pin has let the request through. Bolt's own signature check is
    off: over HTTP the request guard (``bot.guard``) verifies the raw bytes before Bolt sees anything
    and hands Bolt the parsed fields, and in Socket Mode Slack does not sign requests.
    """
    app = App(
        client=client,
        signing_secret="",
        request_verification_enabled=False,
        before_authorize=only_this_workspace(workspace),
        # A plain function: Bolt passes arguments by the names it finds, and a bound method's ``self`` confuses it.
        authorize=lambda: workspace.authorize(),
        listener_executor=ThreadPoolExecutor(max_workers=LISTENER_THREADS, thread_name_prefix="listener"),
    )
    listeners.register(app, services)
    return app
