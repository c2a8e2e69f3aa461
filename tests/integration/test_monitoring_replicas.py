"""Two ``finetune-bot serve`` replicas on one Redis: each transition announced once, and a takeover on a crash."""

from __future__ import annotations

import boto3
import pytest
import redis

from bot.sandbox.emulator import SlackEmulator
from tests.jobs.monitoring.live import POLL, BotFactory, monitoring_env, notices, seed_job, settle, wait_for_notice
from tests.jobs.monitoring.moto_jobs import BUCKET, REGION, set_status
from tests.support.bot_process import BotProcess
from tests.support.moto_server import MotoServer
from tests.support.net import wait_until
from workflows.adapters.aws_clients import bedrock_client
from workflows.adapters.bedrock import BedrockJobs
from workflows.jobs.job import JobStatus
from workflows.jobs.monitoring.lease import lease_ttl

pytestmark = pytest.mark.integration

LEASE_TAKEN = "took the scheduler lease"


@pytest.fixture
def bedrock(aws: MotoServer) -> BedrockJobs:
    boto3.client("s3", region_name=REGION, endpoint_url=aws.endpoint_url).create_bucket(Bucket=BUCKET)
    return BedrockJobs(bedrock_client(REGION))


@pytest.fixture
def replicas(
    bot_factory: BotFactory, emulator: SlackEmulator, redis_url: str, aws: MotoServer, redis_client: redis.Redis
) -> list[BotProcess]:
    """Two bots sharing Redis, Slack and AWS; one of them holds the lease once both are up."""
    env = monitoring_env(emulator, redis_url, aws.endpoint_url)
    bots = [bot_factory(env), bot_factory(env)]
    wait_until(lambda: len(holders(bots)) == 1, timeout=10, what="one replica to take the lease")
    return bots


def holders(bots: list[BotProcess]) -> list[BotProcess]:
    """The replicas whose log says they took the lease (at most one, unless one died)."""
    return [bot for bot in bots if LEASE_TAKEN in bot.log()]


def test_two_replicas_announce_each_transition_once(
    replicas: list[BotProcess], emulator: SlackEmulator, redis_client: redis.Redis, bedrock: BedrockJobs
) -> None:
    jobs = [seed_job(emulator, redis_client, bedrock, name) for name in ("first-job", "second-job")]
    set_status("first-job", JobStatus.COMPLETED)
    set_status("second-job", JobStatus.FAILED, failure_message="Input size exceeded in file t.jsonl")

    for job in jobs:
        wait_for_notice(emulator, job.name, timeout=3 * POLL + 1)
    settle(3)

    assert [len(notices(emulator, job.name)) for job in jobs] == [1, 1]
    assert len(holders(replicas)) == 1


def test_killing_the_lease_holder_lets_the_other_replica_carry_on(
    replicas: list[BotProcess], emulator: SlackEmulator, redis_client: redis.Redis, bedrock: BedrockJobs
) -> None:
    job = seed_job(emulator, redis_client, bedrock, "survivor-job")
    (holder,) = holders(replicas)
    (other,) = [bot for bot in replicas if bot is not holder]

    holder.kill()
    set_status(job.name, JobStatus.COMPLETED)

    wait_for_notice(emulator, job.name, timeout=lease_ttl(POLL) + 2 * POLL + 1)
    settle()
    assert len(notices(emulator, job.name)) == 1
    assert LEASE_TAKEN in other.log()


def test_a_replica_stopping_gracefully_hands_over_at_once(
    replicas: list[BotProcess], emulator: SlackEmulator, redis_client: redis.Redis, bedrock: BedrockJobs
) -> None:
    job = seed_job(emulator, redis_client, bedrock, "handover-job")
    (holder,) = holders(replicas)

    holder.stop()
    set_status(job.name, JobStatus.STOPPED)

    wait_for_notice(emulator, job.name, timeout=2 * POLL + 1)
    assert len(notices(emulator, job.name)) == 1
