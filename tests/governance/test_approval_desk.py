"""The approvals service on in-memory ports: asked once, answered once, handed over once, expired by the sweep."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from tests.fakes.approvals import MemoryApprovals, sample_request
from tests.fakes.clock import FakeClock
from tests.fakes.governance import MemoryAuditLog, StaticGroups, gatekeeper
from tests.fakes.home import RecordingHome
from tests.fakes.locks import MemoryLocks
from tests.fakes.notifier import RecordingNotifier
from tests.fakes.samples import START
from workflows.governance.approval_desk import CHANGED, ApprovalDesk
from workflows.governance.approvals import ApprovalKind, ApprovalRequest, ApprovalStatus
from workflows.governance.audit_entry import AuditAction
from workflows.governance.policy import People


@dataclass
class Waiting:
    """What waits for the answer: the basis it would be asked on now, and the outcomes handed to it."""

    basis: str | None = "approvers=U2|;cost=23.75"
    settled: list[tuple[str, ApprovalStatus]] = field(default_factory=list)
    fail_next: int = 0

    def basis_now(self, request: ApprovalRequest) -> str | None:
        return self.basis

    def settle(self, request: ApprovalRequest) -> None:
        if self.fail_next:
            self.fail_next -= 1
            raise ConnectionError("the process died here")
        self.settled.append((request.id, request.status))


class Desk:
    def __init__(self, groups: StaticGroups | None = None) -> None:
        self.clock = FakeClock(START)
        self.store = MemoryApprovals()
        self.notifier = RecordingNotifier()
        self.audit = MemoryAuditLog()
        self.waiting = Waiting()
        self.desk = ApprovalDesk(
            store=self.store,
            posts=self.notifier,
            threads=self.notifier,
            groups=groups or StaticGroups({"S1": frozenset({"U3", "U1"})}),
            gatekeeper=gatekeeper(audit=self.audit, clock=self.clock),
            locks=MemoryLocks(),
            clock=self.clock,
        )
        self.desk.serve(ApprovalKind.JOB, self.waiting)

    def actions(self) -> list[tuple[AuditAction, str]]:
        return [(entry.action, entry.user) for entry in self.audit.entries]

    def stored(self) -> ApprovalRequest:
        found = self.store.get("a1")
        assert found is not None
        return found


@pytest.fixture
def world() -> Desk:
    return Desk()


def asked(world: Desk, **changes: object) -> ApprovalRequest:
    return world.desk.ask(sample_request(created_at=START, expires_at=START + timedelta(hours=1), **changes))


def test_a_request_is_sent_to_each_approver_once_and_said_in_the_thread(world: Desk) -> None:
    asked(world, approvers=People(users=("U2",), groups=("S1",)))
    asked(world)
    world.desk.sweep()

    dms = sorted(sent.channel for sent in world.notifier.of_kind("post") if sent.channel.startswith("D"))
    assert dms == ["D2", "D3"]  # U1 asked, so U1 is not asked even as a group member
    assert [sent.message.text for sent in world.notifier.of_kind("post") if sent.channel == "C1"] == [
        world.notifier.of_kind("post")[-1].message.text
    ]
    assert world.actions() == [(AuditAction.APPROVAL_ASKED, "U1")]
    assert world.stored().asked
    assert [post[0] for post in world.stored().posts] == ["U2", "U3"]


def test_an_approval_acts_once_edits_the_messages_and_hands_the_outcome_over(world: Desk) -> None:
    asked(world)
    answer = world.desk.approve("a1", team="T1", user="U2")
    again = world.desk.approve("a1", team="T1", user="U2")

    assert answer.text.startswith("Approved: the job is starting")
    assert "Approved by <@U2>" in again.text
    assert world.waiting.settled == [("a1", ApprovalStatus.APPROVED)]
    assert world.actions() == [(AuditAction.APPROVAL_ASKED, "U1"), (AuditAction.APPROVAL_APPROVED, "U2")]
    assert "Approved by <@U2>" in world.notifier.of_kind("update")[-1].message.text
    assert world.stored().settled
    assert world.store.open_ids() == []


@pytest.mark.parametrize(
    ("user", "words"),
    [
        ("U1", "You asked for this approval yourself"),
        ("U9", "You are not one of the approvers of this request"),
    ],
)
def test_the_requester_and_other_people_cannot_answer(world: Desk, user: str, words: str) -> None:
    asked(world, approvers=People(users=("U1", "U2")))
    assert world.desk.approve("a1", team="T1", user=user).text.startswith(words)
    assert world.desk.reject("a1", team="T1", user=user, reason="no").text.startswith(words)
    assert world.stored().status is ApprovalStatus.PENDING
    assert world.waiting.settled == []


def test_a_group_member_cannot_be_checked_when_slack_does_not_answer() -> None:
    world = Desk(StaticGroups(failing={"S1"}))
    asked(world, approvers=People(users=("U2",), groups=("S1",)))
    assert "I could not check whether you are an approver" in world.desk.approve("a1", team="T1", user="U3").text
    assert world.desk.approve("a1", team="T1", user="U2").text.startswith("Approved")


def test_a_rejection_keeps_its_reason_for_the_thread_and_the_log(world: Desk) -> None:
    asked(world)
    world.desk.reject("a1", team="T1", user="U2", reason="  Too much this month <b>  ")

    assert world.stored().reason == "Too much this month <b>"
    thread = [sent.message.text for sent in world.notifier.of_kind("post") if sent.thread_ts == "1.000"]
    assert thread[-1] == ":no_entry: <@U2> rejected this: Too much this month &lt;b&gt;"
    assert world.audit.entries[-1].detail == "Too much this month <b>"
    assert world.waiting.settled == [("a1", ApprovalStatus.REJECTED)]


def test_a_changed_basis_sends_the_request_back_instead_of_approving_it(world: Desk) -> None:
    asked(world)
    world.waiting.basis = "none"
    answer = world.desk.approve("a1", team="T1", user="U2")

    assert answer.text == f"Nothing was done: {CHANGED}"
    assert (world.stored().status, world.stored().changed) == (ApprovalStatus.WITHDRAWN, True)
    assert world.actions()[-1] == (AuditAction.APPROVAL_WITHDRAWN, "U2")
    assert world.waiting.settled == [("a1", ApprovalStatus.WITHDRAWN)]


def test_a_request_whose_subject_no_longer_waits_is_withdrawn_as_gone(world: Desk) -> None:
    asked(world)
    world.waiting.basis = None
    assert "can no longer go ahead as asked" in world.desk.approve("a1", team="T1", user="U2").text
    assert (world.stored().status, world.stored().changed) == (ApprovalStatus.WITHDRAWN, False)


def test_the_sweep_expires_what_nobody_answered_and_a_late_click_is_told(world: Desk) -> None:
    asked(world)
    world.desk.sweep()
    assert world.stored().status is ApprovalStatus.PENDING
    world.clock.advance(hours=1)
    world.desk.sweep()

    assert world.stored().status is ApprovalStatus.EXPIRED
    assert world.actions()[-1] == (AuditAction.APPROVAL_EXPIRED, "")
    assert "Expired at 2026-" in world.desk.approve("a1", team="T1", user="U2").text


def test_a_click_after_the_deadline_expires_the_request_before_the_sweep_does(world: Desk) -> None:
    asked(world)
    world.clock.advance(hours=2)
    assert world.desk.approve("a1", team="T1", user="U2").text.startswith("This request expired")
    assert world.stored().status is ApprovalStatus.EXPIRED
    assert world.waiting.settled == [("a1", ApprovalStatus.EXPIRED)]


def test_an_outcome_whose_hand_over_failed_is_handed_over_by_the_sweep_once(world: Desk) -> None:
    asked(world)
    world.waiting.fail_next = 1
    with pytest.raises(ConnectionError):
        world.desk.approve("a1", team="T1", user="U2")
    assert (world.stored().status, world.stored().settled) == (ApprovalStatus.APPROVED, False)

    world.desk.sweep()
    world.desk.sweep()
    assert world.waiting.settled == [("a1", ApprovalStatus.APPROVED)]
    thread = [sent.message.text for sent in world.notifier.of_kind("post") if sent.thread_ts == "1.000"]
    assert len([text for text in thread if "approved this" in text]) == 1


def test_a_request_that_was_stored_but_never_sent_is_sent_by_the_sweep(world: Desk) -> None:
    world.store.create(sample_request(created_at=START, expires_at=START + timedelta(hours=1)))
    world.desk.sweep()
    assert world.stored().asked
    assert [sent.channel for sent in world.notifier.of_kind("post") if sent.channel.startswith("D")] == ["D2"]


def test_pending_requests_are_listed_for_those_who_may_answer_them(world: Desk) -> None:
    asked(world, approvers=People(users=("U2",), groups=("S1",)))
    assert [request.id for request in world.desk.pending_for(team="T1", user="U3")] == ["a1"]
    assert world.desk.pending_for(team="T1", user="U1") == []
    assert world.desk.pending_for(team="T2", user="U2") == []
    world.desk.approve("a1", team="T1", user="U2")
    assert world.desk.pending_for(team="T1", user="U3") == []


def test_a_withdrawn_request_tells_its_approvers_and_cannot_be_approved(world: Desk) -> None:
    asked(world)
    world.desk.withdraw("a1", reason="the requester cancelled the setup.")
    assert world.stored().status is ApprovalStatus.WITHDRAWN
    assert "Withdrawn: the requester cancelled the setup." in world.notifier.of_kind("update")[-1].message.text
    assert "Nothing more was done" in world.desk.approve("a1", team="T1", user="U2").text


def test_the_approvers_home_tabs_are_asked_for_when_a_request_is_asked_and_when_it_is_answered(world: Desk) -> None:
    homes = RecordingHome()
    world.desk.show_on_homes(homes)

    asked(world, approvers=People(users=("U2",), groups=("S1",)))
    assert homes.changes == [("T1", "U2"), ("T1", "U3")]  # never the requester U1, though in S1

    world.desk.approve("a1", team="T1", user="U2")
    assert homes.changes[2:] == [("T1", "U2"), ("T1", "U3")]
    world.desk.sweep()
    assert len(homes.changes) == 4


def test_a_withdrawal_after_the_approval_leaves_it_approved_and_says_so(world: Desk) -> None:
    asked(world)
    world.desk.approve("a1", team="T1", user="U2")
    after = world.desk.withdraw("a1", reason="the requester cancelled the setup.")
    assert after is not None
    assert after.status is ApprovalStatus.APPROVED
    assert world.waiting.settled == [("a1", ApprovalStatus.APPROVED)]
    assert world.desk.withdraw("a-never-stored", reason="the requester cancelled the setup.") is None
