"""``DeploymentStore``: the in-memory records and Redis agree on the live set, indexes, and claims made once."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import redis

from tests.deployments.deployment_samples import CREATED, on_demand, ready, throughput
from tests.fakes.deployment_store import MemoryDeploymentStore
from tests.support.redis_cluster import REDIS_KINDS, redis_of_kind
from workflows.adapters.redis_deployments import RedisDeployments
from workflows.deployments.deployment_ports import DeploymentStore
from workflows.deployments.deployment_record import DeploymentRecord, DeploymentStatus

#: How long a claim on a reminder being posted lasts.
CLAIM = 600
DAY = timedelta(days=1).total_seconds()


@pytest.fixture(params=["fake", *REDIS_KINDS])
def store(request: pytest.FixtureRequest) -> DeploymentStore:
    if request.param == "fake":
        return MemoryDeploymentStore()
    client: redis.Redis = redis_of_kind(request, request.param)
    return RedisDeployments(client)


def names(found: list[DeploymentRecord]) -> list[str]:
    return [record.name for record in found]


def test_a_saved_record_reads_back_and_an_unknown_one_is_none(store: DeploymentStore) -> None:
    saved = throughput()
    store.save(saved)
    assert store.get(saved.name) == saved
    assert store.get("nobody") is None


def test_live_deployments_are_oldest_first_until_they_fail_or_are_deleted(store: DeploymentStore) -> None:
    store.save(throughput("late", created_at=CREATED + timedelta(hours=1)))
    store.save(on_demand("early"))
    store.save(throughput("failed", status=DeploymentStatus.FAILED))
    store.save(ready(throughput("serving", created_at=CREATED + timedelta(hours=2))))
    assert names(store.live()) == ["early", "late", "serving"]
    store.save(throughput("late", created_at=CREATED + timedelta(hours=1), status=DeploymentStatus.DELETED))
    assert names(store.live()) == ["early", "serving"]
    assert store.get("late") is not None


def test_a_workspace_lists_its_own_newest_first_deleted_ones_included(store: DeploymentStore) -> None:
    store.save(throughput("a"))
    store.save(throughput("b", created_at=CREATED + timedelta(hours=1), status=DeploymentStatus.DELETED))
    store.save(throughput("theirs", team="T2"))
    assert names(store.in_team("T1")) == ["b", "a"]
    assert names(store.in_team("T2")) == ["theirs"]
    assert store.in_team("T9") == []


def test_a_status_change_is_claimed_once_and_dates_the_record(store: DeploymentStore) -> None:
    store.save(throughput())
    at = CREATED + timedelta(minutes=25)
    name = throughput().name
    assert store.compare_and_set_status(
        name, expected=DeploymentStatus.CREATING, new=DeploymentStatus.IN_SERVICE, at=at
    )
    assert not store.compare_and_set_status(
        name, expected=DeploymentStatus.CREATING, new=DeploymentStatus.IN_SERVICE, at=at
    )
    later = at + timedelta(hours=1)
    assert store.compare_and_set_status(
        name, expected=DeploymentStatus.IN_SERVICE, new=DeploymentStatus.UPDATING, at=later
    )
    stored = store.get(name)
    assert stored is not None
    assert (stored.status, stored.ready_at, stored.deleted_at) == (DeploymentStatus.UPDATING, at, None)


def test_deleting_dates_it_and_ends_watching(store: DeploymentStore) -> None:
    store.save(ready(throughput()))
    at = CREATED + timedelta(hours=5)
    name = throughput().name
    assert store.compare_and_set_status(name, expected=DeploymentStatus.IN_SERVICE, new=DeploymentStatus.DELETED, at=at)
    stored = store.get(name)
    assert stored is not None
    assert (stored.status, stored.deleted_at) == (DeploymentStatus.DELETED, at)
    assert store.live() == []


def test_an_unknown_deployment_claims_nothing(store: DeploymentStore) -> None:
    assert not store.compare_and_set_status(
        "nobody", expected=DeploymentStatus.CREATING, new=DeploymentStatus.ACTIVE, at=CREATED
    )
    assert not store.claim_reminder("nobody", now=CREATED, period_seconds=DAY, claim_seconds=CLAIM)


def claim(store: DeploymentStore, at: datetime) -> bool:
    """Claim the next reminder of the sample throughput, with a day's period."""
    return store.claim_reminder(throughput().name, now=at, period_seconds=DAY, claim_seconds=CLAIM)


def test_a_reminder_is_claimed_once_per_period(store: DeploymentStore) -> None:
    store.save(ready(throughput()))
    name = throughput().name
    first = CREATED + timedelta(days=1)
    assert claim(store, first)
    assert not claim(store, first)
    store.reminder_posted(name, at=first)
    assert not claim(store, first + timedelta(seconds=CLAIM + 1))
    almost = first + timedelta(hours=23, minutes=59)
    assert not claim(store, almost)
    assert claim(store, first + timedelta(days=1))
    stored = store.get(name)
    assert stored is not None
    assert (stored.reminded_at, stored.reminder_claimed_at) == (first, first + timedelta(days=1))
    store.reminder_posted(name, at=first + timedelta(days=1, minutes=1))
    stored = store.get(name)
    assert stored is not None
    assert (stored.reminded_at, stored.reminder_claimed_at) == (first + timedelta(days=1, minutes=1), None)


def test_a_reminder_whose_post_failed_is_claimed_again_and_a_dead_claim_once_it_expired(
    store: DeploymentStore,
) -> None:
    store.save(ready(throughput()))
    name = throughput().name
    first = CREATED + timedelta(days=1)
    assert claim(store, first)
    store.release_reminder(name)  # the post failed
    assert claim(store, first)  # its replica dies
    assert not claim(store, first + timedelta(seconds=CLAIM - 1))
    assert claim(store, first + timedelta(seconds=CLAIM))
    stored = store.get(name)
    assert stored is not None
    assert stored.reminded_at is None
