"""Deploy, list and delete deployments from Slack, and watch them on the tick: the service the edge calls."""

from __future__ import annotations

import logging
from dataclasses import replace

from workflows.catalogue import CatalogueError, ModelSpec
from workflows.catalogue.schema import Catalogue
from workflows.deployments.deploy_arguments import DeployArguments, Refusal, parse_deploy, parse_undeploy
from workflows.deployments.deployment_approvals import (
    MAX_ASKS,
    Requesting,
    approval_needed,
    approval_request,
    ask_ids,
    deployment_basis,
)
from workflows.deployments.deployment_costs import cost_so_far, cost_so_far_text
from workflows.deployments.deployment_errors import DeploymentNotFound
from workflows.deployments.deployment_list import deployments_answer
from workflows.deployments.deployment_notices import (
    DeployProposal,
    confirmation,
    delete_confirmation,
    deleted_notice,
    failed_notice,
    gone_notice,
    not_allowed_to_delete,
    ready_notice,
)
from workflows.deployments.deployment_plan import deployment_record, deployment_request, propose
from workflows.deployments.deployment_ports import Deployments, DeploymentStore
from workflows.deployments.deployment_record import DeploymentRecord, DeploymentStatus, Route
from workflows.deployments.deployment_rights import may_delete
from workflows.deployments.deployment_spending import rest_of_month
from workflows.deployments.deployment_usage import DeploymentUsage
from workflows.deployments.deployment_watch import Announcement, watch_step
from workflows.deployments.routing import DeployTarget
from workflows.exceptions import BotError, WorkspaceGone
from workflows.governance.approval_desk import ApprovalDesk
from workflows.governance.approval_view import REQUEST_APPROVAL, needs_approval
from workflows.governance.approvals import ApprovalRequest, ApprovalStatus, Requirement
from workflows.governance.audit_entry import AuditAction
from workflows.governance.gatekeeper import Gatekeeper
from workflows.governance.policy_decisions import Act
from workflows.jobs.job import JobRecord, JobStatus
from workflows.jobs.job_ports import Requester
from workflows.messages import Action, Button, Message, Style
from workflows.ports import Clock, CustomizationJobs, HomeRefresh, JobRecords, KeyedNotifier, Locks
from workflows.slack_text import code, mention, mrkdwn
from workflows.tenancy import acting_for

logger = logging.getLogger(__name__)

#: Deployments whose CloudWatch metrics ``deployments`` reads (the newest); older ones show no last use.
LIST_LOOKUPS = 25
#: How often the tick checks the budgets of channels with a live throughput (hours add up slowly).
BUDGET_WATCH_SECONDS = 15 * 60
#: How long one confirmation holds the deployment's name while it creates and records it.
CREATE_LOCK_SECONDS = 60


