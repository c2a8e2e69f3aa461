"""RedisJobRecords on a real Redis: records, newest-first indexes, the watch list and announcement CAS."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
import redis

from workflows import keys
from workflows.adapters.redis_jobs import RedisJobRecords
from workflows.dataset_rules import CustomizationType
from workflows.jobs.job import JobRecord, JobStatus

pytestmark = pytest.mark.integration

START = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
TRAINING = {"validation": "Completed", "data processing": "Completed", "training": "InProgress"}


def record(name: str, *, hours: int = 0, channel: str = "C1", user: str = "U1", **changes: object) -> JobRecord:
    """A job started ``hours`` after START from ``channel`` by ``user``."""
    base = JobRecord(
        job_name=name,
        job_arn=f"arn:aws:bedrock:us-east-1:123456789012:model-customization-job/{name}",
        base_model_id="amazon.nova-micro-v1:0:128k",
        customization=CustomizationType.CONVERSATION,
        conversation_id=f"T1:{channel}:1772443800.000100",
        team="T1",
        channel=channel,
        thread_ts="1772443800.000100",
        user=user,
        started_at=START + timedelta(hours=hours),
        epochs=2,
        training_tokens=120_000,
    )
    return base.model_copy(update=changes)


@pytest.fixture
def records(redis_client: redis.Redis) -> RedisJobRecords:
    return RedisJobRecords(redis_client)


def names(found: list[JobRecord]) -> list[str]:
    return [job.job_name for job in found]


def test_a_saved_record_reads_back_equal(records: RedisJobRecords) -> None:
    job = record("support-tone-1a2b", status_message_ts="1772443801.000200", estimated_training_cost="4.20")

    records.save(job)

    assert records.get("support-tone-1a2b") == job


def test_an_unknown_job_reads_as_none(records: RedisJobRecords) -> None:
    assert records.get("no-such-job") is None


def test_a_corrupt_record_reads_as_none(records: RedisJobRecords, redis_client: redis.Redis) -> None:
    redis_client.set(keys.job_key("broken"), b"{not json")

    assert records.get("broken") is None


def test_jobs_in_a_channel_come_newest_first(records: RedisJobRecords) -> None:
    for name, hours in (("first", 0), ("third", 2), ("second", 1)):
        records.save(record(name, hours=hours))
    records.save(record("elsewhere", hours=3, channel="C2"))

    assert names(records.in_channel(team="T1", channel="C1", limit=10)) == ["third", "second", "first"]


def test_the_channel_listing_stops_at_the_limit(records: RedisJobRecords) -> None:
    for hours in range(5):
        records.save(record(f"job-{hours}", hours=hours))

    assert names(records.in_channel(team="T1", channel="C1", limit=2)) == ["job-4", "job-3"]


def test_a_persons_jobs_come_newest_first_across_channels(records: RedisJobRecords) -> None:
    records.save(record("mine-old", hours=0, channel="C1"))
    records.save(record("mine-new", hours=1, channel="C2"))
    records.save(record("theirs", hours=2, user="U2"))

    assert names(records.by_user(team="T1", user="U1", limit=10)) == ["mine-new", "mine-old"]


def test_an_expired_record_drops_out_of_the_indexes(records: RedisJobRecords, redis_client: redis.Redis) -> None:
    for hours in range(3):
        records.save(record(f"job-{hours}", hours=hours))
    redis_client.delete(keys.job_key("job-2"))

    assert names(records.in_channel(team="T1", channel="C1", limit=2)) == ["job-1", "job-0"]
    assert redis_client.zcard(keys.jobs_by_channel_key("T1", "C1")) == 2


def test_the_indexes_keep_only_the_newest_entries(
    records: RedisJobRecords, redis_client: redis.Redis, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(keys, "JOB_INDEX_LIMIT", 3)

    for hours in range(5):
        records.save(record(f"job-{hours}", hours=hours))

    assert redis_client.zcard(keys.jobs_by_channel_key("T1", "C1")) == 3
    assert names(records.by_user(team="T1", user="U1", limit=10)) == ["job-4", "job-3", "job-2"]


def test_a_running_job_is_watched_and_never_expires(records: RedisJobRecords, redis_client: redis.Redis) -> None:
    records.save(record("late", hours=1))
    records.save(record("early", hours=0))

    assert names(records.watched()) == ["early", "late"]
    assert redis_client.ttl(keys.job_key("early")) == -1


def test_an_unwatched_job_leaves_the_watch_list_and_is_kept_for_a_while(
    records: RedisJobRecords, redis_client: redis.Redis
) -> None:
    records.save(record("done"))

    records.unwatch("done")

    assert records.watched() == []
    assert records.get("done") is not None
    assert 0 < redis_client.ttl(keys.job_key("done")) <= keys.JOB_RETENTION_SECONDS


def test_a_job_saved_with_its_end_announced_is_not_watched(records: RedisJobRecords) -> None:
    records.save(record("finished", announced_status=JobStatus.COMPLETED))

    assert records.watched() == []


def test_a_matching_announcement_is_recorded(records: RedisJobRecords) -> None:
    records.save(record("job"))

    changed = records.compare_and_set_announcement(
        "job",
        expected_status=JobStatus.IN_PROGRESS,
        expected_stages={},
        new_status=JobStatus.IN_PROGRESS,
        new_stages=TRAINING,
    )

    assert changed is True
    stored = records.get("job")
    assert stored is not None
    assert (stored.announced_status, stored.announced_stages) == (JobStatus.IN_PROGRESS, TRAINING)


def test_an_announcement_with_a_stale_expectation_is_refused(records: RedisJobRecords) -> None:
    records.save(record("job", announced_stages=TRAINING))

    changed = records.compare_and_set_announcement(
        "job",
        expected_status=JobStatus.IN_PROGRESS,
        expected_stages={},
        new_status=JobStatus.COMPLETED,
        new_stages=TRAINING,
    )

    assert changed is False
    stored = records.get("job")
    assert stored is not None
    assert stored.announced_status is JobStatus.IN_PROGRESS


def test_an_announcement_for_an_unknown_job_is_refused(records: RedisJobRecords) -> None:
    assert not records.compare_and_set_announcement(
        "ghost",
        expected_status=JobStatus.IN_PROGRESS,
        expected_stages={},
        new_status=JobStatus.COMPLETED,
        new_stages={},
    )


def test_an_announcement_keeps_the_records_expiry(records: RedisJobRecords, redis_client: redis.Redis) -> None:
    records.save(record("job"))
    records.unwatch("job")

    records.compare_and_set_announcement(
        "job",
        expected_status=JobStatus.IN_PROGRESS,
        expected_stages={},
        new_status=JobStatus.COMPLETED,
        new_stages={},
    )

    assert redis_client.ttl(keys.job_key("job")) > 0


def test_replicas_racing_to_announce_a_transition_succeed_exactly_once(
    new_redis_client: Callable[[], redis.Redis],
) -> None:
    clients = [new_redis_client() for _ in range(4)]
    replicas = [RedisJobRecords(client) for client in clients]
    try:
        for round_number in range(20):
            name = f"job-{round_number}"
            replicas[0].save(record(name))
            assert _race_announcements(replicas, name).count(True) == 1, f"round {round_number}"
            stored = replicas[0].get(name)
            assert stored is not None
            assert stored.announced_status is JobStatus.COMPLETED
    finally:
        for client in clients:
            client.close()


def _race_announcements(replicas: list[RedisJobRecords], name: str) -> list[bool]:
    """Every replica announces InProgress → Completed at the same moment."""
    barrier = threading.Barrier(len(replicas))
    results: list[bool] = []

    def announce(replica: RedisJobRecords) -> None:
        barrier.wait()
        results.append(
            replica.compare_and_set_announcement(
                name,
                expected_status=JobStatus.IN_PROGRESS,
                expected_stages={},
                new_status=JobStatus.COMPLETED,
                new_stages=TRAINING,
            )
        )

    threads = [threading.Thread(target=announce, args=(replica,)) for replica in replicas]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert len(results) == len(replicas)
    return results
