"""``ConversationStore``: the in-memory fake and the Redis store give the same answers to the same saves."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import redis

from tests.fakes.conversations import MemoryConversationStore
from tests.support.redis_cluster import REDIS_KINDS, redis_of_kind
from workflows.adapters.redis_conversations import RedisConversationStore
from workflows.exceptions import ConcurrentUpdate
from workflows.ports import ConversationStore
from workflows.setup.model import Busy, Conversation, Stage

START = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def conversation(thread_ts: str, *, minutes: int = 0, channel: str = "C1", **changes: object) -> Conversation:
    at = START + timedelta(minutes=minutes)
    base = Conversation(team="T1", channel=channel, thread_ts=thread_ts, user="U1", created_at=START, updated_at=at)
    return base.model_copy(update=changes)


def busy_until(minutes: int) -> Busy:
    return Busy(owner="host:1", since=START, until=START + timedelta(minutes=minutes), token="t")


@pytest.fixture(params=["fake", *REDIS_KINDS])
def store(request: pytest.FixtureRequest) -> ConversationStore:
    if request.param == "fake":
        return MemoryConversationStore()
    client: redis.Redis = redis_of_kind(request, request.param)
    return RedisConversationStore(client)


def test_an_unknown_conversation_loads_as_none(store: ConversationStore) -> None:
    assert store.load("T1:C1:1.000") is None


def test_a_new_conversation_is_stored_as_version_one_and_loads_back(store: ConversationStore) -> None:
    saved = store.save(conversation("1.000", stage=Stage.CHOOSING_MODEL))

    assert saved.version == 1
    assert store.load(saved.id) == saved


def test_a_save_from_a_stale_read_is_refused_and_the_first_save_kept(store: ConversationStore) -> None:
    first = store.save(conversation("1.000"))
    store.save(first.model_copy(update={"stage": Stage.ASKING_DATA}))

    with pytest.raises(ConcurrentUpdate):
        store.save(first.model_copy(update={"stage": Stage.ASKING_GOAL}))
    stored = store.load(first.id)
    assert stored is not None
    assert (stored.stage, stored.version) == (Stage.ASKING_DATA, 2)


def test_a_second_new_conversation_in_the_same_thread_is_refused(store: ConversationStore) -> None:
    store.save(conversation("1.000"))

    with pytest.raises(ConcurrentUpdate):
        store.save(conversation("1.000"))


def test_the_channel_lists_its_unfinished_conversations_most_recently_updated_first(store: ConversationStore) -> None:
    store.save(conversation("1.000", minutes=1))
    store.save(conversation("2.000", minutes=3))
    store.save(conversation("3.000", minutes=2, stage=Stage.STARTED))
    store.save(conversation("4.000", minutes=4, stage=Stage.CANCELLED))
    store.save(conversation("5.000", minutes=5, channel="C2"))

    assert store.active_in_channel(team="T1", channel="C1") == ["T1:C1:2.000", "T1:C1:1.000"]
    assert store.active_in_channel(team="T2", channel="C1") == []


def test_a_conversation_that_finishes_leaves_the_channel_list(store: ConversationStore) -> None:
    saved = store.save(conversation("1.000"))
    store.save(saved.model_copy(update={"stage": Stage.STARTED}))

    assert store.active_in_channel(team="T1", channel="C1") == []


def test_a_person_s_unfinished_conversations_are_listed_across_channels_newest_first(
    store: ConversationStore,
) -> None:
    store.save(conversation("1.000", minutes=1))
    store.save(conversation("2.000", minutes=3, channel="C2"))
    store.save(conversation("3.000", minutes=2, user="U2"))
    finishing = store.save(conversation("4.000", minutes=4))
    store.save(finishing.model_copy(update={"stage": Stage.CANCELLED}))

    assert store.active_for_user(team="T1", user="U1") == ["T1:C2:2.000", "T1:C1:1.000"]
    assert store.active_for_user(team="T1", user="U2") == ["T1:C1:3.000"]
    assert store.active_for_user(team="T2", user="U1") == []


def test_due_lists_the_passed_deadlines_oldest_first_up_to_the_limit(store: ConversationStore) -> None:
    store.save(conversation("1.000", busy=busy_until(20)))
    store.save(conversation("2.000", busy=busy_until(10)))
    store.save(conversation("3.000", busy=busy_until(90)))
    store.save(conversation("4.000"))

    now = START + timedelta(minutes=30)
    assert store.due(now) == ["T1:C1:2.000", "T1:C1:1.000"]
    assert store.due(now, limit=1) == ["T1:C1:2.000"]
    assert store.due(START) == []


def test_a_conversation_no_longer_busy_is_no_longer_due(store: ConversationStore) -> None:
    saved = store.save(conversation("1.000", busy=busy_until(10)))
    store.save(saved.model_copy(update={"busy": None}))

    assert store.due(START + timedelta(hours=1)) == []
