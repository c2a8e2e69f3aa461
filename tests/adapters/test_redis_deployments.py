"""``RedisDeployments`` on a real Redis: retention, the live set, racing replicas, unreadable records, namespaces."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta

import pytest
import redis

from tests.deployments.deployment_samples import CREATED, ready, throughput
from workflows.adapters.redis_deployments import RedisDeployments
from workflows.deployment_keys import DEPLOYMENT_RETENTION_SECONDS, deployment_key, live_deployments_key
from workflows.deployments.deployment_record import DeploymentStatus
from workflows.keys import DEFAULT, Keyspace

pytestmark = pytest.mark.integration

NAME = throughput().name


@pytest.fixture
def store(redis_client: redis.Redis) -> RedisDeployments:
    return RedisDeployments(redis_client)


def test_a_live_record_never_expires_and_a_finished_one_is_kept_for_the_retention(
    store: RedisDeployments, redis_client: redis.Redis
) -> None:
    store.save(ready(throughput()))
    key = deployment_key(DEFAULT, NAME)
    assert redis_client.ttl(key) == -1
    assert store.compare_and_set_status(
        NAME, expected=DeploymentStatus.IN_SERVICE, new=DeploymentStatus.DELETED, at=CREATED + timedelta(hours=1)
    )
    assert DEPLOYMENT_RETENTION_SECONDS - 10 < redis_client.ttl(key) <= DEPLOYMENT_RETENTION_SECONDS
    assert redis_client.smembers(live_deployments_key(DEFAULT)) == set()


def test_racing_replicas_claim_a_transition_and_a_reminder_once(
    store: RedisDeployments, new_redis_client: Callable[[], redis.Redis]
) -> None:
    store.save(throughput())
    wins: list[str] = []
    start = threading.Barrier(8)

    def replica() -> None:
        mine = RedisDeployments(new_redis_client())
        start.wait()
        at = CREATED + timedelta(minutes=25)
        if mine.compare_and_set_status(
            NAME, expected=DeploymentStatus.CREATING, new=DeploymentStatus.IN_SERVICE, at=at
        ):
            wins.append("ready")
        if mine.claim_reminder(NAME, now=CREATED + timedelta(days=2), period_seconds=86400, claim_seconds=600):
            wins.append("reminder")

    threads = [threading.Thread(target=replica) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert sorted(wins) == ["ready", "reminder"]


def test_an_unreadable_record_is_skipped_and_dropped_from_the_live_set(
    store: RedisDeployments, redis_client: redis.Redis
) -> None:
    store.save(throughput("fine"))
    store.save(throughput("broken"))
    redis_client.set(deployment_key(DEFAULT, "broken"), b"{not json")
    assert [record.name for record in store.live()] == ["fine"]
    assert store.get("broken") is None
    assert redis_client.smembers(live_deployments_key(DEFAULT)) == {b"fine"}


def test_index_entries_whose_record_expired_are_pruned(store: RedisDeployments, redis_client: redis.Redis) -> None:
    store.save(throughput("kept"))
    store.save(throughput("expired", status=DeploymentStatus.DELETED))
    redis_client.delete(deployment_key(DEFAULT, "expired"))
    assert [record.name for record in store.in_team("T1")] == ["kept"]
    assert [record.name for record in store.in_team("T1")] == ["kept"]


def test_two_namespaces_on_one_redis_do_not_see_each_other(redis_client: redis.Redis) -> None:
    ours, theirs = RedisDeployments(redis_client), RedisDeployments(redis_client, keyspace=Keyspace("finetune-demo:"))
    ours.save(throughput())
    assert theirs.get(NAME) is None
    assert theirs.live() == []
    assert theirs.in_team("T1") == []
