"""The commands on jobs: ``/finetune status [JOB]``, ``list``, ``stop JOB`` (with confirmation) and ``cost``."""

from __future__ import annotations

import logging
from typing import TypeAlias, assert_never

from workflows.catalogue import CatalogueError, ModelSpec
from workflows.catalogue.schema import Catalogue
from workflows.command_grammar import Cost, ListJobs, Status, Stop
from workflows.exceptions import BotError
from workflows.governance.audit_entry import AuditAction
from workflows.governance.gatekeeper import Gatekeeper
from workflows.jobs import answers
from workflows.jobs.job import JobRecord, JobSnapshot, JobStatus
from workflows.jobs.job_ports import JobHistory, Requester, ServingCosts
from workflows.jobs.monitoring.notices import JobView
from workflows.jobs.spend import month_spend, month_start, spend_message
from workflows.messages import Message
from workflows.ports import Clock, CustomizationJobs, JobRecords, TokenCharges

logger = logging.getLogger(__name__)

#: The slash commands this service answers.
JobCommand: TypeAlias = Status | ListJobs | Stop | Cost

#: How many jobs ``list`` and ``status`` show.
LIST_LIMIT = 15
RECENT_LIMIT = 5


def may_stop(record: JobRecord, user: str, admins: frozenset[str]) -> bool:
    """The person who started a job, or a configured admin, may stop it."""
    return user == record.user or user in admins


class JobCommands:
    """Answers the job commands as ``Message``s; refusals are answers too, never exceptions."""

    def __init__(
        self,
        *,
        jobs: CustomizationJobs,
        records: JobRecords,
        history: JobHistory,
        catalogue: Catalogue,
        clock: Clock,
        region: str,
        admins: frozenset[str],
        serving: ServingCosts | None = None,
        charges: TokenCharges | None = None,
        gatekeeper: Gatekeeper,
    ) -> None:
        self._gatekeeper = gatekeeper
        self._jobs = jobs
        #: What deployments cost, counted in ``cost`` (None: none are counted).
        self._serving = serving
        #: What Try it and Compare answers cost per token, counted in ``cost`` (None: none are counted).
        self._charges = charges
        self._records = records
        self._history = history
        self._catalogue = catalogue
        self._clock = clock
        self._region = region
        self._admins = admins

    def answer(self, command: JobCommand, who: Requester) -> Message:
        """The answer to one parsed job command."""
        match command:
            case Status(job=job):
                return self.status(who, job)
            case ListJobs():
                return self.list_channel(who)
            case Stop(job=job):
                return self.ask_to_stop(who, job)
            case Cost():
                return self.cost(who)
            case _:
                assert_never(command)

    def status(self, who: Requester, job: str | None) -> Message:
        """One job as Bedrock reports it now, or the person's recent jobs."""
        now = self._clock.now()
        if job is None:
            return answers.people_jobs(self._records.by_user(team=who.team, user=who.user, limit=RECENT_LIMIT), now)
        record = self._record(who, job)
        if record is None:
            return answers.unknown_job(job)
        try:
            snapshot, live, problem = self._jobs.describe(record.job_name), True, None
        except BotError as exc:
            snapshot, live, problem = _last_seen(record), False, str(exc)
        return answers.job_status(self._view(record, snapshot), live=live, problem=problem)

    def list_channel(self, who: Requester) -> Message:
        """The channel's jobs, newest first, with status and cost."""
        records = self._records.in_channel(team=who.team, channel=who.channel, limit=LIST_LIMIT)
        return answers.channel_jobs(records, self._clock.now())

    def ask_to_stop(self, who: Requester, job: str) -> Message:
        """The confirmation with its warning, or a clear refusal."""
        record = self._stoppable(who, job)
        if isinstance(record, Message):
            return record
        return answers.stop_confirmation(record, self._clock.now())

    def confirm_stop(self, who: Requester, job: str) -> Message:
        """Stop the job after the person confirmed (permissions are checked again)."""
        record = self._stoppable(who, job)
        if isinstance(record, Message):
            return record
        try:
            self._jobs.stop(record.job_name)
        except BotError as exc:
            return Message(text=str(exc))
        logger.info("%s asked to stop job %s", who.user, record.job_name)
        self._gatekeeper.record(
            AuditAction.JOB_STOPPED,
            who,
            subject=record.job_name,
            cost=record.estimated_training_cost,
            detail="estimate at start; tokens trained so far are billed",
        )
        return answers.stop_requested(record, who.user)

    def keep_running(self, job: str) -> Message:
        return answers.kept_running(job)

    def cost(self, who: Requester) -> Message:
        """This month's spend in the workspace: training, storage, deployments and answers, per channel and person."""
        now = self._clock.now()
        serving = [] if self._serving is None else self._serving.spent(who.team, start=month_start(now), end=now)
        charges = [] if self._charges is None else self._charges.in_month(team=who.team, month=f"{now:%Y-%m}")
        spend = month_spend(
            self._history.in_team(who.team), now=now, model=self._model, serving=serving, charges=charges
        )
        return spend_message(spend)

    def _stoppable(self, who: Requester, job: str) -> JobRecord | Message:
        """The record when ``who`` may stop it now; otherwise the refusal to show."""
        record = self._record(who, job)
        if record is None:
            return answers.unknown_job(job)
        if not may_stop(record, who.user, self._admins):
            return answers.not_allowed(record)
        if record.announced_status.terminal or record.announced_status is JobStatus.STOPPING:
            return answers.nothing_to_stop(record, record.announced_status)
        return record

    def _record(self, who: Requester, job: str) -> JobRecord | None:
        """The job's record, only within the asker's workspace."""
        record = self._records.get(job.strip())
        return record if record is not None and record.team == who.team else None

    def _view(self, record: JobRecord, snapshot: JobSnapshot) -> JobView:
        return JobView(
            record=record,
            snapshot=snapshot,
            model=self._model(record.base_model_id),
            now=self._clock.now(),
            region=self._region,
        )

    def _model(self, model_id: str) -> ModelSpec | None:
        try:
            return self._catalogue.model(model_id)
        except CatalogueError:
            return None


def _last_seen(record: JobRecord) -> JobSnapshot:
    """What was last announced, when Bedrock cannot be asked."""
    return JobSnapshot(
        job_name=record.job_name,
        job_arn=record.job_arn,
        status=record.announced_status,
        stages=record.announced_stages,
    )
