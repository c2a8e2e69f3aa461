"""Watching a deployment: each transition recorded and announced once; a failure explained, never in AWS's words."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.deployments.deployment_samples import CREATED, throughput
from tests.fakes.deployment_store import MemoryDeploymentStore
from workflows.deployments.deployment_record import DeploymentStatus
from workflows.deployments.deployment_watch import Announcement, WatchStep, watch_step

S = DeploymentStatus


@pytest.mark.parametrize(
    ("announced", "seen", "expected"),
    [
        (S.CREATING, S.CREATING, WatchStep()),
        (S.CREATING, S.ACTIVE, WatchStep(S.ACTIVE, Announcement.READY)),
        (S.CREATING, S.IN_SERVICE, WatchStep(S.IN_SERVICE, Announcement.READY)),
        (S.CREATING, S.UPDATING, WatchStep(S.UPDATING, Announcement.READY)),
        (S.CREATING, S.FAILED, WatchStep(S.FAILED, Announcement.FAILED)),
        (S.CREATING, None, WatchStep(S.DELETED, Announcement.GONE)),
        (S.IN_SERVICE, S.IN_SERVICE, WatchStep()),
        (S.IN_SERVICE, S.UPDATING, WatchStep(S.UPDATING)),
        (S.UPDATING, S.IN_SERVICE, WatchStep(S.IN_SERVICE)),
        (S.IN_SERVICE, S.CREATING, WatchStep()),
        (S.IN_SERVICE, S.FAILED, WatchStep(S.FAILED, Announcement.FAILED)),
        (S.ACTIVE, None, WatchStep(S.DELETED, Announcement.GONE)),
        (S.FAILED, S.FAILED, WatchStep()),
        (S.FAILED, None, WatchStep()),
        (S.DELETED, None, WatchStep()),
        (S.DELETED, S.IN_SERVICE, WatchStep()),
    ],
)
def test_what_a_seen_status_means(announced: S, seen: S | None, expected: WatchStep) -> None:
    assert watch_step(announced, seen) == expected


def test_two_replicas_seeing_the_same_change_announce_it_once() -> None:
    store = MemoryDeploymentStore()
    store.save(throughput())
    announcements = []
    for _replica in range(2):
        for seen in (S.CREATING, S.IN_SERVICE, S.IN_SERVICE):
            record = store.get("support-tone-pt1-0a1b2c3d")
            assert record is not None
            step = watch_step(record.status, seen)
            if step.status is None:
                continue
            claimed = store.compare_and_set_status(
                record.name, expected=record.status, new=step.status, at=CREATED + timedelta(minutes=25)
            )
            if claimed and step.announce is not None:
                announcements.append(step.announce)
    assert announcements == [Announcement.READY]
    stored = store.get("support-tone-pt1-0a1b2c3d")
    assert stored is not None
    assert (stored.status, stored.ready_at) == (S.IN_SERVICE, CREATED + timedelta(minutes=25))


def test_a_stale_replica_cannot_claim_a_change_already_recorded() -> None:
    store = MemoryDeploymentStore()
    store.save(throughput())
    at = CREATED + timedelta(minutes=30)
    assert store.compare_and_set_status("support-tone-pt1-0a1b2c3d", expected=S.CREATING, new=S.FAILED, at=at)
    assert not store.compare_and_set_status("support-tone-pt1-0a1b2c3d", expected=S.CREATING, new=S.FAILED, at=at)
    assert store.live() == []
