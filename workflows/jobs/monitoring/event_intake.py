"""The job event intake: Bedrock's state changes from the queue, applied by the status tick's own code.

Every replica runs it; the queue hands each message to one of them. A message is deleted only once
its effect is recorded (the transition claimed and announced, or found to be nothing new): one whose
effect failed stays, comes back after the queue's visibility timeout, and after the redrive policy's
tries goes to the dead-letter queue, while the reconciler catches the change from Bedrock anyway.
A malformed message is logged and deleted at once: no retry can make it parse, and keeping the
dead-letter queue for messages whose handling failed makes it a signal worth an alarm.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum

from workflows.exceptions import BotError
from workflows.jobs.job import JobRecord, JobSnapshot
from workflows.jobs.job_ports import JobEventMarks
from workflows.jobs.monitoring.job_events import (
    JobStateEvent,
    Malformed,
    Verdict,
    enriched,
    event_snapshot,
    judge,
    parse_event,
)
from workflows.jobs.monitoring.tick import JobMonitor
from workflows.ports import CustomizationJobs, JobRecords, MessageQueue, QueuedMessage

logger = logging.getLogger(__name__)


class Outcome(StrEnum):
    """What became of one message."""

    #: The event was news about one of the bot's jobs and was acted on; deleted.
    APPLIED = "applied"
    #: An event id already handled; deleted.
    DUPLICATE = "duplicate"
    #: Older than (or as old as) the newest change already applied to the job; deleted.
    STALE = "stale"
    #: Not one of the bot's jobs; deleted.
    FOREIGN = "foreign"
    #: Not a Bedrock job state-change event at all; logged and deleted.
    MALFORMED = "malformed"
    #: Acting on it failed (Slack, Redis or the queue); left on the queue to come back.
    FAILED = "failed"


@dataclass
class IntakeReport:
    """What one poll of the queue did, for logs and tests."""

    received: int = 0
    outcomes: Counter[Outcome] = field(default_factory=Counter)


class JobEventIntake:
    """Takes a batch from the queue and handles each message on its own."""

    def __init__(
        self,
        *,
        queue: MessageQueue,
        marks: JobEventMarks,
        records: JobRecords,
        jobs: CustomizationJobs,
        monitor: JobMonitor,
    ) -> None:
        self._queue = queue
        self._marks = marks
        self._records = records
        self._jobs = jobs
        self._monitor = monitor

    def poll(self) -> IntakeReport:
        """One long poll; raises only when the queue itself cannot be read."""
        messages = self._queue.receive()
        report = IntakeReport(received=len(messages))
        for message in messages:
            report.outcomes[self._handle_safely(message)] += 1
        return report

    def _handle_safely(self, message: QueuedMessage) -> Outcome:
        """One message; whatever goes wrong leaves it on the queue and the next message goes on."""
        try:
            return self.handle(message)
        except Exception as exc:
            logger.warning(
                "Job event message %s (received %d times) stays on the queue: %s",
                message.message_id,
                message.receive_count,
                exc,
            )
            return Outcome.FAILED

    def handle(self, message: QueuedMessage) -> Outcome:
        """Parse, judge and apply one message, deleting it once its effect is recorded."""
        parsed = parse_event(message.body)
        if isinstance(parsed, Malformed):
            logger.warning(
                "Deleting queue message %s: not a Bedrock job state-change event (%s)",
                message.message_id,
                parsed.reason,
            )
            self._queue.delete(message)
            return Outcome.MALFORMED
        outcome = self._apply(parsed)
        self._queue.delete(message)
        return outcome

    def _apply(self, event: JobStateEvent) -> Outcome:
        """The event's effect, recorded before the message is deleted; raises when it could not be made."""
        if self._marks.seen(event.id):
            return Outcome.DUPLICATE
        name = event.detail.job_name
        record = self._records.get(name)
        if judge(event, record) is Verdict.FOREIGN or record is None:
            logger.debug("Ignoring the state change of job %s: not one of this bot's jobs", name)
            return Outcome.FOREIGN
        if not self._marks.advance(name, event.changed_at):
            logger.info("Ignoring an older state change of job %s (%s)", name, event.detail.job_status.value)
            self._marks.remember(event.id)
            return Outcome.STALE
        try:
            self._monitor.observe(record, self._snapshot(event, record))
        except Exception:
            self._give_back(name, event)
            raise
        self._marks.remember(event.id)
        logger.info("Job %s is %s (from an event)", name, event.detail.job_status.value)
        return Outcome.APPLIED

    def _snapshot(self, event: JobStateEvent, record: JobRecord) -> JobSnapshot:
        """The event's view; for an end, Bedrock's description adds the stages and losses when it agrees."""
        from_event = event_snapshot(event, record)
        if not from_event.status.terminal:
            return from_event
        try:
            described = self._jobs.describe(record.job_name)
        except BotError as exc:
            logger.info("Announcing %s from its event alone: describing it failed: %s", record.job_name, exc)
            return from_event
        return enriched(from_event, described)

    def _give_back(self, job_name: str, event: JobStateEvent) -> None:
        """Forget the change as applied, so the message's next delivery applies it."""
        try:
            self._marks.retreat(job_name, event.changed_at)
        except Exception as exc:
            logger.warning(
                "Could not give back the state change of %s; the reconciler will catch it: %s", job_name, exc
            )
