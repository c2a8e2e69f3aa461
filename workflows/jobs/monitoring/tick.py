"""The status tick: learn every watched job's state with few Bedrock calls and announce each change once.

Bedrock calls per tick: one per page of in-progress jobs, plus one ``describe`` per watched job that
left that list (it ended). Each change is claimed with a compare-and-set on the record's announced
state before anyone is told, so two replicas or an overlapping tick never announce it twice; a
claim whose message could not be delivered is given back, and the next tick tries again. An end
claimed but never announced (a crash in between) is announced by a later tick: the notice carries
a key, so one that did reach the channel is found rather than posted twice. Running jobs with the
bot's tags but no record are adopted (``orphans``).

With an event intake (``event_intake``) the jobs' part of the tick becomes a reconciler: it runs
once per ``reconcile_every`` across all replicas (a lock in Redis keeps the time), to catch the
events EventBridge dropped, while the tick itself keeps its pace for the deployment watch. Events
go through ``observe``: the same decision, claim and announcements as a tick.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import assert_never

from workflows.catalogue import CatalogueError, ModelSpec
from workflows.catalogue.schema import Catalogue
from workflows.exceptions import BotError, ServiceBusy, WorkspaceGone
from workflows.jobs.job import JobRecord, JobSnapshot, JobStatus
from workflows.jobs.job_ports import WatchedJobs
from workflows.jobs.monitoring.decisions import Change, plan
from workflows.jobs.monitoring.lease import SchedulerLease
from workflows.jobs.monitoring.metrics import LossCurves, read_curves
from workflows.jobs.monitoring.notices import JobView, chart_attachment, end_notice, status_message
from workflows.jobs.monitoring.orphans import OrphanAdopter
from workflows.messages import Message
from workflows.ports import Clock, CustomizationJobs, DatasetStorage, HomeRefresh, KeyedNotifier, Locks
from workflows.tenancy import acting_for

logger = logging.getLogger(__name__)

#: Lock-name prefix of the periodic-update timers: while one exists, the job's next refresh is not due.
UPDATE_TIMER_PREFIX = "monitor:update:"
#: Lock name of the reconciler's timer: while it exists, the jobs' next poll of Bedrock is not due.
RECONCILE_TIMER = "monitor:reconcile"


@dataclass
class TickReport:
    """What one tick did, for logs, tests and the benchmark."""

    #: False when another replica holds the lease (this one did nothing).
    ran: bool = False
    watched: int = 0
    listed: int = 0
    described: int = 0
    ended: int = 0
    edited: int = 0
    failed: int = 0
    #: True when Bedrock kept throttling and the rest of the tick was skipped.
    busy: bool = False
    #: Running jobs with the bot's tags and no record, now recorded and watched.
    adopted: int = 0
    #: False when the jobs were not polled this tick (the reconciler's next poll is not due yet).
    reconciled: bool = False


def notice_key(job_name: str, status: JobStatus) -> str:
    """The key an end-of-job notice carries, so a re-driven notice finds the one already posted."""
    return f"notice:{job_name}:{status.value}"


class JobMonitor:
    """Runs the status tick for the replica that holds the scheduler lease."""

    def __init__(
        self,
        *,
        jobs: CustomizationJobs,
        records: WatchedJobs,
        notifier: KeyedNotifier,
        timers: Locks,
        lease: SchedulerLease,
        catalogue: Catalogue,
        clock: Clock,
        region: str,
        update_every: timedelta,
        storage: DatasetStorage | None,
        adopter: OrphanAdopter | None = None,
        also_watch: Callable[[], None] | None = None,
        reconcile_every: float | None = None,
        home: HomeRefresh | None = None,
    ) -> None:
        self._jobs = jobs
        #: The starter's Home tab, published again after each transition (not after a periodic refresh).
        self._home = home
        self._records = records
        self._notifier = notifier
        self._timers = timers
        self._lease = lease
        self._catalogue = catalogue
        self._clock = clock
        self._region = region
        self._update_every = update_every
        self._storage = storage
        self._adopter = adopter
        #: Another watch that runs under the same lease after the jobs (the deployments').
        self._also_watch = also_watch
        #: Seconds between polls of the jobs when events bring the news; None polls them every tick.
        self._reconcile_every = reconcile_every

    def tick(self) -> TickReport:
        """One pass over the watched jobs; does nothing unless this replica holds the lease."""
        report = TickReport()
        if not self._lease.hold():
            return report
        report.ran = True
        try:
            if self._reconcile_due():
                report.reconciled = True
                self._watch_jobs(report)
        finally:
            if self._also_watch is not None and self._lease.keep():
                self._also_watch()
        return report

    def observe(self, record: JobRecord, snapshot: JobSnapshot) -> None:
        """Act on one job's state learned elsewhere (an event), as a tick would; the claim keeps it to once.

        No lease is needed: the compare-and-set on the announced state lets exactly one caller
        announce each transition, whether it came from an event, a duplicate or a tick. Raises when
        the announcement could not be made (the claim is given back first), so the caller can retry.
        """
        with acting_for(record.team):
            self._check(record, snapshot, TickReport())

    def _reconcile_due(self) -> bool:
        """Every tick without an intake; else once per ``reconcile_every``, shared by every replica."""
        if self._reconcile_every is None:
            return True
        return self._timers.acquire(RECONCILE_TIMER, ttl_seconds=self._reconcile_every) is not None

    def _watch_jobs(self, report: TickReport) -> None:
        """The jobs' part of the tick: list, describe what ended, announce, edit status messages."""
        records = self._records.watched()
        report.watched = len(records)
        if not records and self._adopter is None:
            return
        listed = self._listed(report)
        if listed is None:
            return
        if self._adopter is not None:
            report.adopted = self._adopter.adopt(listed.values(), {record.job_name for record in records})
        for record in records:
            if not self._lease.keep():
                break
            if not self._check_one(record, listed.get(record.job_name), report):
                break
        if report.ended or report.edited or report.failed or report.adopted:
            logger.info(
                "Status tick: %d watched, %d described, %d ended, %d updated, %d failed, %d adopted",
                report.watched,
                report.described,
                report.ended,
                report.edited,
                report.failed,
                report.adopted,
            )

    def stop(self) -> None:
        """Hand the lease over at shutdown."""
        self._lease.release()

    def _listed(self, report: TickReport) -> dict[str, JobSnapshot] | None:
        """Every InProgress or Stopping job by name, page by page; None when Bedrock would not answer."""
        try:
            listed = {snapshot.job_name: snapshot for snapshot in self._jobs.in_progress()}
        except BotError as exc:
            report.busy = isinstance(exc, ServiceBusy)
            logger.warning("Skipping this status tick: listing running jobs failed: %s", exc)
            return None
        report.listed = len(listed)
        return listed

    def _check_one(self, record: JobRecord, listed: JobSnapshot | None, report: TickReport) -> bool:
        """Check one job, isolating its failures from the others; False ends the tick (Bedrock is busy)."""
        try:
            with acting_for(record.team):
                snapshot = listed if listed is not None else self._describe(record, report)
                self._check(record, snapshot, report)
        except ServiceBusy as exc:
            report.busy = True
            logger.warning("Bedrock is throttling; the rest of this tick is skipped: %s", exc)
            return False
        except WorkspaceGone:
            report.failed += 1
            logger.info("Job %s is not announced: the app is not installed in team %s", record.job_name, record.team)
        except Exception:
            report.failed += 1
            logger.exception("Checking job %s failed; the other jobs go on", record.job_name)
        return True

    def _describe(self, record: JobRecord, report: TickReport) -> JobSnapshot:
        report.described += 1
        return self._jobs.describe(record.job_name)

    def _check(self, record: JobRecord, snapshot: JobSnapshot, report: TickReport) -> None:
        now = self._clock.now()
        decision = plan(record, snapshot, now=now, update_every=self._update_every)
        change = decision.change
        if decision.claims_transition and not self._claim(record, snapshot):
            return
        match change:
            case Change.ALREADY_ENDED:
                self._records.unwatch(record.job_name)
            case Change.NOTICE_OWED:
                self._redrive_notice(record, snapshot, now)
                report.ended += 1
            case Change.END:
                self._announce_end(record, snapshot, now)
                report.ended += 1
            case Change.PROGRESS | Change.NONE:
                if decision.edits_status and self._refresh(record, snapshot, now, claimed=decision.claims_transition):
                    report.edited += 1
            case _:
                assert_never(change)
        if decision.claims_transition and self._home is not None:
            self._home.changed(team=record.team, user=record.user)

    def _claim(self, record: JobRecord, snapshot: JobSnapshot) -> bool:
        """True for exactly one replica and tick per transition."""
        return self._records.compare_and_set_announcement(
            record.job_name,
            expected_status=record.announced_status,
            expected_stages=record.announced_stages,
            new_status=snapshot.status,
            new_stages=snapshot.stages,
        )

    def _give_back(self, record: JobRecord, snapshot: JobSnapshot) -> None:
        """Undo a claim whose message was not delivered, so the next tick announces it again."""
        try:
            self._records.compare_and_set_announcement(
                record.job_name,
                expected_status=snapshot.status,
                expected_stages=snapshot.stages,
                new_status=record.announced_status,
                new_stages=record.announced_stages,
            )
        except Exception:
            logger.exception("Could not give back the announcement of %s", record.job_name)

    def _refresh(self, record: JobRecord, snapshot: JobSnapshot, now: datetime, *, claimed: bool) -> bool:
        """Edit the status message; a refresh that is not a change waits for the job's update timer."""
        timer = UPDATE_TIMER_PREFIX + record.job_name
        token = self._timers.acquire(timer, ttl_seconds=self._update_every.total_seconds())
        if token is None and not claimed:
            return False
        try:
            self._show_status(record, status_message(self._view(record, snapshot, now)))
        except Exception:
            if claimed:
                self._give_back(record, snapshot)
            if token is not None:
                self._timers.release(timer, token)
            raise
        return True

    def _announce_end(self, record: JobRecord, snapshot: JobSnapshot, now: datetime) -> None:
        """Final status in the thread, the notice in the channel, then the chart under the notice."""
        curves = self._curves(snapshot) if snapshot.status is JobStatus.COMPLETED else LossCurves()
        view = self._view(record, snapshot, now, curves)
        try:
            self._show_status(record, status_message(view))
            notice_ts = self._notifier.post_keyed(
                channel=record.channel, message=end_notice(view), key=notice_key(record.job_name, snapshot.status)
            )
        except Exception:
            self._give_back(record, snapshot)
            raise
        self._noticed(record.job_name, notice_ts)
        logger.info("Announced that job %s is %s", record.job_name, snapshot.status.value)
        if snapshot.failure_message:
            logger.info("Bedrock's failure message for %s: %s", record.job_name, snapshot.failure_message)
        self._attach_chart(view, notice_ts)

    def _redrive_notice(self, record: JobRecord, snapshot: JobSnapshot, now: datetime) -> None:
        """An end claimed by a worker that died before its notice went out: find the notice, or post it now."""
        ended = (
            snapshot
            if snapshot.status is record.announced_status
            else snapshot.model_copy(update={"status": record.announced_status})
        )
        key = notice_key(record.job_name, record.announced_status)
        notice_ts = self._notifier.find_posted(channel=record.channel, key=key)
        if notice_ts is not None:
            self._noticed(record.job_name, notice_ts)
            return
        curves = self._curves(ended) if ended.status is JobStatus.COMPLETED else LossCurves()
        view = self._view(record, ended, now, curves)
        self._show_status(record, status_message(view))
        notice_ts = self._notifier.post_keyed(channel=record.channel, message=end_notice(view), key=key)
        self._noticed(record.job_name, notice_ts)
        logger.info(
            "Announced that job %s is %s (its notice had been claimed but not posted)",
            record.job_name,
            ended.status.value,
        )
        self._attach_chart(view, notice_ts)

    def _noticed(self, job_name: str, notice_ts: str) -> None:
        """Remember the notice, then stop watching the job."""
        current = self._records.get(job_name)
        if current is not None:
            self._records.save(current.model_copy(update={"notice_ts": notice_ts}))
        self._records.unwatch(job_name)

    def _show_status(self, record: JobRecord, message: Message) -> None:
        """Edit the job's status message in place; post (and remember) one if it never got one."""
        if record.status_message_ts is not None:
            self._notifier.update(channel=record.channel, ts=record.status_message_ts, message=message)
            return
        ts = self._notifier.post(channel=record.channel, thread_ts=record.thread_ts or None, message=message)
        current = self._records.get(record.job_name)
        if current is not None and current.status_message_ts is None and not current.announced_status.terminal:
            self._records.save(current.model_copy(update={"status_message_ts": ts}))

    def _attach_chart(self, view: JobView, notice_ts: str) -> None:
        """The loss curve in the notice's thread; a chart that fails is logged, the notice stands."""
        try:
            attachment = chart_attachment(view)
            if attachment is not None:
                self._notifier.attach(channel=view.record.channel, attachment=attachment, thread_ts=notice_ts)
        except Exception:
            logger.exception("Could not attach the loss chart of %s", view.record.job_name)

    def _curves(self, snapshot: JobSnapshot) -> LossCurves:
        if self._storage is None or not snapshot.output_uri:
            return LossCurves()
        return read_curves(self._storage, snapshot.output_uri)

    def _view(
        self, record: JobRecord, snapshot: JobSnapshot, now: datetime, curves: LossCurves | None = None
    ) -> JobView:
        return JobView(
            record=record,
            snapshot=snapshot,
            model=self._model(record.base_model_id),
            now=now,
            region=self._region,
            curves=curves or LossCurves(),
        )

    def _model(self, model_id: str) -> ModelSpec | None:
        try:
            return self._catalogue.model(model_id)
        except CatalogueError:
            return None
