"""In-memory stand-ins for the ports monitoring uses, with what they were asked recorded."""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from workflows.dataset_rules import CustomizationType
from workflows.errors import DatasetUnavailable, JobNotFound, JobNotStoppable, ServiceBusy
from workflows.jobs import JobOrigin, JobRecord, JobSnapshot, JobStatus
from workflows.messages import Attachment, Message
from workflows.ports import StoredObject

START = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
TEAM = "T1"
CHANNEL = "C1"
USER = "U1"


def record(name: str = "tone-1a2b", **changes: object) -> JobRecord:
    """A job Alice started from #C1 at START, with its status message in the thread."""
    base = JobRecord(
        job_name=name,
        job_arn=f"arn:aws:bedrock:us-east-1:123456789012:model-customization-job/{name}",
        base_model_id="amazon.titan-text-lite-v1:0:4k",
        customization=CustomizationType.INSTRUCTION,
        conversation_id=f"{TEAM}:{CHANNEL}:1772443800.000100",
        team=TEAM,
        channel=CHANNEL,
        thread_ts="1772443800.000100",
        status_message_ts="1772443801.000200",
        user=USER,
        started_at=START,
        epochs=2,
        training_tokens=120_000,
        estimated_training_cost="0.096",
    )
    return base.model_copy(update=changes)


def snapshot(name: str = "tone-1a2b", status: JobStatus = JobStatus.IN_PROGRESS, **changes: object) -> JobSnapshot:
    base = JobSnapshot(job_name=name, job_arn=f"arn:aws:bedrock:::model-customization-job/{name}", status=status)
    return base.model_copy(update=changes)


@dataclass
class FakeClock:
    now_value: datetime = START

    def now(self) -> datetime:
        return self.now_value

    def advance(self, **delta: float) -> None:
        self.now_value += timedelta(**delta)


@dataclass
class FakeJobs:
    """Bedrock: jobs by name; ``list`` calls counted per page of ``page_size``."""

    jobs: dict[str, JobSnapshot] = field(default_factory=dict)
    page_size: int = 100
    calls: Counter[str] = field(default_factory=Counter)
    busy_listing: bool = False
    busy_describing: set[str] = field(default_factory=set)
    broken: set[str] = field(default_factory=set)
    stopped: list[str] = field(default_factory=list)
    #: Base model, type, hyperparameters and tags by job name (``origin``).
    origins: dict[str, JobOrigin] = field(default_factory=dict)

    def put(self, job: JobSnapshot) -> None:
        self.jobs[job.job_name] = job

    def set_status(self, name: str, status: JobStatus, **changes: object) -> None:
        self.jobs[name] = self.jobs[name].model_copy(update={"status": status, **changes})

    def create(self, request: object) -> JobSnapshot:
        raise NotImplementedError("monitoring never creates jobs")

    def describe(self, job_name: str) -> JobSnapshot:
        self.calls["describe"] += 1
        if job_name in self.busy_describing:
            raise ServiceBusy("Bedrock is busy")
        if job_name in self.broken:
            raise RuntimeError(f"unexpected answer for {job_name}")
        if job_name not in self.jobs:
            raise JobNotFound(f"There is no customization job named {job_name}")
        return self.jobs[job_name]

    def in_progress(self) -> Iterator[JobSnapshot]:
        running = [job for job in self.jobs.values() if job.status in {JobStatus.IN_PROGRESS, JobStatus.STOPPING}]
        for start in range(0, max(len(running), 1), self.page_size):
            self.calls["list"] += 1
            if self.busy_listing:
                raise ServiceBusy("Bedrock is busy")
            yield from running[start : start + self.page_size]

    def origin(self, job_name: str) -> JobOrigin:
        self.calls["origin"] += 1
        if job_name not in self.origins:
            raise JobNotFound(f"There is no customization job named {job_name}")
        return self.origins[job_name]

    def stop(self, job_name: str) -> None:
        self.calls["stop"] += 1
        job = self.jobs.get(job_name)
        if job is None:
            raise JobNotFound(f"There is no customization job named {job_name}")
        if job.status.terminal:
            raise JobNotStoppable(f"Job {job_name} is no longer running, so there is nothing to stop.")
        self.stopped.append(job_name)
        self.set_status(job_name, JobStatus.STOPPED)


