"""In-memory stand-ins for the ports, for fast tests of the services' logic (the real adapters have their own)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from workflows.conversation.events import SlackFile
from workflows.conversation.model import Conversation
from workflows.conversation.outbox import due_at
from workflows.errors import ConcurrentUpdate, DatasetTooLarge, DatasetUnavailable, JobNotFound
from workflows.jobs import JobRecord, JobRequest, JobSnapshot, JobStatus
from workflows.messages import Attachment, Message
from workflows.ports import StoredObject


class FixedClock:
    def __init__(self, now: datetime | None = None) -> None:
        self.current = now or datetime(2026, 11, 26, 12, 0, tzinfo=UTC)

    def now(self) -> datetime:
        return self.current


class InMemoryConversationStore:
    """Optimistic concurrency like the Redis store: a save must carry the version it read."""

    def __init__(self) -> None:
        self.saved: dict[str, Conversation] = {}
        self._lock = threading.Lock()

    def load(self, conversation_id: str) -> Conversation | None:
        return self.saved.get(conversation_id)

    def save(self, conversation: Conversation) -> Conversation:
        with self._lock:
            current = self.saved.get(conversation.id)
            if (current.version if current else 0) != conversation.version:
                raise ConcurrentUpdate(f"{conversation.id} changed")
            stored = conversation.model_copy(update={"version": conversation.version + 1})
            self.saved[conversation.id] = stored
            return stored

    def active_in_channel(self, *, team: str, channel: str) -> list[str]:
        return [c.id for c in self.saved.values() if (c.team, c.channel) == (team, channel) and not c.stage.finished]

    def due(self, now: datetime, *, limit: int = 100) -> list[str]:
        owed = [(due_at(c), c.id) for c in self.saved.values()]
        return [cid for when, cid in sorted((w, i) for w, i in owed if w is not None and w <= now)][:limit]


@dataclass
class Posted:
    channel: str
    message: Message
    thread_ts: str | None
    ts: str


@dataclass
class RecordingNotifier:
    """Keeps every post, edit, whisper and attachment, in order."""

    posts: list[Posted] = field(default_factory=list)
    whispers: list[tuple[str, str]] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    keys: dict[tuple[str, str | None, str], str] = field(default_factory=dict)
    #: The next N keyed posts and edits fail (Slack answering 500 after the client's retries).
    failing: int = 0
    #: The next N keyed posts reach the thread but their answer is lost (a reset after Slack acted).
    answers_lost: int = 0

    def post(self, *, channel: str, message: Message, thread_ts: str | None = None) -> str:
        ts = f"{len(self.posts) + 1}.000"
        self.posts.append(Posted(channel, message, thread_ts, ts))
        return ts

    def post_keyed(self, *, channel: str, message: Message, key: str, thread_ts: str | None = None) -> str:
        self._maybe_fail()
        ts = self.post(channel=channel, message=message, thread_ts=thread_ts)
        self.keys[(channel, thread_ts, key)] = ts
        if self.answers_lost:
            self.answers_lost -= 1
            raise ConnectionError("the connection dropped after Slack posted the message")
        return ts

    def find_posted(self, *, channel: str, key: str, thread_ts: str | None = None) -> str | None:
        return self.keys.get((channel, thread_ts, key))

    def update(self, *, channel: str, ts: str, message: Message) -> None:
        self._maybe_fail()
        for index, posted in enumerate(self.posts):
            if posted.ts == ts:
                self.posts[index] = Posted(channel, message, posted.thread_ts, ts)

    def delete(self, *, channel: str, ts: str) -> None:
        self.deleted.append(ts)
        self.posts = [posted for posted in self.posts if posted.ts != ts]

    def whisper(self, *, channel: str, user: str, text: str, thread_ts: str | None = None) -> None:
        self.whispers.append((user, text))

    def attach(self, *, channel: str, attachment: Attachment, thread_ts: str | None = None) -> None:
        self.attachments.append(attachment)

    def texts(self) -> list[str]:
        return [posted.message.text for posted in self.posts]

    def _maybe_fail(self) -> None:
        if self.failing:
            self.failing -= 1
            raise RuntimeError("Slack answered 500")

    def everything(self) -> str:
        parts = []
        for posted in self.posts:
            message = posted.message
            parts += [message.text, *message.details, *(f"{k}: {v}" for k, v in message.facts)]
        return "\n".join(parts)


@dataclass
class FakeSlackFiles:
    contents: dict[str, bytes] = field(default_factory=dict)

    def download(self, file: SlackFile, destination: Path, *, max_bytes: int) -> None:
        if file.download_url not in self.contents:
            raise DatasetUnavailable(f"Slack refused to give me `{file.name}`.")
        data = self.contents[file.download_url]
        if len(data) > max_bytes:
            raise DatasetTooLarge(f"`{file.name}` is too large")
        destination.write_bytes(data)


@dataclass
class InMemoryStorage:
    """S3 as a dict of URI → bytes in one region."""

    bucket: str = "bucket"
    region: str = "us-east-1"
    objects: dict[str, bytes] = field(default_factory=dict)

    def inspect(self, uri: str) -> StoredObject:
        if uri not in self.objects:
            raise DatasetUnavailable(f"There is no object at {uri}.")
        return StoredObject(uri=uri, size=len(self.objects[uri]), region=self.region)

    def download(self, uri: str, destination: Path, *, max_bytes: int) -> None:
        destination.write_bytes(self.objects[uri])

    def upload(self, source: Path, *, key: str) -> str:
        uri = f"s3://{self.bucket}/{key}"
        self.objects[uri] = source.read_bytes()
        return uri

    def list_uris(self, prefix_uri: str) -> list[str]:
        return sorted(uri for uri in self.objects if uri.startswith(prefix_uri))

    def read_text(self, uri: str, *, max_bytes: int) -> str:
        return self.objects[uri][:max_bytes].decode("utf-8")


@dataclass
class FakeJobs:
    """Bedrock that creates each job name once and records the requests."""

    requests: list[JobRequest] = field(default_factory=list)
    jobs: dict[str, JobSnapshot] = field(default_factory=dict)
    refuse_with: Exception | None = None

    def create(self, request: JobRequest) -> JobSnapshot:
        if self.refuse_with is not None:
            raise self.refuse_with
        self.requests.append(request)
        arn = f"arn:aws:bedrock:us-east-1:123456789012:model-customization-job/{request.job_name}"
        return self.jobs.setdefault(
            request.job_name, JobSnapshot(job_name=request.job_name, job_arn=arn, status=JobStatus.IN_PROGRESS)
        )

    def describe(self, job_name: str) -> JobSnapshot:
        if job_name not in self.jobs:
            raise JobNotFound(job_name)
        return self.jobs[job_name]

    def in_progress(self) -> Iterator[JobSnapshot]:
        return iter([job for job in self.jobs.values() if not job.status.terminal])

    def stop(self, job_name: str) -> None:
        self.jobs[job_name] = self.describe(job_name).model_copy(update={"status": JobStatus.STOPPED})


@dataclass
class InMemoryJobRecords:
    records: dict[str, JobRecord] = field(default_factory=dict)

    def save(self, record: JobRecord) -> None:
        self.records[record.job_name] = record

    def get(self, job_name: str) -> JobRecord | None:
        return self.records.get(job_name)

    def watched(self) -> list[JobRecord]:
        return [r for r in self.records.values() if not r.announced_status.terminal]

    def in_channel(self, *, team: str, channel: str, limit: int) -> list[JobRecord]:
        return [r for r in self.records.values() if (r.team, r.channel) == (team, channel)][:limit]

    def by_user(self, *, team: str, user: str, limit: int) -> list[JobRecord]:
        return [r for r in self.records.values() if (r.team, r.user) == (team, user)][:limit]


@dataclass
class InMemoryLocks:
    held: dict[str, str] = field(default_factory=dict)

    def acquire(self, name: str, *, ttl_seconds: float) -> str | None:
        if name in self.held:
            return None
        self.held[name] = token = f"token-{len(self.held)}"
        return token

    def release(self, name: str, token: str) -> None:
        if self.held.get(name) == token:
            del self.held[name]
