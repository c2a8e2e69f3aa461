"""What approvals need from outside: where requests are kept, the approvers' messages, and what waits for an answer."""

from __future__ import annotations

from typing import Protocol

from workflows.governance.approvals import ApprovalRequest
from workflows.messages import Message


class ApprovalStore(Protocol):
    """Requests by id, written with optimistic concurrency, and the ones still owed something."""

    def create(self, request: ApprovalRequest) -> ApprovalRequest:
        """Store a new request; when one with its id exists already, that one is returned unchanged."""
        ...

    def get(self, request_id: str) -> ApprovalRequest | None: ...

    def save(self, request: ApprovalRequest) -> ApprovalRequest:
        """Write only if nobody saved since ``request`` was read (``ConcurrentUpdate`` otherwise)."""
        ...

    def open_ids(self) -> list[str]:
        """Requests still pending, or answered but not yet settled, oldest first."""
        ...


class ApprovalPosts(Protocol):
    """The approvers' messages: posted to a channel or to a person (a direct message), then edited."""

    def post_to(self, *, channel: str, message: Message) -> tuple[str, str]:
        """Post to a channel or a user id (their direct message); returns the channel it landed in and its ts."""
        ...

    def update(self, *, channel: str, ts: str, message: Message) -> None: ...


class ApprovalSubject(Protocol):
    """What waits for an answer (a setup, a deployment): asked again at the answer, and told the outcome."""

    def basis_now(self, request: ApprovalRequest) -> str | None:
        """The ``basis`` it would be asked on now (policy and prices as they are); None: it no longer waits."""
        ...

    def settle(self, request: ApprovalRequest) -> None:
        """Act on the outcome (start, or go back to the review); called again after a crash, so idempotent."""
        ...
