"""Redis for the demo and the sandbox: the server at REDIS_URL when one answers, else an in-process one on loopback."""

from __future__ import annotations

import threading
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import fakeredis
import redis

#: Seconds to wait for a configured server before using the in-process one instead.
PROBE_TIMEOUT_SECONDS = 1.0


@dataclass(frozen=True)
class RedisChoice:
    """The Redis the bot is given, and a sentence saying which one it is."""

    url: str
    #: True when it is the in-process server, which lives and dies with this process.
    in_process: bool
    description: str


def answers(url: str) -> bool:
    """True when a Redis server answers PING at ``url`` within a second."""
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=PROBE_TIMEOUT_SECONDS, socket_timeout=1.0)
        with client:
            return bool(client.ping())
    except (redis.RedisError, OSError, ValueError):
        return False


def redacted(url: str) -> str:
    """``url`` without its password, fit to print."""
    parts = urllib.parse.urlsplit(url)
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.hostname or ""
    netloc = f"{user}:***@{host}" + (f":{parts.port}" if parts.port else "")
    return urllib.parse.urlunsplit(parts._replace(netloc=netloc))


@contextmanager
def demo_redis(configured: str | None) -> Iterator[RedisChoice]:
    """Yield the server at ``configured`` if it answers, else an in-process Redis for the duration."""
    if configured and answers(configured):
        yield RedisChoice(configured, False, f"the Redis server at {redacted(configured)} (REDIS_URL)")
        return
    why = f"no Redis answers at {redacted(configured)}" if configured else "REDIS_URL is not set"
    with in_process_redis() as url:
        yield RedisChoice(url, True, f"an in-process Redis on {url} ({why}; state lasts until exit)")


@contextmanager
def in_process_redis() -> Iterator[str]:
    """fakeredis speaking RESP on a free loopback port: the bot connects to it like any Redis server."""
    server = fakeredis.TcpFakeServer(("127.0.0.1", 0))
    # Connection threads must not keep the process alive, nor make closing the server wait for clients.
    server.daemon_threads = True
    server.block_on_close = False
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, name="redis", daemon=True)
    thread.start()
    try:
        yield f"redis://127.0.0.1:{server.server_address[1]}/0"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
