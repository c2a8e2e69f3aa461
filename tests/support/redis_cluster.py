"""A real three-primary Redis Cluster for the tests: redis-server in cluster mode on loopback, joined by redis-cli."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass

import pytest
import redis
from redis.cluster import RedisCluster
from redis.exceptions import RedisClusterException

from tests.support.net import PORTS, free_port, is_free, reserve, wait_until
from tests.support.redis_server import answers

#: Primaries in the test cluster; each holds a third of the 16384 slots.
PRIMARIES = 3
#: A node's cluster bus listens on its port plus this (fixed by Redis).
BUS_OFFSET = 10000
#: ``redis-cli --cluster create``: primaries only, without asking for confirmation.
CREATE_OPTIONS = ("--cluster-replicas", "0", "--cluster-yes")

MISSING = (
    "Redis Cluster tests need redis-server and redis-cli on PATH (Debian and Ubuntu: apt-get install redis-server; "
    "macOS: brew install redis); they were skipped."
)


def cluster_tools() -> tuple[str, str] | None:
    """redis-server and redis-cli from PATH, or None when either is missing."""
    server, cli = shutil.which("redis-server"), shutil.which("redis-cli")
    return None if server is None or cli is None else (server, cli)


@dataclass
class ThrowawayCluster:
    """A cluster this process started: the URL of one node (the client finds the others) and every node's port."""

    url: str
    ports: tuple[int, ...]
    #: The nodes' processes, in the order of ``ports``.
    processes: list[subprocess.Popen[bytes]]
    _server: str
    _workdir: str
    _nodes: ExitStack

    def kill(self, index: int) -> None:
        """Stop one primary at once, as a failing host would; its slots go unserved."""
        self.processes[index].kill()
        self.processes[index].wait(timeout=10)

    def restart(self, index: int) -> None:
        """Start a killed primary again on its port with its cluster configuration (and no data)."""
        self.processes[index] = self._nodes.enter_context(_node(self._server, self.ports[index], self._workdir))
        node = f"redis://127.0.0.1:{self.ports[index]}/0"
        wait_until(lambda: answers(node), timeout=10, what=f"cluster node {node}")


def _node_port() -> int:
    """A free loopback port whose cluster bus port (port + 10000) is free and reserved for this process too."""
    return free_port(
        lambda port: port + BUS_OFFSET in PORTS and reserve(port + BUS_OFFSET) and is_free(port + BUS_OFFSET)
    )


@contextmanager
def _node(server: str, port: int, workdir: str) -> Iterator[subprocess.Popen[bytes]]:
    """One cluster-enabled redis-server, killed on exit."""
    process = subprocess.Popen(
        [
            server,
            "--bind",
            "127.0.0.1",
            "--port",
            str(port),
            "--cluster-enabled",
            "yes",
            "--cluster-config-file",
            f"nodes-{port}.conf",
            "--cluster-node-timeout",
            "2000",
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
        yield process
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(timeout=10)


def _ready(url: str) -> bool:
    """True when a cluster client can be built from ``url`` and every slot is served."""
    try:
        client = RedisCluster.from_url(url, socket_connect_timeout=1, socket_timeout=1)
    except (RedisClusterException, redis.RedisError, OSError):
        return False
    try:
        info = client.cluster_info()
        return bool(info.get("cluster_state") == "ok" and int(info.get("cluster_slots_assigned", 0)) == 16384)
    except (RedisClusterException, redis.RedisError, OSError):
        return False
    finally:
        client.close()


@contextmanager
def throwaway_cluster() -> Iterator[ThrowawayCluster]:
    """Start three cluster-enabled primaries in a temporary directory, join them, and stop them on exit."""
    tools = cluster_tools()
    if tools is None:
        raise RuntimeError(MISSING)
    server, cli = tools
    ports = [_node_port() for _ in range(PRIMARIES)]
    with tempfile.TemporaryDirectory(prefix="finetune-bot-cluster-") as workdir, ExitStack() as nodes:
        processes = [nodes.enter_context(_node(server, port, workdir)) for port in ports]
        for port in ports:
            node = f"redis://127.0.0.1:{port}/0"
            wait_until(lambda node=node: answers(node), timeout=10, what=f"cluster node {node}")
        subprocess.run(
            [cli, "--cluster", "create", *(f"127.0.0.1:{port}" for port in ports), *CREATE_OPTIONS],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            timeout=60,
        )
        url = f"redis://127.0.0.1:{ports[0]}/0"
        wait_until(lambda: _ready(url), timeout=30, what="the test Redis Cluster to serve every slot")
        yield ThrowawayCluster(url, tuple(ports), processes, _server=server, _workdir=workdir, _nodes=nodes)


#: The Redis-level tests run on both: one server, and a three-primary cluster.
REDIS_KINDS = [
    pytest.param("server", marks=pytest.mark.integration),
    pytest.param("cluster", marks=[pytest.mark.integration, pytest.mark.cluster]),
]


def redis_of_kind(request: pytest.FixtureRequest, kind: str) -> redis.Redis:
    """The emptied test client of ``kind`` (``server`` or ``cluster``), for fixtures parametrized by ``REDIS_KINDS``."""
    client: redis.Redis = request.getfixturevalue("redis_client" if kind == "server" else "cluster_redis_client")
    return client
