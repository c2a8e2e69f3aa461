"""Every Redis key the product writes, and how long each lives: the storage layout in one file.

Keys that one transaction writes together share a Redis Cluster hash slot: the part of the name in
braces (``{conversations}``, ``{jobs}``, ``{deployments}``, ``{approvals}``) is all the cluster hashes, so a setup's
record, its channel index and the due set, or a job's record, its indexes and the watch list, are
always on one node. Keys only ever used one at a time (dedupe markers, locks, Try it threads, job
event marks) carry no tag and spread over the cluster.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Prefix of every key, so the product can share a Redis and be inspected with ``SCAN finetune:*``.
#: ``REDIS_KEY_PREFIX`` changes it (the demo on a shared server uses its own); see ``Keyspace``.
NAMESPACE = "finetune:"

#: Hash tags: every key of one family hashes to the same cluster slot (only the text in braces counts).
CONVERSATIONS_TAG = "{conversations}:"
JOBS_TAG = "{jobs}:"
DEPLOYMENTS_TAG = "{deployments}:"
APPROVALS_TAG = "{approvals}:"

# Conversations

#: A conversation's JSON record (``{"schema": N, "conversation": {...}}``), by conversation id
#: (``team:channel:thread_ts``).
CONVERSATION_PREFIX = NAMESPACE + CONVERSATIONS_TAG + "conversation:"
#: Sorted set of a channel's unfinished conversation ids, scored by last save (epoch seconds);
#: suffixed ``team:channel``.
ACTIVE_CONVERSATIONS_PREFIX = NAMESPACE + CONVERSATIONS_TAG + "active:"
#: Sorted set of a person's unfinished conversation ids (for their Home tab), scored by last save (epoch
#: seconds); suffixed ``team:user``. Written with the record, so a setup saved before it existed joins at its next save.
ACTIVE_BY_USER_PREFIX = NAMESPACE + CONVERSATIONS_TAG + "active-user:"
#: Sorted set of conversation ids owed attention (a busy stage's deadline, or messages still to deliver),
#: scored by when (epoch seconds); the scheduled tick re-drives those due.
DUE_CONVERSATIONS = NAMESPACE + CONVERSATIONS_TAG + "due"
#: A week: a conversation left alone this long is forgotten; every save starts the week again.
CONVERSATION_TTL_SECONDS = 7 * 24 * 3600

# Approvals

#: A request for approval's JSON record (``{"schema": N, "request": {...}}``), by request id.
APPROVAL_PREFIX = NAMESPACE + APPROVALS_TAG + "approval:"
#: Sorted set of the requests still owed something (an answer, or the hand-over of one), scored by when
#: they were asked (epoch seconds); the tick sends, expires and settles them.
OPEN_APPROVALS = NAMESPACE + APPROVALS_TAG + "open"
#: Eight days: longer than the longest a request may wait (six days) plus the time to settle it.
APPROVAL_TTL_SECONDS = 8 * 24 * 3600

# Slack deliveries

#: Marker that a Slack event or interaction was handled, by its id (at-most-once processing).
EVENT_PREFIX = NAMESPACE + "event:"
#: An hour: Slack retries a delivery within minutes, so an hour covers every retry with margin.
EVENT_TTL_SECONDS = 3600
#: How long a replica's claim on a delivery it is handling lasts: longer than saving the step an event
#: makes takes (seconds), shorter than Slack's retry spacing (a minute, then five), so the retry of an
#: event whose replica died is acted on. A conversation remembers the deliveries it applied, so a retry
#: that takes over a claim whose live handler is still at work (a dataset check) never acts twice.
EVENT_CLAIM_SECONDS = 30

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
#: ``budget-notice:<team>:<channel>:<YYYY-MM>:<percent>`` (40 days) marks a budget notice as sent;
#: ``budget-watch`` (15 minutes) spaces the tick's budget checks.

# Customization jobs

#: A job record's JSON (``workflows.jobs.job.JobRecord``), by Bedrock job name.
JOB_PREFIX = NAMESPACE + JOBS_TAG + "job:"
#: Sorted set of job names started from a channel, scored by start time; suffixed ``team:channel``.
JOBS_BY_CHANNEL_PREFIX = NAMESPACE + JOBS_TAG + "channel:"
#: Sorted set of job names a person started, scored by start time; suffixed ``team:user``.
JOBS_BY_USER_PREFIX = NAMESPACE + JOBS_TAG + "user:"
#: Sorted set of a workspace's job names, scored by start time, for ``/finetune cost`` and the budgets; suffixed
#: ``<team scope>``. Entries older than the retention are dropped on save; records written before it existed are
#: indexed at start (``redis_key_upgrade``).
JOBS_BY_TEAM_PREFIX = NAMESPACE + JOBS_TAG + "team:"
#: Set of job names whose terminal state has not been announced yet: what monitoring polls.
WATCHED_JOBS = NAMESPACE + JOBS_TAG + "watched"
#: 180 days: a job record is kept (for ``list`` and ``cost``) this long after it stops being watched;
#: watched jobs never expire.
JOB_RETENTION_SECONDS = 180 * 24 * 3600
#: Newest entries kept per channel or per person index; older ones are trimmed on save.
JOB_INDEX_LIMIT = 1000

# Governance

#: The audit log: streams of decisions (``workflows.governance.audit_entry``), trimmed on every append to
#: entries newer than ``FINETUNE_AUDIT_RETENTION_DAYS`` (MINID, approximately: whole stream nodes at a time). A
#: team's decisions go to its own stream, suffixed ``:<team scope>``; this one, unsuffixed, holds those of no team
#: (policy reloads) and the entries written before teams had their own (each still names its team).
AUDIT_STREAM = NAMESPACE + "audit"
#: Set of the team scopes that have an audit stream, so an export finds every one.
AUDIT_TEAMS = NAMESPACE + "audit-teams"
#: 400 days by default: a year and a month, so last year's same month is still there to compare.
AUDIT_RETENTION_DAYS = 400


# Job events (EventBridge through SQS)

#: Marker that a job state-change event was handled, by its EventBridge id; suffixed ``<event id>``.
JOB_EVENT_PREFIX = NAMESPACE + "job-event:"
#: A day: EventBridge retries a delivery for up to 24 hours, and a duplicate comes within that.
JOB_EVENT_TTL_SECONDS = 24 * 3600
#: Hash of the newest state change applied to a job from an event (``current``) and the one before it
#: (``previous``), as epoch milliseconds of ``lastModifiedTime``; suffixed ``<job name>``.
JOB_CHANGED_PREFIX = NAMESPACE + "job-changed:"
#: 30 days after the last event: longer than a customization job runs.
JOB_CHANGED_TTL_SECONDS = 30 * 24 * 3600

# Workspaces (OAuth mode)

#: An installation of the app (``slack_sdk``'s ``Installation`` or ``Bot`` as JSON); suffixed
#: ``installation:<owner>`` or ``bot:<owner>``, where the owner is ``team:<team id>`` for a workspace install and
#: ``org:<enterprise id>`` for an org-wide one. Kept until the app is uninstalled or its tokens are revoked.
INSTALLATION_PREFIX = NAMESPACE + "install:"
#: An OAuth ``state`` issued by ``/slack/install``, deleted by the callback that uses it; suffixed ``<state>``.
OAUTH_STATE_PREFIX = NAMESPACE + "oauth-state:"
#: Ten minutes, as Bolt's default: long enough to pick a workspace and approve, short enough to make a state
#: lifted from a browser's history useless.
OAUTH_STATE_TTL_SECONDS = 600


@dataclass(frozen=True)
class Keyspace:
    """Every key under one namespace; the module-level names below are the default ``finetune:`` one.

    Two deployments sharing a Redis with different namespaces never see each other's conversations,
    jobs, dedupe markers or locks, the scheduler lease included.
    """

    namespace: str = NAMESPACE

    @property
    def job_prefix(self) -> str:
        """Prefix of every job record key, for SCAN."""
        return self.namespace + JOBS_TAG + "job:"

    @property
    def due_conversations(self) -> str:
        """The sorted set of conversations owed attention, by when."""
        return self.namespace + CONVERSATIONS_TAG + "due"

    @property
    def open_approvals(self) -> str:
        """The sorted set of requests for approval still owed something."""
        return self.namespace + APPROVALS_TAG + "open"

    def approval_key(self, request_id: str) -> str:
        """The record key of a request for approval."""
        return f"{self.namespace}{APPROVALS_TAG}approval:{request_id}"

    @property
    def watched_jobs(self) -> str:
        """The set of jobs monitoring polls."""
        return self.namespace + JOBS_TAG + "watched"

    @property
    def audit_stream(self) -> str:
        """The audit log's stream of entries that belong to no team (and of those from before teams had their own)."""
        return self.namespace + "audit"

    @property
    def audit_teams(self) -> str:
        """The set of teams with an audit stream."""
        return self.namespace + "audit-teams"

    def team_audit_stream(self, team: str) -> str:
        """A team's audit stream."""
        return f"{self.namespace}audit:{team}"

    def conversation_key(self, conversation_id: str) -> str:
        """The record key of a conversation."""
        return f"{self.namespace}{CONVERSATIONS_TAG}conversation:{conversation_id}"

    def active_conversations_key(self, team: str, channel: str) -> str:
        """The index of a channel's unfinished conversations."""
        return f"{self.namespace}{CONVERSATIONS_TAG}active:{team}:{channel}"

    def active_by_user_key(self, team: str, user: str) -> str:
        """The index of a person's unfinished conversations."""
        return f"{self.namespace}{CONVERSATIONS_TAG}active-user:{team}:{user}"

    def event_key(self, event_id: str) -> str:
        """The dedupe marker of one Slack delivery."""
        return f"{self.namespace}event:{event_id}"

    def request_key(self, timestamp: str, signature: str) -> str:
        """The replay marker of one signed HTTP request."""
        return f"{self.namespace}request:{timestamp}:{signature}"

    def lock_key(self, name: str) -> str:
        """The key behind a named lock."""
        return f"{self.namespace}lock:{name}"

    def job_event_key(self, event_id: str) -> str:
        """The marker of one handled job state-change event."""
        return f"{self.namespace}job-event:{event_id}"

    def job_changed_key(self, job_name: str) -> str:
        """The newest state change applied to a job from an event."""
        return f"{self.namespace}job-changed:{job_name}"

    def installation_key(self, name: str) -> str:
        """An installation's document (OAuth mode)."""
        return f"{self.namespace}install:{name}"

    def oauth_state_key(self, state: str) -> str:
        """An OAuth state good for one callback."""
        return f"{self.namespace}oauth-state:{state}"

    def job_key(self, job_name: str) -> str:
        """The record key of a customization job."""
        return self.job_prefix + job_name

    def jobs_by_channel_key(self, team: str, channel: str) -> str:
        """The index of jobs started from a channel."""
        return f"{self.namespace}{JOBS_TAG}channel:{team}:{channel}"

    def jobs_by_team_key(self, team: str) -> str:
        """The index of a workspace's jobs."""
        return f"{self.namespace}{JOBS_TAG}team:{team}"

    def jobs_by_user_key(self, team: str, user: str) -> str:
        """The index of jobs a person started."""
        return f"{self.namespace}{JOBS_TAG}user:{team}:{user}"


#: The product's own keyspace (``finetune:``).
DEFAULT = Keyspace()
conversation_key = DEFAULT.conversation_key
active_conversations_key = DEFAULT.active_conversations_key
event_key = DEFAULT.event_key
request_key = DEFAULT.request_key
lock_key = DEFAULT.lock_key
job_key = DEFAULT.job_key
jobs_by_channel_key = DEFAULT.jobs_by_channel_key
jobs_by_user_key = DEFAULT.jobs_by_user_key
