"""``ApprovalStore`` in a dict, with the same versioning as the Redis one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.fakes.governance import StaticGroups
from tests.fakes.locks import MemoryLocks
from tests.fakes.notifier import RecordingNotifier
from workflows.exceptions import ConcurrentUpdate
from workflows.governance.approval_desk import ApprovalDesk
from workflows.governance.approvals import ApprovalKind, ApprovalRequest
from workflows.governance.gatekeeper import Gatekeeper
from workflows.governance.policy import People
from workflows.ports import Clock

START = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def sample_request(request_id: str = "a1", *, minutes: int = 0, **changes: object) -> ApprovalRequest:
    """A pending request of U1 for a $23.75 job in C1, for U2 to answer; ``changes`` replace fields."""
    base = ApprovalRequest(
        id=request_id,
        kind=ApprovalKind.JOB,
        subject="T1:C1:1.000",
        team="T1",
        channel="C1",
        thread_ts="1.000",
        requester="U1",
        headline="about $23.75 to train",
        reasons=("its estimate, $23.75, is above the $20.00 allowed without approval",),
        approvers=People(users=("U2",)),
        basis="approvers=U2|;cost=23.75",
        created_at=START + timedelta(minutes=minutes),
        expires_at=START + timedelta(hours=24),
    )
    return base.model_copy(update=changes)


class MemoryApprovals:
    """Requests by id; ``save`` refuses a stale version, as WATCH/MULTI does."""

    def __init__(self) -> None:
        self.requests: dict[str, ApprovalRequest] = {}

    def create(self, request: ApprovalRequest) -> ApprovalRequest:
        if request.id not in self.requests:
            self.requests[request.id] = request.model_copy(update={"version": 1})
        return self.requests[request.id]

    def get(self, request_id: str) -> ApprovalRequest | None:
        return self.requests.get(request_id)

    def save(self, request: ApprovalRequest) -> ApprovalRequest:
        current = self.requests.get(request.id)
        if current is None or current.version != request.version:
            raise ConcurrentUpdate("stale")
        stored = request.model_copy(update={"version": request.version + 1})
        self.requests[request.id] = stored
        return stored

    def open_ids(self) -> list[str]:
        found = [request for request in self.requests.values() if request.open]
        return [request.id for request in sorted(found, key=lambda request: request.created_at)]


def approval_desk(
    *,
    gatekeeper: Gatekeeper,
    notifier: RecordingNotifier,
    clock: Clock,
    locks: MemoryLocks | None = None,
    groups: StaticGroups | None = None,
    store: MemoryApprovals | None = None,
) -> ApprovalDesk:
    """An approvals service on in-memory ports (its ``serve`` is left to the caller)."""
    return ApprovalDesk(
        store=store if store is not None else MemoryApprovals(),
        posts=notifier,
        threads=notifier,
        groups=groups or StaticGroups(),
        gatekeeper=gatekeeper,
        locks=locks or MemoryLocks(),
        clock=clock,
    )
