"""The Redis keys of deployment records and Try it threads, under a ``Keyspace``'s namespace (beside ``keys``).

A deployment's record, its workspace index and the live set share the ``{deployments}`` hash tag (one cluster
slot), since one transaction writes them; Try it keys are used one at a time and carry no tag.
"""

from __future__ import annotations

from workflows.keys import DEPLOYMENTS_TAG, Keyspace

#: 180 days: a deleted or failed deployment's record is kept this long (for ``deployments`` and ``cost``);
#: live deployments never expire.
DEPLOYMENT_RETENTION_SECONDS = 180 * 24 * 3600
#: Newest entries kept per workspace index; older ones are trimmed on save.
DEPLOYMENT_INDEX_LIMIT = 1000
#: 100 days: a month's per-token charges are kept until well after the month (``/finetune cost`` reads this one).
TOKEN_CHARGES_RETENTION_SECONDS = 100 * 24 * 3600


def deployment_key(keyspace: Keyspace, name: str) -> str:
    """A deployment record's JSON (``DeploymentRecord``), by deployment name."""
    return f"{keyspace.namespace}{DEPLOYMENTS_TAG}deployment:{name}"


def deployments_by_team_key(keyspace: Keyspace, team: str) -> str:
    """Sorted set of a workspace's deployment names, scored by creation time."""
    return f"{keyspace.namespace}{DEPLOYMENTS_TAG}team:{team}"


def live_deployments_key(keyspace: Keyspace) -> str:
    """Set of deployment names neither failed nor deleted: what the tick watches."""
    return f"{keyspace.namespace}{DEPLOYMENTS_TAG}live"


def try_thread_key(keyspace: Keyspace, team: str, channel: str, thread_ts: str) -> str:
    """A Try it thread's JSON (``TryThread``); expires some time after its last question."""
    return f"{keyspace.namespace}try:{team}:{channel}:{thread_ts}"


def try_opening_key(keyspace: Keyspace, team: str, channel: str) -> str:
    """Sorted set of the Try it threads being opened in a channel (opening message in flight), scored by deadline."""
    return f"{keyspace.namespace}try-opening:{team}:{channel}"


def try_question_key(keyspace: Keyspace, team: str, channel: str, ts: str) -> str:
    """A Try it message: "claimed" briefly while it is answered, then "answered" (expires with the thread)."""
    return f"{keyspace.namespace}try-question:{team}:{channel}:{ts}"


def try_history_key(keyspace: Keyspace, team: str, channel: str, thread_ts: str) -> str:
    """List of a Try it thread's recent questions and answers (``TryExchange`` JSON), newest last; expires with it."""
    return f"{keyspace.namespace}try-history:{team}:{channel}:{thread_ts}"


def try_trim_note_key(keyspace: Keyspace, team: str, channel: str, thread_ts: str) -> str:
    """Set once when a Try it thread is told that older turns are left out (expires with the thread)."""
    return f"{keyspace.namespace}try-trimmed:{team}:{channel}:{thread_ts}"


def token_charges_key(keyspace: Keyspace, team: str, month: str) -> str:
    """Hash of a workspace's per-token charges in a month (``2026-11``): calls, tokens and nano-dollars per group."""
    return f"{keyspace.namespace}token-charges:{team}:{month}"
