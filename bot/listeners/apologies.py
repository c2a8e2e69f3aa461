"""Command and click listeners, guarded: whatever fails after the ack becomes a private apology.

Bolt's threaded runner forgets a request's acknowledgement when its listener raises after
``ack()`` (it resets the ack's response), so the HTTP request waits out the 3-second timeout and
Slack shows the person an error. No exception may leave a listener, so every command and action
listener is wrapped here: the person is answered in the ack, or through ``respond`` after it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack
from slack_bolt.context.respond import Respond

from bot.listeners.last_resort import APOLOGY
from bot.services import Services
from workflows.exceptions import STORAGE_UNAVAILABLE, StorageUnavailable

logger = logging.getLogger(__name__)

#: What a command or action listener looks like: Bolt passes these three by name.
Listener = Callable[[Ack, dict[str, Any], Respond], None]


def guarded(services: Services, listener: Listener) -> Listener:
    """``listener``, answering the person itself when it raises instead of letting Bolt see the error."""

    def run(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        try:
            listener(ack, body, respond)
        except Exception as error:
            _tell(ack, respond, _apology(services, error, body))

    return run


def _apology(services: Services, error: Exception, body: dict[str, Any]) -> str:
    """The storage apology when the store is down (logged in one line), else the general one (with the traceback)."""
    kind = body.get("type") or body.get("command") or "request"
    if isinstance(error, StorageUnavailable) or not services.healthy():
        logger.warning("Answered a %s with the storage apology (%s)", kind, type(error).__name__)
        return STORAGE_UNAVAILABLE
    logger.error("Unhandled error in a listener (%s)", kind, exc_info=error)
    return APOLOGY


def _tell(ack: Ack, respond: Respond, text: str) -> None:
    """In the acknowledgement when it has not been sent yet, else privately through the response URL."""
    try:
        if ack.response is None:
            ack(text=text, response_type="ephemeral")
        elif respond.response_url:
            respond(text=text, response_type="ephemeral", replace_original=False)
    except Exception:
        logger.exception("Could not tell the person that their request failed")
