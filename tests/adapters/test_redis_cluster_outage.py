"""The cluster client when the cluster does not answer: built without connecting, failing as one server fails."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import redis

from tests.support.net import free_port, wait_until
from tests.support.redis_cluster import MISSING, cluster_tools, throwaway_cluster
from workflows.adapters.redis_connection import RedisHealth, connect, connect_briefly
from workflows.adapters.redis_coordination import RedisLocks, RedisRequestLog
from workflows.adapters.redis_job_events import RedisJobEventMarks
from workflows.adapters.redis_jobs import RedisJobRecords
from workflows.exceptions import StorageUnavailable

pytestmark = [
    pytest.mark.integration,
    pytest.mark.cluster,
    pytest.mark.skipif(cluster_tools() is None, reason=MISSING),
]


def test_a_bot_is_built_while_its_cluster_does_not_answer_and_says_storage_is_down() -> None:
    url = f"redis://127.0.0.1:{free_port()}/0"
    client = connect(url, cluster=True)
    marks = RedisJobEventMarks(client)
    locks = RedisLocks(client)

    with pytest.raises(redis.ConnectionError, match="cannot be reached"):
        marks.advance("job", datetime(2026, 3, 2, tzinfo=UTC))
    with pytest.raises(redis.ConnectionError):
        locks.acquire("launch:T:C:1", ttl_seconds=5)
    with pytest.raises(StorageUnavailable):
        RedisRequestLog(connect_briefly(url, cluster=True)).claim("1", "v0=a")
    assert not RedisHealth(url, cluster=True)()


def test_when_every_primary_stops_commands_fail_as_connection_errors_and_work_again_after() -> None:
    with throwaway_cluster() as cluster:
        client = connect(cluster.url, cluster=True)
        records = RedisJobRecords(client)
        locks = RedisLocks(client)
        marks = RedisJobEventMarks(client)
        assert records.watched() == []
        health = RedisHealth(cluster.url, cluster=True)
        assert health()

        for index in range(len(cluster.ports)):
            cluster.kill(index)

        assert not health()
        for attempt in (lambda: records.watched(), lambda: locks.acquire("launch", ttl_seconds=5)):
            with pytest.raises(redis.ConnectionError):
                attempt()
        with pytest.raises(redis.ConnectionError):
            records.unwatch("job")

        for index in range(len(cluster.ports)):
            cluster.restart(index)
        wait_until(health, timeout=30, what="every primary to answer again")
        wait_until(lambda: _answers(records), timeout=30, what="the cluster to serve commands again")
        assert locks.acquire("launch", ttl_seconds=5) is not None
        assert marks.advance("job", datetime(2026, 3, 2, tzinfo=UTC))


def _answers(records: RedisJobRecords) -> bool:
    """True once a read works; meanwhile the restarted nodes say "the cluster is down", a RedisError too."""
    try:
        records.watched()
    except redis.RedisError:
        return False
    return True
