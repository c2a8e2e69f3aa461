"""What governance needs from outside: the audit log's storage and Slack's user groups."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Protocol

from workflows.governance.audit_entry import AuditEntry
from workflows.governance.budget_decisions import MonthToDate


class AuditLog(Protocol):
    """An append-only log of decisions, kept for the retention the settings give."""

    def append(self, entry: AuditEntry) -> str:
        """Record one entry; returns its id."""
        ...

    def latest(self, count: int, *, team: str) -> list[AuditEntry]:
        """The newest ``count`` entries of ``team`` (its scope) and of no team (policy reloads), newest first;
        never another team's."""
        ...

    def between(self, since: datetime | None, until: datetime | None) -> Iterator[AuditEntry]:
        """Every team's entries from ``since`` (inclusive) to ``until`` (exclusive), oldest first; None leaves that
        end open."""
        ...


class UserGroups(Protocol):
    """Who is in a Slack user group (``usergroups.users.list``)."""

    def members(self, group: str) -> frozenset[str]:
        """The group's members; raises ``GroupsUnavailable`` when Slack cannot say."""
        ...


class Spending(Protocol):
    """This month's estimated spend so far, as ``/finetune cost`` counts it."""

    def month_to_date(self, *, team: str, channel: str, user: str, now: datetime) -> MonthToDate:
        """The channel's and the person's spend this month up to ``now``."""
        ...


class GroupsUnavailable(Exception):
    """Slack did not say who is in a user group (an error, a missing scope, a deleted group)."""


class Asker(Protocol):
    """Who asks and where: the Slack coordinates of a command or a click."""

    @property
    def team(self) -> str: ...

    @property
    def channel(self) -> str: ...

    @property
    def user(self) -> str: ...
