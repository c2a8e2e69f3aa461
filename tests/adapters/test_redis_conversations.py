"""RedisConversationStore on a real Redis: versions, concurrent saves, TTL, the channel index, bad records."""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial

import pytest
import redis

from workflows import keys
from workflows.adapters.redis_conversations import RedisConversationStore
from workflows.exceptions import ConcurrentUpdate
from workflows.setup.model import SCHEMA_VERSION, Conversation, Stage

pytestmark = pytest.mark.integration

START = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def conversation(thread_ts: str = "1772443800.000100", *, minutes: int = 0, **changes: object) -> Conversation:
    """A fresh conversation in channel C1, last updated ``minutes`` after START."""
    at = START + timedelta(minutes=minutes)
    base = Conversation(team="T1", channel="C1", thread_ts=thread_ts, user="U1", created_at=START, updated_at=at)
    return base.model_copy(update=changes)


@pytest.fixture
def store(redis_client: redis.Redis) -> RedisConversationStore:
    return RedisConversationStore(redis_client)


def test_a_saved_conversation_loads_back_with_the_next_version(store: RedisConversationStore) -> None:
    original = conversation(stage=Stage.CHOOSING_MODEL, model_id="amazon.nova-micro-v1:0:128k")

    saved = store.save(original)

    assert saved.version == 1
    assert store.load(original.id) == saved
    assert saved.model_copy(update={"version": 0}) == original


def test_each_save_increments_the_version(store: RedisConversationStore) -> None:
    first = store.save(conversation())

    second = store.save(first.model_copy(update={"stage": Stage.ASKING_DATA}))

    assert second.version == 2
    loaded = store.load(first.id)
    assert loaded is not None
    assert (loaded.version, loaded.stage) == (2, Stage.ASKING_DATA)


def test_the_record_is_versioned_json(store: RedisConversationStore, redis_client: redis.Redis) -> None:
    saved = store.save(conversation())

    raw = redis_client.get(keys.conversation_key(saved.id))

    assert isinstance(raw, bytes)
    envelope = json.loads(raw)
    assert envelope["schema"] == SCHEMA_VERSION
    assert envelope["conversation"]["version"] == 1
    assert envelope["conversation"]["thread_ts"] == saved.thread_ts


def test_a_new_conversation_cannot_overwrite_an_existing_one(store: RedisConversationStore) -> None:
    store.save(conversation())

    with pytest.raises(ConcurrentUpdate):
        store.save(conversation())


def test_a_save_from_a_stale_read_is_refused(store: RedisConversationStore) -> None:
    read = store.save(conversation())
    store.save(read.model_copy(update={"stage": Stage.ASKING_DATA}))

    with pytest.raises(ConcurrentUpdate):
        store.save(read.model_copy(update={"stage": Stage.CANCELLED}))
    loaded = store.load(read.id)
    assert loaded is not None
    assert loaded.stage is Stage.ASKING_DATA


def test_two_replicas_saving_the_same_version_at_once_exactly_one_wins(
    redis_client: redis.Redis, new_redis_client: Callable[[], redis.Redis]
) -> None:
    clients = [new_redis_client() for _ in range(2)]
    stores = [RedisConversationStore(client) for client in clients]
    try:
        for round_number in range(20):
            read = stores[0].save(conversation(f"1772443800.{round_number:06d}"))
            outcomes = _race(
                [
                    partial(store.save, read.model_copy(update={"stage": stage}))
                    for store, stage in zip(stores, (Stage.ASKING_DATA, Stage.CANCELLED), strict=True)
                ]
            )
            assert sorted(outcomes) == ["ConcurrentUpdate", "saved"], f"round {round_number}"
            loaded = stores[0].load(read.id)
            assert loaded is not None
            assert loaded.version == 2
    finally:
        for client in clients:
            client.close()


