"""The policy schema refuses what would silently open a rule, and a channel's rules replace its workspace's."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from workflows.dataset_rules import CustomizationType
from workflows.governance.policy import Policy, Rules, rules_in

POLICY = Policy.model_validate(
    {
        "version": 1,
        "workspaces": {
            "T1": {
                "allow": {"types": ["instruction"], "models": ["m1", "m2"]},
                "start": {"users": ["U1"], "groups": ["S1"]},
                "budgets": {"channel_usd": 500},
                "channels": {
                    "C2": {"allow": {"models": ["m2"]}, "deploy": {"users": ["U9"]}},
                },
            },
            "*": {"start": {"users": ["U7"]}},
        },
    }
)


@pytest.mark.parametrize(
    ("team", "channel", "types", "models", "start_users", "deploy"),
    [
        ("T1", "C1", (CustomizationType.INSTRUCTION,), ("m1", "m2"), ("U1",), None),
        # The channel replaces allow whole (types are open there) and adds deploy; start stays the workspace's.
        ("T1", "C2", None, ("m2",), ("U1",), ("U9",)),
        ("T9", "C1", None, None, ("U7",), None),
    ],
)
def test_the_rules_in_a_channel(
    team: str,
    channel: str,
    types: tuple[CustomizationType, ...] | None,
    models: tuple[str, ...] | None,
    start_users: tuple[str, ...],
    deploy: tuple[str, ...] | None,
) -> None:
    rules = rules_in(POLICY, team, channel)
    assert (rules.allow.types if rules.allow else None) == types
    assert (rules.allow.models if rules.allow else None) == models
    assert rules.start is not None
    assert rules.start.users == start_users
    assert (rules.deploy.users if rules.deploy else None) == deploy


def test_budgets_carry_over_from_the_workspace() -> None:
    rules = rules_in(POLICY, "T1", "C2")
    assert rules.budgets is not None
    assert rules.budgets.channel_usd == Decimal(500)


def test_no_policy_and_an_unlisted_workspace_without_a_default_are_open() -> None:
    assert rules_in(None, "T1", "C1") == Rules()
    only_t1 = Policy.model_validate({"version": 1, "workspaces": {"T1": {}}})
    assert rules_in(only_t1, "T2", "C1") == Rules()


def _policy(rules: dict[str, Any], *, version: int = 1, team: str = "T1") -> dict[str, Any]:
    return {"version": version, "workspaces": {team: rules}}


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        (_policy({"allow": {"modles": ["m1"]}}), "Extra inputs are not permitted"),
        (_policy({"start": {"users": ["alice"]}}), "is not a Slack user id"),
        (_policy({"start": {"groups": ["U1"]}}), "is not a Slack user group id"),
        (_policy({"start": {}}), "names nobody"),
        (_policy({"allow": {"types": ["vibes"]}}), "Input should be"),
        (_policy({"budgets": {"person_usd": -1}}), "greater than or equal to 0"),
        (_policy({"approval": {"above_usd": 10}}), "Field required"),
        (_policy({"channels": {"general": {}}}), "is not a Slack channel id"),
        (_policy({}, version=2), "version 2 is not supported"),
        (_policy({}, team="acme"), "is not a Slack team id"),
    ],
)
def test_mistakes_are_refused(raw: dict[str, Any], problem: str) -> None:
    with pytest.raises(ValidationError, match=problem):
        Policy.model_validate(raw)
