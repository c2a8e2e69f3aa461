"""Key prefixes: the default keyspace is the documented layout, and two keyspaces on one Redis never meet."""

from __future__ import annotations

import redis
from redis.crc import key_slot

from workflows import keys
from workflows.adapters.redis_coordination import RedisEventLog, RedisLocks
from workflows.deployment_keys import deployment_key, deployments_by_team_key, live_deployments_key, try_thread_key
from workflows.keys import Keyspace

DEMO = Keyspace("finetune-demo:")


def test_the_default_keyspace_is_the_documented_layout() -> None:
    assert keys.conversation_key("T:C:1") == keys.CONVERSATION_PREFIX + "T:C:1"
    assert keys.active_conversations_key("T", "C") == keys.ACTIVE_CONVERSATIONS_PREFIX + "T:C"
    assert keys.event_key("Ev1") == keys.EVENT_PREFIX + "Ev1"
    assert keys.lock_key(keys.SCHEDULER_LEASE) == "finetune:lock:scheduler"
    assert keys.job_key("j") == keys.JOB_PREFIX + "j" == keys.DEFAULT.job_prefix + "j"
    assert keys.jobs_by_channel_key("T", "C") == keys.JOBS_BY_CHANNEL_PREFIX + "T:C"
    assert keys.jobs_by_user_key("T", "U") == keys.JOBS_BY_USER_PREFIX + "T:U"
    assert keys.DEFAULT.watched_jobs == keys.WATCHED_JOBS
    assert keys.conversation_key("T:C:1") == "finetune:{conversations}:conversation:T:C:1"
    assert keys.job_key("j") == "finetune:{jobs}:job:j"
    assert deployment_key(keys.DEFAULT, "d") == "finetune:{deployments}:deployment:d"


def test_the_keys_one_transaction_writes_together_share_a_cluster_slot() -> None:
    for keyspace in (keys.DEFAULT, DEMO):
        families = [
            [
                keyspace.conversation_key("T:C:1"),
                keyspace.conversation_key("T2:C9:2"),
                keyspace.active_conversations_key("T", "C"),
                keyspace.due_conversations,
            ],
            [
                keyspace.job_key("j"),
                keyspace.job_key("other"),
                keyspace.jobs_by_channel_key("T", "C"),
                keyspace.jobs_by_user_key("T", "U"),
                keyspace.watched_jobs,
            ],
            [
                deployment_key(keyspace, "d"),
                deployment_key(keyspace, "e"),
                deployments_by_team_key(keyspace, "T"),
                live_deployments_key(keyspace),
            ],
            [keyspace.approval_key("a1"), keyspace.approval_key("a2"), keyspace.open_approvals],
        ]
        for family in families:
            assert len({key_slot(key.encode()) for key in family}) == 1, family


def test_keys_used_one_at_a_time_keep_their_names_and_spread_over_the_cluster() -> None:
    assert keys.event_key("Ev1") == "finetune:event:Ev1"
    assert keys.request_key("1", "v0=a") == "finetune:request:1:v0=a"
    assert keys.DEFAULT.job_event_key("e") == "finetune:job-event:e"
    assert keys.DEFAULT.job_changed_key("j") == "finetune:job-changed:j"
    assert try_thread_key(keys.DEFAULT, "T", "C", "1.2") == "finetune:try:T:C:1.2"
    slots = {key_slot(keys.event_key(f"Ev{number}").encode()) for number in range(50)}
    assert len(slots) > 40


def test_every_key_of_another_keyspace_starts_with_its_prefix() -> None:
    built = [
        DEMO.conversation_key("T:C:1"),
        DEMO.active_conversations_key("T", "C"),
        DEMO.event_key("Ev1"),
        DEMO.lock_key("scheduler"),
        DEMO.job_key("j"),
        DEMO.jobs_by_channel_key("T", "C"),
        DEMO.jobs_by_user_key("T", "U"),
        DEMO.watched_jobs,
    ]
    assert all(key.startswith("finetune-demo:") for key in built)


def test_the_scheduler_lease_and_dedupe_are_per_keyspace(redis_client: redis.Redis) -> None:
    product, demo = RedisLocks(redis_client), RedisLocks(redis_client, keyspace=DEMO)
    assert product.acquire(keys.SCHEDULER_LEASE, ttl_seconds=30) is not None
    assert demo.acquire(keys.SCHEDULER_LEASE, ttl_seconds=30) is not None
    assert product.acquire(keys.SCHEDULER_LEASE, ttl_seconds=30) is None
    assert RedisEventLog(redis_client).claim("Ev1")
    assert RedisEventLog(redis_client, keyspace=DEMO).claim("Ev1")
    assert sorted(k.decode() for k in redis_client.scan_iter()) == [
        "finetune-demo:event:Ev1",
        "finetune-demo:lock:scheduler",
        "finetune:event:Ev1",
        "finetune:lock:scheduler",
    ]
