"""``ApprovalStore``: the in-memory fake and the Redis store (one server and a cluster) answer alike."""

from __future__ import annotations

import pytest
import redis

from tests.fakes.approvals import MemoryApprovals, sample_request
from tests.support.redis_cluster import REDIS_KINDS, redis_of_kind
from workflows import keys
from workflows.adapters.redis_approvals import RedisApprovals
from workflows.exceptions import ConcurrentUpdate
from workflows.governance.approval_ports import ApprovalStore
from workflows.governance.approvals import ApprovalStatus


@pytest.fixture(params=["fake", *REDIS_KINDS])
def store(request: pytest.FixtureRequest) -> ApprovalStore:
    if request.param == "fake":
        return MemoryApprovals()
    client: redis.Redis = redis_of_kind(request, request.param)
    return RedisApprovals(client)


def test_an_unknown_request_reads_as_none_and_nothing_is_open(store: ApprovalStore) -> None:
    assert store.get("a1") is None
    assert store.open_ids() == []


def test_a_request_is_created_once_and_a_second_create_returns_the_first(store: ApprovalStore) -> None:
    first = store.create(sample_request(headline="first"))
    again = store.create(sample_request(headline="second"))

    assert first.version == 1
    assert again == first == store.get("a1")
    assert store.open_ids() == ["a1"]


def test_a_save_from_a_stale_read_is_refused_so_a_request_is_answered_once(store: ApprovalStore) -> None:
    created = store.create(sample_request())
    approved = store.save(created.model_copy(update={"status": ApprovalStatus.APPROVED, "decided_by": "U2"}))

    with pytest.raises(ConcurrentUpdate):
        store.save(created.model_copy(update={"status": ApprovalStatus.REJECTED, "decided_by": "U3"}))
    assert store.get("a1") == approved
    assert approved.version == 2


def test_a_request_stays_open_until_it_is_answered_and_settled(store: ApprovalStore) -> None:
    store.create(sample_request("a2", minutes=5))
    first = store.create(sample_request("a1"))
    answered = store.save(first.model_copy(update={"status": ApprovalStatus.EXPIRED}))
    assert store.open_ids() == ["a1", "a2"]

    store.save(answered.model_copy(update={"settled": True}))
    assert store.open_ids() == ["a2"]
    stored = store.get("a1")
    assert stored is not None
    assert (stored.status, stored.settled) == (ApprovalStatus.EXPIRED, True)


def test_saving_a_request_nobody_created_is_refused(store: ApprovalStore) -> None:
    with pytest.raises(ConcurrentUpdate):
        store.save(sample_request())


@pytest.mark.integration
def test_the_record_and_the_open_set_share_a_slot_and_expire_the_record(redis_client: redis.Redis) -> None:
    store = RedisApprovals(redis_client, ttl_seconds=60)
    store.create(sample_request())
    record, open_set = keys.DEFAULT.approval_key("a1"), keys.DEFAULT.open_approvals
    assert (record, open_set) == ("finetune:{approvals}:approval:a1", "finetune:{approvals}:open")
    assert 0 < int(redis_client.ttl(record)) <= 60

    redis_client.delete(record)
    assert store.open_ids() == []
    assert redis_client.zcard(open_set) == 0


@pytest.mark.integration
def test_an_unreadable_record_reads_as_none(redis_client: redis.Redis) -> None:
    redis_client.set(keys.DEFAULT.approval_key("a1"), "{not json")
    assert RedisApprovals(redis_client).get("a1") is None
    redis_client.set(keys.DEFAULT.approval_key("a1"), '{"schema": 99, "request": {}}')
    assert RedisApprovals(redis_client).get("a1") is None
