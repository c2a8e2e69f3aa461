"""``WatchedJobs`` and ``JobHistory``: the in-memory records and Redis's watch list, indexes and announce-once agree."""

from __future__ import annotations

from datetime import timedelta
from typing import Protocol

import pytest
import redis

from tests.fakes.records import MemoryRecords
from tests.fakes.samples import START, record
from tests.support.redis_cluster import REDIS_KINDS, redis_of_kind
from workflows.adapters.redis_job_history import RedisJobHistory
from workflows.adapters.redis_jobs import RedisJobRecords
from workflows.jobs.job import JobRecord, JobStatus
from workflows.jobs.job_ports import JobHistory, WatchedJobs

VALIDATING = {"validation": "InProgress"}


class Records(WatchedJobs, JobHistory, Protocol):
    """Both ports on one store, as the monitor sees them."""


class RedisRecords(RedisJobRecords):
    """The Redis job records with the workspace history read from the same database."""

    def __init__(self, client: redis.Redis) -> None:
        super().__init__(client)
        self._history = RedisJobHistory(client)

    def in_team(self, team: str) -> list[JobRecord]:
        return self._history.in_team(team)


@pytest.fixture(params=["fake", *REDIS_KINDS])
def records(request: pytest.FixtureRequest) -> Records:
    if request.param == "fake":
        return MemoryRecords()
    client: redis.Redis = redis_of_kind(request, request.param)
    return RedisRecords(client)


def names(found: list[JobRecord]) -> list[str]:
    return [item.job_name for item in found]


def test_a_saved_record_reads_back_and_an_unknown_one_is_none(records: Records) -> None:
    saved = record("tone-1")
    records.save(saved)

    assert records.get("tone-1") == saved
    assert records.get("tone-2") is None


def test_running_jobs_are_watched_oldest_first_until_their_end_is_announced(records: Records) -> None:
    records.save(record("late", started_at=START + timedelta(hours=1)))
    records.save(record("early"))
    records.save(record("done", announced_status=JobStatus.COMPLETED))

    assert names(records.watched()) == ["early", "late"]
    records.unwatch("early")
    assert names(records.watched()) == ["late"]
    assert records.get("early") is not None


def test_channel_and_person_lists_are_newest_first_and_limited(records: Records) -> None:
    for hour, (name, channel, user) in enumerate([("a", "C1", "U1"), ("b", "C1", "U2"), ("c", "C2", "U1")]):
        records.save(record(name, channel=channel, user=user, started_at=START + timedelta(hours=hour)))

    assert names(records.in_channel(team="T1", channel="C1", limit=10)) == ["b", "a"]
    assert names(records.in_channel(team="T1", channel="C1", limit=1)) == ["b"]
    assert names(records.by_user(team="T1", user="U1", limit=10)) == ["c", "a"]
    assert records.by_user(team="T1", user="U1", limit=0) == []
    assert records.in_channel(team="T9", channel="C1", limit=10) == []


def test_the_workspace_history_holds_every_record_of_that_team_only(records: Records) -> None:
    records.save(record("ours-1"))
    records.save(record("ours-2", announced_status=JobStatus.STOPPED))
    records.save(record("theirs", team="T2"))

    assert sorted(names(records.in_team("T1"))) == ["ours-1", "ours-2"]
    assert records.in_team("T3") == []


def test_an_announcement_is_set_once_for_the_state_it_expected(records: Records) -> None:
    records.save(record("tone-1"))

    def announce() -> bool:
        return records.compare_and_set_announcement(
            "tone-1",
            expected_status=JobStatus.IN_PROGRESS,
            expected_stages={},
            new_status=JobStatus.IN_PROGRESS,
            new_stages=VALIDATING,
        )

    assert announce() is True
    assert announce() is False
    stored = records.get("tone-1")
    assert stored is not None
    assert (stored.announced_status, dict(stored.announced_stages)) == (JobStatus.IN_PROGRESS, VALIDATING)


def test_an_announcement_for_an_unknown_job_or_another_status_is_refused(records: Records) -> None:
    records.save(record("tone-1"))

    assert not records.compare_and_set_announcement(
        "nobody", expected_status=JobStatus.IN_PROGRESS, expected_stages={}, new_status=JobStatus.FAILED, new_stages={}
    )
    assert not records.compare_and_set_announcement(
        "tone-1", expected_status=JobStatus.STOPPING, expected_stages={}, new_status=JobStatus.STOPPED, new_stages={}
    )
    stored = records.get("tone-1")
    assert stored is not None
    assert stored.announced_status == JobStatus.IN_PROGRESS
