"""Who the bot token belongs to: ``auth.test`` asked once and cached; the workspace pin and Bolt's authorization."""

from __future__ import annotations

import logging
import threading
import time

from slack_bolt.authorization import AuthorizeResult
from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError
from slack_sdk.web import SlackResponse

from bot.guard.workspace import Identity, WorkspacePin

logger = logging.getLogger(__name__)

#: After a failed ``auth.test`` (Slack unreachable), how long requests wait before it is asked again.
RETRY_SECONDS = 10.0


class TokenWorkspace:
    """This bot token's workspace: one successful ``auth.test`` per process, shared by every thread.

    It gives the workspace pin (checked before Bolt authorizes a request) and Bolt's authorization
    itself, so Bolt never asks Slack again.
    """

    def __init__(self, client: WebClient, *, allowed_teams: frozenset[str]) -> None:
        self._client = client
        self._allowed_teams = allowed_teams
        self._lock = threading.Lock()
        self._answer: SlackResponse | None = None
        self._pin: WorkspacePin | None = None
        self._next_attempt = 0.0

    def pin(self) -> WorkspacePin | None:
        """The pin, asking Slack the first time; None while Slack has not answered (retried later)."""
        with self._lock:
            if self._pin is None and time.monotonic() >= self._next_attempt:
                self._ask()
                if self._pin is None:
                    self._next_attempt = time.monotonic() + RETRY_SECONDS
            return self._pin

    def authorize(self) -> AuthorizeResult:
        """The bot token and its ids for Bolt, from the cached ``auth.test`` (no Slack call).

        Bolt asks only after the pin let the request through, so the answer is known by then.
        """
        if self.pin() is None or self._answer is None:
            raise RuntimeError("authorize was asked before Slack said which workspace the token belongs to")
        return AuthorizeResult.from_auth_test_response(bot_token=self._client.token, auth_test_response=self._answer)

    def _ask(self) -> None:
        try:
            answer = self._client.auth_test()
        except (SlackClientError, OSError) as exc:
            logger.warning("Slack did not say which workspace the bot token belongs to (%s)", type(exc).__name__)
            return
        team_id, enterprise_id = answer.get("team_id"), answer.get("enterprise_id")
        if not isinstance(team_id, str) or not team_id:
            logger.warning("Slack's auth.test answer names no team; not acting on any request yet")
            return
        identity = Identity(team_id, enterprise_id if isinstance(enterprise_id, str) and enterprise_id else None)
        logger.info(
            "Acting for workspace %s%s%s",
            identity.team_id,
            f" (enterprise {identity.enterprise_id})" if identity.enterprise_id else "",
            f" and {', '.join(sorted(self._allowed_teams))}" if self._allowed_teams else "",
        )
        self._answer = answer
        self._pin = WorkspacePin(identity, self._allowed_teams)
