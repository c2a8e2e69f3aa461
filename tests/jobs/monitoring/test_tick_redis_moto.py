"""The status tick on a real Redis and moto in server mode: calls per tick, announce-once, metrics from S3."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
import redis

from tests.fakes.notifier import RecordingNotifier
from tests.fakes.samples import record
from tests.jobs.monitoring.moto_jobs import BUCKET, REGION, create_job, put_metrics, set_status
from tests.support.moto_server import MotoServer
from workflows.adapters.aws_clients import bedrock_client, s3_client
from workflows.adapters.bedrock import BedrockJobs
from workflows.adapters.redis_coordination import RedisLocks
from workflows.adapters.redis_job_history import RedisJobHistory
from workflows.adapters.redis_jobs import RedisJobRecords
from workflows.adapters.s3 import S3Datasets
from workflows.catalogue import load_catalogue
from workflows.clock import SystemClock
from workflows.jobs.job import JobStatus
from workflows.jobs.monitoring.lease import SchedulerLease
from workflows.jobs.monitoring.tick import JobMonitor

pytestmark = pytest.mark.integration

CATALOGUE = load_catalogue(None)


@pytest.fixture
def s3(aws: MotoServer) -> Any:
    client = boto3.client("s3", region_name=REGION, endpoint_url=aws.endpoint_url)
    client.create_bucket(Bucket=BUCKET)
    return client


@pytest.fixture
def bedrock(aws: MotoServer) -> BedrockJobs:
    return BedrockJobs(bedrock_client(REGION), page_size=2)


def monitor(
    client: redis.Redis, bedrock: BedrockJobs, notifier: RecordingNotifier, *, lease: str = "scheduler"
) -> JobMonitor:
    """A replica on the real Redis; a different ``lease`` name makes it think it leads as well."""
    locks = RedisLocks(client)
    return JobMonitor(
        jobs=bedrock,
        records=RedisJobRecords(client),
        notifier=notifier,
        timers=locks,
        lease=SchedulerLease(locks, ttl_seconds=30, name=lease),
        catalogue=CATALOGUE,
        clock=SystemClock(),
        region=REGION,
        update_every=timedelta(minutes=30),
        storage=S3Datasets(s3_client(REGION), bucket=BUCKET, region=REGION),
    )


def watch(client: redis.Redis, bedrock: BedrockJobs, name: str) -> None:
    """Create the job in moto and record it in Redis as the launcher does."""
    arn = create_job(bedrock, name)
    RedisJobRecords(client).save(record(name, job_arn=arn, started_at=datetime.now(UTC)))


def test_calls_per_tick_follow_pages_of_running_jobs_plus_the_jobs_that_ended(
    redis_client: redis.Redis, bedrock: BedrockJobs, s3: Any
) -> None:
    for index in range(5):
        watch(redis_client, bedrock, f"job-{index}")
    set_status("job-2", JobStatus.COMPLETED)
    bedrock.calls.clear()

    report = monitor(redis_client, bedrock, RecordingNotifier()).tick()

    # 4 running jobs in pages of 2 (+ one empty page for Stopping), then one Get for the job that ended
    assert dict(bedrock.calls) == {"ListModelCustomizationJobs": 3, "GetModelCustomizationJob": 1}
    assert (report.listed, report.ended) == (4, 1)


def test_a_completion_is_announced_once_with_the_losses_from_the_metrics_files(
    redis_client: redis.Redis, bedrock: BedrockJobs, s3: Any
) -> None:
    watch(redis_client, bedrock, "tone-1a2b")
    put_metrics(s3, "tone-1a2b")
    set_status("tone-1a2b", JobStatus.COMPLETED)
    notifier = RecordingNotifier()
    replica = monitor(redis_client, bedrock, notifier)

    replica.tick()
    replica.tick()

    (notice,) = notifier.channel_posts()
    assert notice.message is not None
    facts = dict(notice.message.facts)
    assert facts["Training loss"] == "0.625 (from 2.25 over 3 steps)"
    assert facts["Validation loss"] == "0.875 (from 1.75 over 2 evaluations)"
    assert facts["Custom model"] == "`tone-1a2b-model-tone-1a2b`"
    assert len(notifier.of_kind("attach")) == 1
    assert RedisJobRecords(redis_client).watched() == []


def test_two_replicas_ticking_at_once_announce_a_failure_once(
    redis_client: redis.Redis, bedrock: BedrockJobs, s3: Any
) -> None:
    watch(redis_client, bedrock, "tone-1a2b")
    set_status("tone-1a2b", JobStatus.FAILED, failure_message="Input size exceeded in file t.jsonl")
    notifier = RecordingNotifier()
    first = monitor(redis_client, bedrock, notifier, lease="lease-a")
    second = monitor(redis_client, bedrock, notifier, lease="lease-b")

    first.tick()
    second.tick()

    (notice,) = notifier.channel_posts()
    assert notice.message is not None
    assert "A record is longer than the model accepts" in notice.message.details[0]


def test_a_replica_started_after_the_job_ended_announces_it_once(
    redis_client: redis.Redis, bedrock: BedrockJobs, s3: Any
) -> None:
    watch(redis_client, bedrock, "tone-1a2b")
    before = RecordingNotifier()
    monitor(redis_client, bedrock, before).tick()
    set_status("tone-1a2b", JobStatus.STOPPED)

    after = RecordingNotifier()
    restarted = monitor(redis_client, bedrock, after, lease="after-restart")
    restarted.tick()
    restarted.tick()

    assert before.channel_posts() == []
    (notice,) = after.channel_posts()
    assert notice.message is not None
    assert "was stopped" in notice.message.text


def test_the_history_finds_every_record_of_a_workspace(redis_client: redis.Redis) -> None:
    records = RedisJobRecords(redis_client)
    for index in range(3):
        records.save(record(f"job-{index}"))
    records.save(record("other-team", team="T2"))

    found = RedisJobHistory(redis_client).in_team("T1")

    assert sorted(r.job_name for r in found) == ["job-0", "job-1", "job-2"]
