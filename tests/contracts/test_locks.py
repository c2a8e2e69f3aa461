"""``Leases``: the in-memory locks on a test-moved clock and redis-py's ``Lock`` on Redis behave alike."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import pytest
import redis

from tests.fakes.locks import MemoryLocks
from tests.support.redis_cluster import REDIS_KINDS, redis_of_kind
from workflows.adapters.redis_coordination import RedisLocks
from workflows.jobs.job_ports import Leases

#: Long enough for the real lock to outlive a few Redis round trips, short enough to wait out.
TTL = 0.3


@dataclass
class Subject:
    locks: Leases
    #: Lets ``seconds`` pass for the locks: the fake's clock moves, the real one is waited on.
    wait: Callable[[float], None]


@pytest.fixture(params=["fake", *REDIS_KINDS])
def subject(request: pytest.FixtureRequest) -> Subject:
    if request.param == "fake":
        fake = MemoryLocks()

        def move(seconds: float) -> None:
            fake.time += seconds

        return Subject(fake, move)
    client: redis.Redis = redis_of_kind(request, request.param)
    return Subject(RedisLocks(client), time.sleep)


def test_a_free_lock_is_taken_once(subject: Subject) -> None:
    token = subject.locks.acquire("launch", ttl_seconds=TTL)

    assert token is not None
    assert subject.locks.acquire("launch", ttl_seconds=TTL) is None
    assert subject.locks.acquire("other", ttl_seconds=TTL) not in {None, token}


def test_only_the_holders_token_releases_the_lock(subject: Subject) -> None:
    token = subject.locks.acquire("launch", ttl_seconds=TTL)
    assert token is not None

    subject.locks.release("launch", "someone-else")
    assert subject.locks.acquire("launch", ttl_seconds=TTL) is None
    subject.locks.release("launch", token)
    assert subject.locks.acquire("launch", ttl_seconds=TTL) is not None


def test_a_lock_frees_itself_when_its_time_runs_out(subject: Subject) -> None:
    subject.locks.acquire("launch", ttl_seconds=TTL)
    subject.wait(TTL * 1.5)

    assert subject.locks.acquire("launch", ttl_seconds=TTL) is not None


def test_an_expired_holder_cannot_free_or_renew_its_successors_lock(subject: Subject) -> None:
    first = subject.locks.acquire("lease", ttl_seconds=TTL)
    assert first is not None
    subject.wait(TTL * 1.5)
    second = subject.locks.acquire("lease", ttl_seconds=TTL)
    assert second is not None

    subject.locks.release("lease", first)
    assert subject.locks.renew("lease", first, TTL) is False
    assert subject.locks.acquire("lease", ttl_seconds=TTL) is None
    assert subject.locks.renew("lease", second, TTL) is True


def test_a_renewed_lease_outlives_its_first_term(subject: Subject) -> None:
    token = subject.locks.acquire("lease", ttl_seconds=TTL)
    assert token is not None
    subject.wait(TTL * 0.5)

    assert subject.locks.renew("lease", token, TTL * 2) is True
    subject.wait(TTL * 0.8)
    assert subject.locks.acquire("lease", ttl_seconds=TTL) is None


def test_an_expired_lease_cannot_be_renewed(subject: Subject) -> None:
    token = subject.locks.acquire("lease", ttl_seconds=TTL)
    assert token is not None
    subject.wait(TTL * 1.5)

    assert subject.locks.renew("lease", token, TTL) is False
