"""User groups over HTTP: the emulator's ``usergroups.users.list``, remembered for a while; failures are not."""

from __future__ import annotations

import pytest

from bot.sandbox.emulator import SlackEmulator
from bot.slack_client import build_web_client
from bot.usergroups import SlackUserGroups
from workflows.governance.governance_ports import GroupsUnavailable

pytestmark = pytest.mark.integration


class Ticks:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def groups_on(emulator: SlackEmulator, ticks: Ticks) -> SlackUserGroups:
    client = build_web_client(token=emulator.workspace.bot_token, base_url=emulator.api_url)
    return SlackUserGroups(client, ttl_seconds=60, monotonic=ticks)


def test_members_are_asked_once_until_the_cache_expires(emulator: SlackEmulator) -> None:
    emulator.set_usergroup("S0ML", ["U1", "U2"])
    ticks = Ticks()
    groups = groups_on(emulator, ticks)
    assert groups.members("S0ML") == {"U1", "U2"}
    emulator.set_usergroup("S0ML", ["U3"])
    ticks.now = 59
    assert groups.members("S0ML") == {"U1", "U2"}
    assert len(emulator.calls("usergroups.users.list")) == 1
    ticks.now = 61
    assert groups.members("S0ML") == {"U3"}
    assert [call.params["usergroup"] for call in emulator.calls("usergroups.users.list")] == ["S0ML", "S0ML"]


def test_an_unknown_group_is_unavailable_and_not_remembered(emulator: SlackEmulator) -> None:
    groups = groups_on(emulator, Ticks())
    with pytest.raises(GroupsUnavailable, match="no_such_subteam"):
        groups.members("S0NONE")
    emulator.set_usergroup("S0NONE", ["U1"])
    assert groups.members("S0NONE") == {"U1"}
    assert emulator.unknown_methods == []
