"""The workspace each request is for: a Bolt middleware that runs the rest of the request acting for it.

Its scope (``workflows.tenancy``) is what the listeners file the request's setups, jobs and deployments under, and
what picks the bot token of every Slack call the request leads to, on whichever thread that call is made.
"""

from __future__ import annotations

from collections.abc import Callable

from slack_bolt import BoltContext, BoltResponse

from workflows.tenancy import act_for, acting, scope_of


def acting_for_request(*, org_scopes: bool) -> Callable[..., BoltResponse]:
    """The middleware; ``org_scopes`` qualifies an org-wide install's workspaces by their enterprise (OAuth mode).

    With one bot token every workspace keeps its bare team id, as records written before OAuth mode do.
    """

    def run(context: BoltContext, next: Callable[[], BoltResponse]) -> BoltResponse:
        # Bolt runs the middleware and then the listeners one after the other, not inside ``next``: the scope is
        # set for the rest of the request, whose dispatch runs in a context of its own (``RequestGuard``), and
        # the listener and after-ack threads take it along (``ContextExecutor``).
        team = context.team_id or ""
        org_wide = org_scopes and bool(context.is_enterprise_install)
        act_for(scope_of(team, enterprise_id=context.enterprise_id, org_wide=org_wide) if team else None)
        return next()

    return run


def request_team(fallback: str) -> str:
    """The scope the current request is filed under: the middleware's, else ``fallback`` (the payload's team id)."""
    return acting() or fallback
