"""What watching jobs and the commands on jobs need beyond ``workflows.ports``: announce-once, leases, history."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from workflows.jobs.job import JobOrigin, JobRecord, JobStatus
from workflows.ports import JobRecords, Locks


class WatchedJobs(JobRecords, Protocol):
    """Job records plus the atomic announcement guard (``RedisJobRecords`` implements it)."""

    def compare_and_set_announcement(
        self,
        job_name: str,
        *,
        expected_status: JobStatus,
        expected_stages: Mapping[str, str],
        new_status: JobStatus,
        new_stages: Mapping[str, str],
    ) -> bool:
        """True for exactly one caller per transition, however many race."""
        ...

    def unwatch(self, job_name: str) -> None:
        """Stop watching a job whose end was announced."""
        ...


class Leases(Locks, Protocol):
    """Locks that their holder can extend (``RedisLocks`` implements it)."""

    def renew(self, name: str, token: str, ttl_seconds: float) -> bool:
        """Extend a held lease; False when it expired or changed hands."""
        ...


class JobHistory(Protocol):
    """Every job record a workspace still has (records are kept for a retention period)."""

    def in_team(self, team: str) -> list[JobRecord]:
        """The workspace's job records, in no particular order."""
        ...


class Requester(Protocol):
    """Who asks and where: the Slack coordinates of a command or a click."""

    @property
    def team(self) -> str: ...

    @property
    def channel(self) -> str: ...

    @property
    def user(self) -> str: ...


class JobOrigins(Protocol):
    """Where a job came from (``BedrockJobs`` implements it), to adopt jobs that have no record."""

    def origin(self, job_name: str) -> JobOrigin:
        """The job's base model, type, hyperparameters and tags; raises ``JobNotFound``."""
        ...


@dataclass(frozen=True, slots=True)
class ServingCost:
    """What serving one custom model cost in a span: a deployment's share of ``/finetune cost``."""

    #: The deployment's name.
    name: str
    #: How it is served: ``Provisioned Throughput``, ``on demand``.
    kind: str
    channel: str
    #: Whose it is: the person who started the job.
    person: str
    #: Dollars; None when a price or the usage is unknown (shown as unknown, never $0).
    amount: Decimal | None
    #: How it was counted, or why it is unknown: ``3.0 hours at $7.10 per hour``.
    basis: str
    #: The catalogue's "as of …, source" for the prices used.
    sources: tuple[str, ...] = ()


class ServingCosts(Protocol):
    """What the workspace's deployments cost in a span (``/finetune cost`` counts them)."""

    def spent(self, team: str, *, start: datetime, end: datetime) -> list[ServingCost]:
        """One entry per deployment that existed between ``start`` and ``end``."""
        ...


class JobEventMarks(Protocol):
    """What the event intake remembers across replicas (``RedisJobEventMarks`` implements it)."""

    def seen(self, event_id: str) -> bool:
        """Whether an event with this id was already handled (within the retention window)."""
        ...

    def remember(self, event_id: str) -> None:
        """Mark an event as handled, for a while."""
        ...

    def advance(self, job_name: str, changed_at: datetime) -> bool:
        """Make ``changed_at`` the newest state change applied to the job if it is newer; True when it was.

        Atomic: of two replicas with events for one job, only the newer event's holder gets True.
        """
        ...

    def retreat(self, job_name: str, changed_at: datetime) -> None:
        """Undo ``advance`` (its effect failed), if ``changed_at`` is still the newest, so a redelivery applies it."""
        ...