def _race(actions: list[Callable[[], object]]) -> list[str]:
    """Run the callables in threads released together; each outcome is "saved" or the error's name."""
    barrier = threading.Barrier(len(actions))
    outcomes: list[str] = []

    def run(action: Callable[[], object]) -> None:
        barrier.wait()
        try:
            action()
            outcomes.append("saved")
        except ConcurrentUpdate:
            outcomes.append("ConcurrentUpdate")

    threads = [threading.Thread(target=run, args=(action,)) for action in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    return outcomes


def test_a_save_sets_the_ttl(redis_client: redis.Redis) -> None:
    store = RedisConversationStore(redis_client, ttl_seconds=600)

    saved = store.save(conversation())

    assert 590 <= redis_client.ttl(keys.conversation_key(saved.id)) <= 600


def test_every_save_starts_the_ttl_again(redis_client: redis.Redis) -> None:
    store = RedisConversationStore(redis_client, ttl_seconds=600)
    saved = store.save(conversation())
    redis_client.expire(keys.conversation_key(saved.id), 5)

    store.save(saved)

    assert redis_client.ttl(keys.conversation_key(saved.id)) > 5


def test_the_default_ttl_is_a_week(store: RedisConversationStore, redis_client: redis.Redis) -> None:
    saved = store.save(conversation())

    assert redis_client.ttl(keys.conversation_key(saved.id)) > 6 * 24 * 3600


def test_unfinished_conversations_are_listed_for_their_channel_newest_first(
    store: RedisConversationStore,
) -> None:
    older = store.save(conversation("1772443800.000001", minutes=1))
    newer = store.save(conversation("1772443800.000002", minutes=5))
    store.save(conversation("1772443800.000003").model_copy(update={"channel": "C2"}))

    assert store.active_in_channel(team="T1", channel="C1") == [newer.id, older.id]


def test_a_finished_conversation_leaves_the_channel_index(store: RedisConversationStore) -> None:
    started = store.save(conversation())

    store.save(started.model_copy(update={"stage": Stage.CANCELLED}))

    assert store.active_in_channel(team="T1", channel="C1") == []
    assert store.load(started.id) is not None


def test_an_expired_conversation_drops_out_of_the_channel_index(
    store: RedisConversationStore, redis_client: redis.Redis
) -> None:
    gone = store.save(conversation("1772443800.000001"))
    kept = store.save(conversation("1772443800.000002"))
    redis_client.delete(keys.conversation_key(gone.id))

    assert store.active_in_channel(team="T1", channel="C1") == [kept.id]
    assert redis_client.zcard(keys.active_conversations_key("T1", "C1")) == 1


def test_a_record_with_an_unknown_schema_loads_as_none_and_is_logged(
    store: RedisConversationStore, redis_client: redis.Redis, caplog: pytest.LogCaptureFixture
) -> None:
    stored = conversation()
    envelope = {"schema": SCHEMA_VERSION + 1, "conversation": stored.model_dump(mode="json")}
    redis_client.set(keys.conversation_key(stored.id), json.dumps(envelope))

    with caplog.at_level(logging.WARNING):
        assert store.load(stored.id) is None
    assert "unknown schema" in caplog.text


@pytest.mark.parametrize(
    "raw",
    [
        b"not json at all",
        b"\xff\xfe binary",
        b"[1, 2, 3]",
        json.dumps({"schema": SCHEMA_VERSION, "conversation": {"team": "T1"}}).encode(),
        json.dumps({"schema": SCHEMA_VERSION, "conversation": {"stage": "no-such-stage"}}).encode(),
    ],
    ids=["not-json", "binary", "not-an-object", "missing-fields", "bad-stage"],
)
def test_a_corrupt_record_loads_as_none(store: RedisConversationStore, redis_client: redis.Redis, raw: bytes) -> None:
    conversation_id = conversation().id
    redis_client.set(keys.conversation_key(conversation_id), raw)

    assert store.load(conversation_id) is None


def test_a_new_conversation_replaces_an_unreadable_record(
    store: RedisConversationStore, redis_client: redis.Redis
) -> None:
    fresh = conversation()
    redis_client.set(keys.conversation_key(fresh.id), b"garbage")

    saved = store.save(fresh)

    assert store.load(fresh.id) == saved