class DeploymentCommands:
    """``deploy`` (and the Deploy button), ``deployments``, ``undeploy``, and the deployment watch of the tick."""

    def __init__(
        self,
        *,
        deployments: Deployments,
        store: DeploymentStore,
        jobs: CustomizationJobs,
        records: JobRecords,
        notifier: KeyedNotifier,
        locks: Locks,
        catalogue: Catalogue,
        clock: Clock,
        region: str,
        admins: frozenset[str],
        usage: DeploymentUsage,
        gatekeeper: Gatekeeper,
        approvals: ApprovalDesk,
        home: HomeRefresh | None = None,
    ) -> None:
        self._gatekeeper = gatekeeper
        #: Deployments the policy holds for approval are asked through it, and it hands back the answers.
        self._approvals = approvals
        #: The owner's Home tab, published again when a deployment is created, ready, failed, gone or deleted.
        self._home = home
        self._deployments = deployments
        #: Last use and tokens from CloudWatch, for ``deployments``.
        self._usage = usage
        self._store = store
        self._jobs = jobs
        self._records = records
        self._notifier = notifier
        self._locks = locks
        self._catalogue = catalogue
        self._clock = clock
        self._region = region
        self._admins = admins

    def ask_to_deploy(self, who: Requester, request: str) -> Message:
        """The confirmation with its cost and *Deploy*/*Cancel*, or why not; ``request`` is the words after deploy."""
        proposal = self._proposal(who, request)
        if isinstance(proposal, Message):
            return proposal
        question = confirmation(proposal, self._admins)
        needed = self._approval_needed(proposal)
        held = (needs_approval(needed.reasons, before="it is created"),) if needed is not None else ()
        return Message(
            text=question.text,
            details=(*question.details, *held),
            facts=question.facts,
            context=question.context,
            buttons=(
                Button(
                    REQUEST_APPROVAL if held else "Deploy", Action.CONFIRM_DEPLOY, value=request, style=Style.PRIMARY
                ),
                Button("Cancel", Action.CANCEL_DEPLOY, value=request),
            ),
        )

    def confirm_deploy(self, who: Requester, request: str) -> Message:
        """Create the deployment once, however often this is called for the same proposal, and record it.

        A deployment the policy holds for approval is asked for instead; the approval creates it (``settle``).
        """
        proposal = self._proposal(who, request)
        if isinstance(proposal, Message):
            return proposal
        job = self._records.get(proposal.target.job_name or "")
        if job is None:
            return Message(text=f"I no longer know the job {code(proposal.target.label)}.")
        needed = self._approval_needed(proposal)
        if needed is not None:
            return self._ask_approval(who, request, proposal, needed, job)
        return self._deploy(who, proposal, job)

    def basis_now(self, request: ApprovalRequest) -> str | None:
        """``ApprovalSubject``: what deploying as asked would be approved on now; None when it can no longer be."""
        proposal = self._proposal(_requester(request), request.subject)
        if isinstance(proposal, Message):
            return None
        return deployment_basis(self._approval_needed(proposal), proposal)

    def settle(self, request: ApprovalRequest) -> None:
        """``ApprovalSubject``: an approved deployment is created (once: by its name); what stops it is told.

        One sent back by a policy or price change is asked again as it stands, if it still needs approval.
        """
        if request.status is ApprovalStatus.WITHDRAWN and request.changed:
            self._ask_again(request)
        if request.status is not ApprovalStatus.APPROVED:
            return
        who = _requester(request)
        proposal = self._proposal(who, request.subject)
        if isinstance(proposal, Message):
            self._tell_once(request, proposal)
            return
        job = self._records.get(proposal.target.job_name or "")
        if job is None:
            self._tell_once(request, Message(text=f"I no longer know the job {code(proposal.target.label)}."))
            return
        answer = self._deploy(who, proposal, job)
        if self._store.get(proposal.name) is None:
            self._tell_once(request, answer)

    def _ask_again(self, request: ApprovalRequest) -> None:
        """After a change: a new request (the next id) when approval is still needed, else the thread is told."""
        who = _requester(request)
        proposal = self._proposal(who, request.subject)
        if isinstance(proposal, Message):
            self._tell_once(request, proposal)
            return
        job = self._records.get(proposal.target.job_name or "")
        needed = self._approval_needed(proposal)
        if job is None or needed is None:
            words = code(f"/finetune deploy {request.subject}")
            self._tell_once(request, Message(text=f"It no longer needs approval: type {words} to deploy it."))
            return
        self._ask_approval(who, request.subject, proposal, needed, job)

    def _approval_needed(self, proposal: DeployProposal) -> Requirement | None:
        """The approval rule of the job's channel (where the deployment reports and counts) for this proposal."""
        job = self._records.get(proposal.target.job_name or "")
        if job is None:
            return None
        return approval_needed(self._gatekeeper.rules(job.team, job.channel), proposal)

    def _ask_approval(
        self, who: Requester, words: str, proposal: DeployProposal, needed: Requirement, job: JobRecord
    ) -> Message:
        """Ask once per press (a double click asks once); a new request only after the last one was answered."""
        for request_id in ask_ids(team=who.team, user=who.user, words=words):
            earlier = self._approvals.get(request_id)
            if earlier is None:
                self._approvals.ask(
                    approval_request(
                        request_id,
                        proposal,
                        needed,
                        words=words,
                        team=who.team,
                        user=who.user,
                        channel=job.channel,
                        thread_ts=job.thread_ts,
                        now=self._clock.now(),
                    )
                )
                return Message(
                    text=f"Asked for approval to deploy {code(proposal.name)}; the job's thread hears the answer."
                )
            if earlier.status is ApprovalStatus.PENDING:
                return Message(
                    text="This deployment is waiting for approval already; the job's thread hears the answer."
                )
            if earlier.status is ApprovalStatus.APPROVED:
                return Message(text="This deployment was approved already; the job's thread says how it went.")
        return Message(text=f"You asked {MAX_ASKS} times for approval of this deployment; talk to an approver first.")

    def _tell_once(self, request: ApprovalRequest, message: Message) -> None:
        """What stopped an approved deployment, in the job's thread once (a re-drive finds the first post)."""
        key = f"approval:{request.id}:deploy"
        if self._notifier.find_posted(channel=request.channel, key=key, thread_ts=request.thread_ts) is None:
            self._notifier.post_keyed(channel=request.channel, message=message, key=key, thread_ts=request.thread_ts)

    def _deploy(self, who: Requester, proposal: DeployProposal, job: JobRecord) -> Message:
        token = self._locks.acquire(f"deploy:{proposal.name}", ttl_seconds=CREATE_LOCK_SECONDS)
        if token is None:
            return Message(text=f"{code(proposal.name)} is being created already; the job's thread will hear about it.")
        try:
            return self._create(who, proposal, channel=job.channel, thread_ts=job.thread_ts)
        finally:
            self._locks.release(f"deploy:{proposal.name}", token)

    def cancel_deploy(self, request: str) -> Message:
        return Message(text=f"Not deployed: nothing was created for {code(request.split()[0] if request else '')}.")

    def list_team(self, who: Requester) -> Message:
        """Each deployment with its costs (prices dated from the catalogue) and, while live, its last use."""
        records, now = self._store.in_team(who.team), self._clock.now()
        activity = {record.name: self._usage.activity(record, now) for record in records[:LIST_LOOKUPS]}
        return deployments_answer(records, now, activity=activity, sources=self._usage.sources(records))

    def ask_to_undeploy(self, who: Requester, request: str) -> Message:
        """The delete confirmation with *Delete it*/*Keep it*, or why not; ``request`` is the words after undeploy."""
        arguments = parse_undeploy(request)
        if isinstance(arguments, Refusal):
            return Message(text=arguments.text)
        record = self._deletable(who, arguments.name)
        if isinstance(record, Message):
            return record
        now = self._clock.now()
        spent = cost_so_far_text(record, now, self._usage.activity(record, now).usage)
        question = delete_confirmation(record, spent=spent)
        return Message(
            text=question.text,
            details=question.details,
            facts=question.facts,
            buttons=(
                Button("Delete it", Action.CONFIRM_UNDEPLOY, value=record.name, style=Style.DANGER),
                Button("Keep it", Action.KEEP_DEPLOYMENT, value=record.name),
            ),
        )

    def confirm_undeploy(self, who: Requester, name: str) -> Message:
        """Delete it after the confirmation (rights checked again) and say so in its thread."""
        record = self._deletable(who, name)
        if isinstance(record, Message):
            return record
        try:
            self._deployments.delete(record.route, record.arn)
        except BotError as exc:
            return Message(text=str(exc))
        now = self._clock.now()
        if self._store.compare_and_set_status(
            record.name, expected=record.status, new=DeploymentStatus.DELETED, at=now
        ):
            self._changed(record)
            notice = deleted_notice(record, who.user, now)
            self._notifier.post(channel=record.channel, message=notice, thread_ts=record.thread_ts)
        logger.info("%s deleted deployment %s", who.user, record.name)
        self._gatekeeper.record(
            AuditAction.DEPLOYMENT_DELETED,
            who,
            subject=record.name,
            cost=cost_so_far(record, now),
            detail=f"{record.route.words}; cost so far",
        )
        return Message(text=f"Deleted {code(record.name)}; billing for it has stopped.")

    def keep(self, name: str) -> Message:
        return Message(text=f"Kept {code(name)}; nothing was deleted.")

    def watch(self) -> None:
        """One pass over the live deployments: each transition to ready, failed or gone is announced once."""
        for record in self._store.live():
            try:
                with acting_for(record.team):
                    self._watch_one(record)
            except BotError:
                logger.warning("could not check deployment %s", record.name, exc_info=True)

    def budget_watch(self) -> None:
        """The tick's budget check: channels with a live throughput hear when its hours take them past a threshold.

        It reads every job and deployment record of the workspace, so it runs at most every ``BUDGET_WATCH_SECONDS``.
        """
        if self._locks.acquire("budget-watch", ttl_seconds=BUDGET_WATCH_SECONDS) is None:
            return
        channels = {(record.team, record.channel) for record in self._store.live() if record.route is Route.PROVISIONED}
        for team, channel in sorted(channels):
            notice = self._gatekeeper.budget_notice(team, channel)
            if notice is not None:
                try:
                    with acting_for(team):
                        self._notifier.post(channel=channel, message=notice)
                except WorkspaceGone:
                    logger.info("No budget notice for team %s: the app is not installed there", team)
                    continue
                for record in self._store.live():
                    if (record.team, record.channel) == (team, channel):
                        self._changed(record)

    def _changed(self, record: DeploymentRecord) -> None:
        """The deployment's owner (and whoever deployed it for them) see it on their Home tab."""
        if self._home is not None:
            for user in dict.fromkeys((record.owner, record.deployed_by)):
                self._home.changed(team=record.team, user=user)

    def _watch_one(self, record: DeploymentRecord) -> None:
        try:
            snapshot = self._deployments.describe(record.route, record.arn)
            seen: DeploymentStatus | None = snapshot.status
        except DeploymentNotFound:
            snapshot, seen = None, None
        step = watch_step(record.status, seen)
        if step.status is None:
            return
        if not self._store.compare_and_set_status(
            record.name, expected=record.status, new=step.status, at=self._clock.now()
        ):
            return
        self._changed(record)
        if step.announce is Announcement.READY:
            ready = ready_notice(record.model_copy(update={"status": step.status}), self._admins)
            buttons = (
                Button("Try it", Action.TRY_IT, value=record.name, style=Style.PRIMARY),
                Button("Compare with base", Action.COMPARE, value=record.name),
            )
            message = replace(ready, buttons=buttons)
        elif step.announce is Announcement.FAILED:
            failure = snapshot.failure_message if snapshot is not None else None
            logger.info("deployment %s failed: %s", record.name, failure)
            message = failed_notice(record, failure)
        elif step.announce is Announcement.GONE:
            message = gone_notice(record)
        else:
            return
        self._notifier.post(channel=record.channel, message=message, thread_ts=record.thread_ts)

    def _create(self, who: Requester, proposal: DeployProposal, *, channel: str, thread_ts: str) -> Message:
        """Create, record, and say so in the job's thread (wherever the person asked from)."""
        existing = self._store.get(proposal.name)
        if existing is not None:
            return Message(text=f"{code(existing.name)} was created already ({existing.status.value}).")
        request = deployment_request(proposal, team=who.team, channel=channel, user=who.user)
        try:
            created = self._deployments.create(request)
        except BotError as exc:
            return Message(text=str(exc))
        record = deployment_record(
            proposal,
            created,
            team=who.team,
            channel=channel,
            thread_ts=thread_ts,
            deployed_by=who.user,
            now=self._clock.now(),
        )
        self._store.save(record)
        self._changed(record)
        status = Message(
            text=mrkdwn(
                ":rocket: {user} is deploying {label:code} {served} as {name:code}. "
                "I'll say in this thread once it serves requests.",
                user=mention(who.user),
                label=proposal.target.label,
                served=proposal.plan.route.served,
                name=record.name,
            )
        )
        self._notifier.post(channel=channel, message=status, thread_ts=thread_ts)
        logger.info("%s created deployment %s", who.user, record.name)
        per_hour = proposal.costs.hourly
        self._gatekeeper.record(
            AuditAction.DEPLOYMENT_CREATED,
            who,
            subject=record.name,
            cost=per_hour,
            detail=f"{proposal.plan.route.words} of {proposal.target.label}" + (" (USD per hour)" if per_hour else ""),
        )
        return Message(text=f"Deploying {code(record.name)}; the job's thread will hear once it serves requests.")

    def _proposal(self, who: Requester, request: str) -> DeployProposal | Message:
        arguments = parse_deploy(request)
        if isinstance(arguments, Refusal):
            return Message(text=arguments.text)
        target = self._target(who, arguments)
        if isinstance(target, Message):
            return target
        refusal = self._gatekeeper.may(who, Act.DEPLOY, subject=target.label)
        if refusal is not None:
            return Message(text=refusal.reason)
        proposal = propose(
            target,
            self._model(target.base_model_id),
            arguments,
            region=self._region,
            team=who.team,
            user=who.user,
            admins=self._admins,
            existing=self._store.in_team(who.team),
        )
        if isinstance(proposal, Message) or proposal.plan.route is not Route.PROVISIONED:
            return proposal
        hourly = proposal.costs.hourly
        over = self._gatekeeper.over_budget(
            who,
            rest_of_month(hourly, self._clock.now()) if hourly is not None else None,
            subject=target.label,
            what="This throughput's cost to the end of the month",
            price="this throughput's hourly price",
        )
        return Message(text=over.reason) if over is not None else proposal

    def _target(self, who: Requester, arguments: DeployArguments) -> DeployTarget | Message:
        """The completed job the person named (by job name, or its custom model's name or ARN), with its model."""
        job = self._job(who, arguments.target.strip())
        if isinstance(job, Message):
            return job
        try:
            snapshot = self._jobs.describe(job.job_name)
        except BotError as exc:
            return Message(text=str(exc))
        if snapshot.status is not JobStatus.COMPLETED or not snapshot.custom_model_arn:
            return Message(text=f"{code(job.job_name)} has no custom model to deploy: it is {snapshot.status.value}.")
        return DeployTarget(
            label=job.job_name,
            custom_model_arn=snapshot.custom_model_arn,
            base_model_id=job.base_model_id,
            customized_on=(snapshot.created_at or job.started_at).date(),
            owner=job.user,
            job_name=job.job_name,
        )

    def _job(self, who: Requester, target: str) -> JobRecord | Message:
        """The job record behind a job name, or behind a custom model's name or ARN (Bedrock says which job made it)."""
        job = self._records.get(target)
        if job is not None and job.team == who.team:
            return job
        unknown = Message(
            text=f"I don't know a job or custom model called {code(target)} in this workspace "
            "(I deploy the custom models of jobs started with /finetune)."
        )
        if job is not None:
            return unknown
        try:
            model = self._deployments.custom_model(target)
        except BotError as exc:
            return Message(text=str(exc))
        if model is None:
            return unknown
        job = self._records.get(model.job_name) if model.job_name else None
        if job is None or job.team != who.team:
            logger.info("%s asked to deploy %s, which no job of team %s made", who.user, model.arn, who.team)
            return Message(
                text=f"{code(model.name)} was not made by finetune-bot in this workspace, so I won't deploy it: "
                "I deploy only the custom models of jobs started with /finetune here. Deploy it in the Bedrock "
                "console, or ask whoever trained it."
            )
        return job

    def _deletable(self, who: Requester, name: str) -> DeploymentRecord | Message:
        record = self._store.get(name.strip())
        if record is None or record.team != who.team:
            return Message(text=f"I don't know a deployment called {code(name)} (see `/finetune deployments`).")
        if not may_delete(record, who.user, self._admins):
            return not_allowed_to_delete(record, self._admins)
        if record.status.terminal:
            return Message(text=f"{code(record.name)} is {record.status.value} already; nothing to delete.")
        return record

    def _model(self, model_id: str) -> ModelSpec | None:
        try:
            return self._catalogue.model(model_id)
        except CatalogueError:
            return None


def _requester(request: ApprovalRequest) -> Requesting:
    """Who asked for an approved deployment, in the channel of its job's thread."""
    return Requesting(request.team, request.channel, request.requester)
