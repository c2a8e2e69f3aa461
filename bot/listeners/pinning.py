"""Workspace pinning in front of every listener: a request from another workspace is logged and ignored."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import BoltContext, BoltResponse

from bot.guard.identity import TokenWorkspace

logger = logging.getLogger(__name__)


def only_this_workspace(workspace: TokenWorkspace) -> Callable[..., BoltResponse]:
    """Bolt middleware (run before authorization): act only for the pinned workspace, with no Slack call else."""

    def pin(body: dict[str, Any], context: BoltContext, next: Callable[[], BoltResponse]) -> BoltResponse:
        if body.get("type") == "url_verification" or "ssl_check" in body:
            return next()  # Slack's own set-up probes name no workspace; Bolt answers them itself.
        allowed = workspace.pin()
        if allowed is None:
            return BoltResponse(status=503, body="")
        if allowed.allows(context.team_id, context.enterprise_id):
            return next()
        logger.info(
            "Ignored a request from team %.40r, enterprise %.40r: not this bot's workspace (FINETUNE_ALLOWED_TEAMS)",
            context.team_id,
            context.enterprise_id,
        )
        return BoltResponse(status=200, body="")

    return pin
