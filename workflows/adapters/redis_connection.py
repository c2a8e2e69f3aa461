"""Connecting to Redis with bounded waits, and the health probe that ``/healthz`` answers with.

Without timeouts a Redis that is down or hung (a paused process, a dead host) holds every caller
for as long as the operating system lets a socket wait. So every client here has a connect and a
socket timeout, and retries only a refused or reset connection (a pooled connection that died
with a restarted server), briefly, never a command that timed out (it may have run).
"""

from __future__ import annotations

import redis
from redis.backoff import ExponentialBackoff, NoBackoff
from redis.retry import Retry

#: Seconds to open a connection; a Redis on the same network answers in milliseconds.
CONNECT_TIMEOUT_SECONDS = 1.0
#: Seconds one command may take; the product's commands take milliseconds, so this only bounds a hang.
COMMAND_TIMEOUT_SECONDS = 3.0
#: How often a refused or reset connection is retried (a new connection each time).
CONNECTION_RETRIES = 2
#: Seconds the health probe waits for connect and for PING; ``/healthz`` must answer within 1 s.
PROBE_TIMEOUT_SECONDS = 0.5


def connect(url: str) -> redis.Redis:
    """A client for ``url``; it connects lazily, on the first command."""
    return redis.Redis.from_url(
        url,
        socket_connect_timeout=CONNECT_TIMEOUT_SECONDS,
        socket_timeout=COMMAND_TIMEOUT_SECONDS,
        retry=Retry(
            ExponentialBackoff(cap=0.2, base=0.05), CONNECTION_RETRIES, supported_errors=(redis.ConnectionError,)
        ),
        health_check_interval=30,
    )


#: Seconds the replay check waits for connect and for its one command before a request goes on without it.
BRIEF_TIMEOUT_SECONDS = 0.5


def connect_briefly(url: str) -> redis.Redis:
    """A client for checks made before Slack's request is acknowledged: short timeouts, no retries."""
    return redis.Redis.from_url(
        url,
        socket_connect_timeout=BRIEF_TIMEOUT_SECONDS,
        socket_timeout=BRIEF_TIMEOUT_SECONDS,
        retry=Retry(NoBackoff(), 0),
    )


class RedisHealth:
    """True when Redis answers PING within ``PROBE_TIMEOUT_SECONDS``; any problem counts as down.

    It has its own client with short timeouts and no retries, so a probe never waits on the
    product's longer command timeout nor on a connection busy with other work.
    """

    def __init__(self, url: str) -> None:
        self._client = redis.Redis.from_url(
            url,
            socket_connect_timeout=PROBE_TIMEOUT_SECONDS,
            socket_timeout=PROBE_TIMEOUT_SECONDS,
            retry=Retry(NoBackoff(), 0),
        )

    def __call__(self) -> bool:
        try:
            return bool(self._client.ping())
        except (redis.RedisError, OSError):
            return False
