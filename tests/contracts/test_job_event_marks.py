"""``JobEventMarks``: the in-memory marks and Redis remember events and order state changes alike."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import redis

from tests.fakes.job_event_marks import MemoryJobEventMarks
from tests.support.redis_cluster import REDIS_KINDS, redis_of_kind
from workflows import keys
from workflows.adapters.redis_job_events import RedisJobEventMarks
from workflows.jobs.job_ports import JobEventMarks

T0 = datetime(2026, 11, 29, 3, 0, tzinfo=UTC)


@pytest.fixture(params=["fake", *REDIS_KINDS])
def marks(request: pytest.FixtureRequest) -> JobEventMarks:
    if request.param == "fake":
        return MemoryJobEventMarks()
    client: redis.Redis = redis_of_kind(request, request.param)
    return RedisJobEventMarks(client)


def test_an_event_is_seen_once_remembered(marks: JobEventMarks) -> None:
    assert not marks.seen("e-1")
    marks.remember("e-1")
    assert marks.seen("e-1")
    assert not marks.seen("e-2")


def test_only_a_newer_change_advances(marks: JobEventMarks) -> None:
    assert marks.advance("job", T0)
    assert not marks.advance("job", T0)
    assert not marks.advance("job", T0 - timedelta(seconds=1))
    assert marks.advance("job", T0 + timedelta(milliseconds=1))
    assert marks.advance("other", T0 - timedelta(days=1))


def test_a_retreat_restores_the_change_before(marks: JobEventMarks) -> None:
    marks.advance("job", T0)
    marks.advance("job", T0 + timedelta(minutes=5))

    marks.retreat("job", T0 + timedelta(minutes=5))

    assert not marks.advance("job", T0)
    assert marks.advance("job", T0 + timedelta(minutes=5))


def test_a_retreat_leaves_a_newer_change_alone(marks: JobEventMarks) -> None:
    marks.advance("job", T0)
    marks.advance("job", T0 + timedelta(minutes=5))

    marks.retreat("job", T0)

    assert not marks.advance("job", T0 + timedelta(minutes=5))


def test_a_first_change_given_back_is_forgotten(marks: JobEventMarks) -> None:
    marks.advance("job", T0)
    marks.retreat("job", T0)
    assert marks.advance("job", T0 - timedelta(days=1))


@pytest.mark.integration
def test_the_redis_marks_expire_and_use_the_keyspace(redis_client: redis.Redis) -> None:
    RedisJobEventMarks(redis_client).remember("e-1")
    RedisJobEventMarks(redis_client).advance("job", T0)

    assert 0 < redis_client.ttl("finetune:job-event:e-1") <= keys.JOB_EVENT_TTL_SECONDS
    assert 0 < redis_client.ttl("finetune:job-changed:job") <= keys.JOB_CHANGED_TTL_SECONDS
