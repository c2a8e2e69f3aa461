"""``TryThreads``: the fake and ``RedisTryThreads`` on a real Redis keep threads, expire them, claim once."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
import redis

from tests.fakes.try_threads import FakeTryThreads
from tests.support.redis_cluster import REDIS_KINDS, redis_of_kind
from workflows.adapters.redis_tryouts import RedisTryThreads
from workflows.deployment_keys import try_thread_key
from workflows.deployments.deployment_ports import TryThreads
from workflows.deployments.deployment_record import TryExchange, TryThread
from workflows.keys import DEFAULT

THREAD = TryThread(
    team="T1",
    channel="C1",
    thread_ts="1700000000.000100",
    deployment="support-od",
    model_id="arn:aws:bedrock:us-east-1:123456789012:custom-model-deployment/abc",
    label="support-job",
    base_model_id="amazon.nova-micro-v1:0",
    system_prompt="You are Acme's support agent.",
    opened_by="U1",
    opened_at=datetime(2026, 1, 1, tzinfo=UTC),
)


@dataclass
class Subject:
    threads: TryThreads
    #: Lets the expiry pass.
    expire: Callable[[], None]


@pytest.fixture(params=["fake", *REDIS_KINDS])
def subject(request: pytest.FixtureRequest) -> Subject:
    if request.param == "fake":
        fake = FakeTryThreads()
        return Subject(fake, fake.expire)
    client: redis.Redis = redis_of_kind(request, request.param)
    return Subject(RedisTryThreads(client), lambda: time.sleep(1.2))


def find(subject: Subject) -> TryThread | None:
    return subject.threads.get(team="T1", channel="C1", thread_ts=THREAD.thread_ts)


def test_a_saved_thread_is_found_by_its_coordinates_only(subject: Subject) -> None:
    subject.threads.save(THREAD, ttl_seconds=60)
    assert find(subject) == THREAD
    assert subject.threads.get(team="T2", channel="C1", thread_ts=THREAD.thread_ts) is None
    assert subject.threads.get(team="T1", channel="C1", thread_ts="1700000000.000200") is None


def test_saving_again_keeps_the_change(subject: Subject) -> None:
    subject.threads.save(THREAD, ttl_seconds=60)
    subject.threads.save(THREAD.model_copy(update={"side_by_side": True}), ttl_seconds=60)
    found = find(subject)
    assert found is not None
    assert found.side_by_side


def test_a_thread_expires(subject: Subject) -> None:
    subject.threads.save(THREAD, ttl_seconds=1)
    subject.expire()
    assert find(subject) is None


def test_a_question_is_claimed_once(subject: Subject) -> None:
    claims = [subject.threads.claim_question(team="T1", channel="C1", ts="1.1", ttl_seconds=60) for _ in range(3)]
    assert claims == [True, False, False]
    assert subject.threads.claim_question(team="T1", channel="C1", ts="1.2", ttl_seconds=60)


def test_an_unreadable_thread_is_treated_as_closed(redis_client: redis.Redis) -> None:
    redis_client.set(try_thread_key(DEFAULT, "T1", "C1", THREAD.thread_ts), "{not json")
    assert RedisTryThreads(redis_client).get(team="T1", channel="C1", thread_ts=THREAD.thread_ts) is None


def history(subject: Subject) -> list[TryExchange]:
    return subject.threads.exchanges(team="T1", channel="C1", thread_ts=THREAD.thread_ts)


def test_the_history_keeps_the_newest_exchanges_in_order_and_expires_with_the_thread(subject: Subject) -> None:
    for n in range(5):
        turn = TryExchange(ts=f"170000000{n}.000100", question=f"q{n}", custom=f"c{n}", base=None if n % 2 else "b")
        subject.threads.add_exchange(THREAD, turn, keep=3, ttl_seconds=1)

    kept = history(subject)
    other = subject.threads.exchanges(team="T1", channel="C1", thread_ts="1700000000.000200")
    subject.expire()

    assert [turn.question for turn in kept] == ["q2", "q3", "q4"]
    assert (kept[1].custom, kept[1].base, kept[2].base) == ("c3", None, "b")
    assert other == []
    assert history(subject) == []


def test_a_question_being_answered_is_claimed_again_only_once_its_claim_expired(subject: Subject) -> None:
    threads = subject.threads
    assert threads.claim_question(team="T1", channel="C1", ts="1.1", ttl_seconds=1)  # its replica dies
    assert threads.claim_question(team="T1", channel="C1", ts="1.2", ttl_seconds=1)
    threads.question_answered(team="T1", channel="C1", ts="1.2", ttl_seconds=60)
    assert not threads.claim_question(team="T1", channel="C1", ts="1.1", ttl_seconds=1)

    subject.expire()

    assert threads.claim_question(team="T1", channel="C1", ts="1.1", ttl_seconds=60)
    assert not threads.claim_question(team="T1", channel="C1", ts="1.1", ttl_seconds=60)
    assert not threads.claim_question(team="T1", channel="C1", ts="1.2", ttl_seconds=60)  # answered stays answered


def test_the_trim_note_is_claimed_once_per_thread(subject: Subject) -> None:
    first = subject.threads.claim_trim_note(team="T1", channel="C1", thread_ts=THREAD.thread_ts, ttl_seconds=60)
    again = subject.threads.claim_trim_note(team="T1", channel="C1", thread_ts=THREAD.thread_ts, ttl_seconds=60)
    other = subject.threads.claim_trim_note(team="T1", channel="C1", thread_ts="1700000000.000200", ttl_seconds=60)

    assert (first, again, other) == (True, False, True)


def test_an_opening_is_in_flight_in_its_channel_until_ended_or_its_time_passes(subject: Subject) -> None:
    threads = subject.threads
    threads.begin_opening(team="T1", channel="C1", key="a", ttl_seconds=1)
    threads.begin_opening(team="T1", channel="C1", key="b", ttl_seconds=1)

    assert threads.opening(team="T1", channel="C1")
    assert not threads.opening(team="T1", channel="C2")
    assert not threads.opening(team="T2", channel="C1")
    threads.end_opening(team="T1", channel="C1", key="a")
    assert threads.opening(team="T1", channel="C1")
    threads.end_opening(team="T1", channel="C1", key="b")
    assert not threads.opening(team="T1", channel="C1")

    threads.begin_opening(team="T1", channel="C1", key="c", ttl_seconds=1)  # its replica dies: never ended
    subject.expire()
    assert not threads.opening(team="T1", channel="C1")
