"""In-memory stand-ins for governance's ports (``AuditLog``, ``UserGroups``), and a gatekeeper built on them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal

from tests.fakes.clock import FakeClock
from tests.fakes.locks import MemoryLocks
from workflows.governance.audit_entry import AuditEntry
from workflows.governance.budget_decisions import MonthToDate
from workflows.governance.gatekeeper import Gatekeeper
from workflows.governance.governance_ports import GroupsUnavailable, Spending
from workflows.governance.policy import Policy


class MemoryAuditLog:
    """``AuditLog`` in a list; ids count up."""

    def __init__(self) -> None:
        self.entries: list[AuditEntry] = []

    def append(self, entry: AuditEntry) -> str:
        entry = replace(entry, id=f"{len(self.entries) + 1}-0")
        self.entries.append(entry)
        return entry.id

    def latest(self, count: int, *, team: str) -> list[AuditEntry]:
        return [entry for entry in reversed(self.entries) if entry.team in ("", team)][:count]

    def between(self, since: datetime | None, until: datetime | None) -> Iterator[AuditEntry]:
        for entry in self.entries:
            if (since is None or entry.at >= since) and (until is None or entry.at < until):
                yield entry


@dataclass
class StaticGroups:
    """``UserGroups`` from a dict; a group in ``failing`` answers ``GroupsUnavailable``; every ask is counted."""

    groups: dict[str, frozenset[str]] = field(default_factory=dict)
    failing: set[str] = field(default_factory=set)
    asked: list[str] = field(default_factory=list)

    def members(self, group: str) -> frozenset[str]:
        self.asked.append(group)
        if group in self.failing or group not in self.groups:
            raise GroupsUnavailable(group)
        return self.groups[group]


@dataclass
class FixedSpending:
    """``Spending`` that answers the same figures, whoever asks."""

    channel: Decimal = Decimal(0)
    person: Decimal = Decimal(0)

    def month_to_date(self, *, team: str, channel: str, user: str, now: datetime) -> MonthToDate:
        return MonthToDate(month=f"{now:%B %Y}", key=f"{now:%Y-%m}", channel=self.channel, person=self.person)


def gatekeeper(
    policy: Policy | Callable[[], Policy | None] | None = None,
    *,
    audit: MemoryAuditLog | None = None,
    groups: StaticGroups | None = None,
    clock: FakeClock | None = None,
    admins: frozenset[str] = frozenset(),
    spending: Spending | None = None,
    locks: MemoryLocks | None = None,
) -> Gatekeeper:
    """A gatekeeper on in-memory ports; without a policy everything is open (a callable: the policy in force)."""
    source = policy if callable(policy) else lambda: policy
    return Gatekeeper(
        spending=spending or FixedSpending(),
        locks=locks or MemoryLocks(),
        policy=source,
        groups=groups or StaticGroups(),
        audit=audit if audit is not None else MemoryAuditLog(),
        clock=clock or FakeClock(),
        admins=admins,
    )
