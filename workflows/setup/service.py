"""The conversation service: load, advance, save with optimistic concurrency, then perform the effects.

What a step owes the thread is saved with its new state (the outbox) and delivered after the
save; the work it asks for (a check, a launch) runs after that, owned until a deadline. Whatever
a crash or a Slack failure leaves undone is re-driven by the next event in the conversation and
by the scheduled ``sweep``: pending messages are delivered, overdue work is redone or resolved.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import assert_never

from workflows.catalogue.schema import Catalogue
from workflows.datasets.checking import DatasetChecker
from workflows.exceptions import BotError, ConcurrentUpdate, MessageGone, StorageUnavailable
from workflows.governance.approval_desk import ApprovalDesk
from workflows.governance.approvals import ApprovalKind, ApprovalRequest, ApprovalStatus, basis
from workflows.governance.audit_entry import AuditAction
from workflows.governance.gatekeeper import Gatekeeper
from workflows.governance.policy_decisions import Act, Refusal, model_refusal, type_refusal
from workflows.jobs.launch import JobLauncher
from workflows.messages import Message
from workflows.ports import (
    Clock,
    ConversationStore,
    GraderFunctions,
    HomeRefresh,
    InvocationLogging,
    KeyedPosts,
    Locks,
    Lookup,
    Notifier,
    RolePolicies,
)
from workflows.setup import outbox
from workflows.setup.cancellation import Cancellation
from workflows.setup.courier import OutboxCourier
from workflows.setup.effects import (
    CheckDataset,
    CheckGrader,
    CheckLogging,
    Effect,
    LaunchJob,
    RecordRefusal,
    RequestApproval,
    ResolveLaunch,
    TestGrader,
    Whisper,
    WithdrawApproval,
    Work,
)
from workflows.setup.events import (
    ApprovalAnswered,
    ApprovalAsked,
    CancelPressed,
    Event,
    GraderChecked,
    GraderTested,
    JobLaunched,
    JobLaunchRefused,
    LoggingChecked,
    Recover,
)
from workflows.setup.grader import judge, test_items
from workflows.setup.grader_access import ACTION, Access, decide
from workflows.setup.logging_check import judge_logging
from workflows.setup.machine import CHECK_SECONDS, LAUNCH_SECONDS, Context, advance, approval_needed, begin
from workflows.setup.model import Conversation, Stage
from workflows.setup.one_line import plan_one_line, policy_refusals
from workflows.setup.review import review_message, training_estimate
from workflows.slack_text import mention, mrkdwn
from workflows.tenancy import acting_for

logger = logging.getLogger(__name__)

#: How many times an event is re-applied when another replica saved the conversation first.
SAVE_ATTEMPTS = 5
#: How many of its newest Slack deliveries a conversation remembers: more than a person sends in
#: the hour Slack may retry one.
REMEMBERED_DELIVERIES = 50

#: Under a budget, a job reading invocation logs has no estimate to hold against it: what is unknown, and what to do.
LOGS_PRICE = "how many prompts the invocation logs hold (and so this job's cost)"
LOGS_FIX = (
    "Distill from a file of prompts instead (its cost is estimated), or ask the admins (FINETUNE_ADMINS) to "
    "remove this channel's budget in the policy file (FINETUNE_POLICY_FILE)."
)
ROOT_TEXT = "{user} is setting up a fine-tuning job. Follow along in the thread."
EXPIRED = (
    "I no longer have this setup (setups are kept for a week, or it was from another workspace). "
    "Type `/finetune` to start again."
)


def this_worker() -> str:
    """Who owns work started by this process: host and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass(frozen=True)
class Deadlines:
    """How long a busy stage's owner has before the conversation recovers by itself (seconds)."""

    check: float = CHECK_SECONDS
    launch: float = LAUNCH_SECONDS


@dataclass(frozen=True)
class Where:
    """The Slack coordinates of a request: workspace, channel and the person acting."""

    team: str
    channel: str
    user: str


