"""One entry of the audit log: who did (or was refused) what, when, where, and what it costs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any


class AuditAction(StrEnum):
    """Every decision the audit log records; the values are what an export carries."""

    SETUP_STARTED = "setup.started"
    JOB_STARTED = "job.started"
    JOB_STOPPED = "job.stopped"
    DEPLOYMENT_CREATED = "deployment.created"
    DEPLOYMENT_DELETED = "deployment.deleted"
    POLICY_RELOADED = "policy.reloaded"
    #: The file changed but could not be used; the last good policy stays in force.
    POLICY_RELOAD_REFUSED = "policy.reload_refused"
    POLICY_REFUSED = "policy.refused"
    APPROVAL_ASKED = "approval.asked"
    APPROVAL_APPROVED = "approval.approved"
    APPROVAL_REJECTED = "approval.rejected"
    APPROVAL_EXPIRED = "approval.expired"
    #: The requester cancelled, or a policy or price change sent the request back to them.
    APPROVAL_WITHDRAWN = "approval.withdrawn"


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """A decision as recorded: ``user`` is empty for the bot's own (a policy reload)."""

    at: datetime
    action: AuditAction
    user: str
    team: str
    channel: str
    #: What it was about: a job, a model, a deployment, the policy file.
    subject: str
    #: The estimate or price in USD as a decimal string (per hour for throughput), None when none applies.
    cost_usd: str | None = None
    #: The rule that refused, the type and model started, the route deployed.
    detail: str = ""
    #: The log's own id (a Redis stream id), set when read back.
    id: str = ""

    def as_json(self) -> dict[str, Any]:
        """The entry as one JSON object (``audit export`` writes one per line)."""
        return {
            "id": self.id,
            "at": self.at.isoformat(),
            "action": self.action.value,
            "user": self.user,
            "team": self.team,
            "channel": self.channel,
            "subject": self.subject,
            "cost_usd": self.cost_usd,
            "detail": self.detail,
        }
