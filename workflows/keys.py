"""Every Redis key the product writes, and how long each lives: the storage layout in one file."""

from __future__ import annotations

#: Prefix of every key, so the product can share a Redis and be inspected with ``SCAN finetune:*``.
NAMESPACE = "finetune:"

# Conversations

#: A conversation's JSON record (``{"schema": N, "conversation": {...}}``), by conversation id
#: (``team:channel:thread_ts``).
CONVERSATION_PREFIX = NAMESPACE + "conversation:"
#: Sorted set of a channel's unfinished conversation ids, scored by last save (epoch seconds);
#: suffixed ``team:channel``.
ACTIVE_CONVERSATIONS_PREFIX = NAMESPACE + "conversations:active:"
#: Sorted set of conversation ids owed attention (a busy stage's deadline, or messages still to deliver),
#: scored by when (epoch seconds); the scheduled tick re-drives those due.
DUE_CONVERSATIONS = NAMESPACE + "conversations:due"
#: A week: a conversation left alone this long is forgotten; every save starts the week again.
CONVERSATION_TTL_SECONDS = 7 * 24 * 3600

# Slack deliveries

#: Marker that a Slack event or interaction was handled, by its id (at-most-once processing).
EVENT_PREFIX = NAMESPACE + "event:"
#: An hour: Slack retries a delivery within minutes, so an hour covers every retry with margin.
EVENT_TTL_SECONDS = 3600

#: A signed HTTP request already acted on, by its timestamp and signature (replay protection).
REQUEST_PREFIX = NAMESPACE + "request:"
#: Eleven minutes: Slack's timestamp is accepted up to five minutes either side of now, so a signed
#: request can be presented for at most ten minutes; one more is margin for clock skew.
REQUEST_TTL_SECONDS = 11 * 60

# Locks and leases

#: A named lock or lease; the value is the holder's random token, the expiry is the caller's TTL.
LOCK_PREFIX = NAMESPACE + "lock:"
#: The lock name of the lease that lets exactly one replica run the scheduled monitoring.
SCHEDULER_LEASE = "scheduler"
#: Lock names ``monitor:update:<job>`` (expiring) mark a running job's periodic update as not due yet;
#: ``launch:<conversation id>`` serializes a conversation's Start across replicas; ``outbox:<conversation id>``
#: lets one worker at a time deliver a conversation's pending messages.

# Customization jobs

#: A job record's JSON (``workflows.jobs.JobRecord``), by Bedrock job name.
JOB_PREFIX = NAMESPACE + "job:"
#: Sorted set of job names started from a channel, scored by start time; suffixed ``team:channel``.
JOBS_BY_CHANNEL_PREFIX = NAMESPACE + "jobs:channel:"
#: Sorted set of job names a person started, scored by start time; suffixed ``team:user``.
JOBS_BY_USER_PREFIX = NAMESPACE + "jobs:user:"
#: Set of job names whose terminal state has not been announced yet: what monitoring polls.
WATCHED_JOBS = NAMESPACE + "jobs:watched"
#: 180 days: a job record is kept (for ``list`` and ``cost``) this long after it stops being watched;
#: watched jobs never expire.
JOB_RETENTION_SECONDS = 180 * 24 * 3600
#: Newest entries kept per channel or per person index; older ones are trimmed on save.
JOB_INDEX_LIMIT = 1000


def conversation_key(conversation_id: str) -> str:
    """The record key of a conversation."""
    return CONVERSATION_PREFIX + conversation_id


def active_conversations_key(team: str, channel: str) -> str:
    """The index of a channel's unfinished conversations."""
    return f"{ACTIVE_CONVERSATIONS_PREFIX}{team}:{channel}"


def event_key(event_id: str) -> str:
    """The dedupe marker of one Slack delivery."""
    return EVENT_PREFIX + event_id


def request_key(timestamp: str, signature: str) -> str:
    """The replay marker of one signed HTTP request."""
    return f"{REQUEST_PREFIX}{timestamp}:{signature}"


def lock_key(name: str) -> str:
    """The key behind a named lock."""
    return LOCK_PREFIX + name


def job_key(job_name: str) -> str:
    """The record key of a customization job."""
    return JOB_PREFIX + job_name


def jobs_by_channel_key(team: str, channel: str) -> str:
    """The index of jobs started from a channel."""
    return f"{JOBS_BY_CHANNEL_PREFIX}{team}:{channel}"


def jobs_by_user_key(team: str, user: str) -> str:
    """The index of jobs a person started."""
    return f"{JOBS_BY_USER_PREFIX}{team}:{user}"
