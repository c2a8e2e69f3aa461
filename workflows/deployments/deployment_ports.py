"""What deployments need from AWS and Redis, as small protocols: deployments, usage, records and Try it threads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from workflows.deployments.deployment_record import (
    CustomModel,
    DeploymentRecord,
    DeploymentRequest,
    DeploymentSnapshot,
    DeploymentStatus,
    Route,
    TryExchange,
    TryThread,
)

#: How precisely ``last_used`` tells the time: CloudWatch's datapoints are five minutes wide.
LAST_USE_RESOLUTION = timedelta(minutes=5)


@dataclass(frozen=True, slots=True)
class ModelUsage:
    """Requests and tokens a model served over a time window (CloudWatch ``AWS/Bedrock``, by ``ModelId``)."""

    invocations: int
    input_tokens: int
    output_tokens: int


class Deployments(Protocol):
    """Bedrock's custom model deployments and Provisioned Throughput, in the product's terms.

    Errors: ``DeploymentNotFound``, ``DeploymentRejected``, ``DeploymentNotDeletable`` and ``ServiceBusy``.
    """

    def create(self, request: DeploymentRequest) -> DeploymentSnapshot:
        """Create it; the same request again (same token) returns the one it made, never a second."""
        ...

    def describe(self, route: Route, identifier: str) -> DeploymentSnapshot:
        """Its state now, by name or ARN; raises ``DeploymentNotFound``."""
        ...

    def listed(self, route: Route) -> list[DeploymentSnapshot]:
        """Every deployment of one route in the account and region, all pages, newest first."""
        ...

    def delete(self, route: Route, identifier: str) -> None:
        """Delete it; raises ``DeploymentNotFound``, or ``DeploymentNotDeletable`` before a commitment ends."""
        ...

    def custom_model(self, identifier: str) -> CustomModel | None:
        """The custom model by name or ARN, with the job that made it; None when there is no such model."""
        ...


class ModelInvocations(Protocol):
    """How much a deployed model was used, from CloudWatch."""

    def usage(self, *, model_id: str, start: datetime, end: datetime) -> ModelUsage:
        """Invocations and tokens of ``model_id`` (the deployment's ARN) from ``start`` to ``end``; zeros when none."""
        ...

    def last_used(self, *, model_id: str, start: datetime, end: datetime) -> datetime | None:
        """When ``model_id`` last served a request between ``start`` and ``end`` (to within
        ``LAST_USE_RESOLUTION``, never later than the request); None when it served none."""
        ...


class DeploymentStore(Protocol):
    """The deployments the product made, shared by every replica."""

    def save(self, record: DeploymentRecord) -> None:
        """Write it; watched while its status is not terminal."""
        ...

    def get(self, name: str) -> DeploymentRecord | None: ...

    def live(self) -> list[DeploymentRecord]:
        """Deployments not yet failed or deleted, oldest first: what the tick watches and the idle check reads."""
        ...

    def in_team(self, team: str) -> list[DeploymentRecord]:
        """A workspace's deployments, newest first, deleted ones included while they are kept."""
        ...

    def compare_and_set_status(
        self, name: str, *, expected: DeploymentStatus, new: DeploymentStatus, at: datetime
    ) -> bool:
        """Record ``new`` if ``expected`` is still the status; True for exactly one caller per transition.

        ``at`` becomes ``ready_at`` when ``new`` is ready for the first time, ``deleted_at`` for ``Deleted``.
        """
        ...

    def claim_reminder(self, name: str, *, now: datetime, period_seconds: float, claim_seconds: float) -> bool:
        """True for exactly one caller when no reminder went out within ``period_seconds`` before ``now`` and
        none is being posted (claimed less than ``claim_seconds`` ago): the reminder is now claimed."""
        ...

    def reminder_posted(self, name: str, *, at: datetime) -> None:
        """The claimed reminder went out ``at``: the next is a period later."""
        ...

    def release_reminder(self, name: str) -> None:
        """The claimed reminder did not go out: the next check claims it again."""
        ...


class TryThreads(Protocol):
    """The open Try it threads, shared by every replica; each expires some time after its last question."""

    def save(self, thread: TryThread, *, ttl_seconds: int) -> None:
        """Write it (again), to expire ``ttl_seconds`` from now."""
        ...

    def get(self, *, team: str, channel: str, thread_ts: str) -> TryThread | None:
        """The thread, or None when it is none (or it expired)."""
        ...

    def begin_opening(self, *, team: str, channel: str, key: str, ttl_seconds: int) -> None:
        """Record that a thread is being opened in the channel: its opening message may be visible already."""
        ...

    def end_opening(self, *, team: str, channel: str, key: str) -> None:
        """The opening ``key`` is over: its thread is saved, or it was never posted."""
        ...

    def opening(self, *, team: str, channel: str) -> bool:
        """True while a thread is being opened in the channel (begun, not ended, its ``ttl_seconds`` not passed)."""
        ...

    def claim_question(self, *, team: str, channel: str, ts: str, ttl_seconds: int) -> bool:
        """True when message ``ts`` is neither answered nor being answered: it is now claimed for ``ttl_seconds``.

        A claim whose replica died while answering expires, so a redelivery of the message is answered.
        """
        ...

    def question_answered(self, *, team: str, channel: str, ts: str, ttl_seconds: int) -> None:
        """Remember message ``ts`` as answered for ``ttl_seconds``: it is never claimed again meanwhile."""
        ...

    def add_exchange(self, thread: TryThread, exchange: TryExchange, *, keep: int, ttl_seconds: int) -> None:
        """Append a question and its answers to the thread's history, keeping the newest ``keep``, all expiring."""
        ...

    def exchanges(self, *, team: str, channel: str, thread_ts: str) -> list[TryExchange]:
        """The thread's kept history, in the order it was added (empty when none or expired)."""
        ...

    def claim_trim_note(self, *, team: str, channel: str, thread_ts: str, ttl_seconds: int) -> bool:
        """True for exactly one caller per thread: the thread is told once that older turns are left out."""
        ...
