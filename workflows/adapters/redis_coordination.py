"""Coordination between replicas in Redis: Slack delivery dedupe, named locks and renewable leases."""

from __future__ import annotations

import secrets

import redis

from workflows import keys

#: Delete the lock only if it still holds our token, so an expired holder never frees a successor's lock.
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
    return redis.call('DEL', KEYS[1])
end
return 0
"""

#: Extend the lock only if it still holds our token: a lease lost to expiry stays lost.
_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
    return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
"""


class RedisEventLog:
    """``EventLog`` on Redis: the first replica to mark a delivery handles it, the rest skip it."""

    def __init__(self, client: redis.Redis, *, ttl_seconds: int = keys.EVENT_TTL_SECONDS) -> None:
        self._client = client
        self._ttl_seconds = ttl_seconds

    def first_delivery(self, event_id: str) -> bool:
        """SET NX is atomic, so a retried or duplicated delivery is seen once across all replicas."""
        return bool(self._client.set(keys.event_key(event_id), 1, nx=True, ex=self._ttl_seconds))


class RedisLocks:
    """``Locks`` on Redis: SET NX PX with a random token, released and renewed only by the holder."""

    def __init__(self, client: redis.Redis) -> None:
        self._client = client
        self._release = client.register_script(_RELEASE)
        self._renew = client.register_script(_RENEW)

    def acquire(self, name: str, *, ttl_seconds: float) -> str | None:
        """The holder's token when the lock was free; the TTL frees it if the holder dies."""
        token = secrets.token_hex(16)
        taken = self._client.set(keys.lock_key(name), token, nx=True, px=_milliseconds(ttl_seconds))
        return token if taken else None

    def release(self, name: str, token: str) -> None:
        """Free the lock if ``token`` still holds it; a lock someone else now holds is left alone."""
        self._release(keys=[keys.lock_key(name)], args=[token])

    def renew(self, name: str, token: str, ttl_seconds: float) -> bool:
        """Extend a held lease to ``ttl_seconds`` from now; False when it expired or changed hands."""
        return bool(self._renew(keys=[keys.lock_key(name)], args=[token, _milliseconds(ttl_seconds)]))


def _milliseconds(seconds: float) -> int:
    """Redis wants a positive whole number of milliseconds."""
    return max(1, round(seconds * 1000))
