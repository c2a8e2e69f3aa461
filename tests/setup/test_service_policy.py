"""The conversation service under a policy: refusals before anything is posted, Start asks again, decisions recorded."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from tests.fakes.clock import FakeClock
from tests.fakes.governance import FixedSpending, MemoryAuditLog, StaticGroups
from tests.fakes.locks import MemoryLocks
from tests.setup.test_service import NOVA, WHERE, World
from workflows.governance.audit_entry import AuditAction
from workflows.governance.gatekeeper import Gatekeeper
from workflows.governance.policy import Policy
from workflows.setup.events import StartPressed
from workflows.setup.model import Stage


class Holder:
    """The policy in force, changed by the test as an edited file would be."""

    def __init__(self, policy: Policy | None) -> None:
        self.policy = policy

    def __call__(self) -> Policy | None:
        return self.policy


def policy(**rules: object) -> Policy:
    return Policy.model_validate({"version": 1, "workspaces": {"*": rules}})


def governed(holder: Holder, audit: MemoryAuditLog, spending: FixedSpending | None = None) -> World:
    keeper = Gatekeeper(
        policy=holder,
        groups=StaticGroups(),
        audit=audit,
        clock=FakeClock(datetime(2026, 11, 26, 12, 0, tzinfo=UTC)),
        admins=frozenset(),
        spending=spending or FixedSpending(),
        locks=MemoryLocks(),
    )
    return World(keeper=keeper)


def test_someone_the_policy_does_not_name_is_told_privately_and_nothing_is_posted() -> None:
    audit = MemoryAuditLog()
    world = governed(Holder(policy(start={"users": ["U9"]})), audit)
    assert world.service.start(WHERE) is None
    assert world.notifier.posts == []
    assert world.notifier.whispers == [
        ("U1", "The policy here does not allow you to start fine-tuning jobs. Who can: <@U9>.")
    ]
    assert [(entry.action, entry.subject) for entry in audit.entries] == [(AuditAction.POLICY_REFUSED, "setup")]


def test_a_started_job_is_recorded_with_its_estimate_after_its_setup() -> None:
    audit = MemoryAuditLog()
    world = governed(Holder(None), audit)
    conversation_id = world.to_review()
    world.service.handle(conversation_id, StartPressed("U1"), where=WHERE)
    setup, job = audit.entries
    assert (setup.action, setup.subject, setup.user) == (AuditAction.SETUP_STARTED, conversation_id, "U1")
    assert job.action is AuditAction.JOB_STARTED
    assert job.subject == world.jobs.requests[0].job_name
    assert job.detail == f"conversation on {NOVA}"
    assert job.cost_usd is None  # the catalogue has no training price for Nova Micro; the HTTP test has one


def test_a_policy_changed_before_start_is_applied_at_start() -> None:
    audit, holder = MemoryAuditLog(), Holder(None)
    world = governed(holder, audit)
    conversation_id = world.to_review()
    holder.policy = policy(allow={"models": ["amazon.titan-text-express-v1:0:8k"]})
    world.service.handle(conversation_id, StartPressed("U1"), where=WHERE)
    assert world.jobs.requests == []
    assert world.conversation(conversation_id).stage is Stage.REVIEWING
    assert "The job did not start." in world.notifier.everything()
    assert f"does not allow Nova Micro (`{NOVA}`)" in world.notifier.everything()
    assert audit.entries[-1].action is AuditAction.POLICY_REFUSED
    assert audit.entries[-1].detail == f"allow.models: {NOVA}"


def test_a_person_struck_from_the_policy_before_start_is_told_who_can() -> None:
    audit, holder = MemoryAuditLog(), Holder(None)
    world = governed(holder, audit)
    conversation_id = world.to_review()
    holder.policy = policy(start={"users": ["U9"]})
    world.service.handle(conversation_id, StartPressed("U1"), where=WHERE)
    assert world.jobs.requests == []
    assert world.conversation(conversation_id).stage is Stage.REVIEWING
    assert "no longer lets you start jobs" in world.notifier.everything()
    assert any("Who can: <@U9>." in text for user, text in world.notifier.whispers if user == "U1")


def test_a_job_over_the_channels_budget_is_refused_with_what_is_left_and_who_can_raise_it() -> None:
    audit, holder = MemoryAuditLog(), Holder(None)
    world = governed(holder, audit, FixedSpending(channel=Decimal("95"), person=Decimal("10")))
    conversation_id = world.to_review()
    holder.policy = policy(budgets={"channel_usd": 100})
    world.service.handle(conversation_id, StartPressed("U1"), where=WHERE)
    assert world.jobs.requests == []
    assert world.conversation(conversation_id).stage is Stage.REVIEWING
    said = world.notifier.everything()
    # Nova Micro has no training price in the catalogue: a budget cannot be checked, so the job is refused.
    assert "this job's training price is unknown, so I cannot tell whether it fits" in said
    assert audit.entries[-1].detail == "budgets: the estimate is unknown"


def test_a_job_reading_invocation_logs_under_a_budget_is_refused_saying_what_is_unknown() -> None:
    audit, holder = MemoryAuditLog(), Holder(None)
    world = governed(holder, audit)
    conversation_id = world.to_logs_review()
    holder.policy = policy(budgets={"channel_usd": 100})
    world.service.handle(conversation_id, StartPressed("U1"), where=WHERE)
    assert world.jobs.requests == []
    said = world.notifier.everything()
    assert "how many prompts the invocation logs hold (and so this job's cost) is unknown" in said
    assert "Distill from a file of prompts instead" in said
    assert audit.entries[-1].detail == "budgets: the estimate is unknown"