class MemoryRecords:
    """``WatchedJobs`` in a dict, with the same announce-once semantics as Redis."""

    def __init__(self) -> None:
        self.records: dict[str, JobRecord] = {}
        self.watching: set[str] = set()

    def save(self, record: JobRecord) -> None:
        self.records[record.job_name] = record
        if record.announced_status.terminal:
            self.watching.discard(record.job_name)
        else:
            self.watching.add(record.job_name)

    def get(self, job_name: str) -> JobRecord | None:
        return self.records.get(job_name)

    def watched(self) -> list[JobRecord]:
        return sorted((self.records[name] for name in self.watching), key=lambda r: r.started_at)

    def in_channel(self, *, team: str, channel: str, limit: int) -> list[JobRecord]:
        found = [r for r in self.records.values() if r.team == team and r.channel == channel]
        return sorted(found, key=lambda r: r.started_at, reverse=True)[:limit]

    def by_user(self, *, team: str, user: str, limit: int) -> list[JobRecord]:
        found = [r for r in self.records.values() if r.team == team and r.user == user]
        return sorted(found, key=lambda r: r.started_at, reverse=True)[:limit]

    def in_team(self, team: str) -> list[JobRecord]:
        return [r for r in self.records.values() if r.team == team]

    def unwatch(self, job_name: str) -> None:
        self.watching.discard(job_name)

    def compare_and_set_announcement(
        self,
        job_name: str,
        *,
        expected_status: JobStatus,
        expected_stages: Mapping[str, str],
        new_status: JobStatus,
        new_stages: Mapping[str, str],
    ) -> bool:
        current = self.records.get(job_name)
        if current is None or current.announced_status != expected_status:
            return False
        if dict(current.announced_stages) != dict(expected_stages):
            return False
        update = {"announced_status": new_status, "announced_stages": dict(new_stages)}
        self.records[job_name] = current.model_copy(update=update)
        return True


@dataclass(frozen=True)
class Sent:
    """One thing the notifier was asked to show."""

    kind: str
    channel: str
    message: Message | None = None
    ts: str | None = None
    thread_ts: str | None = None
    attachment: Attachment | None = None


class RecordingNotifier:
    """Keeps every post, edit and upload; ``fail_next`` makes the next N calls raise."""

    def __init__(self) -> None:
        self.sent: list[Sent] = []
        self.fail_next = 0
        self.keys: dict[tuple[str, str | None, str], str] = {}
        self._ts = itertools.count(1)

    def post(self, *, channel: str, message: Message, thread_ts: str | None = None) -> str:
        self._maybe_fail()
        ts = f"1800000000.{next(self._ts):06d}"
        self.sent.append(Sent("post", channel, message, ts=ts, thread_ts=thread_ts))
        return ts

    def post_keyed(self, *, channel: str, message: Message, key: str, thread_ts: str | None = None) -> str:
        ts = self.post(channel=channel, message=message, thread_ts=thread_ts)
        self.keys[(channel, thread_ts, key)] = ts
        return ts

    def find_posted(self, *, channel: str, key: str, thread_ts: str | None = None) -> str | None:
        return self.keys.get((channel, thread_ts, key))

    def update(self, *, channel: str, ts: str, message: Message) -> None:
        self._maybe_fail()
        self.sent.append(Sent("update", channel, message, ts=ts))

    def whisper(self, *, channel: str, user: str, text: str, thread_ts: str | None = None) -> None:
        self.sent.append(Sent("whisper", channel, Message(text=text), thread_ts=thread_ts))

    def attach(self, *, channel: str, attachment: Attachment, thread_ts: str | None = None) -> None:
        self._maybe_fail()
        self.sent.append(Sent("attach", channel, thread_ts=thread_ts, attachment=attachment))

    def of_kind(self, kind: str) -> list[Sent]:
        return [item for item in self.sent if item.kind == kind]

    def channel_posts(self) -> list[Sent]:
        """Top-level posts: the end-of-job notices."""
        return [item for item in self.sent if item.kind == "post" and item.thread_ts is None]

    def _maybe_fail(self) -> None:
        if self.fail_next:
            self.fail_next -= 1
            raise RuntimeError("Slack answered 429 too many times")


class MemoryLocks:
    """``Leases`` with expiry on a fake monotonic clock."""

    def __init__(self) -> None:
        self.time = 0.0
        self.held: dict[str, tuple[str, float]] = {}
        self._tokens = itertools.count(1)

    def acquire(self, name: str, *, ttl_seconds: float) -> str | None:
        current = self.held.get(name)
        if current is not None and current[1] > self.time:
            return None
        token = f"token-{next(self._tokens)}"
        self.held[name] = (token, self.time + ttl_seconds)
        return token

    def release(self, name: str, token: str) -> None:
        if self.held.get(name, ("", 0.0))[0] == token:
            del self.held[name]

    def renew(self, name: str, token: str, ttl_seconds: float) -> bool:
        current = self.held.get(name)
        if current is None or current[0] != token or current[1] <= self.time:
            return False
        self.held[name] = (token, self.time + ttl_seconds)
        return True


class MemoryStorage:
    """S3 objects as text by URI."""

    def __init__(self, objects: dict[str, str] | None = None) -> None:
        self.objects = dict(objects or {})
        self.broken = False

    def list_uris(self, prefix_uri: str) -> list[str]:
        if self.broken:
            raise DatasetUnavailable("S3 could not list the output prefix")
        return [uri for uri in self.objects if uri.startswith(prefix_uri)]

    def read_text(self, uri: str, *, max_bytes: int) -> str:
        return self.objects[uri]

    def inspect(self, uri: str) -> StoredObject:
        raise NotImplementedError

    def download(self, uri: str, destination: Path, *, max_bytes: int) -> None:
        raise NotImplementedError

    def upload(self, source: Path, *, key: str) -> str:
        raise NotImplementedError
