"""The scheduler lease: one holder at a time, renewed while alive, taken over when the holder dies."""

from __future__ import annotations

import pytest
import redis

from tests.fakes.locks import MemoryLocks
from workflows.adapters.redis_coordination import RedisLocks
from workflows.jobs.monitoring.lease import SchedulerLease, lease_ttl


@pytest.mark.parametrize(("poll", "ttl"), [(60, 180), (5, 15), (1, 3.0), (0.5, 3.0)])
def test_the_lease_lasts_a_few_poll_intervals(poll: float, ttl: float) -> None:
    assert lease_ttl(poll) == ttl


def test_only_one_replica_holds_the_lease() -> None:
    locks = MemoryLocks()
    first, second = SchedulerLease(locks, ttl_seconds=3), SchedulerLease(locks, ttl_seconds=3)

    assert (first.hold(), second.hold()) == (True, False)
    assert (first.hold(), second.hold()) == (True, False)


def test_renewing_every_tick_keeps_the_lease_past_its_ttl() -> None:
    locks = MemoryLocks()
    holder, other = SchedulerLease(locks, ttl_seconds=3), SchedulerLease(locks, ttl_seconds=3)
    holder.hold()
    for _ in range(5):
        locks.time += 2
        assert holder.hold()

    assert not other.hold()


def test_another_replica_takes_over_when_the_holder_stops_renewing() -> None:
    locks = MemoryLocks()
    dead, survivor = SchedulerLease(locks, ttl_seconds=3), SchedulerLease(locks, ttl_seconds=3)
    dead.hold()
    locks.time += 3.5

    assert survivor.hold()
    assert not dead.hold()


def test_releasing_hands_over_at_once() -> None:
    locks = MemoryLocks()
    leaving, staying = SchedulerLease(locks, ttl_seconds=3), SchedulerLease(locks, ttl_seconds=3)
    leaving.hold()

    leaving.release()

    assert staying.hold()
    assert not leaving.held


def test_keep_renews_only_after_a_third_of_the_ttl_and_reports_a_lost_lease() -> None:
    locks, now = MemoryLocks(), [0.0]
    lease = SchedulerLease(locks, ttl_seconds=3, clock=lambda: now[0])
    lease.hold()
    expiry = locks.held["scheduler"][1]
    now[0] = 0.5
    assert lease.keep()
    assert locks.held["scheduler"][1] == expiry
    locks.time, now[0] = 1.5, 1.5
    assert lease.keep()
    assert locks.held["scheduler"][1] == 4.5
    del locks.held["scheduler"]
    now[0] = 3.0
    assert not lease.keep()


@pytest.mark.integration
def test_on_redis_a_second_replica_waits_until_the_first_releases(redis_client: redis.Redis) -> None:
    first = SchedulerLease(RedisLocks(redis_client), ttl_seconds=30)
    second = SchedulerLease(RedisLocks(redis_client), ttl_seconds=30)

    assert first.hold()
    assert not second.hold()
    assert first.hold()
    first.release()
    assert second.hold()


@pytest.mark.integration
def test_on_redis_an_expired_lease_is_taken_over(redis_client: redis.Redis) -> None:
    first = SchedulerLease(RedisLocks(redis_client), ttl_seconds=0.2)
    second = SchedulerLease(RedisLocks(redis_client), ttl_seconds=0.2)
    first.hold()
    redis_client.delete("finetune:lock:scheduler")  # as if its TTL ran out

    assert second.hold()
    assert not first.hold()
