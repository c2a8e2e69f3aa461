"""Deployment records in Redis: JSON per deployment, a newest-first index per workspace, and the live set."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

import redis
from pydantic import ValidationError

from workflows import keys
from workflows.adapters.redis_values import as_list, as_text, as_texts, watch
from workflows.deployment_keys import (
    DEPLOYMENT_INDEX_LIMIT,
    DEPLOYMENT_RETENTION_SECONDS,
    deployment_key,
    deployments_by_team_key,
    live_deployments_key,
)
from workflows.deployments.deployment_record import DeploymentRecord, DeploymentStatus, reminder_due
from workflows.exceptions import ConcurrentUpdate

logger = logging.getLogger(__name__)

#: Re-reads allowed when other writes keep landing between our read and our write.
_CAS_ATTEMPTS = 50


class RedisDeployments:
    """``DeploymentStore`` on Redis; status changes and reminders are claimed with WATCH/MULTI."""

    def __init__(self, client: redis.Redis, *, keyspace: keys.Keyspace = keys.DEFAULT) -> None:
        self._client = client
        self._keys = keyspace

    def save(self, record: DeploymentRecord) -> None:
        """Write the record and its index entry together; live until it fails or is deleted."""
        key = deployment_key(self._keys, record.name)
        index = deployments_by_team_key(self._keys, record.team)
        with self._client.pipeline(transaction=True) as pipe:
            pipe.set(key, record.model_dump_json())
            pipe.zadd(index, {record.name: record.created_at.timestamp()})
            pipe.zremrangebyrank(index, 0, -(DEPLOYMENT_INDEX_LIMIT + 1))
            self._mark(pipe, record)
            pipe.execute()

    def get(self, name: str) -> DeploymentRecord | None:
        """The record, or None when there is none or it cannot be read."""
        return _decode(name, as_text(self._client.get(deployment_key(self._keys, name))))

    def live(self) -> list[DeploymentRecord]:
        """Deployments neither failed nor deleted, oldest first; entries whose record is gone are dropped."""
        live = live_deployments_key(self._keys)
        names = sorted(as_texts(self._client.smembers(live)))
        records = self._load(names)
        missing = [name for name in names if name not in records]
        if missing:
            self._client.srem(live, *missing)
        return sorted(records.values(), key=lambda record: record.created_at)

    def in_team(self, team: str) -> list[DeploymentRecord]:
        """A workspace's deployments, newest first; index entries whose record expired are pruned."""
        index = deployments_by_team_key(self._keys, team)
        names = as_texts(self._client.zrevrange(index, 0, -1))
        records = self._load(names)
        missing = [name for name in names if name not in records]
        if missing:
            self._client.zrem(index, *missing)
        return [records[name] for name in names if name in records]

    def compare_and_set_status(
        self, name: str, *, expected: DeploymentStatus, new: DeploymentStatus, at: datetime
    ) -> bool:
        """Exactly one caller gets True per transition; a terminal status leaves the live set."""

        def change(record: DeploymentRecord) -> DeploymentRecord | None:
            if record.status is not expected:
                return None
            update: dict[str, object] = {"status": new}
            if new.ready and record.ready_at is None:
                update["ready_at"] = at
            if new is DeploymentStatus.DELETED and record.deleted_at is None:
                update["deleted_at"] = at
            return record.model_copy(update=update)

        return self._update(name, change)

    def claim_reminder(self, name: str, *, now: datetime, period_seconds: float, claim_seconds: float) -> bool:
        """True for one caller when the last reminder (if any) is a period old and no live claim stands."""

        def change(record: DeploymentRecord) -> DeploymentRecord | None:
            return (
                record.model_copy(update={"reminder_claimed_at": now})
                if reminder_due(record, now=now, period_seconds=period_seconds, claim_seconds=claim_seconds)
                else None
            )

        return self._update(name, change)

    def reminder_posted(self, name: str, *, at: datetime) -> None:
        self._update(name, lambda record: record.model_copy(update={"reminded_at": at, "reminder_claimed_at": None}))

    def release_reminder(self, name: str) -> None:
        self._update(name, lambda record: record.model_copy(update={"reminder_claimed_at": None}))

    def _update(self, name: str, change: Callable[[DeploymentRecord], DeploymentRecord | None]) -> bool:
        """Apply ``change`` to the stored record atomically; False when there is none or ``change`` declines."""
        key = deployment_key(self._keys, name)
        with self._client.pipeline(transaction=True) as pipe:
            for _ in range(_CAS_ATTEMPTS):
                try:
                    watch(pipe, key)
                    record = _decode(name, as_text(pipe.get(key)))
                    updated = None if record is None else change(record)
                    if updated is None:
                        pipe.reset()
                        return False
                    pipe.multi()
                    pipe.set(key, updated.model_dump_json(), keepttl=True)
                    self._mark(pipe, updated)
                    pipe.execute()
                    return True
                except redis.WatchError:
                    continue
        raise ConcurrentUpdate(f"Deployment {name} kept changing while it was being updated.")

    def _mark(self, pipe: redis.client.Pipeline, record: DeploymentRecord) -> None:
        """Live records stay in the live set and never expire; finished ones leave it and expire later."""
        live = live_deployments_key(self._keys)
        key = deployment_key(self._keys, record.name)
        if record.status.terminal:
            pipe.srem(live, record.name)
            pipe.expire(key, DEPLOYMENT_RETENTION_SECONDS)
        else:
            pipe.sadd(live, record.name)
            pipe.persist(key)

    def _load(self, names: list[str]) -> dict[str, DeploymentRecord]:
        """Readable records by name, in one round trip."""
        if not names:
            return {}
        raws = as_list(self._client.mget([deployment_key(self._keys, name) for name in names]))
        decoded = ((name, _decode(name, as_text(raw))) for name, raw in zip(names, raws, strict=True))
        return {name: record for name, record in decoded if record is not None}


def _decode(name: str, raw: str | None) -> DeploymentRecord | None:
    """Parse a stored record; an unreadable one is logged and treated as absent."""
    if raw is None:
        return None
    try:
        return DeploymentRecord.model_validate_json(raw)
    except ValidationError as exc:
        logger.warning("Ignoring deployment record %s: invalid (%d errors)", name, exc.error_count())
        return None
