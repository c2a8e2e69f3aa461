"""Act once per Slack event: a redelivery of an event handled or being handled is acknowledged and dropped."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltResponse

from bot.services import Services

logger = logging.getLogger(__name__)


def register(app: App, services: Services) -> None:
    def drop_redeliveries(body: dict[str, Any], next: Callable[[], BoltResponse]) -> BoltResponse | None:
        event_id = body.get("event_id")
        if isinstance(event_id, str) and not services.events.claim(event_id):
            logger.info("Dropped a redelivery of event %s", event_id)
            return BoltResponse(status=200, body="")
        return next()

    app.middleware(drop_redeliveries)
