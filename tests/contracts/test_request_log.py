"""``RequestLog``: the in-memory fake and Redis's replay markers claim a signed request once until released."""

from __future__ import annotations

import pytest
import redis

from tests.fakes.replay import MemoryRequestLog
from tests.support.redis_cluster import REDIS_KINDS, redis_of_kind
from workflows.adapters.redis_coordination import RedisRequestLog
from workflows.ports import RequestLog


@pytest.fixture(params=["fake", *REDIS_KINDS])
def requests(request: pytest.FixtureRequest) -> RequestLog:
    if request.param == "fake":
        return MemoryRequestLog()
    client: redis.Redis = redis_of_kind(request, request.param)
    return RedisRequestLog(client)


def test_a_signed_request_is_claimed_once(requests: RequestLog) -> None:
    assert requests.claim("1800000000", "v0=ab") is True
    assert requests.claim("1800000000", "v0=ab") is False


def test_another_timestamp_or_signature_is_another_request(requests: RequestLog) -> None:
    requests.claim("1800000000", "v0=ab")

    assert requests.claim("1800000001", "v0=ab") is True
    assert requests.claim("1800000000", "v0=cd") is True


def test_a_released_claim_can_be_claimed_again_and_releasing_twice_is_harmless(requests: RequestLog) -> None:
    requests.claim("1800000000", "v0=ab")
    requests.release("1800000000", "v0=ab")
    requests.release("1800000000", "v0=ab")

    assert requests.claim("1800000000", "v0=ab") is True


def test_releasing_what_was_never_claimed_leaves_the_others(requests: RequestLog) -> None:
    requests.claim("1800000000", "v0=ab")
    requests.release("1800000009", "v0=zz")

    assert requests.claim("1800000000", "v0=ab") is False
