"""Key prefixes: the default keyspace is the documented layout, and two keyspaces on one Redis never meet."""

from __future__ import annotations

import redis

from workflows import keys
from workflows.adapters.redis_coordination import RedisEventLog, RedisLocks
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
    assert RedisEventLog(redis_client).first_delivery("Ev1")
    assert RedisEventLog(redis_client, keyspace=DEMO).first_delivery("Ev1")
    assert sorted(k.decode() for k in redis_client.keys("*")) == [
        "finetune-demo:event:Ev1",
        "finetune-demo:lock:scheduler",
        "finetune:event:Ev1",
        "finetune:lock:scheduler",
    ]