class ConversationService:
    """Drives conversations from Slack events to a started Bedrock job."""

    def __init__(
        self,
        *,
        store: ConversationStore,
        notifier: Notifier,
        posts: KeyedPosts,
        locks: Locks,
        datasets: DatasetChecker,
        launcher: JobLauncher,
        catalogue: Catalogue,
        clock: Clock,
        region: str,
        max_upload_bytes: int,
        storage_up: Callable[[], bool],
        graders: GraderFunctions,
        gatekeeper: Gatekeeper,
        approvals: ApprovalDesk,
        roles: RolePolicies,
        role_arn: str | None,
        invocation_logging: InvocationLogging,
        deadlines: Deadlines | None = None,
        worker: str | None = None,
        home: HomeRefresh | None = None,
    ) -> None:
        self._store = store
        #: The person's Home tab, published again after each step that moves their setup.
        self._home = home
        #: A quick probe of the store, asked before anything is posted that the store must remember.
        self._storage_up = storage_up
        self._notifier = notifier
        self._courier = OutboxCourier(store=store, notifier=notifier, posts=posts, locks=locks)
        self._deadlines = deadlines or Deadlines()
        self._worker = worker or this_worker()
        self._datasets = datasets
        self._launcher = launcher
        self._graders = graders
        #: Who Bedrock calls the grader as: the job's service role, and IAM to ask what it may do.
        self._roles = roles
        self._role_arn = role_arn
        #: Bedrock's model invocation logging settings, for distillation from invocation logs.
        self._invocation_logging = invocation_logging
        self._catalogue = catalogue
        self._clock = clock
        self._region = region
        self._max_upload_bytes = max_upload_bytes
        self._gatekeeper = gatekeeper
        self._approvals = approvals

    def context(self) -> Context:
        return Context(
            self._catalogue,
            self._region,
            self._max_upload_bytes,
            self._clock.now(),
            worker=self._worker,
            check_seconds=self._deadlines.check,
            launch_seconds=self._deadlines.launch,
            policy=self._gatekeeper.policy(),
        )

    def start(self, where: Where) -> Conversation | None:
        """``/finetune``: post the root message in the channel and ask the first question in its thread.

        A person the policy does not let start jobs is told privately why, and who can; nothing is posted.
        """
        refusal = self._gatekeeper.may(where, Act.START, subject="setup")
        if refusal is not None:
            self._notifier.whisper(channel=where.channel, user=where.user, text=refusal.reason)
            return None
        thread_ts = self._post_root(where)
        step = begin(
            team=where.team,
            channel=where.channel,
            thread_ts=thread_ts,
            user=where.user,
            context=self.context(),
        )
        opened = self._open(step.conversation, step.effects)
        self._gatekeeper.record(AuditAction.SETUP_STARTED, where, subject=opened.id, detail="guided")
        return opened

    def start_one_line(self, where: Where, options: Mapping[str, str]) -> list[str]:
        """``/finetune new key=value …``: the problems, or [] once the checks are under way in a thread."""
        refusal = self._gatekeeper.may(where, Act.START, subject="setup")
        if refusal is not None:
            return [refusal.reason]
        context = self.context()
        plan = plan_one_line(options, context, team=where.team, channel=where.channel)
        if isinstance(plan, list):
            for refused, subject in policy_refusals(options, context, team=where.team, channel=where.channel):
                self._gatekeeper.refused(where, refused, subject=subject)
            return plan
        thread_ts = self._post_root(where)
        step = plan.start(
            team=where.team, channel=where.channel, thread_ts=thread_ts, user=where.user, context=self.context()
        )
        opened = self._open(step.conversation, step.effects)
        self._gatekeeper.record(
            AuditAction.SETUP_STARTED,
            where,
            subject=opened.id,
            detail=f"one-line: {plan.customization} {plan.model_id}",
        )
        return []

    def handle(self, conversation_id: str, event: Event, *, where: Where) -> None:
        """Apply ``event`` to the conversation and do what it asks, retrying on concurrent saves."""
        self._apply(conversation_id, event, where=where, quiet_if_missing=False)

    def handle_reply(self, conversation_id: str, event: Event, *, where: Where, delivery: str | None = None) -> None:
        """Like ``handle``, for messages in threads: threads that are not conversations are ignored.

        ``delivery`` is the Slack ``event_id``: it is saved with the step, and a delivery already
        applied is ignored, so a retry that reaches the conversation acts once.
        """
        self._apply(conversation_id, event, where=where, quiet_if_missing=True, delivery=delivery)

    def sweep(self) -> int:
        """The scheduled re-drive: deliver what conversations still owe, recover overdue busy stages.

        Returns how many conversations were looked at; one that fails is logged and the rest go on.
        """
        due = self._store.due(self._clock.now())
        for conversation_id in due:
            try:
                # A conversation's id begins with its workspace's scope (``Conversation.id``).
                with acting_for(conversation_id.partition(":")[0]):
                    self._apply(conversation_id, Recover(), where=None, quiet_if_missing=True)
            except Exception:
                logger.exception("Re-driving conversation %s failed; the next tick tries again", conversation_id)
        return len(due)

    def _open(self, conversation: Conversation, effects: tuple[Effect, ...]) -> Conversation:
        """Save a new conversation with what it owes, then deliver and perform."""
        queued, work = outbox.queue(conversation, effects)
        saved = self._save_new(queued)
        self._courier.deliver(saved.id, fresh=frozenset(entry.id for entry in saved.outbox))
        self._stepped(saved)
        self._perform(saved, work)
        return saved

    def _apply(
        self,
        conversation_id: str,
        event: Event,
        *,
        where: Where | None,
        quiet_if_missing: bool,
        delivery: str | None = None,
    ) -> None:
        for _ in range(SAVE_ATTEMPTS):
            conversation = self._store.load(conversation_id)
            if conversation is None:
                if not quiet_if_missing and where is not None:
                    self._notifier.whisper(channel=where.channel, user=where.user, text=EXPIRED)
                return
            if delivery is not None and delivery in conversation.deliveries:
                logger.info("Ignored delivery %s: %s already applied it", delivery, conversation_id)
                return
            context = self.context()
            step = advance(conversation, event, context)
            queued, work = outbox.queue(step.conversation, step.effects)
            if queued is not step.conversation:
                queued = queued.model_copy(update={"updated_at": context.now})
            if delivery is not None:
                remembered = (*conversation.deliveries, delivery)[-REMEMBERED_DELIVERIES:]
                queued = queued.model_copy(update={"deliveries": remembered})
            saved = self._save(conversation, queued)
            if saved is not None:
                if saved.outbox:
                    before = {entry.id for entry in conversation.outbox}
                    fresh = frozenset(entry.id for entry in saved.outbox if entry.id not in before)
                    self._courier.deliver(saved.id, fresh=fresh)
                if saved.stage is not conversation.stage:
                    self._stepped(saved)
                self._perform(saved, work)
                return
        logger.warning(
            "Gave up applying %s to %s after %d concurrent saves",
            type(event).__name__,
            conversation_id,
            SAVE_ATTEMPTS,
        )

    def cancel_in_channel(self, where: Where) -> Cancellation:
        """``/finetune cancel``: cancel every unfinished setup of the person in this channel.

        One setup's trouble never stops the others, and a thread deleted in Slack only means that
        thread cannot be told: its setup is cancelled all the same.
        """
        outcome = Cancellation()
        for conversation_id in self._store.active_in_channel(team=where.team, channel=where.channel):
            conversation = self._store.load(conversation_id)
            if conversation is not None and conversation.user == where.user:
                outcome.count(self._cancel_one(conversation, where))
        return outcome

    def _cancel_one(self, conversation: Conversation, where: Where) -> Stage | None:
        """The setup's stage after trying to cancel it; None when it is gone."""
        conversation_id = conversation.id
        try:
            self.handle(conversation_id, CancelPressed(where.user), where=where)
        except MessageGone as exc:
            logger.info(
                "Could not tell the thread of %s about the cancel: it is gone from Slack (%s)", conversation_id, exc
            )
        except Exception:
            logger.exception("Cancelling %s failed; the person's other setups go on", conversation_id)
        try:
            after = self._store.load(conversation_id)
        except Exception:
            logger.exception("Could not read %s back after cancelling it", conversation_id)
            return conversation.stage
        return after.stage if after is not None else None

    def _stepped(self, conversation: Conversation) -> None:
        """The setup moved to another stage: its owner's Home tab shows it (published in the background)."""
        if self._home is not None:
            self._home.changed(team=conversation.team, user=conversation.user)

    def _save(self, before: Conversation, after: Conversation) -> Conversation | None:
        """The saved conversation; ``before`` itself when nothing changed; None when someone saved first."""
        if after is before:
            return before
        try:
            return self._store.save(after)
        except ConcurrentUpdate:
            return None

    def _post_root(self, where: Where) -> str:
        """Post the public root message, only while the store answers: its ``ts`` keys the conversation."""
        if not self._storage_up():
            raise StorageUnavailable
        return self._notifier.post(channel=where.channel, message=Message(mrkdwn(ROOT_TEXT, user=mention(where.user))))

    def _save_new(self, conversation: Conversation) -> Conversation:
        """Save a new conversation; if that fails, take its root message back so nothing public is orphaned."""
        try:
            return self._store.save(conversation)
        except Exception:
            try:
                self._notifier.delete(channel=conversation.channel, ts=conversation.thread_ts)
            except Exception:
                logger.exception("Could not delete the root message of %s after its save failed", conversation.id)
            raise

    def _perform(self, conversation: Conversation, effects: tuple[Work, ...]) -> None:
        """Whispers and work, after the save; a failure is logged, and the deadline recovers the work."""
        for effect in effects:
            try:
                self._perform_one(conversation, effect)
            except Exception:
                logger.exception(
                    "%s for %s failed; the conversation recovers at its deadline",
                    type(effect).__name__,
                    conversation.id,
                )

    def _perform_one(self, conversation: Conversation, effect: Work) -> None:
        where = Where(conversation.team, conversation.channel, conversation.user)
        match effect:
            case Whisper(user=user, text=text):
                self._notifier.whisper(
                    channel=conversation.channel, user=user, text=text, thread_ts=conversation.thread_ts
                )
            case CheckDataset(role=role, source=source, check=check):
                result = self._datasets.check(conversation, role, source, check=check)
                self.handle(conversation.id, result, where=where)
            case LaunchJob() | ResolveLaunch():
                self._launch(conversation, effect, where)
            case CheckGrader(arn=arn, start=start):
                self.handle(conversation.id, self._check_grader(arn, start=start), where=where)
            case TestGrader(arn=arn, samples=samples):
                self.handle(conversation.id, self._test_grader(arn, samples), where=where)
            case CheckLogging(source=source, start=start):
                state, text = judge_logging(self._invocation_logging.setup(), source.s3_uri, self._region)
                self.handle(conversation.id, LoggingChecked(source, state.value, text, start=start), where=where)
            case RecordRefusal(rule=rule, subject=subject):
                self._gatekeeper.refused(where, Refusal(rule, ""), subject=subject)
            case RequestApproval(request_id=request_id):
                self._request_approval(conversation, request_id, where)
            case WithdrawApproval(request_id=request_id, reason=reason):
                if self._approvals.withdraw(request_id, reason=reason) is None:  # never stored: nothing to answer it
                    gone = ApprovalAnswered(request_id, ApprovalStatus.WITHDRAWN.value)
                    self.handle(conversation.id, gone, where=where)
            case _:
                assert_never(effect)

    def _after_launch(self, conversation: Conversation, result: Event | None, where: Where) -> None:
        """A started job is recorded (audit, budgets); any result goes back to the conversation (None: not yet)."""
        if isinstance(result, JobLaunched):
            self._record_start(conversation, result, where)
        if result is not None:
            self.handle(conversation.id, result, where=where)

    def _launch(self, conversation: Conversation, effect: LaunchJob | ResolveLaunch, where: Where) -> None:
        """Create the job (the policy asked again first), or find a lost launch's job; record and answer it."""
        launched: Event | None
        if isinstance(effect, LaunchJob):
            refusal = self._launch_refusal(conversation, where)
            launched = JobLaunchRefused(refusal.reason) if refusal else self._launcher.launch(conversation)
        else:
            launched = self._launcher.resolve(conversation)
        self._after_launch(conversation, launched, where)

    def basis_now(self, request: ApprovalRequest) -> str | None:
        """``ApprovalSubject``: what the setup waiting for ``request`` would be asked on now; None if none waits."""
        conversation = self._store.load(request.subject)
        if conversation is None or conversation.stage is not Stage.AWAITING_APPROVAL:
            return None
        if conversation.approval != request.id:
            return None
        context = self.context()
        model = self._catalogue.model(conversation.model_id or "")
        return basis(approval_needed(conversation, context), training_estimate(conversation, model, self._catalogue))

    def settle(self, request: ApprovalRequest) -> None:
        """``ApprovalSubject``: the answer reaches the setup (approved: it starts, once; else back to its review)."""
        event = ApprovalAnswered(request.id, request.status.value, changed=request.changed)
        where = Where(request.team, request.channel, request.requester)
        self._apply(request.subject, event, where=where, quiet_if_missing=True)

    def _request_approval(self, conversation: Conversation, request_id: str, where: Where) -> None:
        """Store the request and send it (once, by id), then confirm it to the setup."""
        request = self._approval_request(conversation, request_id)
        if request is None:
            # The policy changed between the click and now: it no longer asks for approval.
            answered = ApprovalAnswered(request_id, ApprovalStatus.WITHDRAWN.value)
            self.handle(conversation.id, answered, where=where)
            return
        self._approvals.ask(request)
        self.handle(conversation.id, ApprovalAsked(request_id), where=where)

    def _approval_request(self, conversation: Conversation, request_id: str) -> ApprovalRequest | None:
        """The request the approvers see: the review, its cost, why it needs approval and from whom."""
        context = self.context()
        needed = approval_needed(conversation, context)
        if needed is None:
            return None
        model = self._catalogue.model(conversation.model_id or "")
        estimate = training_estimate(conversation, model, self._catalogue)
        review = review_message(conversation, model, self._catalogue)
        return ApprovalRequest(
            id=request_id,
            kind=ApprovalKind.JOB,
            subject=conversation.id,
            team=conversation.team,
            channel=conversation.channel,
            thread_ts=conversation.thread_ts,
            requester=conversation.user,
            headline=review.text.removeprefix("Review your fine-tuning job: "),
            facts=review.facts,
            details=review.details,
            estimate_usd=None if estimate is None else str(estimate),
            reasons=needed.reasons,
            approvers=needed.approvers,
            approvals_channel=needed.channel,
            basis=basis(needed, estimate),
            created_at=context.now,
            expires_at=context.now + needed.expires_after,
        )

    def _check_grader(self, arn: str, *, start: bool = False) -> GraderChecked:
        """Find the function, then whether the service role may invoke it (never raises for either)."""
        try:
            self._graders.find(arn)
        except BotError as exc:
            return GraderChecked(arn, problem=str(exc), start=start)
        identity = (
            self._roles.simulate(self._role_arn, ACTION, arn) if self._role_arn is not None else Lookup(unknown="")
        )
        verdict = decide(self._role_arn, arn, self._graders.resource_policy(arn), identity)
        if verdict.access is not Access.ALLOWED:
            logger.info("Grader %s: the service role's access is %s", arn, verdict.access.value)
        return GraderChecked(arn, access=verdict.access.value, access_text=verdict.text, start=start)

    def _test_grader(self, arn: str, samples: tuple[str, ...]) -> GraderTested:
        """Invoke the grader with a few records; never raises for what the grader does."""
        items = test_items(samples)
        try:
            reply = self._graders.invoke(arn, items)
        except BotError as exc:
            return GraderTested(arn, False, Message("I could not call your grader.", details=(str(exc),)))
        passed, verdict = judge(items, reply)
        return GraderTested(arn, passed, verdict)

    def _launch_refusal(self, conversation: Conversation, where: Where) -> Refusal | None:
        """The policy asked again at Start (it may have changed since the answers): type, model, then the person.

        A person refusal, which names who can with mentions, is told privately; the thread hears plain words.
        """
        rules = self.context().rules(conversation)
        model = self._catalogue.model(conversation.model_id or "")
        assert conversation.customization is not None
        refusal = type_refusal(rules, conversation.customization) or model_refusal(rules, model.id, model.name)
        if refusal is not None:
            self._gatekeeper.refused(where, refusal, subject=conversation.id)
            return refusal
        person = self._gatekeeper.may(where, Act.START, subject=conversation.id)
        if person is None:
            estimate = training_estimate(conversation, model, self._catalogue)
            if conversation.logs is not None:
                return self._gatekeeper.over_budget(
                    where, estimate, subject=conversation.id, price=LOGS_PRICE, unknown_fix=LOGS_FIX
                )
            return self._gatekeeper.over_budget(where, estimate, subject=conversation.id)
        self._notifier.whisper(
            channel=conversation.channel, user=conversation.user, text=person.reason, thread_ts=conversation.thread_ts
        )
        return Refusal(person.rule, "The policy here no longer lets you start jobs; I told you privately who can.")

    def _record_start(self, conversation: Conversation, launched: JobLaunched, where: Where) -> None:
        """The audit entry of a started job, then the channel's budget notice if its estimate passed a threshold."""
        model = self._catalogue.model(conversation.model_id or "")
        estimate = training_estimate(conversation, model, self._catalogue)
        self._gatekeeper.record(
            AuditAction.JOB_STARTED,
            where,
            subject=launched.job_name,
            cost=estimate,
            detail=f"{conversation.customization} on {model.id}",
        )
        notice = self._gatekeeper.budget_notice(where.team, where.channel, where.user)
        if notice is not None:
            self._notifier.post(channel=conversation.channel, message=notice)
