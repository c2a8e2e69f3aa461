"""``finetune-bot serve`` on a three-primary Redis Cluster: a whole setup, monitoring under the lease, the upgrade
of a previous release's keys, and ``/healthz``."""

from __future__ import annotations

import time

import boto3
import pytest
import redis

from bot.sandbox.driver import SlackDriver
from bot.sandbox.emulator import SlackEmulator
from bot.sandbox.samples import INSTRUCTION, sample_bytes
from tests.conftest import SIGNING_SECRET
from tests.jobs.monitoring.live import BotFactory, notices, seed_job, settle, wait_for_notice
from tests.jobs.monitoring.moto_jobs import set_status
from tests.support.legacy_keys import as_before_hash_tags
from tests.support.moto_server import MotoServer
from tests.support.net import free_port, http_status
from tests.support.redis_cluster import throwaway_cluster
from tests.support.stack import BUCKET, CHANNEL, REGION, USER, Stack, bot_environment, full_text
from workflows import keys
from workflows.adapters.aws_clients import bedrock_client
from workflows.adapters.bedrock import BedrockJobs
from workflows.adapters.redis_jobs import RedisJobRecords
from workflows.adapters.redis_values import as_text
from workflows.jobs.job import JobStatus

pytestmark = [pytest.mark.integration, pytest.mark.cluster]

#: Seconds between status ticks, and how long a completion notice may take (two ticks and start-up).
POLL = 1
NOTICE_WITHIN = 10.0


@pytest.fixture
def cluster_env(
    emulator: SlackEmulator, cluster_redis_client: redis.Redis, redis_cluster_url: str, aws: MotoServer
) -> dict[str, str]:
    """The bot's settings on the emptied test cluster, with a fast status tick."""
    boto3.client("s3", region_name=REGION, endpoint_url=aws.endpoint_url).create_bucket(Bucket=BUCKET)
    env = bot_environment(
        emulator=emulator, signing_secret=SIGNING_SECRET, redis_url=redis_cluster_url, aws_url=aws.endpoint_url
    )
    return env | {"REDIS_CLUSTER": "true", "FINETUNE_POLL_SECONDS": str(POLL)}


@pytest.fixture
def cluster_stack(
    bot_factory: BotFactory, emulator: SlackEmulator, cluster_env: dict[str, str], aws: MotoServer
) -> Stack:
    bot = bot_factory(cluster_env)
    driver = SlackDriver(bot.events_url, SIGNING_SECRET, emulator, default_user=USER, default_channel=CHANNEL)
    return Stack(
        bot=bot, emulator=emulator, driver=driver, aws_url=aws.endpoint_url, env=cluster_env, start_bot=bot_factory
    )


def test_a_whole_setup_starts_one_job_whose_completion_is_announced_once(
    cluster_stack: Stack, cluster_redis_client: redis.Redis
) -> None:
    stack = cluster_stack
    assert stack.driver.slash_command("").status == 200
    thread = stack.root().ts
    stack.reply(thread, "What kind of customization do you want?")
    stack.driver.click("Instruction fine-tuning", thread_ts=thread)
    stack.reply(thread, "Which base model?")
    stack.driver.choose("Titan Text G1 Express", thread_ts=thread)
    stack.reply(thread, "Now the training data")
    stack.driver.upload_file("train.jsonl", sample_bytes(INSTRUCTION), thread_ts=thread)
    stack.reply(thread, "is ready")
    stack.reply(thread, "Do you have a validation file?")
    stack.driver.click("Skip validation", thread_ts=thread)
    stack.reply(thread, "Review your fine-tuning job")
    stack.driver.click("Start fine-tuning", thread_ts=thread)
    stack.reply(thread, "Started fine-tuning job")

    jobs = stack.jobs()
    assert len(jobs) == 1
    name = jobs[0]["jobName"]
    record = RedisJobRecords(cluster_redis_client).get(name)
    assert record is not None
    assert record.thread_ts == thread
    set_status(name, JobStatus.COMPLETED)
    wait_for_notice(stack.emulator, name, timeout=NOTICE_WITHIN)
    settle(3)
    assert len(notices(stack.emulator, name)) == 1


def test_a_running_job_recorded_by_the_previous_release_is_kept_and_announced(
    bot_factory: BotFactory, emulator: SlackEmulator, cluster_env: dict[str, str], cluster_redis_client: redis.Redis
) -> None:
    job = seed_job(emulator, cluster_redis_client, BedrockJobs(bedrock_client(REGION)), "tone-9c8d")
    old_names = as_before_hash_tags(cluster_redis_client)
    assert f"{keys.NAMESPACE}job:{job.name}" in old_names

    bot_factory(cluster_env)
    set_status(job.name, JobStatus.COMPLETED)

    wait_for_notice(emulator, job.name, timeout=NOTICE_WITHIN)
    remaining = {as_text(key) for key in cluster_redis_client.scan_iter()}
    assert not remaining & set(old_names)
    assert keys.job_key(job.name) in remaining


def test_healthz_answers_for_the_cluster(bot_factory: BotFactory, cluster_env: dict[str, str]) -> None:
    up = bot_factory(cluster_env)
    down = bot_factory(cluster_env | {"REDIS_URL": f"redis://127.0.0.1:{free_port()}/0"})

    assert http_status(f"{up.base_url}/healthz") == 200
    assert http_status(f"{down.base_url}/healthz") == 503


def test_a_primary_that_stops_makes_healthz_503_within_a_second_and_the_bot_recovers_when_it_returns(
    bot_factory: BotFactory, cluster_env: dict[str, str], emulator: SlackEmulator
) -> None:
    with throwaway_cluster() as cluster:
        bot = bot_factory(cluster_env | {"REDIS_URL": cluster.url})
        driver = SlackDriver(bot.events_url, SIGNING_SECRET, emulator, default_user=USER, default_channel=CHANNEL)
        assert http_status(f"{bot.base_url}/healthz") == 200

        cluster.kill(len(cluster.ports) - 1)
        started = time.monotonic()
        assert http_status(f"{bot.base_url}/healthz") == 503
        assert time.monotonic() - started < 1.0

        cluster.restart(len(cluster.ports) - 1)
        emulator.wait_for(lambda: http_status(f"{bot.base_url}/healthz") == 200, 15, "/healthz 200 again")
        assert driver.slash_command("").status == 200
        root = emulator.wait_for_message(CHANNEL, contains="is setting up a fine-tuning job", timeout=10)
        emulator.wait_for(
            lambda: [m for m in emulator.messages(CHANNEL, root.ts) if "What kind of customization" in full_text(m)],
            10,
            "the setup's first question, asked after its state was saved",
        )
        assert root.ts in [m.ts for m in emulator.messages(CHANNEL)]
