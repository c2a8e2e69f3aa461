"""Workspace pinning: the token's workspace (and enterprise), plus FINETUNE_ALLOWED_TEAMS, and nothing else."""

from __future__ import annotations

import pytest

from bot.guard.workspace import Identity, WorkspacePin

STANDALONE = WorkspacePin(Identity("T1"))
GRID = WorkspacePin(Identity("T1", "E1"))
LISTED = WorkspacePin(Identity("T1"), frozenset({"T2"}))
GRID_LISTED = WorkspacePin(Identity("T1", "E1"), frozenset({"T2"}))


@pytest.mark.parametrize(
    ("pin", "team", "enterprise", "allowed"),
    [
        (STANDALONE, "T1", None, True),
        (STANDALONE, "T1", "", True),  # Slack sends an empty enterprise_id field on standalone workspaces
        (STANDALONE, "T2", None, False),
        (STANDALONE, None, None, False),
        (STANDALONE, "", None, False),
        (STANDALONE, "T1", "E9", False),  # the right team id inside an enterprise the token is not in
        (GRID, "T1", "E1", True),
        (GRID, "T1", None, False),
        (GRID, "T1", "E9", False),
        (GRID, "T2", "E1", False),  # another workspace of the same org, not listed
        (LISTED, "T2", None, True),
        (LISTED, "T3", None, False),
        (LISTED, "T2", "E9", False),
        (GRID_LISTED, "T2", "E1", True),
        (GRID_LISTED, "T2", "E9", False),
    ],
)
def test_who_the_bot_acts_for(pin: WorkspacePin, team: str | None, enterprise: str | None, allowed: bool) -> None:
    assert pin.allows(team, enterprise) is allowed
