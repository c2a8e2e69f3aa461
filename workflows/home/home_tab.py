"""The Home tab service: gathers a person's setups, jobs, deployments, spend and approvals, and publishes the view.

A person's tab is published when they open it (``opened``) and again, on a background thread, when
something of theirs changes (``changed``: a setup step, a job's transition, a deployment created, ready or
deleted, a budget notice, a request for approval asked of them or answered); never on every tick. Changes
that arrive while a publish is already queued for the same person are folded into it. A publish that fails
(Slack down, a refusal) is logged and dropped: the change that asked for it has happened either way, and
the next change or opening publishes again.
"""

from __future__ import annotations

import logging
import threading
from concurrent.futures import Executor
from datetime import datetime

from workflows.catalogue import CatalogueError
from workflows.catalogue.schema import Catalogue
from workflows.deployments.deployment_ports import DeploymentStore
from workflows.governance.approvals import ApprovalRequest
from workflows.governance.gatekeeper import Gatekeeper
from workflows.governance.governance_ports import Spending
from workflows.home.home_approvals import approvals_blocks
from workflows.home.home_facts import ChannelBudget, HomeFacts, SpendFacts
from workflows.home.home_ports import HomePublisher, PendingApprovals
from workflows.home.home_view import home_view
from workflows.jobs.job import JobRecord
from workflows.jobs.spend import month_start
from workflows.ports import Clock, ConversationStore, JobRecords
from workflows.setup.model import Conversation
from workflows.tenancy import acting_for

logger = logging.getLogger(__name__)

#: The newest jobs of a person read for their tab (running ones are among the newest).
JOBS_READ = 100
#: Channels with a budget whose spend the tab asks for; more are counted, not asked.
CHANNELS_ASKED = 5


