"""Connecting to Redis (one server or a Redis Cluster) with bounded waits, and the health probe ``/healthz`` uses.

Without timeouts a Redis that is down or hung (a paused process, a dead host) holds every caller
for as long as the operating system lets a socket wait. So every client here has a connect and a
socket timeout, and retries only a refused or reset connection (a pooled connection that died
with a restarted server), briefly, never a command that timed out (it may have run).

With ``cluster=True`` the client is redis-py's ``RedisCluster``, which learns the slot map from the
node in the URL. It would ask that node as soon as it is built, so it is built on first use instead
(and again after a failure): a bot that starts while its cluster is unreachable starts all the same,
reports Redis down, and recovers when the cluster answers, like a bot on one server.
"""

from __future__ import annotations

import threading
from typing import Any, cast

import redis
from redis.backoff import ExponentialBackoff, NoBackoff
from redis.cluster import RedisCluster
from redis.exceptions import RedisClusterException
from redis.retry import Retry

#: Seconds to open a connection; a Redis on the same network answers in milliseconds.
CONNECT_TIMEOUT_SECONDS = 1.0
#: Seconds one command may take; the product's commands take milliseconds, so this only bounds a hang.
COMMAND_TIMEOUT_SECONDS = 3.0
#: How often a refused or reset connection is retried (a new connection each time).
CONNECTION_RETRIES = 2
#: Seconds the health probe waits for connect and for PING; ``/healthz`` must answer within 1 s.
PROBE_TIMEOUT_SECONDS = 0.5
#: Seconds the replay check waits for connect and for its one command before a request goes on without it.
BRIEF_TIMEOUT_SECONDS = 0.5


class LazyCluster:
    """A ``RedisCluster`` built on first use; failing to reach the cluster raises ``redis.ConnectionError``.

    Every attribute is the cluster client's, so the adapters use it exactly as they use ``redis.Redis``:
    the commands, pipelines (``transaction=True`` with WATCH), scripts and ``Lock`` the product relies on
    behave the same as long as each transaction's keys share a hash slot (``workflows.keys``).
    """

    def __init__(self, url: str, **options: Any) -> None:
        self._url = url
        self._options = options
        self._client: RedisCluster | None = None
        self._building = threading.Lock()

    def cluster(self) -> RedisCluster:
        """The cluster client, built now if it was not yet."""
        with self._building:
            if self._client is None:
                try:
                    self._client = RedisCluster.from_url(self._url, **self._options)
                except RedisClusterException as error:
                    raise redis.ConnectionError(f"Redis Cluster at {_where(self._url)} cannot be reached") from error
            return self._client

    def __getattr__(self, name: str) -> Any:
        return getattr(self.cluster(), name)


def _where(url: str) -> str:
    """The host and port of ``url``, without credentials."""
    return url.rsplit("@", 1)[-1].split("/", 3)[2] if "//" in url else url


def _client(url: str, *, cluster: bool, **options: Any) -> redis.Redis:
    """One server's client or a lazily built cluster client, with the same options."""
    if not cluster:
        return redis.Redis.from_url(url, **options)
    # The adapters type their client as redis.Redis; the cluster client answers the same commands.
    return cast(redis.Redis, LazyCluster(url, **options))


def connect(url: str, *, cluster: bool = False) -> redis.Redis:
    """A client for ``url`` (a cluster's node when ``cluster``); it connects lazily, on the first command."""
    options: dict[str, Any] = {
        "socket_connect_timeout": CONNECT_TIMEOUT_SECONDS,
        "socket_timeout": COMMAND_TIMEOUT_SECONDS,
        "retry": Retry(
            ExponentialBackoff(cap=0.2, base=0.05), CONNECTION_RETRIES, supported_errors=(redis.ConnectionError,)
        ),
    }
    if not cluster:
        options["health_check_interval"] = 30
    return _client(url, cluster=cluster, **options)


def connect_briefly(url: str, *, cluster: bool = False) -> redis.Redis:
    """A client for checks made before Slack's request is acknowledged: short timeouts, no retries."""
    return _client(
        url,
        cluster=cluster,
        socket_connect_timeout=BRIEF_TIMEOUT_SECONDS,
        socket_timeout=BRIEF_TIMEOUT_SECONDS,
        retry=Retry(NoBackoff(), 0),
    )


class RedisHealth:
    """True when Redis answers PING within ``PROBE_TIMEOUT_SECONDS``; any problem counts as down.

    It has its own client with short timeouts and no retries, so a probe never waits on the
    product's longer command timeout nor on a connection busy with other work. On a cluster
    every primary must answer: a slot whose node is gone means some keys cannot be read or written.
    """

    def __init__(self, url: str, *, cluster: bool = False) -> None:
        self._cluster = cluster
        self._client = _client(
            url,
            cluster=cluster,
            socket_connect_timeout=PROBE_TIMEOUT_SECONDS,
            socket_timeout=PROBE_TIMEOUT_SECONDS,
            retry=Retry(NoBackoff(), 0),
        )

    def __call__(self) -> bool:
        try:
            if self._cluster:
                return bool(self._client.ping(target_nodes=RedisCluster.PRIMARIES))
            return bool(self._client.ping())
        except (redis.RedisError, RedisClusterException, OSError):
            return False
