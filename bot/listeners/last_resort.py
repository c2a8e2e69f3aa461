"""The last-resort error handler (events and middleware; commands and clicks are answered by ``apologies``).

It logs the traceback, tells the person politely when it can (only on a verified request), and never
leaks internals. While the store is down it logs one line per request instead: the outage itself is
logged once.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, BoltRequest
from slack_bolt.context.respond import Respond

from bot.guard.middleware import VERIFIED
from bot.services import Services

#: What a person sees when something unexpected breaks; details stay in the log.
APOLOGY = (
    "Something went wrong on my side and I could not finish that. Nothing was started or spent. "
    "Please try again; if it keeps happening, ask whoever runs finetune-bot to check its log."
)


def register(app: App, services: Services) -> None:
    """Install the global error handler."""

    def on_error(
        error: Exception, body: dict[str, Any], request: BoltRequest, logger: logging.Logger, respond: Respond | None
    ) -> None:
        kind = body.get("type", "command")
        if services.healthy():
            logger.exception("Unhandled error in a listener (request type %s)", kind)
        else:
            logger.warning("A %s failed while the store is down (%s)", kind, type(error).__name__)
        if respond is not None and respond.response_url and is_verified(request):
            respond(text=APOLOGY, response_type="ephemeral", replace_original=False)

    app.error(on_error)


def is_verified(request: BoltRequest) -> bool:
    """Only a request the guard verified (HTTP) or that came over Slack's WebSocket may be answered."""
    return request.mode == "socket_mode" or request.context.get(VERIFIED) is True
