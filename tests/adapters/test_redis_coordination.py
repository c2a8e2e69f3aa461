"""RedisEventLog, RedisRequestLog and RedisLocks on a real Redis: dedupe, replay markers, exclusive locks, expiry."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
import redis

from tests.support.net import free_port
from workflows import keys
from workflows.adapters.redis_connection import connect_briefly
from workflows.adapters.redis_coordination import RedisEventLog, RedisLocks, RedisRequestLog
from workflows.exceptions import StorageUnavailable

pytestmark = pytest.mark.integration


@pytest.fixture
def events(redis_client: redis.Redis) -> RedisEventLog:
    return RedisEventLog(redis_client)


@pytest.fixture
def locks(redis_client: redis.Redis) -> RedisLocks:
    return RedisLocks(redis_client)


def test_a_delivery_is_claimed_once_while_it_is_handled(events: RedisEventLog) -> None:
    assert events.claim("Ev01") is True
    assert events.claim("Ev01") is False
    assert events.claim("Ev02") is True


def test_a_handled_delivery_is_never_claimed_again_within_an_hour(
    events: RedisEventLog, redis_client: redis.Redis
) -> None:
    events.claim("Ev01")
    events.handled("Ev01")

    assert events.claim("Ev01") is False
    assert 3590 <= redis_client.ttl(keys.event_key("Ev01")) <= keys.EVENT_TTL_SECONDS


def test_a_claim_outlives_handling_and_expires_before_slacks_next_retry(
    events: RedisEventLog, redis_client: redis.Redis
) -> None:
    events.claim("Ev01")

    assert 20 <= redis_client.ttl(keys.event_key("Ev01")) <= keys.EVENT_CLAIM_SECONDS < 60


def test_a_claim_whose_handler_died_is_taken_over_once_it_expires(redis_client: redis.Redis) -> None:
    dead, survivor = RedisEventLog(redis_client, claim_seconds=1), RedisEventLog(redis_client, claim_seconds=1)
    assert dead.claim("Ev01") is True
    assert survivor.claim("Ev01") is False

    deadline = time.monotonic() + 5
    while not survivor.claim("Ev01"):
        assert time.monotonic() < deadline, "the dead handler's claim never expired"
        time.sleep(0.1)
    survivor.handled("Ev01")

    time.sleep(1.2)
    assert dead.claim("Ev01") is False


def test_a_signed_request_is_claimed_once_until_released(redis_client: redis.Redis) -> None:
    requests = RedisRequestLog(redis_client)
    assert requests.claim("1800000000", "v0=ab") is True
    assert requests.claim("1800000000", "v0=ab") is False
    assert requests.claim("1800000001", "v0=ab") is True
    requests.release("1800000000", "v0=ab")
    assert requests.claim("1800000000", "v0=ab") is True


def test_a_replay_marker_outlives_the_signature_window(redis_client: redis.Redis) -> None:
    RedisRequestLog(redis_client).claim("1800000000", "v0=ab")
    ttl = redis_client.ttl(keys.request_key("1800000000", "v0=ab"))
    assert 2 * 5 * 60 < ttl <= keys.REQUEST_TTL_SECONDS


def test_an_unreachable_replay_log_says_so_at_once() -> None:
    requests = RedisRequestLog(connect_briefly(f"redis://127.0.0.1:{free_port()}/0"))
    started = time.monotonic()
    with pytest.raises(StorageUnavailable):
        requests.claim("1800000000", "v0=ab")
    assert time.monotonic() - started < 1.0


def test_a_delivery_raced_by_several_replicas_is_first_for_exactly_one(
    new_redis_client: Callable[[], redis.Redis],
) -> None:
    clients = [new_redis_client() for _ in range(4)]
    logs = [RedisEventLog(client) for client in clients]
    barrier = threading.Barrier(len(logs))
    results: list[bool] = []

    def deliver(log: RedisEventLog) -> None:
        barrier.wait()
        results.append(log.claim("Ev-raced"))

    threads = [threading.Thread(target=deliver, args=(log,)) for log in logs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    for client in clients:
        client.close()

    assert sorted(results) == [False, False, False, True]


def test_a_free_lock_is_acquired_with_a_token(locks: RedisLocks) -> None:
    token = locks.acquire("job:start", ttl_seconds=10)

    assert token


def test_a_held_lock_cannot_be_acquired_again(locks: RedisLocks) -> None:
    locks.acquire("job:start", ttl_seconds=10)

    assert locks.acquire("job:start", ttl_seconds=10) is None


def test_different_lock_names_are_independent(locks: RedisLocks) -> None:
    locks.acquire("a", ttl_seconds=10)

    assert locks.acquire("b", ttl_seconds=10) is not None


def test_the_owner_releases_its_lock(locks: RedisLocks) -> None:
    token = locks.acquire("job:start", ttl_seconds=10)
    assert token is not None

    locks.release("job:start", token)

    assert locks.acquire("job:start", ttl_seconds=10) is not None


def test_a_wrong_token_does_not_release_the_lock(locks: RedisLocks) -> None:
    locks.acquire("job:start", ttl_seconds=10)

    locks.release("job:start", "not-the-token")

    assert locks.acquire("job:start", ttl_seconds=10) is None


def test_a_lock_expires_after_its_ttl(locks: RedisLocks) -> None:
    locks.acquire("job:start", ttl_seconds=0.05)

    time.sleep(0.15)

    assert locks.acquire("job:start", ttl_seconds=10) is not None


def test_an_expired_holder_cannot_release_its_successors_lock(locks: RedisLocks) -> None:
    stale = locks.acquire("job:start", ttl_seconds=0.05)
    assert stale is not None
    time.sleep(0.15)
    successor = locks.acquire("job:start", ttl_seconds=10)

    locks.release("job:start", stale)

    assert successor is not None
    assert locks.acquire("job:start", ttl_seconds=10) is None


def test_the_holder_renews_its_lease(locks: RedisLocks, redis_client: redis.Redis) -> None:
    token = locks.acquire(keys.SCHEDULER_LEASE, ttl_seconds=1)
    assert token is not None

    assert locks.renew(keys.SCHEDULER_LEASE, token, 30) is True
    assert redis_client.pttl(keys.lock_key(keys.SCHEDULER_LEASE)) > 25_000


def test_a_wrong_token_cannot_renew_the_lease(locks: RedisLocks, redis_client: redis.Redis) -> None:
    locks.acquire(keys.SCHEDULER_LEASE, ttl_seconds=1)

    assert locks.renew(keys.SCHEDULER_LEASE, "not-the-token", 30) is False
    assert redis_client.pttl(keys.lock_key(keys.SCHEDULER_LEASE)) <= 1000


def test_an_expired_lease_cannot_be_renewed(locks: RedisLocks) -> None:
    token = locks.acquire(keys.SCHEDULER_LEASE, ttl_seconds=0.05)
    assert token is not None
    time.sleep(0.15)

    assert locks.renew(keys.SCHEDULER_LEASE, token, 30) is False


def test_a_lock_raced_by_several_replicas_goes_to_exactly_one(new_redis_client: Callable[[], redis.Redis]) -> None:
    clients = [new_redis_client() for _ in range(4)]
    contenders = [RedisLocks(client) for client in clients]
    barrier = threading.Barrier(len(contenders))
    tokens: list[str | None] = []

    def contend(lock: RedisLocks) -> None:
        barrier.wait()
        tokens.append(lock.acquire("job:start", ttl_seconds=10))

    threads = [threading.Thread(target=contend, args=(lock,)) for lock in contenders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    for client in clients:
        client.close()

    assert len([token for token in tokens if token is not None]) == 1
