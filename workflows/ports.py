"""The ports: small protocols the domain calls, implemented by adapters (Redis, AWS, Slack) and fakes."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Protocol

from workflows.jobs.job import JobRecord, JobRequest, JobSnapshot
from workflows.messages import Attachment, Message
from workflows.setup.events import SlackFile
from workflows.setup.model import Conversation


@dataclass(frozen=True, slots=True)
class StoredObject:
    """An S3 object the product checked: where it is, how big, in which region."""

    uri: str
    size: int
    region: str


@dataclass(frozen=True, slots=True)
class TokenCharge:
    """What a model's answers in Try it or Compare with base cost, by who asked, where, and which model.

    The calls of one person in one channel to one model add up into one charge. ``amount`` is None when
    the model's per-token price is unknown: such tokens are counted as unknown, never as $0.
    """

    channel: str
    person: str
    #: The model asked, as people read it: an on-demand deployment's name, or a base model's catalogue id.
    model: str
    #: True for a custom model's on-demand deployment, whose CloudWatch metrics count these tokens too.
    deployment: bool
    calls: int
    input_tokens: int
    output_tokens: int
    amount: Decimal | None


class TokenCharges(Protocol):
    """The per-token charges of the answers the bot asked for, per workspace and month (``2026-11``)."""

    def add(self, *, team: str, month: str, charge: TokenCharge) -> None:
        """Add ``charge`` to the month's charges of the same person, channel, model and pricing."""
        ...

    def in_month(self, *, team: str, month: str) -> list[TokenCharge]:
        """The month's charges, one per person, channel, model and pricing (known or unknown)."""
        ...


@dataclass(frozen=True, slots=True)
class QueuedMessage:
    """One message taken from a queue: its text, and the handle that deletes it (valid while it is hidden)."""

    message_id: str
    body: str
    receipt: str
    #: How many times the queue has handed this message out, this time included.
    receive_count: int = 1


class Clock(Protocol):
    """The time, injectable so tests and the demo can compress it."""

    def now(self) -> datetime: ...


class EventLog(Protocol):
    """Remembers which Slack deliveries are being handled or were handled, so each acts once.

    A delivery is claimed before it is handled and marked handled after; a claim whose handler died
    with its replica expires, so Slack's next retry of that event is acted on.
    """

    def claim(self, event_id: str) -> bool:
        """True when ``event_id`` is neither handled nor claimed by a live handler (now claimed), False after."""
        ...

    def handled(self, event_id: str) -> None:
        """Remember ``event_id`` as handled for the retention window."""
        ...


class RequestLog(Protocol):
    """Remembers which signed requests were acted on, so a replayed one acts at most once."""

    def claim(self, timestamp: str, signature: str) -> bool:
        """True for the first claim of this signed request within the replay window, False after;
        raises ``StorageUnavailable`` when the store does not answer."""
        ...

    def release(self, timestamp: str, signature: str) -> None:
        """Forget a claim whose request failed, so Slack's retry of it can act; may raise ``StorageUnavailable``."""
        ...


class Locks(Protocol):
    """Short-lived named locks shared by every replica."""

    def acquire(self, name: str, *, ttl_seconds: float) -> str | None:
        """A token when the lock was free (now held until released or ``ttl_seconds`` pass)."""
        ...

    def release(self, name: str, token: str) -> None:
        """Release a lock held with ``token``; a lock taken over by someone else is left alone."""
        ...


class CustomizationJobs(Protocol):
    """Bedrock's model-customization API, in the product's terms."""

    def create(self, request: JobRequest) -> JobSnapshot:
        """Create the job, or return the existing one when this request already created it."""
        ...

    def describe(self, job_name: str) -> JobSnapshot:
        """The job's current state; raises ``JobNotFound``."""
        ...

    def in_progress(self) -> Iterator[JobSnapshot]:
        """Every job Bedrock lists as InProgress or Stopping, page by page."""
        ...

    def stop(self, job_name: str) -> None:
        """Ask Bedrock to stop the job; raises ``JobNotFound`` or ``JobNotStoppable``."""
        ...


