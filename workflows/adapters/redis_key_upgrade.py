"""Moving records written under the key names used before hash tags to today's names, once, on start-up.

Until hash tags were added, a conversation lived at ``finetune:conversation:<id>``, a job at
``finetune:job:<name>`` and so on; they now live under ``finetune:{conversations}:``, ``{jobs}:`` and
``{deployments}:`` (``workflows.keys``). Each old key is copied with DUMP and RESTORE, which keeps its
value, type and time to live and works across cluster slots (a server's keys imported into a cluster
unchanged still have the old names), and is then deleted. When the new name already exists, an index
(set or sorted set) gets the old members it lacks and a record keeps its new value. Safe to run again
and on several replicas at once: a short lock lets one of them work and the others try on a later tick.

The same pass puts job records saved before workspaces had a job index into their workspace's index.
"""

from __future__ import annotations

import logging
import secrets
from typing import cast

import redis
from pydantic import ValidationError

from workflows import keys
from workflows.adapters.redis_values import as_list, as_text, as_texts
from workflows.deployment_keys import deployment_key, deployments_by_team_key, live_deployments_key
from workflows.jobs.job import JobRecord

logger = logging.getLogger(__name__)

#: The lock's name under ``lock:``; it expires if its holder dies mid-way.
LOCK_NAME = "key-upgrade"
LOCK_SECONDS = 120
#: Keys asked for per SCAN step.
SCAN_BATCH = 500


def renames(keyspace: keys.Keyspace) -> list[tuple[str, str]]:
    """Each old name (or prefix, ending in ``:``) with its new one."""
    ns = keyspace.namespace
    return [
        (ns + "conversation:", keyspace.conversation_key("")),
        (ns + "conversations:active:", keyspace.active_conversations_key("", "").removesuffix(":")),
        (ns + "conversations:due", keyspace.due_conversations),
        (ns + "job:", keyspace.job_prefix),
        (ns + "jobs:channel:", keyspace.jobs_by_channel_key("", "").removesuffix(":")),
        (ns + "jobs:user:", keyspace.jobs_by_user_key("", "").removesuffix(":")),
        (ns + "jobs:watched", keyspace.watched_jobs),
        (ns + "deployment:", deployment_key(keyspace, "")),
        (ns + "deployments:team:", deployments_by_team_key(keyspace, "")),
        (ns + "deployments:live", live_deployments_key(keyspace)),
    ]


class LegacyKeyUpgrade:
    """Moves old-named keys to today's names; ``ensure`` does it once per process, when Redis answers."""

    def __init__(self, client: redis.Redis, *, keyspace: keys.Keyspace = keys.DEFAULT) -> None:
        self._client = client
        self._keys = keyspace
        self._done = False

    def ensure(self) -> bool:
        """True once every old key has been moved; False (logged) while Redis does not answer or another
        replica is moving them, so the caller asks again later."""
        if self._done:
            return True
        try:
            moved = self.run()
        except (redis.RedisError, OSError) as error:
            logger.warning("Old Redis key names not checked yet (%s); trying again on the next tick", error)
            return False
        if moved is None:
            return False
        if moved:
            logger.info("Moved %d Redis keys to their hash-tagged names", moved)
        self._done = True
        return True

    def run(self) -> int | None:
        """Move every old key now; the number moved, or None when another replica holds the lock."""
        lock = self._keys.lock_key(LOCK_NAME)
        token = secrets.token_hex(16)
        if not self._client.set(lock, token, nx=True, ex=LOCK_SECONDS):
            return None
        try:
            moved = sum(self._move_all(old, new) for old, new in renames(self._keys))
            indexed = self._index_jobs_by_team()
            if indexed:
                logger.info("Indexed %d job records by their workspace", indexed)
            return moved
        finally:
            if as_text(self._client.get(lock)) == token:
                self._client.delete(lock)

    def _index_jobs_by_team(self) -> int:
        """Put every job record in its workspace's index (``jobs_by_team_key``), which records saved before the index
        existed are missing from; how many were added."""
        added = 0
        names = [
            as_text(key) or "" for key in self._client.scan_iter(match=self._keys.job_prefix + "*", count=SCAN_BATCH)
        ]
        for start in range(0, len(names), SCAN_BATCH):
            batch = names[start : start + SCAN_BATCH]
            for raw in as_list(self._client.mget(batch)):
                record = _job(as_text(raw))
                if record is not None:
                    entry = {record.job_name: record.started_at.timestamp()}
                    added += int(str(self._client.zadd(self._keys.jobs_by_team_key(record.team), entry, nx=True)))
        return added

    def _move_all(self, old: str, new: str) -> int:
        """Move ``old`` (a prefix when it ends in ``:``) to ``new``."""
        if not old.endswith(":"):
            return int(self._move(old, new))
        found = [as_text(key) or "" for key in self._client.scan_iter(match=old + "*", count=SCAN_BATCH)]
        return sum(self._move(key, new + key.removeprefix(old)) for key in found)

    def _move(self, old: str, new: str) -> bool:
        """Copy one key with its time to live, merge it into an existing new one, then delete the old one."""
        dumped = self._client.dump(old)
        if not isinstance(dumped, bytes):
            return False
        ttl = int(str(self._client.pttl(old)))
        try:
            self._client.restore(new, max(ttl, 0), dumped)
        except redis.ResponseError as error:
            if "BUSYKEY" not in str(error):
                raise
            self._merge(old, new)
        self._client.delete(old)
        return True

    def _merge(self, old: str, new: str) -> None:
        """Both names exist: an index keeps its members and gains the old ones; a record keeps its new value."""
        kind = as_text(self._client.type(old))
        if kind == "zset":
            scored = as_list(self._client.zrange(old, 0, -1, withscores=True))
            members = {
                as_text(member) or "": float(score) for member, score in cast(list[tuple[object, float]], scored)
            }
            if members:
                self._client.zadd(new, members, nx=True)
        elif kind == "set":
            names = as_texts(self._client.smembers(old))
            if names:
                self._client.sadd(new, *names)
        else:
            logger.warning("Kept %s and dropped its older copy %s", new, old)


def _job(raw: str | None) -> JobRecord | None:
    """A stored job record, or None when it vanished or cannot be read."""
    if raw is None:
        return None
    try:
        return JobRecord.model_validate_json(raw)
    except ValidationError:
        return None
