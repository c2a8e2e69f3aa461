"""The governance service: the rules in force where someone asks, who they are as Slack's groups say, and the record.

Decisions are the pure functions of ``decisions``; this asks Slack about groups (through ``UserGroups``), writes
each decision to the audit log, and answers ``/finetune audit``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from decimal import Decimal

from workflows.governance.audit_entry import AuditAction, AuditEntry
from workflows.governance.audit_view import audit_message
from workflows.governance.budget_decisions import (
    UNKNOWN_PRICE_FIX,
    budget_notice,
    budget_refusal,
    thresholds_reached,
)
from workflows.governance.governance_ports import Asker, AuditLog, GroupsUnavailable, Spending, UserGroups
from workflows.governance.policy import Policy, Rules, rules_in
from workflows.governance.policy_decisions import Act, Refusal, groups_unknown, person_refusal
from workflows.messages import Message
from workflows.ports import Clock, Locks

logger = logging.getLogger(__name__)

#: How many entries ``/finetune audit`` shows without a number.
AUDIT_DEFAULT_COUNT = 10
#: How long a budget notice is remembered as sent (longer than any month), so each is posted once a month.
NOTICE_MEMORY_SECONDS = 40 * 24 * 3600


class Gatekeeper:
    """Asks the policy, records what was decided; without a policy everything is allowed (and still recorded)."""

    def __init__(
        self,
        *,
        policy: Callable[[], Policy | None],
        groups: UserGroups,
        audit: AuditLog,
        clock: Clock,
        admins: frozenset[str],
        spending: Spending,
        locks: Locks,
    ) -> None:
        self._spending = spending
        self._locks = locks
        self._policy = policy
        self._groups = groups
        self._audit = audit
        self._clock = clock
        self._admins = admins

    def policy(self) -> Policy | None:
        """The policy in force now (a changed file is read again on use)."""
        return self._policy()

    def rules(self, team: str, channel: str) -> Rules:
        return rules_in(self._policy(), team, channel)

    def may(self, asker: Asker, act: Act, *, subject: str) -> Refusal | None:
        """Whether the policy lets ``asker`` start or deploy here; a refusal is recorded before it is returned."""
        rules = self.rules(asker.team, asker.channel)
        people = rules.start if act is Act.START else rules.deploy
        if people is None or asker.user in people.users:
            return None
        try:
            members: set[str] = set()
            for group in people.groups:
                members |= self._groups.members(group)
        except GroupsUnavailable as exc:
            logger.warning("Could not read the members of %s: %s", ", ".join(people.groups), exc)
            refusal: Refusal | None = groups_unknown(people, act)
        else:
            refusal = person_refusal(people, asker.user, act, members=members)
        if refusal is not None:
            self.refused(asker, refusal, subject=subject)
        return refusal

    def over_budget(
        self,
        asker: Asker,
        estimate: Decimal | None,
        *,
        subject: str,
        what: str = "This job's estimate",
        price: str = "this job's training price",
        unknown_fix: str = UNKNOWN_PRICE_FIX,
    ) -> Refusal | None:
        """Whether a cost (a job's estimate by default) would take the channel's or person's month over budget.

        A refusal is recorded before it is returned.
        """
        budgets = self.rules(asker.team, asker.channel).budgets
        if budgets is None:
            return None
        spent = self._spending.month_to_date(
            team=asker.team, channel=asker.channel, user=asker.user, now=self._clock.now()
        )
        refusal = budget_refusal(budgets, spent, estimate, what=what, price=price, unknown_fix=unknown_fix)
        if refusal is not None:
            self.refused(asker, refusal, subject=subject)
        return refusal

    def budget_notice(self, team: str, channel: str, user: str = "") -> Message | None:
        """The channel's notice when its spend reached 50, 80 or 100 % of its budget and was not told yet.

        Each threshold is claimed once per channel and month (across replicas); when spend jumps past several
        at once, they are all claimed and only the highest is said.
        """
        budgets = self.rules(team, channel).budgets
        if budgets is None or budgets.channel_usd is None:
            return None
        spent = self._spending.month_to_date(team=team, channel=channel, user=user, now=self._clock.now())
        claimed = [
            pct
            for pct in thresholds_reached(budgets.channel_usd, spent.channel)
            if self._locks.acquire(
                f"budget-notice:{team}:{channel}:{spent.key}:{pct}", ttl_seconds=NOTICE_MEMORY_SECONDS
            )
            is not None
        ]
        return budget_notice(claimed[-1], budgets.channel_usd, spent.channel, spent.month) if claimed else None

    def refused(self, asker: Asker, refusal: Refusal, *, subject: str) -> None:
        """Record a refusal by the policy."""
        self.record(AuditAction.POLICY_REFUSED, asker, subject=subject, detail=refusal.rule)

    def record(
        self,
        action: AuditAction,
        asker: Asker | None,
        *,
        subject: str,
        cost: Decimal | str | None = None,
        detail: str = "",
    ) -> None:
        """Append one entry; the decision it records stands even when the log cannot be written (that is logged)."""
        entry = AuditEntry(
            at=self._clock.now(),
            action=action,
            user=asker.user if asker is not None else "",
            team=asker.team if asker is not None else "",
            channel=asker.channel if asker is not None else "",
            subject=subject,
            cost_usd=None if cost is None else str(cost),
            detail=detail,
        )
        try:
            self._audit.append(entry)
        except Exception:
            logger.exception("Could not write the audit entry %s", entry)

    def audit_answer(self, asker: Asker, count: int | None) -> Message:
        """``/finetune audit [N]``: the latest entries, for admins only."""
        if asker.user not in self._admins:
            return Message(text="Only the admins named in FINETUNE_ADMINS may read the audit log.")
        asked = count or AUDIT_DEFAULT_COUNT
        return audit_message(self._audit.latest(asked, team=asker.team), asked)
