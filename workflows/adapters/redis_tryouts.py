"""Try it threads in Redis: JSON per thread with an expiry, openings in flight, two-phase question claims, a history."""

from __future__ import annotations

import logging
import time

import redis
from pydantic import ValidationError

from workflows import keys
from workflows.adapters.redis_values import as_text, as_texts
from workflows.deployment_keys import (
    try_history_key,
    try_opening_key,
    try_question_key,
    try_thread_key,
    try_trim_note_key,
)
from workflows.deployments.deployment_record import TryExchange, TryThread

logger = logging.getLogger(__name__)

#: What a question's key holds while a replica answers it, and once it was answered.
CLAIMED, ANSWERED = "claimed", "answered"


class RedisTryThreads:
    """``TryThreads`` on Redis: a thread expires ``ttl_seconds`` after it was last saved."""

    def __init__(self, client: redis.Redis, *, keyspace: keys.Keyspace = keys.DEFAULT) -> None:
        self._client = client
        self._keys = keyspace

    def save(self, thread: TryThread, *, ttl_seconds: int) -> None:
        key = try_thread_key(self._keys, thread.team, thread.channel, thread.thread_ts)
        self._client.set(key, thread.model_dump_json(), ex=ttl_seconds)

    def get(self, *, team: str, channel: str, thread_ts: str) -> TryThread | None:
        """The thread, or None when there is none, it expired, or its JSON cannot be read."""
        raw = as_text(self._client.get(try_thread_key(self._keys, team, channel, thread_ts)))
        if raw is None:
            return None
        try:
            return TryThread.model_validate_json(raw)
        except ValidationError:
            logger.warning("Unreadable Try it thread %s:%s:%s; treating it as closed", team, channel, thread_ts)
            return None

    def begin_opening(self, *, team: str, channel: str, key: str, ttl_seconds: int) -> None:
        """A member of the channel's sorted set scored by its deadline (wall clock); stale members go on the way."""
        openings = try_opening_key(self._keys, team, channel)
        now = time.time()
        pipe = self._client.pipeline(transaction=True)
        pipe.zremrangebyscore(openings, "-inf", now)
        pipe.zadd(openings, {key: now + ttl_seconds})
        pipe.expire(openings, ttl_seconds)
        pipe.execute()

    def end_opening(self, *, team: str, channel: str, key: str) -> None:
        self._client.zrem(try_opening_key(self._keys, team, channel), key)

    def opening(self, *, team: str, channel: str) -> bool:
        """Any member whose deadline has not passed: one whose replica died ends at its deadline."""
        return bool(self._client.zcount(try_opening_key(self._keys, team, channel), f"({time.time()}", "+inf"))

    def claim_question(self, *, team: str, channel: str, ts: str, ttl_seconds: int) -> bool:
        """SET NX EX: of the replicas given the same message exactly one claims it; an expired claim is gone."""
        key = try_question_key(self._keys, team, channel, ts)
        return bool(self._client.set(key, CLAIMED, nx=True, ex=ttl_seconds))

    def question_answered(self, *, team: str, channel: str, ts: str, ttl_seconds: int) -> None:
        self._client.set(try_question_key(self._keys, team, channel, ts), ANSWERED, ex=ttl_seconds)

    def add_exchange(self, thread: TryThread, exchange: TryExchange, *, keep: int, ttl_seconds: int) -> None:
        """RPUSH, LTRIM and EXPIRE in one transaction, so concurrent questions never lose each other's turns."""
        key = try_history_key(self._keys, thread.team, thread.channel, thread.thread_ts)
        pipe = self._client.pipeline(transaction=True)
        pipe.rpush(key, exchange.model_dump_json())
        pipe.ltrim(key, -keep, -1)
        pipe.expire(key, ttl_seconds)
        pipe.execute()

    def exchanges(self, *, team: str, channel: str, thread_ts: str) -> list[TryExchange]:
        """The kept history; an entry that cannot be read is skipped (and logged), not fatal."""
        found: list[TryExchange] = []
        for raw in as_texts(self._client.lrange(try_history_key(self._keys, team, channel, thread_ts), 0, -1)):
            try:
                found.append(TryExchange.model_validate_json(raw))
            except ValidationError:
                logger.warning("Unreadable turn in Try it thread %s:%s:%s; left out", team, channel, thread_ts)
        return found

    def claim_trim_note(self, *, team: str, channel: str, thread_ts: str, ttl_seconds: int) -> bool:
        key = try_trim_note_key(self._keys, team, channel, thread_ts)
        return bool(self._client.set(key, "1", nx=True, ex=ttl_seconds))
