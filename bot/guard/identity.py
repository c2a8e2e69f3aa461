"""Who the bot token belongs to: ``auth.test`` asked once and cached, and the workspace pin built from it."""

from __future__ import annotations

import logging
import threading
import time

from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError

from bot.guard.workspace import Identity, WorkspacePin

logger = logging.getLogger(__name__)

#: After a failed ``auth.test`` (Slack unreachable), how long requests wait before it is asked again.
RETRY_SECONDS = 10.0


class TokenWorkspace:
    """The pin for this bot token: one successful ``auth.test`` per process, shared by every thread."""

    def __init__(self, client: WebClient, *, allowed_teams: frozenset[str]) -> None:
        self._client = client
        self._allowed_teams = allowed_teams
        self._lock = threading.Lock()
        self._pin: WorkspacePin | None = None
        self._next_attempt = 0.0

    def pin(self) -> WorkspacePin | None:
        """The pin, asking Slack the first time; None while Slack has not answered (retried later)."""
        with self._lock:
            if self._pin is None and time.monotonic() >= self._next_attempt:
                self._pin = self._ask()
                if self._pin is None:
                    self._next_attempt = time.monotonic() + RETRY_SECONDS
            return self._pin

    def _ask(self) -> WorkspacePin | None:
        try:
            answer = self._client.auth_test()
        except (SlackClientError, OSError) as exc:
            logger.warning("Slack did not say which workspace the bot token belongs to (%s)", type(exc).__name__)
            return None
        team_id, enterprise_id = answer.get("team_id"), answer.get("enterprise_id")
        if not isinstance(team_id, str) or not team_id:
            logger.warning("Slack's auth.test answer names no team; not acting on any request yet")
            return None
        identity = Identity(team_id, enterprise_id if isinstance(enterprise_id, str) and enterprise_id else None)
        logger.info(
            "Acting for workspace %s%s%s",
            identity.team_id,
            f" (enterprise {identity.enterprise_id})" if identity.enterprise_id else "",
            f" and {', '.join(sorted(self._allowed_teams))}" if self._allowed_teams else "",
        )
        return WorkspacePin(identity, self._allowed_teams)
