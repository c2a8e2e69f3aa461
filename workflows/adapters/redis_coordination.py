"""Coordination between replicas in Redis: Slack delivery dedupe, replay markers, named locks and leases."""

from __future__ import annotations

import secrets

import redis
from redis.exceptions import LockNotOwnedError
from redis.lock import Lock

from workflows import keys
from workflows.exceptions import StorageUnavailable

#: Redis expires keys in whole milliseconds; a shorter TTL would mean "never expire" to ``Lock``.
_SHORTEST_TTL_SECONDS = 0.001
#: What a delivery's key holds while a replica handles it, and once it was handled.
CLAIMED, HANDLED = "claimed", "handled"


class RedisEventLog:
    """``EventLog`` on Redis: one key per delivery, "claimed" with a short TTL, then "handled" with a long one.

    SET NX is atomic, so of the replicas given the same event at once exactly one claims it. A claim
    outlives saving the step the event makes (``claim_seconds``) yet expires before Slack's next retry
    (a minute, then five), so a retry of an event whose replica died handling it is acted on.
    """

    def __init__(
        self,
        client: redis.Redis,
        *,
        ttl_seconds: int = keys.EVENT_TTL_SECONDS,
        claim_seconds: int = keys.EVENT_CLAIM_SECONDS,
        keyspace: keys.Keyspace = keys.DEFAULT,
    ) -> None:
        self._client = client
        self._ttl_seconds = ttl_seconds
        self._claim_seconds = claim_seconds
        self._keys = keyspace

    def claim(self, event_id: str) -> bool:
        """Claim a delivery nobody handled or is handling; an expired claim is gone, so it is taken over."""
        return bool(self._client.set(self._keys.event_key(event_id), CLAIMED, nx=True, ex=self._claim_seconds))

    def handled(self, event_id: str) -> None:
        """Keep the delivery's key for the retention window, so every later retry is dropped."""
        self._client.set(self._keys.event_key(event_id), HANDLED, ex=self._ttl_seconds)


class RedisRequestLog:
    """``RequestLog`` on Redis: SET NX EX per signed request, shared by every replica.

    It is asked before every request is acknowledged, so give it a client with short timeouts
    (``redis_connection.connect_briefly``): a hung Redis must not use up Slack's 3 seconds.
    """

    def __init__(
        self,
        client: redis.Redis,
        *,
        ttl_seconds: int = keys.REQUEST_TTL_SECONDS,
        keyspace: keys.Keyspace = keys.DEFAULT,
    ) -> None:
        self._client = client
        self._ttl_seconds = ttl_seconds
        self._keys = keyspace

    def claim(self, timestamp: str, signature: str) -> bool:
        """Atomic, so two replicas given the same bytes at once let exactly one of them act."""
        try:
            return bool(
                self._client.set(self._keys.request_key(timestamp, signature), 1, nx=True, ex=self._ttl_seconds)
            )
        except (redis.RedisError, OSError) as error:
            raise StorageUnavailable() from error

    def release(self, timestamp: str, signature: str) -> None:
        try:
            self._client.delete(self._keys.request_key(timestamp, signature))
        except (redis.RedisError, OSError) as error:
            raise StorageUnavailable() from error


class RedisLocks:
    """``Locks`` on Redis with redis-py's ``Lock``: a random token per holder, freed and renewed only by it.

    ``Lock`` does SET NX PX to take a lock and Lua scripts that compare the token to free or extend it,
    so a holder whose lock expired never frees or extends a successor's lock.
    """

    def __init__(self, client: redis.Redis, *, keyspace: keys.Keyspace = keys.DEFAULT) -> None:
        self._client = client
        self._keys = keyspace

    def acquire(self, name: str, *, ttl_seconds: float) -> str | None:
        """The holder's token when the lock was free; the TTL frees it if the holder dies."""
        token = secrets.token_hex(16)
        taken = self._lock(name, ttl_seconds).acquire(blocking=False, token=token)
        return token if taken else None

    def release(self, name: str, token: str) -> None:
        """Free the lock if ``token`` still holds it; a lock someone else now holds is left alone."""
        try:
            self._held(name, token, _SHORTEST_TTL_SECONDS).release()
        except LockNotOwnedError:
            return

    def renew(self, name: str, token: str, ttl_seconds: float) -> bool:
        """Extend a held lease to ``ttl_seconds`` from now; False when it expired or changed hands."""
        try:
            return bool(self._held(name, token, ttl_seconds).reacquire())
        except LockNotOwnedError:
            return False

    def _lock(self, name: str, ttl_seconds: float) -> Lock:
        """A non-blocking ``Lock`` on the named key; the token lives on the object, not in a thread."""
        timeout = max(_SHORTEST_TTL_SECONDS, ttl_seconds)
        return Lock(self._client, self._keys.lock_key(name), timeout=timeout, blocking=False, thread_local=False)

    def _held(self, name: str, token: str, ttl_seconds: float) -> Lock:
        """The ``Lock`` as its holder sees it: carrying the token ``acquire`` handed out."""
        lock = self._lock(name, ttl_seconds)
        lock.local.token = token.encode()
        return lock
