"""What the listeners are given: the domain services, built once in the composition root."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass

from workflows.catalogue.schema import Catalogue
from workflows.deployments.comparison.comparisons import Comparisons
from workflows.deployments.deployment_commands import DeploymentCommands
from workflows.deployments.tryout_commands import TryCommands
from workflows.governance.approval_desk import ApprovalDesk
from workflows.governance.gatekeeper import Gatekeeper
from workflows.home.home_tab import HomeTab
from workflows.jobs.job_commands import JobCommands
from workflows.ports import EventLog
from workflows.setup.service import ConversationService


@dataclass(frozen=True)
class Services:
    """The services a listener may call; listeners never build clients themselves."""

    #: True when the bot's state store (Redis) answers.
    healthy: Callable[[], bool]
    conversations: ConversationService
    #: Remembers handled Slack deliveries, so a retried event acts once.
    events: EventLog
    catalogue: Catalogue
    region: str
    #: ``/finetune status``, ``list``, ``stop`` and ``cost``.
    jobs: JobCommands
    #: ``/finetune deploy``, ``deployments``, ``undeploy`` and their buttons.
    deployments: DeploymentCommands
    #: ``/finetune try``, the Try it and Side by side buttons, and the answers in Try it threads.
    tryouts: TryCommands
    #: The policy's decisions and the audit log (``/finetune audit``).
    governance: Gatekeeper
    #: Requests for approval: the Approve and Reject buttons (wherever they are shown), and the pending ones.
    approvals: ApprovalDesk
    #: ``/finetune compare`` and the *Compare with base* button.
    comparisons: Comparisons
    #: The Home tab: published when a person opens it (and by the services when something of theirs changes).
    home: HomeTab
    #: Runs what follows an acknowledgement, apart from Bolt's listener threads so acks never queue behind it.
    after_ack: Executor
