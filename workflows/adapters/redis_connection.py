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

import functools
import threading
from typing import Any, cast

import redis
from redis.backoff import ExponentialBackoff, NoBackoff
from redis.cluster import ClusterPipeline, RedisCluster
from redis.commands.core import Script
from redis.exceptions import RedisClusterException, SlotNotCoveredError
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
    """A ``RedisCluster`` built on first use, whose "cannot reach the cluster" errors are ``redis.ConnectionError``.

    Every attribute is the cluster client's, so the adapters use it exactly as they use ``redis.Redis``:
    the commands, pipelines (``transaction=True`` with WATCH), scripts and ``Lock`` the product relies on
    behave the same as long as each transaction's keys share a hash slot (``workflows.keys``). redis-py
    reports a cluster it cannot reach at all with ``RedisClusterException``, which is not a ``RedisError``;
    it is raised as ``redis.ConnectionError`` here so the outage handling sees what it sees on one server.
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

    def register_script(self, script: str) -> Script:
        """A script run on this client when called; making one (as ``Lock`` does) connects to nothing, which
        is why its text is given as UTF-8 bytes (as text, ``Script`` would ask the client for its encoder)."""
        return Script(cast(redis.Redis, self), script.encode("utf-8"))

    def __getattr__(self, name: str) -> Any:
        return _unreachable_as_connection_error(getattr(self.cluster(), name))


class _Pipeline:
    """A cluster pipeline whose "cannot reach the cluster" errors are ``redis.ConnectionError``."""

    def __init__(self, pipeline: ClusterPipeline) -> None:
        self._pipeline = pipeline

    def __enter__(self) -> _Pipeline:
        self._pipeline.__enter__()  # type: ignore[no-untyped-call]
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._pipeline.__exit__(*exc_info)  # type: ignore[no-untyped-call]

    def __getattr__(self, name: str) -> Any:
        return _unreachable_as_connection_error(getattr(self._pipeline, name))


def _unreachable_as_connection_error(value: Any) -> Any:
    """``value``; a method of it raises ``redis.ConnectionError`` where redis-py says the cluster is unreachable."""
    if not callable(value):
        return value

    @functools.wraps(value)
    def call(*args: Any, **kwargs: Any) -> Any:
        try:
            result = value(*args, **kwargs)
        except SlotNotCoveredError as error:
            raise redis.ConnectionError(str(error)) from error
        except RedisClusterException as error:
            if type(error) is not RedisClusterException:
                raise
            raise redis.ConnectionError(str(error)) from error
        return _Pipeline(result) if isinstance(result, ClusterPipeline) else result

    return call


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
