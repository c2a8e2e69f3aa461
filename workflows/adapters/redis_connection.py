"""Connecting to Redis, and the health probe that ``/healthz`` answers with."""

from __future__ import annotations

import redis

#: Seconds to wait for Redis before calling it down; /healthz must answer quickly.
CONNECT_TIMEOUT_SECONDS = 2.0
#: Seconds a single command may take.
COMMAND_TIMEOUT_SECONDS = 5.0


def connect(url: str) -> redis.Redis:
    """A client for ``url``; it connects lazily, on the first command."""
    return redis.Redis.from_url(
        url,
        socket_connect_timeout=CONNECT_TIMEOUT_SECONDS,
        socket_timeout=COMMAND_TIMEOUT_SECONDS,
        health_check_interval=30,
    )


class RedisHealth:
    """True when Redis answers PING; any connection problem counts as down."""

    def __init__(self, client: redis.Redis) -> None:
        self._client = client

    def __call__(self) -> bool:
        try:
            return bool(self._client.ping())
        except (redis.RedisError, OSError):
            return False