class DatasetStorage(Protocol):
    """S3, for datasets and job output."""

    def inspect(self, uri: str) -> StoredObject:
        """Check an ``s3://`` object exists, is a file and is readable; raises ``DatasetUnavailable``."""
        ...

    def download(self, uri: str, destination: Path, *, max_bytes: int) -> None:
        """Stream the object to ``destination``; raises ``DatasetTooLarge`` past ``max_bytes``."""
        ...

    def upload(self, source: Path, *, key: str) -> str:
        """Upload ``source`` to the product's bucket under ``key`` (multipart when large); its URI."""
        ...

    def list_uris(self, prefix_uri: str) -> list[str]:
        """Every object URI under an ``s3://bucket/prefix/``."""
        ...

    def read_text(self, uri: str, *, max_bytes: int) -> str:
        """A small text object, such as a metrics CSV."""
        ...


class JobRecords(Protocol):
    """The jobs the product started and watches, kept in Redis."""

    def save(self, record: JobRecord) -> None: ...

    def get(self, job_name: str) -> JobRecord | None: ...

    def watched(self) -> list[JobRecord]:
        """Jobs whose terminal state has not been announced yet."""
        ...

    def in_channel(self, *, team: str, channel: str, limit: int) -> list[JobRecord]:
        """Jobs started from a channel, newest first."""
        ...

    def by_user(self, *, team: str, user: str, limit: int) -> list[JobRecord]:
        """Jobs a person started, newest first."""
        ...


class ConversationStore(Protocol):
    """Conversations, shared by every replica, written with optimistic concurrency."""

    def load(self, conversation_id: str) -> Conversation | None:
        """The conversation, or None when there is none (or it expired)."""
        ...

    def save(self, conversation: Conversation) -> Conversation:
        """Store it if the stored version still equals ``conversation.version`` (0: must not exist).

        Returns the stored copy with ``version`` incremented; raises ``ConcurrentUpdate`` when
        someone else saved first. Finished conversations are kept for a while, then expire.
        """
        ...

    def active_in_channel(self, *, team: str, channel: str) -> list[str]:
        """Ids of the unfinished conversations in a channel."""
        ...

    def active_for_user(self, *, team: str, user: str) -> list[str]:
        """Ids of a person's unfinished conversations in a workspace, most recently saved first."""
        ...

    def due(self, now: datetime, *, limit: int = 100) -> list[str]:
        """Ids of conversations owed attention by ``now``: a busy deadline passed or messages still pending."""
        ...


class Notifier(Protocol):
    """Posting to Slack: messages in channels and threads, edits, private notes and files.

    Every method raises ``MessageGone`` when the channel, thread or message no longer exists.
    """

    def post(self, *, channel: str, message: Message, thread_ts: str | None = None) -> str:
        """Post ``message``; returns its ``ts`` (the id to edit it or to thread under it)."""
        ...

    def update(self, *, channel: str, ts: str, message: Message) -> None:
        """Replace an earlier message's content."""
        ...

    def delete(self, *, channel: str, ts: str) -> None:
        """Remove one of the bot's own messages."""
        ...

    def whisper(self, *, channel: str, user: str, text: str, thread_ts: str | None = None) -> None:
        """An ephemeral note only ``user`` sees."""
        ...

    def attach(self, *, channel: str, attachment: Attachment, thread_ts: str | None = None) -> None:
        """Upload a file into the channel or thread."""
        ...


class HomeRefresh(Protocol):
    """The Home tabs of the people whose setups, jobs, deployments or spend changed (``workflows.home``)."""

    def changed(self, *, team: str, user: str) -> None:
        """Something of ``user``'s changed: their Home tab is published again soon. Never raises: a Home tab
        that cannot be published is logged, and the change that asked for it goes on."""
        ...


class KeyedPosts(Protocol):
    """Posts that can be found again by a key, so a post re-driven after a failure or a crash is not doubled."""

    def post_keyed(self, *, channel: str, message: Message, key: str, thread_ts: str | None = None) -> str:
        """Post ``message`` tagged with ``key``; its ``ts``."""
        ...

    def find_posted(self, *, channel: str, key: str, thread_ts: str | None = None) -> str | None:
        """The ``ts`` of the bot's message tagged with ``key`` in the thread (or the channel's recent history)."""
        ...


class KeyedNotifier(Notifier, KeyedPosts, Protocol):
    """A notifier whose posts can be found again (``SlackNotifier`` is one)."""


