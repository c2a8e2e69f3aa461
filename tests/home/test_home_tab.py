"""The Home tab service: only the person's own items, budgets from the policy, changes folded, failures contained."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from concurrent.futures import Executor, Future
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from tests.deployments.deployment_samples import throughput
from tests.fakes.approvals import sample_request
from tests.fakes.clock import FakeClock
from tests.fakes.conversations import MemoryConversationStore
from tests.fakes.deployment_store import MemoryDeploymentStore
from tests.fakes.governance import FixedSpending, gatekeeper
from tests.fakes.records import MemoryRecords
from tests.fakes.samples import START, record
from workflows.catalogue.loader import load_catalogue
from workflows.deployments.deployment_record import DeploymentStatus
from workflows.governance.approvals import ApprovalRequest
from workflows.governance.governance_ports import GroupsUnavailable
from workflows.governance.policy import Policy
from workflows.home.home_tab import HomeTab
from workflows.jobs.job import JobStatus
from workflows.setup.model import Conversation, Stage

ALICE, BOB = "U1", "U2"


class Publisher:
    """``HomePublisher`` that keeps each person's last view, or fails while ``failing`` is set."""

    def __init__(self) -> None:
        self.views: dict[str, Mapping[str, Any]] = {}
        self.calls = 0
        self.failing: Exception | None = None

    def publish_home(self, *, user: str, view: Mapping[str, Any]) -> None:
        self.calls += 1
        if self.failing is not None:
            raise self.failing
        self.views[user] = view


class HeldExecutor(Executor):
    """Runs nothing until ``run_all``: what a busy background thread looks like."""

    def __init__(self) -> None:
        self.held: list[Callable[[], object]] = []
        self.closed = False

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        if self.closed:
            raise RuntimeError("cannot schedule new futures after shutdown")
        self.held.append(lambda: fn(*args, **kwargs))
        return Future()

    def run_all(self) -> None:
        held, self.held = self.held, []
        for work in held:
            work()


class Home:
    def __init__(self, policy: Policy | None = None, spending: FixedSpending | None = None) -> None:
        self.setups = MemoryConversationStore()
        self.jobs = MemoryRecords()
        self.deployments = MemoryDeploymentStore()
        self.publisher = Publisher()
        self.background = HeldExecutor()
        self.clock = FakeClock(START + timedelta(hours=1))
        self.tab = HomeTab(
            setups=self.setups,
            jobs=self.jobs,
            deployments=self.deployments,
            spending=spending or FixedSpending(channel=Decimal("40"), person=Decimal("12.5")),
            gatekeeper=gatekeeper(policy),
            catalogue=load_catalogue(),
            clock=self.clock,
            publisher=self.publisher,
            background=self.background,
        )

    def setup(self, thread_ts: str, user: str = ALICE, **changes: object) -> Conversation:
        base = Conversation(team="T1", channel="C1", thread_ts=thread_ts, user=user, created_at=START, updated_at=START)
        return self.setups.save(base.model_copy(update=changes))


def test_the_tab_shows_only_the_person_s_own_unfinished_setups_running_jobs_and_live_deployments() -> None:
    home = Home()
    home.setup("1.000", stage=Stage.CHOOSING_MODEL)
    home.setup("2.000", user=BOB)
    home.setup("3.000", stage=Stage.CANCELLED)
    home.jobs.save(record("alice-running"))
    home.jobs.save(record("alice-done", announced_status=JobStatus.COMPLETED))
    home.jobs.save(record("bob-running", user=BOB))
    home.deployments.save(throughput("alice-pt1-0a1b2c3d", owner=ALICE, deployed_by=ALICE))
    home.deployments.save(throughput("alice-old-pt1-0a1b2c3d", owner=ALICE, status=DeploymentStatus.DELETED))
    home.deployments.save(throughput("bob-pt1-0a1b2c3d", owner=BOB, deployed_by=BOB))

    facts = home.tab.facts(team="T1", user=ALICE)

    assert [setup.thread_ts for setup in facts.setups] == ["1.000"]
    assert [job.job_name for job in facts.jobs] == ["alice-running"]
    assert [deployment.name for deployment in facts.deployments] == ["alice-pt1-0a1b2c3d"]
    assert facts.model_names == {"amazon.titan-text-lite-v1:0:4k": "Titan Text G1 Lite"}
    assert facts.spend is not None
    assert (facts.spend.month, facts.spend.spent, facts.spend.person_limit) == ("March 2026", Decimal("12.5"), None)


