"""The governance policy as data: its schema (checked with pydantic) and the rules in force in one channel.

A policy has a section per workspace (``"*"`` for every workspace not named), each with rules and
per-channel overrides. A rule a channel sets replaces the workspace's rule of the same name whole;
a rule nobody sets leaves that question open, as without a policy.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from workflows.dataset_rules import CustomizationType

#: The policy format this code reads; a file with another version is refused at start.
POLICY_VERSION = 1
#: The workspace section that applies to every workspace without its own.
ANY_WORKSPACE = "*"

_USER = re.compile(r"^[UW][A-Z0-9]+$")
_GROUP = re.compile(r"^S[A-Z0-9]+$")
_TEAM = re.compile(r"^T[A-Z0-9]+$")
_CHANNEL = re.compile(r"^[CG][A-Z0-9]+$")


def _matching(pattern: re.Pattern[str], what: str) -> AfterValidator:
    def check(value: str) -> str:
        if not pattern.match(value):
            raise ValueError(f"{value!r} is not {what}")
        return value

    return AfterValidator(check)


UserId = Annotated[str, _matching(_USER, "a Slack user id such as U012ABCDEF")]
GroupId = Annotated[str, _matching(_GROUP, "a Slack user group id such as S012ABCDEF")]
ChannelId = Annotated[str, _matching(_CHANNEL, "a Slack channel id such as C012ABCDEF")]
Usd = Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=2)]


class _Strict(BaseModel):
    """Unknown keys are mistakes (a typo would silently open a rule), so they are refused."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class People(_Strict):
    """Slack users and user groups (a group's members are asked of Slack, ``usergroups.users.list``)."""

    users: tuple[UserId, ...] = ()
    groups: tuple[GroupId, ...] = ()

    @model_validator(mode="after")
    def _someone(self) -> People:
        if not self.users and not self.groups:
            raise ValueError("names nobody: list at least one of users or groups (omit the rule to leave it open)")
        return self


class Allowed(_Strict):
    """What may be trained here; a list left out allows everything of its kind."""

    types: tuple[CustomizationType, ...] | None = None
    models: tuple[str, ...] | None = None


class Budgets(_Strict):
    """Monthly spending limits in USD."""

    channel_usd: Usd | None = None
    person_usd: Usd | None = None


class Approval(_Strict):
    """When a start or a deployment needs someone's approval, and whose (never the requester's own)."""

    above_usd: Usd | None = None
    provisioned_throughput: bool = False
    commitment: bool = False
    approvers: People
    #: Where requests go; unset: a direct message to each approver.
    channel: ChannelId | None = None
    #: How long a request waits for an answer before it expires (fractions allowed: 0.5 is half an hour).
    #: At most six days, so the setup it belongs to (kept a week) is still there when it is answered.
    expires_after_hours: Annotated[Decimal, Field(gt=0, le=144)] = Decimal(24)


class Rules(_Strict):
    """The rules of a workspace or a channel; None means the rule is not set here."""

    allow: Allowed | None = None
    #: Who may start jobs.
    start: People | None = None
    #: Who may deploy custom models.
    deploy: People | None = None
    budgets: Budgets | None = None
    approval: Approval | None = None


class WorkspaceRules(Rules):
    """A workspace's rules, and the channels that override some of them."""

    channels: dict[ChannelId, Rules] = Field(default_factory=dict)


class Policy(_Strict):
    """The whole policy file."""

    version: int
    workspaces: dict[str, WorkspaceRules]

    @model_validator(mode="after")
    def _known(self) -> Policy:
        if self.version != POLICY_VERSION:
            raise ValueError(f"version {self.version} is not supported: this finetune-bot reads version 1")
        for team in self.workspaces:
            if team != ANY_WORKSPACE and not _TEAM.match(team):
                raise ValueError(f'workspace {team!r} is not a Slack team id such as T012ABCDEF, nor "*"')
        return self


_RULE_NAMES = tuple(Rules.model_fields)


def rules_in(policy: Policy | None, team: str, channel: str) -> Rules:
    """The rules in force in one channel: the channel's own, else its workspace's (else ``"*"``'s), else open."""
    if policy is None:
        return Rules()
    workspace = policy.workspaces.get(team) or policy.workspaces.get(ANY_WORKSPACE)
    if workspace is None:
        return Rules()
    override = workspace.channels.get(channel)
    chosen = {
        name: getattr(override, name) if override is not None and name in override.model_fields_set else None
        for name in _RULE_NAMES
    }
    return Rules(**{name: value if value is not None else getattr(workspace, name) for name, value in chosen.items()})
