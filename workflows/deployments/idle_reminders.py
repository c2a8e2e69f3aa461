"""The idle check the tick runs when due: each unused Provisioned Throughput gets one reminder per period.

The check is due at most once per ``check_seconds`` across every replica (a Redis timer the first
caller takes); the tick runs it under the scheduler lease, after the deployment watch. Each reminder is
claimed (a compare-and-set on the record's ``reminder_claimed_at``), posted with a key, then marked posted
(``reminded_at``), so two replicas, an overlapping tick or a restart never remind twice in one period. A
post that failed gives its claim back and makes the check due again at the next tick; a post that may have
reached Slack (its answer lost, or its replica died before marking it) is found by its key in the thread
and marked posted, not posted again. A claim whose replica died expires after ``REMINDER_CLAIM_SECONDS``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from workflows.deployments.deployment_costs import cost_so_far_text
from workflows.deployments.deployment_notices import idle_reminder
from workflows.deployments.deployment_ports import DeploymentStore, ModelInvocations
from workflows.deployments.deployment_record import DeploymentRecord
from workflows.deployments.idle_check import idle_window, is_idle
from workflows.exceptions import BotError, ServiceBusy
from workflows.messages import Action, Button, Message, Style
from workflows.ports import Clock, KeyedNotifier, Locks
from workflows.tenancy import acting_for

logger = logging.getLogger(__name__)

#: The Redis timer that makes the check due once per interval, whichever replica runs it.
DUE_TIMER = "deployments:idle-check"
#: How long a replica's claim on a reminder it is posting lasts: far longer than a post with its retries.
REMINDER_CLAIM_SECONDS = 600


@dataclass
class IdleCheckReport:
    """What one pass did, for logs and tests."""

    ran: bool = False
    checked: int = 0
    reminded: int = 0
    failed: int = 0
    #: Reminders whose post failed: the check is due again at the next tick.
    unsent: int = 0


class IdleReminders:
    """Reads ``Invocations`` of each live throughput and reminds its thread when there were none."""

    def __init__(
        self,
        *,
        store: DeploymentStore,
        invocations: ModelInvocations,
        notifier: KeyedNotifier,
        timers: Locks,
        clock: Clock,
        idle_hours: float,
        check_seconds: float,
    ) -> None:
        self._store = store
        self._invocations = invocations
        self._notifier = notifier
        self._timers = timers
        self._clock = clock
        self._idle_hours = idle_hours
        self._check_seconds = check_seconds

    def check_if_due(self) -> IdleCheckReport:
        """Run the check when no replica ran it within ``check_seconds``; otherwise do nothing."""
        token = self._timers.acquire(DUE_TIMER, ttl_seconds=self._check_seconds)
        if token is None:
            return IdleCheckReport()
        report = self.check()
        if report.unsent:
            self._timers.release(DUE_TIMER, token)
        return report

    def check(self) -> IdleCheckReport:
        """One pass over the live deployments; CloudWatch failing for one does not stop the others."""
        report = IdleCheckReport(ran=True)
        for record in self._store.live():
            try:
                with acting_for(record.team):
                    self._check_one(record, report)
            except ServiceBusy:
                report.failed += 1
                logger.warning("CloudWatch is busy; the idle check stops here and runs again when due")
                break
            except BotError:
                report.failed += 1
                logger.warning("could not tell whether deployment %s is idle", record.name, exc_info=True)
        if report.reminded or report.failed or report.unsent:
            logger.info(
                "Idle check: %d checked, %d reminded, %d failed, %d to post again",
                report.checked,
                report.reminded,
                report.failed,
                report.unsent,
            )
        return report

    def _check_one(self, record: DeploymentRecord, report: IdleCheckReport) -> None:
        now = self._clock.now()
        window = idle_window(record, now, idle_hours=self._idle_hours)
        if window is None:
            return
        report.checked += 1
        usage = self._invocations.usage(model_id=record.arn, start=window.start, end=window.end)
        if not is_idle(usage):
            return
        period = timedelta(hours=self._idle_hours).total_seconds()
        if not self._store.claim_reminder(
            record.name, now=now, period_seconds=period, claim_seconds=REMINDER_CLAIM_SECONDS
        ):
            return
        try:
            self._post(record, now)
        except Exception:
            self._store.release_reminder(record.name)
            report.unsent += 1
            logger.warning("The idle reminder of %s did not go out; it is tried again", record.name, exc_info=True)
            return
        self._store.reminder_posted(record.name, at=now)
        report.reminded += 1

    def _post(self, record: DeploymentRecord, now: datetime) -> None:
        """Post the reminder unless an earlier attempt at the same one reached the thread."""
        key = reminder_key(record)
        if self._notifier.find_posted(channel=record.channel, key=key, thread_ts=record.thread_ts) is not None:
            logger.info("The idle reminder of %s had reached its thread already", record.name)
            return
        message = reminder(record, idle_hours=self._idle_hours, spent=cost_so_far_text(record, now))
        self._notifier.post_keyed(channel=record.channel, message=message, key=key, thread_ts=record.thread_ts)
        logger.info("reminded %s that deployment %s is idle", record.channel, record.name)


def reminder_key(record: DeploymentRecord) -> str:
    """The same for every attempt at one reminder: the deployment and the reminder (or readiness) it follows."""
    since = record.reminded_at or record.ready_at or record.created_at
    return f"idle-reminder:{record.name}:{since.isoformat()}"


def reminder(record: DeploymentRecord, *, idle_hours: float, spent: str) -> Message:
    """The idle reminder with its *Delete* button (which asks before deleting)."""
    text = idle_reminder(record, idle_hours=idle_hours, spent=spent)
    return Message(
        text=text.text,
        facts=text.facts,
        details=text.details,
        context=text.context,
        buttons=(Button("Delete", Action.DELETE_DEPLOYMENT, value=record.name, style=Style.DANGER),),
    )