def test_budgets_come_from_the_policy_the_workspace_s_for_the_person_and_each_channel_s_own() -> None:
    policy = Policy.model_validate(
        {
            "version": 1,
            "workspaces": {
                "T1": {
                    "budgets": {"person_usd": 200},
                    "channels": {"C2": {"budgets": {"channel_usd": 100, "person_usd": 50}}},
                }
            },
        }
    )
    home = Home(policy)
    home.jobs.save(record("in-c1", started_at=START))
    home.jobs.save(record("in-c2", channel="C2", started_at=START))

    spend = home.tab.facts(team="T1", user=ALICE).spend

    assert spend is not None
    assert spend.person_limit == Decimal("200")
    # C1 follows the workspace (no channel budget, the same person budget): nothing more to say about it.
    assert [(b.channel, b.spent, b.limit, b.person_limit) for b in spend.channels] == [
        ("C2", Decimal("40"), Decimal("100"), Decimal("50"))
    ]


def test_changes_for_a_person_already_queued_are_folded_into_one_publish() -> None:
    home = Home()
    home.jobs.save(record("alice-running"))

    for _ in range(3):
        home.tab.changed(team="T1", user=ALICE)
    home.tab.changed(team="T1", user=BOB)
    home.background.run_all()

    assert home.publisher.calls == 2
    assert set(home.publisher.views) == {ALICE, BOB}
    home.tab.changed(team="T1", user=ALICE)
    assert len(home.background.held) == 1


def test_a_failing_publish_is_logged_and_never_raised(caplog: pytest.LogCaptureFixture) -> None:
    home = Home()
    home.publisher.failing = RuntimeError("views.publish answered 500")

    home.tab.changed(team="T1", user=ALICE)
    with caplog.at_level(logging.WARNING):
        home.background.run_all()
        assert home.tab.opened(team="T1", user=ALICE) is False

    assert home.publisher.calls == 2
    assert "Could not publish the Home tab of U1 (RuntimeError: views.publish answered 500)" in caplog.text
    home.publisher.failing = None
    assert home.tab.opened(team="T1", user=ALICE) is True


def test_a_background_that_refuses_work_does_not_break_the_change(caplog: pytest.LogCaptureFixture) -> None:
    home = Home()
    home.background.closed = True

    with caplog.at_level(logging.WARNING):
        home.tab.changed(team="T1", user=ALICE)

    assert "Could not queue the Home tab of U1" in caplog.text
    home.background.closed = False
    home.tab.changed(team="T1", user=ALICE)
    assert len(home.background.held) == 1


def test_spend_that_cannot_be_read_leaves_the_rest_of_the_tab(caplog: pytest.LogCaptureFixture) -> None:
    class Broken:
        def month_to_date(self, **_: object) -> Any:
            raise ConnectionError("redis went away")

    home = Home()
    home.tab = HomeTab(
        setups=home.setups,
        jobs=home.jobs,
        deployments=home.deployments,
        spending=Broken(),
        gatekeeper=gatekeeper(),
        catalogue=load_catalogue(),
        clock=home.clock,
        publisher=home.publisher,
        background=home.background,
    )
    home.jobs.save(record("alice-running"))

    assert home.tab.opened(team="T1", user=ALICE) is True
    assert "Your spend could not be read just now" in str(home.publisher.views[ALICE])
    assert "`alice-running`" in str(home.publisher.views[ALICE])


def test_an_approver_s_tab_lists_the_requests_they_may_answer_and_a_failing_list_leaves_the_rest(
    caplog: pytest.LogCaptureFixture,
) -> None:
    class Pending:
        failing = False

        def pending_for(self, *, team: str, user: str) -> list[ApprovalRequest]:
            if self.failing:
                raise GroupsUnavailable("S1")
            return [sample_request("a1")] if (team, user) == ("T1", BOB) else []

    home = Home()
    pending = Pending()
    home.tab = HomeTab(
        setups=home.setups,
        jobs=home.jobs,
        deployments=home.deployments,
        spending=FixedSpending(),
        gatekeeper=gatekeeper(),
        catalogue=load_catalogue(),
        clock=home.clock,
        publisher=home.publisher,
        background=home.background,
        approvals=pending,
    )
    home.jobs.save(record("bob-running", user=BOB))

    assert [request.id for request in home.tab.facts(team="T1", user=BOB).approvals] == ["a1"]
    assert home.tab.facts(team="T1", user=ALICE).approvals == ()
    assert home.tab.opened(team="T1", user=BOB)
    assert "Waiting for your approval" in str(home.publisher.views[BOB])

    pending.failing = True
    with caplog.at_level(logging.WARNING):
        assert home.tab.opened(team="T1", user=BOB)
    assert "Could not read the requests for approval of U2" in caplog.text
    assert "Waiting for your approval" not in str(home.publisher.views[BOB])
    assert "`bob-running`" in str(home.publisher.views[BOB])
