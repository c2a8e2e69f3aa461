"""Workspace pinning: the bot acts only for the workspace (and enterprise) its token belongs to, or listed ones."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Identity:
    """Who the bot token belongs to, as ``auth.test`` reports it."""

    team_id: str
    #: Set on an Enterprise Grid org; None for a standalone workspace.
    enterprise_id: str | None = None


@dataclass(frozen=True, slots=True)
class WorkspacePin:
    """The token's workspace plus ``FINETUNE_ALLOWED_TEAMS``; a request elsewhere is ignored."""

    identity: Identity
    allowed_teams: frozenset[str] = frozenset()

    def allows(self, team_id: str | None, enterprise_id: str | None) -> bool:
        """True for a request from the token's workspace or a listed one, in the token's enterprise.

        The enterprise must match exactly (both absent for a standalone workspace), so a listed team id
        is admitted only inside the org the token belongs to.
        """
        if not team_id or team_id not in {self.identity.team_id} | self.allowed_teams:
            return False
        return (enterprise_id or None) == self.identity.enterprise_id
