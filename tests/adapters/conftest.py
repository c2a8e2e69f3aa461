"""The Redis adapters' tests run twice: on one server and on the three-primary cluster the session starts."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
import redis

from tests.support.redis_cluster import REDIS_KINDS, redis_of_kind
from workflows.adapters.redis_connection import connect


@pytest.fixture(params=REDIS_KINDS)
def redis_kind(request: pytest.FixtureRequest) -> str:
    kind: str = request.param
    return kind


@pytest.fixture
def redis_client(redis_kind: str, request: pytest.FixtureRequest) -> redis.Redis:
    """The emptied test database of this run's kind of Redis."""
    return redis_of_kind(request, redis_kind)


@pytest.fixture
def new_redis_client(
    redis_kind: str, redis_client: redis.Redis, request: pytest.FixtureRequest
) -> Iterator[Callable[[], redis.Redis]]:
    """Another client on the same emptied Redis, as a second replica would have (closed after the test)."""
    url: str = request.getfixturevalue("redis_url" if redis_kind == "server" else "redis_cluster_url")
    opened: list[redis.Redis] = []

    def open_one() -> redis.Redis:
        client = connect(url, cluster=redis_kind == "cluster")
        opened.append(client)
        return client

    yield open_one
    for client in opened:
        client.close()
