"""The one error handler: log the traceback, tell the person politely, never leak internals."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App
from slack_bolt.context.respond import Respond

from bot.services import Services

#: What a person sees when something unexpected breaks; details stay in the log.
APOLOGY = (
    "Something went wrong on my side and I could not finish that. Nothing was started or spent. "
    "Please try again; if it keeps happening, ask whoever runs finetune-bot to check its log."
)


def register(app: App, services: Services) -> None:
    """Install the global error handler."""

    def on_error(error: Exception, body: dict[str, Any], logger: logging.Logger, respond: Respond | None) -> None:
        logger.exception("Unhandled error in a listener (request type %s)", body.get("type", "command"))
        if respond is not None and respond.response_url:
            respond(text=APOLOGY, response_type="ephemeral", replace_original=False)

    app.error(on_error)
