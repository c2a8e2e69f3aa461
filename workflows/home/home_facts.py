"""What one person's Home tab shows, gathered (by ``home_tab``) before the view is built without I/O."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from workflows.deployments.deployment_record import DeploymentRecord
from workflows.governance.approvals import ApprovalRequest
from workflows.jobs.job import JobRecord
from workflows.setup.model import Conversation


@dataclass(frozen=True, slots=True)
class ChannelBudget:
    """A channel the person spent in this month, with the budgets in force there."""

    channel: str
    #: The channel's spend this month (everyone's).
    spent: Decimal
    #: The channel's monthly budget, when one is set.
    limit: Decimal | None
    #: The person's monthly budget there, when it differs from the workspace's.
    person_limit: Decimal | None = None


@dataclass(frozen=True, slots=True)
class SpendFacts:
    """This month's spend of one person, against their budgets."""

    #: "November 2026".
    month: str
    #: The person's spend this month in the workspace, as ``/finetune cost`` counts it.
    spent: Decimal
    #: The workspace's monthly budget per person, when one is set.
    person_limit: Decimal | None = None
    #: Channels with a budget where the person has jobs, deployments or setups.
    channels: tuple[ChannelBudget, ...] = ()
    #: Such channels left out (their spend was not asked for).
    more_channels: int = 0


@dataclass(frozen=True, slots=True)
class HomeFacts:
    """Everything one person's Home tab shows, as of ``now``."""

    user: str
    now: datetime
    #: Their setups in progress, most recently active first.
    setups: tuple[Conversation, ...] = ()
    #: Their jobs still running (InProgress or Stopping), newest first.
    jobs: tuple[JobRecord, ...] = ()
    #: Deployments of their models (or deployed by them) not failed or deleted, newest first.
    deployments: tuple[DeploymentRecord, ...] = ()
    #: None when their spend could not be read (the view says so).
    spend: SpendFacts | None = None
    #: Requests for approval they may answer now, oldest first (an approver's; empty for everyone else).
    approvals: tuple[ApprovalRequest, ...] = ()
    #: Base model id → the name people know it by (the catalogue's); ids not in it are shown as they are.
    model_names: Mapping[str, str] = field(default_factory=dict)

    def model_name(self, model_id: str) -> str:
        return self.model_names.get(model_id, model_id)
