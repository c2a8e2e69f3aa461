"""Job records in Redis: JSON per job, newest-first indexes by channel and person, and the watch list."""

from __future__ import annotations

import logging
from collections.abc import Mapping

import redis
from pydantic import ValidationError

from workflows import keys
from workflows.adapters.redis_values import as_list, as_text, as_texts, watch
from workflows.exceptions import ConcurrentUpdate
from workflows.jobs.job import JobRecord, JobStatus

logger = logging.getLogger(__name__)

#: Re-reads allowed when other writes keep landing between our read and our write.
_CAS_ATTEMPTS = 50


class RedisJobRecords:
    """``JobRecords`` on Redis, plus the atomic announcement guard monitoring relies on."""

    def __init__(self, client: redis.Redis, *, keyspace: keys.Keyspace = keys.DEFAULT) -> None:
        self._client = client
        self._keys = keyspace

    def save(self, record: JobRecord) -> None:
        """Write the record and its index entries together; watched until its end is announced."""
        key = self._keys.job_key(record.job_name)
        score = record.started_at.timestamp()
        with self._client.pipeline(transaction=True) as pipe:
            pipe.set(key, record.model_dump_json())
            for index in (
                self._keys.jobs_by_channel_key(record.team, record.channel),
                self._keys.jobs_by_user_key(record.team, record.user),
            ):
                pipe.zadd(index, {record.job_name: score})
                pipe.zremrangebyrank(index, 0, -(keys.JOB_INDEX_LIMIT + 1))
            team_index = self._keys.jobs_by_team_key(record.team)
            pipe.zadd(team_index, {record.job_name: score})
            pipe.zremrangebyscore(team_index, "-inf", f"({score - keys.JOB_RETENTION_SECONDS}")
            if record.announced_status.terminal:
                pipe.srem(self._keys.watched_jobs, record.job_name)
                pipe.expire(key, keys.JOB_RETENTION_SECONDS)
            else:
                pipe.sadd(self._keys.watched_jobs, record.job_name)
            pipe.execute()

    def get(self, job_name: str) -> JobRecord | None:
        """The record, or None when there is none or it cannot be read."""
        return _decode(job_name, as_text(self._client.get(self._keys.job_key(job_name))))

    def watched(self) -> list[JobRecord]:
        """Jobs whose terminal state has not been announced, oldest first; records gone are dropped."""
        names = sorted(as_texts(self._client.smembers(self._keys.watched_jobs)))
        records = self._load(names)
        missing = [name for name in names if name not in records]
        if missing:
            self._client.srem(self._keys.watched_jobs, *missing)
        return sorted(records.values(), key=lambda record: record.started_at)

    def in_channel(self, *, team: str, channel: str, limit: int) -> list[JobRecord]:
        """Jobs started from a channel, newest first."""
        return self._newest(self._keys.jobs_by_channel_key(team, channel), limit)

    def by_user(self, *, team: str, user: str, limit: int) -> list[JobRecord]:
        """Jobs a person started, newest first."""
        return self._newest(self._keys.jobs_by_user_key(team, user), limit)

    def unwatch(self, job_name: str) -> None:
        """Stop watching a job (its end was announced); its record is kept for a retention period."""
        with self._client.pipeline(transaction=True) as pipe:
            pipe.srem(self._keys.watched_jobs, job_name)
            pipe.expire(self._keys.job_key(job_name), keys.JOB_RETENTION_SECONDS)
            pipe.execute()

    def compare_and_set_announcement(
        self,
        job_name: str,
        *,
        expected_status: JobStatus,
        expected_stages: Mapping[str, str],
        new_status: JobStatus,
        new_stages: Mapping[str, str],
    ) -> bool:
        """Record a new announced state if the announced one is still the expected one.

        Exactly one caller gets True for a given transition, however many replicas race, so each
        change is announced once. A write to the record by anyone in between makes us re-read.
        """
        key = self._keys.job_key(job_name)
        with self._client.pipeline(transaction=True) as pipe:
            for _ in range(_CAS_ATTEMPTS):
                try:
                    watch(pipe, key)
                    record = _decode(job_name, as_text(pipe.get(key)))
                    if record is None or not _announced(record, expected_status, expected_stages):
                        return False
                    updated = record.model_copy(
                        update={"announced_status": new_status, "announced_stages": dict(new_stages)}
                    )
                    pipe.multi()
                    pipe.set(key, updated.model_dump_json(), keepttl=True)
                    pipe.execute()
                    return True
                except redis.WatchError:
                    continue
        raise ConcurrentUpdate(f"Job {job_name} kept changing while its status was being announced.")

    def _newest(self, index: str, limit: int) -> list[JobRecord]:
        """The newest ``limit`` records of an index, pruning entries whose records expired."""
        if limit <= 0:
            return []
        while True:
            names = as_texts(self._client.zrevrange(index, 0, limit - 1))
            records = self._load(names)
            missing = [name for name in names if name not in records]
            if not missing:
                return [records[name] for name in names]
            self._client.zrem(index, *missing)

    def _load(self, names: list[str]) -> dict[str, JobRecord]:
        """Readable records by name, in one round trip."""
        if not names:
            return {}
        raws = as_list(self._client.mget([self._keys.job_key(name) for name in names]))
        decoded = ((name, _decode(name, as_text(raw))) for name, raw in zip(names, raws, strict=True))
        return {name: record for name, record in decoded if record is not None}


def _announced(record: JobRecord, status: JobStatus, stages: Mapping[str, str]) -> bool:
    """True when the record's last announcement is exactly ``status`` with ``stages``."""
    return record.announced_status == status and dict(record.announced_stages) == dict(stages)


def _decode(job_name: str, raw: str | None) -> JobRecord | None:
    """Parse a stored record; an unreadable one is logged and treated as absent."""
    if raw is None:
        return None
    try:
        return JobRecord.model_validate_json(raw)
    except ValidationError as exc:
        logger.warning("Ignoring job record %s: invalid (%d errors)", job_name, exc.error_count())
        return None
