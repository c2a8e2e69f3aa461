"""Workspace scopes: the bare team id for a workspace install, the enterprise and team for an org-wide one."""

from __future__ import annotations

import pytest

from workflows.tenancy import Workspace, acting, acting_for, scope_of, workspace_of


@pytest.mark.parametrize(
    ("workspace", "scope"),
    [
        (Workspace("T1"), "T1"),
        (Workspace("T1", "E1"), "T1"),
        (Workspace("T1", "E1", org_wide=True), "E1.T1"),
        (Workspace("T1", None, org_wide=True), "T1"),
    ],
)
def test_a_scope_names_its_workspace(workspace: Workspace, scope: str) -> None:
    assert workspace.scope == scope
    assert scope_of(workspace.team_id, enterprise_id=workspace.enterprise_id, org_wide=workspace.org_wide) == scope
    back = workspace_of(scope)
    assert back.scope == scope
    assert back.org_wide == (workspace.org_wide and workspace.enterprise_id is not None)


def test_records_from_before_scopes_are_their_workspace_installs() -> None:
    assert workspace_of("T0SANDBOX01") == Workspace("T0SANDBOX01")


def test_acting_for_lasts_for_its_block_and_nests() -> None:
    assert acting() is None
    with acting_for("T1"):
        assert acting() == "T1"
        with acting_for("E1.T2"):
            assert acting() == "E1.T2"
        assert acting() == "T1"
    assert acting() is None