class HomeTab:
    """``HomeRefresh`` for the services, and ``opened`` for the ``app_home_opened`` event."""

    def __init__(
        self,
        *,
        setups: ConversationStore,
        jobs: JobRecords,
        deployments: DeploymentStore,
        spending: Spending,
        gatekeeper: Gatekeeper,
        catalogue: Catalogue,
        clock: Clock,
        publisher: HomePublisher,
        background: Executor,
        approvals: PendingApprovals | None = None,
    ) -> None:
        #: For approvers: the requests they may answer, shown first with Approve and Reject.
        self._approvals = approvals
        self._setups = setups
        self._jobs = jobs
        self._deployments = deployments
        self._spending = spending
        self._gatekeeper = gatekeeper
        self._catalogue = catalogue
        self._clock = clock
        self._publisher = publisher
        self._background = background
        self._lock = threading.Lock()
        #: People whose publish is queued and not yet started: a change for them now is already covered.
        self._queued: set[tuple[str, str]] = set()

    def opened(self, *, team: str, user: str) -> bool:
        """The person opened the tab: publish it now. True when Slack took it."""
        return self.publish(team=team, user=user)

    def changed(self, *, team: str, user: str) -> None:
        """Publish the person's tab again soon, on the background thread; never raises."""
        if not user:
            return
        key = (team, user)
        with self._lock:
            if key in self._queued:
                return
            self._queued.add(key)
        try:
            self._background.submit(self._publish_queued, team, user)
        except Exception:
            with self._lock:
                self._queued.discard(key)
            logger.warning("Could not queue the Home tab of %s", user, exc_info=True)

    def publish(self, *, team: str, user: str) -> bool:
        """Build and publish the person's tab now; a failure is logged, never raised. True when Slack took it."""
        try:
            with acting_for(team):
                facts = self.facts(team=team, user=user)
                view = home_view(facts, extra=approvals_blocks(facts.approvals))
                self._publisher.publish_home(user=user, view=view)
        except Exception as exc:
            logger.warning(
                "Could not publish the Home tab of %s (%s: %s); the next change publishes it again",
                user,
                type(exc).__name__,
                exc,
            )
            return False
        return True

    def facts(self, *, team: str, user: str) -> HomeFacts:
        """What the person's tab shows now."""
        now = self._clock.now()
        setups = self._setups_of(team, user)
        recent = self._jobs.by_user(team=team, user=user, limit=JOBS_READ)
        jobs = tuple(job for job in recent if not job.announced_status.terminal)
        deployments = tuple(
            record
            for record in self._deployments.in_team(team)
            if user in (record.owner, record.deployed_by) and not record.status.terminal
        )
        channels = dict.fromkeys(
            [setup.channel for setup in setups]
            + [job.channel for job in _this_month(recent, now)]
            + [record.channel for record in deployments]
        )
        model_ids = {item.model_id for item in setups if item.model_id} | {job.base_model_id for job in jobs}
        return HomeFacts(
            user=user,
            now=now,
            setups=setups,
            jobs=jobs,
            deployments=deployments,
            spend=self._spend(team, user, now, list(channels)),
            approvals=self._pending(team, user),
            model_names={model_id: self._model_name(model_id) for model_id in model_ids},
        )

    def _publish_queued(self, team: str, user: str) -> None:
        with self._lock:
            self._queued.discard((team, user))
        self.publish(team=team, user=user)

    def _pending(self, team: str, user: str) -> tuple[ApprovalRequest, ...]:
        """The requests the person may answer; none when they cannot be read (logged: the rest still shows)."""
        if self._approvals is None:
            return ()
        try:
            return tuple(self._approvals.pending_for(team=team, user=user))
        except Exception:
            logger.warning("Could not read the requests for approval of %s for the Home tab", user, exc_info=True)
            return ()

    def _setups_of(self, team: str, user: str) -> tuple[Conversation, ...]:
        found = (
            self._setups.load(conversation_id) for conversation_id in self._setups.active_for_user(team=team, user=user)
        )
        return tuple(setup for setup in found if setup is not None and setup.user == user and not setup.stage.finished)

    def _spend(self, team: str, user: str, now: datetime, channels: list[str]) -> SpendFacts | None:
        """The person's month, and the channels with a budget they use; None when it cannot be read."""
        try:
            mine = self._spending.month_to_date(team=team, channel="", user=user, now=now)
            workspace = self._gatekeeper.rules(team, "").budgets
            person_limit = workspace.person_usd if workspace is not None else None
            budgeted = [channel for channel in channels if self._budgeted(team, channel, person_limit)]
            shown = [
                self._channel_budget(team, channel, user, now, person_limit) for channel in budgeted[:CHANNELS_ASKED]
            ]
        except Exception:
            logger.warning("Could not read the month's spend of %s for the Home tab", user, exc_info=True)
            return None
        return SpendFacts(
            month=mine.month,
            spent=mine.person,
            person_limit=person_limit,
            channels=tuple(shown),
            more_channels=max(0, len(budgeted) - CHANNELS_ASKED),
        )

    def _budgeted(self, team: str, channel: str, person_limit: object) -> bool:
        budgets = self._gatekeeper.rules(team, channel).budgets
        return budgets is not None and (budgets.channel_usd is not None or budgets.person_usd != person_limit)

    def _channel_budget(self, team: str, channel: str, user: str, now: datetime, person_limit: object) -> ChannelBudget:
        budgets = self._gatekeeper.rules(team, channel).budgets
        assert budgets is not None
        spent = self._spending.month_to_date(team=team, channel=channel, user=user, now=now)
        return ChannelBudget(
            channel=channel,
            spent=spent.channel,
            limit=budgets.channel_usd,
            person_limit=budgets.person_usd if budgets.person_usd != person_limit else None,
        )

    def _model_name(self, model_id: str) -> str:
        try:
            return self._catalogue.model(model_id).name
        except CatalogueError:
            return model_id


def _this_month(jobs: list[JobRecord], now: datetime) -> list[JobRecord]:
    since = month_start(now)
    return [job for job in jobs if job.started_at >= since]
