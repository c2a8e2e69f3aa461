"""Which workspace a piece of work is for: the one scope string every store keys a team's data by, and the
workspace the bot is acting for right now (whose token its Slack calls carry).

A *scope* is the Slack team id (``T…``) of a workspace install, or ``<enterprise id>.<team id>`` for a workspace
of an org-wide (Enterprise Grid) install, whose bot token belongs to the enterprise. Records keep it in their
``team`` field, and every key that holds a team's data (a channel's setups and jobs, a person's jobs, a team's
deployments, its audit log) is built from it, so two workspaces never read each other's. Records written before
workspaces were told apart carry the bare team id, which is exactly the scope of a workspace install: they keep
working unchanged.

Work started by a request runs for the request's workspace; scheduled work (the status tick, reminders, job
events) runs for the workspace recorded with each job, deployment or setup. ``acting_for`` says which, for the
current thread and whatever it hands work to (the executors the bot builds copy it along).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

#: Between the enterprise and the team in an org-wide install's scope (Slack ids are letters and digits).
SEPARATOR = "."


@dataclass(frozen=True, slots=True)
class Workspace:
    """A workspace as Slack names it, and whether its bot token is the enterprise's (an org-wide install)."""

    team_id: str
    enterprise_id: str | None = None
    org_wide: bool = False

    @property
    def scope(self) -> str:
        """The string a team's records and keys carry."""
        if self.org_wide and self.enterprise_id:
            return f"{self.enterprise_id}{SEPARATOR}{self.team_id}"
        return self.team_id


def scope_of(team_id: str, *, enterprise_id: str | None = None, org_wide: bool = False) -> str:
    """The scope of a request from ``team_id`` (in ``enterprise_id``, through an org-wide install or not)."""
    return Workspace(team_id, enterprise_id or None, org_wide).scope


def workspace_of(scope: str) -> Workspace:
    """The workspace a scope names (the inverse of ``Workspace.scope``)."""
    enterprise, separator, team = scope.partition(SEPARATOR)
    if separator and enterprise:
        return Workspace(team, enterprise, org_wide=True)
    return Workspace(scope)


_acting: ContextVar[str | None] = ContextVar("finetune_acting_for", default=None)


@contextmanager
def acting_for(scope: str | None) -> Iterator[None]:
    """Run the block for the workspace ``scope`` (None: none in particular, as before any request)."""
    token = _acting.set(scope or None)
    try:
        yield
    finally:
        _acting.reset(token)


def act_for(scope: str | None) -> None:
    """From now on in the current context, act for ``scope``: for a request, whose handling (run by its server in a
    context of its own) ends with it; ``acting_for`` is for a block within longer-lived work."""
    _acting.set(scope or None)


def acting() -> str | None:
    """The scope of the workspace the current work is for, or None outside any."""
    return _acting.get()
