"""Deploying under a policy: only who its ``deploy`` rule names may deploy; creations and deletions are recorded."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal

from tests.deployments.test_deployment_commands import ALICE, CATALOGUE, JOB, MODEL_ARN, Asker
from tests.deployments.test_deployment_spending import throughput
from tests.fakes.approvals import approval_desk
from tests.fakes.clock import FakeClock
from tests.fakes.deployment_store import MemoryDeploymentStore
from tests.fakes.deployments import FakeDeployments
from tests.fakes.governance import MemoryAuditLog, StaticGroups, gatekeeper
from tests.fakes.invocations import FakeInvocations
from tests.fakes.jobs import FakeJobs
from tests.fakes.locks import MemoryLocks
from tests.fakes.notifier import RecordingNotifier
from tests.fakes.records import MemoryRecords
from tests.fakes.samples import START, record, snapshot
from workflows.deployments.deployment_commands import BUDGET_WATCH_SECONDS, DeploymentCommands
from workflows.deployments.deployment_record import Route
from workflows.deployments.deployment_spending import DeploymentSpending
from workflows.deployments.deployment_usage import DeploymentUsage
from workflows.governance.approval_desk import ApprovalDesk
from workflows.governance.approvals import ApprovalKind, ApprovalStatus
from workflows.governance.audit_entry import AuditAction
from workflows.governance.policy import Policy
from workflows.governance.spending_sum import SpendingSum
from workflows.jobs.job import JobStatus

#: The approval desk each ``commands()`` built, by the commands' id.
DESKS: dict[int, ApprovalDesk] = {}
HELD = Policy.model_validate(
    {
        "version": 1,
        "workspaces": {"*": {"approval": {"provisioned_throughput": True, "approvers": {"users": ["U0LEAD"]}}}},
    }
)
ONLY_THE_PLATFORM_TEAM = Policy.model_validate(
    {"version": 1, "workspaces": {"*": {"deploy": {"users": ["U0LEAD"], "groups": ["S0PLATFORM"]}}}}
)


def commands(
    policy: Policy | Callable[[], Policy | None] | None,
    audit: MemoryAuditLog,
    *,
    members: frozenset[str] = frozenset(),
    store: MemoryDeploymentStore | None = None,
    notifier: RecordingNotifier | None = None,
    locks: MemoryLocks | None = None,
) -> DeploymentCommands:
    store = store if store is not None else MemoryDeploymentStore()
    locks = locks if locks is not None else MemoryLocks()
    records, jobs = MemoryRecords(), FakeJobs()
    records.save(record(JOB))
    jobs.put(snapshot(JOB, JobStatus.COMPLETED, custom_model_arn=MODEL_ARN, created_at=START))
    clock = FakeClock(START + timedelta(hours=3))
    notifier = notifier if notifier is not None else RecordingNotifier()
    groups = StaticGroups({"S0PLATFORM": members})
    keeper = gatekeeper(
        policy, audit=audit, clock=clock, groups=groups, spending=SpendingSum(DeploymentSpending(store)), locks=locks
    )
    approvals = approval_desk(gatekeeper=keeper, notifier=notifier, clock=clock, locks=locks, groups=groups)
    deploying = DeploymentCommands(
        deployments=FakeDeployments(),
        store=store,
        jobs=jobs,
        records=records,
        notifier=notifier,
        locks=locks,
        catalogue=CATALOGUE,
        clock=clock,
        region="us-east-1",
        admins=frozenset({"U0ADMIN"}),
        usage=DeploymentUsage(store=store, invocations=FakeInvocations(), catalogue=CATALOGUE),
        gatekeeper=keeper,
        approvals=approvals,
    )
    approvals.serve(ApprovalKind.DEPLOYMENT, deploying)
    DESKS[id(deploying)] = approvals
    return deploying


def test_the_jobs_starter_outside_the_deploy_rule_is_refused_with_who_can() -> None:
    audit = MemoryAuditLog()
    answer = commands(ONLY_THE_PLATFORM_TEAM, audit).ask_to_deploy(ALICE, JOB)
    assert answer.text == (
        "The policy here does not allow you to deploy custom models. "
        "Who can: <@U0LEAD> and members of the user group `S0PLATFORM`."
    )
    assert answer.buttons == ()
    (entry,) = audit.entries
    assert (entry.action, entry.subject, entry.detail) == (AuditAction.POLICY_REFUSED, JOB, "deploy: U1 is not allowed")


def test_a_starter_in_the_deploy_group_deploys_and_the_creation_and_deletion_are_recorded() -> None:
    audit = MemoryAuditLog()
    deploying = commands(ONLY_THE_PLATFORM_TEAM, audit, members=frozenset({"U1"}))
    assert "Deploying" in deploying.confirm_deploy(ALICE, JOB).text
    created = audit.entries[-1]
    assert (created.action, created.user, created.cost_usd) == (AuditAction.DEPLOYMENT_CREATED, "U1", "7.10")
    assert created.detail == f"Provisioned Throughput of {JOB} (USD per hour)"
    deploying.confirm_undeploy(ALICE, created.subject)
    deleted = audit.entries[-1]
    assert (deleted.action, deleted.subject) == (AuditAction.DEPLOYMENT_DELETED, created.subject)
    assert deleted.cost_usd == "0.00"


def test_without_a_policy_the_starter_deploys_as_before() -> None:
    audit = MemoryAuditLog()
    assert "Deploying" in commands(None, audit).confirm_deploy(Asker(), JOB).text
    assert [entry.action for entry in audit.entries] == [AuditAction.DEPLOYMENT_CREATED]


def test_a_throughput_that_would_take_the_month_over_budget_is_refused() -> None:
    budgeted = Policy.model_validate({"version": 1, "workspaces": {"*": {"budgets": {"channel_usd": 1000}}}})
    audit = MemoryAuditLog()
    answer = commands(budgeted, audit).ask_to_deploy(ALICE, JOB)
    assert answer.text.startswith("This throughput's cost to the end of the month of $5,0")
    assert "would take this channel's fine-tuning spend for March 2026 over its budget of $1,000.00" in answer.text
    assert answer.buttons == ()
    assert audit.entries[-1].detail.startswith("budgets.channel_usd: $0.00 + $5,0")


def test_the_tick_tells_a_channel_once_when_its_throughput_hours_pass_a_threshold() -> None:
    budgeted = Policy.model_validate({"version": 1, "workspaces": {"*": {"budgets": {"channel_usd": 100}}}})
    store, notifier, locks = MemoryDeploymentStore(), RecordingNotifier(), MemoryLocks()
    store.save(throughput("tp", hourly_cost=Decimal(30), created_at=START))  # 3 hours by now: $90
    store.save(throughput("od", route=Route.ON_DEMAND, hourly_cost=None, created_at=START, channel="C7"))
    watching = commands(budgeted, MemoryAuditLog(), store=store, notifier=notifier, locks=locks)
    watching.budget_watch()
    assert [(post.channel, post.message.text) for post in notifier.posts] == [
        (
            "C1",
            ":bar_chart: This channel has used 80% of its fine-tuning budget for March 2026: $90.00 of $100.00. "
            "$10.00 is left.",
        )
    ]
    watching.budget_watch()
    locks.time += BUDGET_WATCH_SECONDS
    watching.budget_watch()
    assert len(notifier.posts) == 1


def held(audit: MemoryAuditLog) -> tuple[DeploymentCommands, ApprovalDesk, MemoryDeploymentStore, RecordingNotifier]:
    store, notifier = MemoryDeploymentStore(), RecordingNotifier()
    deploying = commands(HELD, audit, store=store, notifier=notifier)
    return deploying, DESKS[id(deploying)], store, notifier


def test_a_throughput_the_policy_holds_is_asked_for_and_created_once_approved() -> None:
    audit = MemoryAuditLog()
    deploying, desk, store, notifier = held(audit)
    question = deploying.ask_to_deploy(ALICE, JOB)
    assert [button.label for button in question.buttons] == ["Request approval", "Cancel"]
    assert question.details[-1] == (
        "Needs approval before it is created: the policy here asks for approval of any Provisioned Throughput. "
        "Press *Request approval* to ask."
    )

    assert deploying.confirm_deploy(ALICE, JOB).text.startswith("Asked for approval to deploy")
    assert deploying.confirm_deploy(ALICE, JOB).text.startswith("This deployment is waiting for approval already")
    assert store.live() == []
    (pending,) = desk.pending_for(team=ALICE.team, user="U0LEAD")
    assert "$7.10" in "\n".join(pending.details)
    assert [post.channel for post in notifier.posts if post.channel.startswith("D")] == ["D0LEAD"]

    assert desk.approve(pending.id, team=ALICE.team, user="U0LEAD").text.startswith("Approved: the deployment")
    desk.approve(pending.id, team=ALICE.team, user="U0LEAD")
    desk.sweep()
    (created,) = store.live()
    assert created.deployed_by == ALICE.user
    thread = [post.message.text for post in notifier.posts if post.thread_ts == record(JOB).thread_ts]
    assert sum("is deploying" in text for text in thread) == 1
    assert any("<@U0LEAD> approved this. Deploying it now." in text for text in thread)
    assert [(entry.action, entry.user) for entry in audit.entries] == [
        (AuditAction.APPROVAL_ASKED, ALICE.user),
        (AuditAction.APPROVAL_APPROVED, "U0LEAD"),
        (AuditAction.DEPLOYMENT_CREATED, ALICE.user),
    ]


def test_a_rejected_deployment_is_not_created_and_may_be_asked_for_again() -> None:
    deploying, desk, store, _ = held(MemoryAuditLog())
    deploying.confirm_deploy(ALICE, JOB)
    (first,) = desk.pending_for(team=ALICE.team, user="U0LEAD")
    desk.reject(first.id, team=ALICE.team, user="U0LEAD", reason="not this month")
    assert store.live() == []
    assert deploying.confirm_deploy(ALICE, JOB).text.startswith("Asked for approval to deploy")
    (second,) = desk.pending_for(team=ALICE.team, user="U0LEAD")
    assert second.id != first.id
    stored = desk.get(first.id)
    assert stored is not None
    assert stored.status is ApprovalStatus.REJECTED


def test_a_commitment_rule_holds_only_a_throughput_bought_for_a_term() -> None:
    committing = Policy.model_validate(
        {"version": 1, "workspaces": {"*": {"approval": {"commitment": True, "approvers": {"users": ["U0LEAD"]}}}}}
    )
    deploying = commands(committing, MemoryAuditLog())
    hourly = deploying.ask_to_deploy(ALICE, JOB)
    assert [button.label for button in hourly.buttons] == ["Deploy", "Cancel"]
    month = deploying.ask_to_deploy(ALICE, f"{JOB} commitment=1m")
    assert [button.label for button in month.buttons] == ["Request approval", "Cancel"]
    assert "it commits to a term" in month.details[-1]


def test_a_deployment_sent_back_by_a_policy_change_is_asked_again_of_the_new_approvers() -> None:
    in_force: list[Policy] = [HELD]
    store, notifier = MemoryDeploymentStore(), RecordingNotifier()
    deploying = commands(lambda: in_force[-1], MemoryAuditLog(), store=store, notifier=notifier)
    desk = DESKS[id(deploying)]
    deploying.confirm_deploy(ALICE, JOB)
    (first,) = desk.pending_for(team=ALICE.team, user="U0LEAD")
    in_force.append(
        Policy.model_validate(
            {
                "version": 1,
                "workspaces": {"*": {"approval": {"provisioned_throughput": True, "approvers": {"users": ["U0CFO"]}}}},
            }
        )
    )
    answer = desk.approve(first.id, team=ALICE.team, user="U0LEAD")
    assert answer.text.startswith("Nothing was done: the policy or the price changed")
    assert store.live() == []
    (second,) = desk.pending_for(team=ALICE.team, user="U0CFO")
    assert second.id != first.id
    assert [post.channel for post in notifier.posts if post.channel.startswith("D")] == ["D0LEAD", "D0CFO"]
