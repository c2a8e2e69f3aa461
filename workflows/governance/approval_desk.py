"""The approvals service: keeps each request, sends it to the approvers, takes one answer, and hands it over once.

Every step is a compare-and-set on the stored request, so a double click, a redelivered click or two replicas
answer it once. What an answer owes (the thread's outcome, the hand-over to the setup or the deployment, the
approvers' messages) is marked done only after it is done; the tick's ``sweep`` re-drives whatever a crash left,
and expires the requests nobody answered in time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from workflows.exceptions import ConcurrentUpdate
from workflows.governance.approval_ports import ApprovalPosts, ApprovalStore, ApprovalSubject
from workflows.governance.approval_view import (
    asked_message,
    decided_answer,
    outcome_message,
    request_message,
    thread_outcome,
    verdict_answer,
)
from workflows.governance.approvals import ApprovalKind, ApprovalRequest, ApprovalStatus, Verdict, recipients, verdict
from workflows.governance.audit_entry import AuditAction
from workflows.governance.gatekeeper import Gatekeeper
from workflows.governance.governance_ports import GroupsUnavailable, UserGroups
from workflows.governance.policy import People
from workflows.messages import Message
from workflows.ports import Clock, HomeRefresh, KeyedPosts, Locks
from workflows.tenancy import acting_for

logger = logging.getLogger(__name__)

#: How many times a change is re-applied when someone else saved the request first.
SAVE_ATTEMPTS = 5
#: How long one worker holds a request while it sends it or settles its outcome (seconds).
STEP_LOCK_SECONDS = 60
#: Why a request goes back to the requester when the decision it was asked on changed.
CHANGED = (
    "the policy or the price changed since it was asked, so it goes back for approval as it stands now "
    "(or back to the requester, if it no longer needs approval)."
)
GONE = "what it was asked for can no longer go ahead as asked (it was cancelled, changed or done meanwhile)."

_AUDIT = {
    ApprovalStatus.APPROVED: AuditAction.APPROVAL_APPROVED,
    ApprovalStatus.REJECTED: AuditAction.APPROVAL_REJECTED,
    ApprovalStatus.EXPIRED: AuditAction.APPROVAL_EXPIRED,
    ApprovalStatus.WITHDRAWN: AuditAction.APPROVAL_WITHDRAWN,
}


@dataclass(frozen=True, slots=True)
class Actor:
    """Who answers, for the audit log: the approver, in the workspace and channel of the request."""

    team: str
    channel: str
    user: str


class ApprovalDesk:
    """Requests for approval, from asking to the hand-over of their outcome."""

    def __init__(
        self,
        *,
        store: ApprovalStore,
        posts: ApprovalPosts,
        threads: KeyedPosts,
        groups: UserGroups,
        gatekeeper: Gatekeeper,
        locks: Locks,
        clock: Clock,
    ) -> None:
        self._store = store
        self._posts = posts
        self._threads = threads
        self._groups = groups
        self._gatekeeper = gatekeeper
        self._locks = locks
        self._clock = clock
        self._subjects: dict[ApprovalKind, ApprovalSubject] = {}
        self._home: HomeRefresh | None = None

    def serve(self, kind: ApprovalKind, subject: ApprovalSubject) -> None:
        """Name what waits for requests of ``kind`` (set once by the composition root)."""
        self._subjects[kind] = subject

    def show_on_homes(self, home: HomeRefresh) -> None:
        """Publish the approvers' Home tabs when a request is asked of them and when it is answered (set once by
        the composition root, as ``serve`` is)."""
        self._home = home

    def ask(self, request: ApprovalRequest) -> ApprovalRequest:
        """Keep the request (once, by its id) and send it to the approvers (once); returns it as stored."""
        return self._announce(self._store.create(request))

    def get(self, request_id: str) -> ApprovalRequest | None:
        return self._store.get(request_id)

    def check(self, request_id: str, *, team: str, user: str) -> Message | None:
        """None when ``user`` may answer the request now, else what they are told (an expired one is expired)."""
        request = self._store.get(request_id)
        judged = self._verdict(request, team=team, user=user)
        if isinstance(judged, Message):
            return judged
        if judged is Verdict.GO:
            return None
        if judged is Verdict.EXPIRED and request is not None:
            self._expire(request)
        return verdict_answer(judged, request)

    def approve(self, request_id: str, *, team: str, user: str) -> Message:
        """Approve once: asked again of what waits (a changed decision sends it back), then handed over."""
        refused = self.check(request_id, team=team, user=user)
        request = self._store.get(request_id)
        if refused is not None or request is None:
            return refused or verdict_answer(Verdict.UNKNOWN, None)
        subject = self._subjects[request.kind]
        now_basis = subject.basis_now(request)
        if now_basis != request.basis:
            why = GONE if now_basis is None else CHANGED
            changed = now_basis is not None
            withdrawn = self._decide(request.id, ApprovalStatus.WITHDRAWN, by=user, reason=why, changed=changed)
            return decided_answer(withdrawn) if withdrawn is not None else self._late(request.id, team, user)
        approved = self._decide(request.id, ApprovalStatus.APPROVED, by=user)
        return decided_answer(approved) if approved is not None else self._late(request.id, team, user)

    def reject(self, request_id: str, *, team: str, user: str, reason: str) -> Message:
        """Reject once, with the rejecter's reason (may be empty), and tell the requester's thread."""
        refused = self.check(request_id, team=team, user=user)
        if refused is not None:
            return refused
        rejected = self._decide(request_id, ApprovalStatus.REJECTED, by=user, reason=reason.strip())
        return decided_answer(rejected) if rejected is not None else self._late(request_id, team, user)

    def withdraw(self, request_id: str, *, reason: str) -> ApprovalRequest | None:
        """The requester no longer waits (a cancel, Back): a pending request is withdrawn and its approvers told.

        Returns the request as it stands after (answered first, it stays answered); None when it was never stored.
        """
        request = self._store.get(request_id)
        if request is not None and request.status is ApprovalStatus.PENDING:
            self._decide(request_id, ApprovalStatus.WITHDRAWN, by=request.requester, reason=reason)
        return self._store.get(request_id)

    def pending_for(self, *, team: str, user: str) -> list[ApprovalRequest]:
        """The pending requests ``user`` may answer now (never their own), oldest first."""
        found: list[ApprovalRequest] = []
        for request_id in self._store.open_ids():
            request = self._store.get(request_id)
            if request is not None and self._verdict(request, team=team, user=user) is Verdict.GO:
                found.append(request)
        return sorted(found, key=lambda request: request.created_at)

    def sweep(self) -> int:
        """The tick's pass: send what was not sent, expire what ran out of time, settle what was not settled."""
        ids = self._store.open_ids()
        for request_id in ids:
            try:
                self._sweep_one(request_id)
            except Exception:
                logger.exception("Re-driving the request for approval %s failed; the next tick tries again", request_id)
        return len(ids)

    def _sweep_one(self, request_id: str) -> None:
        request = self._store.get(request_id)
        if request is None:
            return
        with acting_for(request.team):  # scheduled work: Slack calls carry the request's workspace's token
            if request.status is ApprovalStatus.PENDING and self._clock.now() >= request.expires_at:
                self._expire(request)
            elif request.status is ApprovalStatus.PENDING:
                self._announce(request)
            else:
                self._settle(request)

    def _announce(self, request: ApprovalRequest) -> ApprovalRequest:
        """Send a pending request to its approvers and say so in the requester's thread, once."""
        if request.asked or request.status is not ApprovalStatus.PENDING:
            return request
        token = self._locks.acquire(f"approval-ask:{request.id}", ttl_seconds=STEP_LOCK_SECONDS)
        if token is None:
            return request
        try:
            members = self._members(request.approvers)
            if members is None and not request.approvers.users and request.approvals_channel is None:
                logger.warning("Request %s waits: Slack did not say who is in its approver groups", request.id)
                return request
            posted = self._post_all(request, recipients(request, members or frozenset()))
            if posted is None:
                return request
            self._record(posted, AuditAction.APPROVAL_ASKED, posted.requester, "; ".join(posted.reasons))
            self._in_thread(posted, asked_message(posted), "asked")
            asked = self._change(request.id, lambda stored: stored.model_copy(update={"asked": True})) or posted
            self._homes(asked)
            return asked
        finally:
            self._locks.release(f"approval-ask:{request.id}", token)

    def _post_all(self, request: ApprovalRequest, targets: list[str]) -> ApprovalRequest | None:
        """Post to each approver (or the approvals channel) not posted to yet, each post saved as soon as it is made.

        One that fails is logged and the others are still asked; None when the request was answered meanwhile.
        """
        current: ApprovalRequest | None = request
        done = {post[0] for post in request.posts}
        for target in (target for target in targets if target not in done):
            try:
                channel, ts = self._posts.post_to(channel=target, message=request_message(request))
            except Exception:
                logger.exception("Could not send the request for approval %s to %s", request.id, target)
                continue
            current = self._change(request.id, partial(_with_post, post=(target, channel, ts)))
            if current is None or current.status is not ApprovalStatus.PENDING:
                # Answered meanwhile: the settling edits the messages it knows; this one, if it came too late.
                if current is not None and current.settled:
                    self._posts.update(channel=channel, ts=ts, message=outcome_message(current))
                return None
        return current

    def _decide(
        self, request_id: str, status: ApprovalStatus, *, by: str | None, reason: str = "", changed: bool = False
    ) -> ApprovalRequest | None:
        """Move a pending request to ``status`` (None when it was no longer pending), record it, hand it over."""
        now = self._clock.now()

        def answer(stored: ApprovalRequest) -> ApprovalRequest | None:
            if stored.status is not ApprovalStatus.PENDING:
                return None
            decided = {"status": status, "decided_by": by, "decided_at": now, "reason": reason, "changed": changed}
            return stored.model_copy(update=decided)

        decided = self._change(request_id, answer)
        if decided is None:
            return None
        detail = reason if status is not ApprovalStatus.APPROVED else f"requested by {decided.requester}"
        self._record(decided, _AUDIT[status], by or "", detail)
        self._settle(decided)
        return decided

    def _expire(self, request: ApprovalRequest) -> None:
        if self._decide(request.id, ApprovalStatus.EXPIRED, by=None) is None:
            latest = self._store.get(request.id)
            if latest is not None:
                self._settle(latest)

    def _settle(self, request: ApprovalRequest) -> None:
        """Tell the thread, hand the outcome over, edit the approvers' messages, then mark it settled."""
        if request.settled or request.status is ApprovalStatus.PENDING:
            return
        token = self._locks.acquire(f"approval-settle:{request.id}", ttl_seconds=STEP_LOCK_SECONDS)
        if token is None:
            return
        try:
            self._in_thread(request, thread_outcome(request), request.status.value)
            self._subjects[request.kind].settle(request)
            for _, channel, ts in request.posts:
                try:
                    self._posts.update(channel=channel, ts=ts, message=outcome_message(request))
                except Exception:
                    logger.exception("Could not edit the request for approval %s in %s", request.id, channel)
            self._change(request.id, lambda stored: stored.model_copy(update={"settled": True}))
            self._homes(request)
        finally:
            self._locks.release(f"approval-settle:{request.id}", token)

    def _in_thread(self, request: ApprovalRequest, message: Message, step: str) -> None:
        """Post in the requester's thread once per step: a re-drive finds the post it made before."""
        key = f"approval:{request.id}:{step}"
        if self._threads.find_posted(channel=request.channel, key=key, thread_ts=request.thread_ts) is None:
            self._threads.post_keyed(channel=request.channel, message=message, key=key, thread_ts=request.thread_ts)

    def _change(
        self, request_id: str, change: Callable[[ApprovalRequest], ApprovalRequest | None]
    ) -> ApprovalRequest | None:
        """Apply ``change`` to the stored request and save it, again on a concurrent save; None when it declines."""
        for _ in range(SAVE_ATTEMPTS):
            stored = self._store.get(request_id)
            changed = change(stored) if stored is not None else None
            if stored is None or changed is None:
                return None
            try:
                return self._store.save(changed)
            except ConcurrentUpdate:
                continue
        logger.warning(
            "Gave up changing the request for approval %s after %d concurrent saves", request_id, SAVE_ATTEMPTS
        )
        return None

    def _late(self, request_id: str, team: str, user: str) -> Message:
        """Someone else answered between the check and the save: say what happened."""
        request = self._store.get(request_id)
        judged = self._verdict(request, team=team, user=user)
        return judged if isinstance(judged, Message) else verdict_answer(judged, request)

    def _verdict(self, request: ApprovalRequest | None, *, team: str, user: str) -> Verdict | Message:
        members: frozenset[str] = frozenset()
        if request is not None and user not in request.approvers.users and request.approvers.groups:
            found = self._members(request.approvers)
            if found is None:
                return Message(
                    "I could not check whether you are an approver: Slack did not say who is in the "
                    "approver groups. Nothing was done; try again in a minute."
                )
            members = found
        return verdict(request, team=team, user=user, members=members, now=self._clock.now())

    def _homes(self, request: ApprovalRequest) -> None:
        """The approvers' Home tabs list what waits for them: published again (in the background, never raising)."""
        if self._home is None:
            return
        members = self._members(request.approvers) if request.approvers.groups else frozenset()
        for user in dict.fromkeys([*request.approvers.users, *sorted(members or ())]):
            if user != request.requester:
                self._home.changed(team=request.team, user=user)

    def _members(self, people: People) -> frozenset[str] | None:
        """The members of the approver groups, as Slack says; None when it cannot."""
        members: set[str] = set()
        try:
            for group in people.groups:
                members |= self._groups.members(group)
        except GroupsUnavailable as exc:
            logger.warning("Could not read the members of %s: %s", ", ".join(people.groups), exc)
            return None
        return frozenset(members)

    def _record(self, request: ApprovalRequest, action: AuditAction, user: str, detail: str) -> None:
        self._gatekeeper.record(
            action,
            Actor(request.team, request.channel, user),
            subject=request.subject,
            cost=request.estimate_usd,
            detail=detail,
        )


def _with_post(stored: ApprovalRequest, *, post: tuple[str, str, str]) -> ApprovalRequest:
    """The request with one more approver's message (kept even once answered, so the settling edits it)."""
    return stored.model_copy(update={"posts": (*stored.posts, post)})