class SlackFiles(Protocol):
    """Downloading what people attach in Slack."""

    def download(self, file: SlackFile, destination: Path, *, max_bytes: int) -> None:
        """Stream the file to ``destination``; raises ``DatasetTooLarge`` past ``max_bytes`` and
        ``DatasetUnavailable`` when Slack will not serve it (or the download is cut off). After a
        failure nothing is left at ``destination``: no partial file, and no earlier one."""
        ...


class MessageQueue(Protocol):
    """A queue whose messages are handed to one consumer at a time and come back unless deleted (SQS)."""

    def receive(self) -> list[QueuedMessage]:
        """Wait a little for messages (a long poll); those returned are hidden from others for a while."""
        ...

    def delete(self, message: QueuedMessage) -> None:
        """Remove a handled message for good."""
        ...


@dataclass(frozen=True, slots=True)
class GraderReply:
    """What a Lambda answered: its JSON result, or the error it raised (``errorType: errorMessage``)."""

    payload: object = None
    error: str | None = None


class GraderFunctions(Protocol):
    """AWS Lambda, for the grader of a reinforcement fine-tuning job."""

    def find(self, arn: str) -> None:
        """Check the function exists and may be looked up; raises ``GraderUnavailable`` saying why not."""
        ...

    def invoke(self, arn: str, payload: object) -> GraderReply:
        """Call the function synchronously with ``payload`` as JSON; raises ``GraderUnavailable`` when it cannot."""
        ...

    def resource_policy(self, arn: str) -> Lookup:
        """The function's resource-based policy as AWS returned it (``found=False``: it has none)."""
        ...


@dataclass(frozen=True, slots=True)
class Lookup:
    """An answer from AWS about permissions: a document or decision, or why the bot could not ask.

    ``unknown`` is set when the lookup itself was refused or failed (then the rest means nothing).
    """

    found: bool = False
    #: The resource policy (JSON text, untrusted) or the simulation's decision.
    value: str = ""
    #: Simulation only: the ids of the policies whose statements decided it.
    sources: tuple[str, ...] = ()
    unknown: str | None = None


class RolePolicies(Protocol):
    """IAM's policy simulator, for what the job's service role may do."""

    def simulate(self, role_arn: str, action: str, resource: str) -> Lookup:
        """``found=False``: the role does not exist; else ``value`` is allowed, implicitDeny or explicitDeny."""
        ...


class Installations(Protocol):
    """Where the app's installations in workspaces are kept (OAuth mode): one JSON document per name."""

    def put(self, name: str, document: str) -> None:
        """Keep ``document`` under ``name``, replacing any earlier one."""
        ...

    def get(self, name: str) -> str | None:
        """The document kept under ``name``, or None."""
        ...

    def delete(self, name: str) -> None:
        """Forget ``name`` (nothing happens when it is not kept)."""
        ...


class OAuthStates(Protocol):
    """The ``state`` values of OAuth installs under way: each is good for one callback, until it expires."""

    def issue(self, state: str, *, ttl_seconds: int) -> None:
        """Remember ``state`` for ``ttl_seconds``."""
        ...

    def consume(self, state: str) -> bool:
        """True exactly once for a state that was issued and has not expired; False for any other."""
        ...


@dataclass(frozen=True, slots=True)
class LoggingSetup:
    """Model invocation logging in the job's region as Bedrock reports it, or why the bot could not ask.

    ``s3_bucket`` is None when logs are not delivered to S3 (logging off, or CloudWatch Logs only).
    """

    s3_bucket: str | None = None
    s3_prefix: str = ""
    #: ``textDataDeliveryEnabled``: the prompts and responses as text, what distillation reads.
    text_delivery: bool = False
    #: Whether logs go to CloudWatch Logs (which a distillation job cannot read).
    cloudwatch: bool = False
    #: Set when the question itself was refused or failed (then the rest means nothing).
    unknown: str | None = None


class InvocationLogging(Protocol):
    """Bedrock's model invocation logging settings, for distillation from invocation logs."""

    def setup(self) -> LoggingSetup:
        """The region's logging configuration; never raises (a failure is ``LoggingSetup.unknown``)."""
        ...
