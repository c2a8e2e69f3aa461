"""What the Home tab needs from outside: Slack's ``views.publish``, and the requests an approver may answer."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from workflows.governance.approvals import ApprovalRequest


class HomePublisher(Protocol):
    """Shows a view as a person's Home tab (``SlackNotifier`` is one)."""

    def publish_home(self, *, user: str, view: Mapping[str, Any]) -> None:
        """``views.publish`` of ``view`` for ``user``; raises when Slack refuses it or cannot be reached."""
        ...


class PendingApprovals(Protocol):
    """The requests for approval a person may answer now (``ApprovalDesk`` is one)."""

    def pending_for(self, *, team: str, user: str) -> list[ApprovalRequest]:
        """Pending requests ``user`` is an approver of (never their own), oldest first."""
        ...
