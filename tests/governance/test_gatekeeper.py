"""The gatekeeper asks Slack about groups only when it must, records every refusal, and shows the log to admins."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from tests.fakes.clock import FakeClock
from tests.fakes.governance import FixedSpending, MemoryAuditLog, StaticGroups, gatekeeper
from tests.fakes.locks import MemoryLocks
from workflows.governance.audit_entry import AuditAction
from workflows.governance.policy import Policy
from workflows.governance.policy_decisions import Act

POLICY = Policy.model_validate(
    {
        "version": 1,
        "workspaces": {
            "T1": {
                "start": {"users": ["U1"], "groups": ["S1"]},
                "channels": {"C2": {"start": {"users": ["U2"]}}},
            }
        },
    }
)


@dataclass(frozen=True)
class Asker:
    team: str
    channel: str
    user: str


def test_a_listed_person_is_let_in_without_asking_slack() -> None:
    groups = StaticGroups({"S1": frozenset({"U5"})})
    assert gatekeeper(POLICY, groups=groups).may(Asker("T1", "C1", "U1"), Act.START, subject="setup") is None
    assert groups.asked == []


def test_a_group_member_is_let_in_and_an_outsider_is_refused_and_recorded() -> None:
    audit, groups = MemoryAuditLog(), StaticGroups({"S1": frozenset({"U5"})})
    keeper = gatekeeper(POLICY, audit=audit, groups=groups)
    assert keeper.may(Asker("T1", "C1", "U5"), Act.START, subject="setup") is None
    refusal = keeper.may(Asker("T1", "C1", "U6"), Act.START, subject="setup")
    assert refusal is not None
    assert "<@U1>" in refusal.reason
    (entry,) = audit.entries
    assert (entry.action, entry.user, entry.channel, entry.subject) == (AuditAction.POLICY_REFUSED, "U6", "C1", "setup")
    assert entry.detail == "start: U6 is not allowed"


def test_a_channel_override_decides_in_that_channel() -> None:
    keeper = gatekeeper(POLICY)
    assert keeper.may(Asker("T1", "C2", "U2"), Act.START, subject="s") is None
    assert keeper.may(Asker("T1", "C2", "U1"), Act.START, subject="s") is not None
    assert keeper.may(Asker("T1", "C2", "U1"), Act.DEPLOY, subject="s") is None


def test_unreadable_groups_refuse_rather_than_let_anyone_in() -> None:
    audit = MemoryAuditLog()
    keeper = gatekeeper(POLICY, audit=audit, groups=StaticGroups(failing={"S1"}))
    refusal = keeper.may(Asker("T1", "C1", "U5"), Act.START, subject="setup")
    assert refusal is not None
    assert "try again" in refusal.reason
    assert audit.entries[0].detail == "start: user groups could not be read"


def test_without_a_policy_everyone_may_and_nothing_is_refused() -> None:
    audit = MemoryAuditLog()
    assert gatekeeper(None, audit=audit).may(Asker("T1", "C1", "U9"), Act.DEPLOY, subject="m") is None
    assert audit.entries == []


class BrokenLog(MemoryAuditLog):
    def append(self, entry: object) -> str:
        raise ConnectionError("down")


def test_a_log_that_cannot_be_written_does_not_undo_the_decision() -> None:
    gatekeeper(audit=BrokenLog()).record(AuditAction.JOB_STOPPED, Asker("T1", "C1", "U1"), subject="job")


def test_only_admins_read_the_log_newest_first_escaped() -> None:
    audit, clock = MemoryAuditLog(), FakeClock()
    keeper = gatekeeper(audit=audit, clock=clock, admins=frozenset({"UADMIN"}))
    keeper.record(AuditAction.JOB_STARTED, Asker("T1", "C1", "U1"), subject="job-<!channel>", cost="12.50")
    clock.advance(minutes=5)
    keeper.record(AuditAction.POLICY_RELOADED, None, subject="policy.yml")
    refused = keeper.audit_answer(Asker("T1", "C1", "U1"), None)
    assert refused.text == "Only the admins named in FINETUNE_ADMINS may read the audit log."
    answer = keeper.audit_answer(Asker("T1", "C1", "UADMIN"), 5)
    assert answer.text == "The latest 2 audit entries, newest first (all there are; you asked for 5):"
    (listed,) = answer.details
    first, second = listed.split("\n")
    assert "`policy.reloaded` by finetune-bot in no channel: `policy.yml`" in first
    assert "`job.started` by <@U1> in <#C1>: `job-&lt;!channel&gt;` $12.50" in second
    assert "<!channel>" not in listed


def test_the_log_answers_the_count_asked() -> None:
    audit, clock = MemoryAuditLog(), FakeClock()
    keeper = gatekeeper(audit=audit, clock=clock, admins=frozenset({"UADMIN"}))
    for number in range(12):
        keeper.record(AuditAction.JOB_STOPPED, Asker("T1", "C1", "U1"), subject=f"job-{number}")
        clock.advance(seconds=1)
    answer = keeper.audit_answer(Asker("T1", "C1", "UADMIN"), None)
    assert answer.text == "The latest 10 audit entries, newest first:"
    assert "job-11" in answer.details[0]
    assert "job-1`" not in answer.details[0]


def test_a_budget_notice_is_said_once_per_threshold_and_a_jump_says_only_the_highest() -> None:
    budgeted = Policy.model_validate({"version": 1, "workspaces": {"*": {"budgets": {"channel_usd": 100}}}})
    spending = FixedSpending(channel=Decimal(45))
    keeper = gatekeeper(budgeted, spending=spending, locks=MemoryLocks())
    assert keeper.budget_notice("T1", "C1") is None
    spending.channel = Decimal(85)
    notice = keeper.budget_notice("T1", "C1")
    assert notice is not None
    assert "used 80% of its fine-tuning budget for March 2026: $85.00 of $100.00. $15.00 is left." in notice.text
    assert keeper.budget_notice("T1", "C1") is None
    spending.channel = Decimal(100)
    notice = keeper.budget_notice("T1", "C1")
    assert notice is not None
    assert "whole fine-tuning budget" in notice.text
    assert keeper.budget_notice("T1", "C1") is None
    assert keeper.budget_notice("T1", "C2") is not None
    assert gatekeeper(None, spending=spending).budget_notice("T1", "C1") is None


def test_over_budget_is_recorded_and_no_budget_asks_nothing() -> None:
    budgeted = Policy.model_validate({"version": 1, "workspaces": {"*": {"budgets": {"person_usd": 10}}}})
    audit = MemoryAuditLog()
    keeper = gatekeeper(budgeted, audit=audit, spending=FixedSpending(person=Decimal(9)))
    assert keeper.over_budget(Asker("T1", "C1", "U1"), Decimal(2), subject="conv") is not None
    assert audit.entries[0].detail == "budgets.person_usd: $9.00 + $2.00 > $10.00"
    assert gatekeeper(None, audit=audit).over_budget(Asker("T1", "C1", "U1"), None, subject="conv") is None
