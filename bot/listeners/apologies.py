"""Command and click listeners, guarded: whatever fails after the ack becomes a private apology.

Bolt's threaded runner forgets a request's acknowledgement when its listener raises after
``ack()`` (it resets the ack's response), so the HTTP request waits out the 3-second timeout and
Slack shows the person an error. No exception may leave a listener, so every command and action
listener is wrapped here: the person is answered in the ack, or through ``respond`` after it.

A listener only acknowledges on Bolt's listener threads and hands the rest to ``later``, which runs
it on the after-ack threads (``Services.after_ack``): an ack never waits behind earlier requests' work.
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

#: Work to do after the ack: it talks to Redis, Slack and AWS, and may take long.
Work = Callable[[], object]
#: Runs work on the after-ack threads, answering its failure as the listener's own.
Later = Callable[[Work], None]
#: What Bolt calls for a command or action: it passes these three by name.
BoltListener = Callable[[Ack, dict[str, Any], Respond], None]
#: A command or action listener: it acknowledges, then hands what follows to ``later``.
Listener = Callable[[Ack, dict[str, Any], Respond, Later], None]


def guarded(services: Services, listener: Listener) -> BoltListener:
    """``listener``, answering the person itself when it or its later work raises, instead of letting Bolt see it."""

    def run(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        def later(work: Work) -> None:
            services.after_ack.submit(_answered, services, work, ack, body, respond)

        try:
            listener(ack, body, respond, later)
        except Exception as error:
            _tell(ack, respond, _apology(services, error, body))

    return run


def after_event(services: Services, body: dict[str, Any], work: Work) -> None:
    """Run an event's ``work`` on the after-ack threads, then mark its delivery handled; a failure is logged."""
    services.after_ack.submit(_logged, services, work, body)


def _answered(services: Services, work: Work, ack: Ack, body: dict[str, Any], respond: Respond) -> None:
    try:
        work()
    except Exception as error:
        _tell(ack, respond, _apology(services, error, body))


def _logged(services: Services, work: Work, body: dict[str, Any]) -> None:
    try:
        work()
    except Exception as error:
        _apology(services, error, body)
    _mark_handled(services, body)


def _mark_handled(services: Services, body: dict[str, Any]) -> None:
    """Slack's later retries of this event are dropped; if Redis refuses, the claim's expiry lets one through."""
    event_id = body.get("event_id")
    if not isinstance(event_id, str):
        return
    try:
        services.events.handled(event_id)
    except Exception:
        logger.warning("Could not mark event %s handled; a retry of it may reach the conversation", event_id)


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
