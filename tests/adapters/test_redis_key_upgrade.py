"""Upgrading from the key names before hash tags: running jobs, setups in progress and live deployments survive."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import redis

from tests.deployments.deployment_samples import throughput
from tests.fakes.samples import record
from tests.support.legacy_keys import as_before_hash_tags
from workflows import keys
from workflows.adapters.redis_conversations import RedisConversationStore
from workflows.adapters.redis_deployments import RedisDeployments
from workflows.adapters.redis_job_history import RedisJobHistory
from workflows.adapters.redis_jobs import RedisJobRecords
from workflows.adapters.redis_key_upgrade import LOCK_NAME, LegacyKeyUpgrade
from workflows.adapters.redis_values import as_text
from workflows.jobs.job import JobStatus
from workflows.setup.model import Busy, Conversation, Stage

pytestmark = pytest.mark.integration

START = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def setup_in_progress() -> Conversation:
    """A setup whose dataset check is running: unfinished, and due when the check's deadline passes."""
    busy = Busy(owner="host:1", since=START, until=START + timedelta(minutes=15), token="t")
    return Conversation(
        team="T1",
        channel="C1",
        thread_ts="1772443800.000100",
        user="U1",
        created_at=START,
        updated_at=START,
        stage=Stage.CHECKING_TRAINING,
        busy=busy,
    )


def every_key(client: redis.Redis) -> set[str]:
    return {as_text(key) or "" for key in client.scan_iter()}


def test_a_running_job_a_setup_in_progress_and_a_live_deployment_survive_the_upgrade(redis_client: redis.Redis) -> None:
    jobs, setups, deployments = (
        RedisJobRecords(redis_client),
        RedisConversationStore(redis_client),
        RedisDeployments(redis_client),
    )
    jobs.save(record("running-1"))
    jobs.save(record("done-1", announced_status=JobStatus.COMPLETED))
    saved = setups.save(setup_in_progress())
    deployments.save(throughput("live-1"))
    old_names = as_before_hash_tags(redis_client)
    assert "finetune:job:running-1" in old_names
    assert "finetune:conversations:due" in old_names
    assert "finetune:deployments:live" in old_names
    assert jobs.get("running-1") is None
    assert setups.load(saved.id) is None

    assert LegacyKeyUpgrade(redis_client).ensure()

    assert [found.job_name for found in jobs.watched()] == ["running-1"]
    assert {found.job_name for found in jobs.in_channel(team="T1", channel="C1", limit=10)} == {"running-1", "done-1"}
    assert 0 < redis_client.ttl(keys.job_key("done-1")) <= keys.JOB_RETENTION_SECONDS
    assert redis_client.ttl(keys.job_key("running-1")) == -1
    assert setups.load(saved.id) == saved
    assert setups.due(START + timedelta(hours=1)) == [saved.id]
    assert setups.active_in_channel(team="T1", channel="C1") == [saved.id]
    assert 0 < redis_client.ttl(keys.conversation_key(saved.id)) <= keys.CONVERSATION_TTL_SECONDS
    assert [found.name for found in deployments.live()] == ["live-1"]
    assert [found.name for found in deployments.in_team("T1")] == ["live-1"]
    assert sorted(found.job_name for found in RedisJobHistory(redis_client).in_team("T1")) == ["done-1", "running-1"]
    assert not every_key(redis_client) & set(old_names)


def test_running_it_again_or_on_another_replica_moves_nothing(redis_client: redis.Redis) -> None:
    RedisJobRecords(redis_client).save(record("running-1"))
    as_before_hash_tags(redis_client)
    assert LegacyKeyUpgrade(redis_client).run() == 4
    before = every_key(redis_client)

    assert LegacyKeyUpgrade(redis_client).run() == 0
    assert every_key(redis_client) == before


def test_while_another_replica_upgrades_it_waits_for_a_later_tick(redis_client: redis.Redis) -> None:
    RedisJobRecords(redis_client).save(record("running-1"))
    as_before_hash_tags(redis_client)
    redis_client.set(keys.lock_key(LOCK_NAME), "someone-else", ex=60)
    upgrade = LegacyKeyUpgrade(redis_client)

    assert not upgrade.ensure()
    assert RedisJobRecords(redis_client).get("running-1") is None

    redis_client.delete(keys.lock_key(LOCK_NAME))
    assert upgrade.ensure()
    assert RedisJobRecords(redis_client).get("running-1") is not None


def test_keys_written_under_both_names_keep_the_new_record_and_every_index_entry(redis_client: redis.Redis) -> None:
    jobs = RedisJobRecords(redis_client)
    jobs.save(record("old-1"))
    as_before_hash_tags(redis_client)
    redis_client.set("finetune:job:new-1", record("new-1", channel="C-old").model_dump_json())
    newer = record("new-1", channel="C-new")
    jobs.save(newer)

    assert LegacyKeyUpgrade(redis_client).ensure()

    assert jobs.get("new-1") == newer
    assert {found.job_name for found in jobs.watched()} == {"old-1", "new-1"}
    assert {found.job_name for found in jobs.in_channel(team="T1", channel="C1", limit=10)} == {"old-1"}
    assert "finetune:job:new-1" not in every_key(redis_client)


def test_a_redis_that_does_not_answer_is_tried_again_later() -> None:
    upgrade = LegacyKeyUpgrade(redis.Redis(port=1, socket_connect_timeout=0.2))

    assert not upgrade.ensure()
