"""``TokenCharges``: the fake and ``RedisTokenCharges`` on a real Redis add charges up exactly, by month and group."""

from __future__ import annotations

from decimal import Decimal

import pytest
import redis

from tests.fakes.token_charges import MemoryTokenCharges
from tests.support.redis_cluster import REDIS_KINDS, redis_of_kind
from workflows.adapters.redis_token_charges import RedisTokenCharges
from workflows.ports import TokenCharge, TokenCharges

ASKED = TokenCharge(
    channel="C1",
    person="U1",
    model="support-od1-0a1b2c3d",
    deployment=True,
    calls=1,
    input_tokens=120,
    output_tokens=45,
    amount=Decimal("0.0000105"),
)


@pytest.fixture(params=["fake", *REDIS_KINDS])
def charges(request: pytest.FixtureRequest) -> TokenCharges:
    if request.param == "fake":
        return MemoryTokenCharges()
    client: redis.Redis = redis_of_kind(request, request.param)
    return RedisTokenCharges(client)


def test_charges_of_one_person_channel_and_model_add_up_exactly(charges: TokenCharges) -> None:
    for _ in range(3):
        charges.add(team="T1", month="2026-11", charge=ASKED)

    [total] = charges.in_month(team="T1", month="2026-11")

    assert (total.calls, total.input_tokens, total.output_tokens) == (3, 360, 135)
    assert total.amount == Decimal("0.0000315")
    assert (total.channel, total.person, total.model, total.deployment) == ("C1", "U1", ASKED.model, True)


def test_unknown_prices_stay_unknown_and_apart_from_priced_ones(charges: TokenCharges) -> None:
    base = TokenCharge("C1", "U1", "amazon.titan-text-lite-v1:0:4k", False, 1, 10, 20, None)
    charges.add(team="T1", month="2026-11", charge=base)
    charges.add(team="T1", month="2026-11", charge=base)
    charges.add(team="T1", month="2026-11", charge=ASKED)

    found = {(charge.model, charge.amount is None): charge for charge in charges.in_month(team="T1", month="2026-11")}

    unknown = found[("amazon.titan-text-lite-v1:0:4k", True)]
    assert (unknown.calls, unknown.input_tokens, unknown.output_tokens, unknown.amount) == (2, 20, 40, None)
    assert unknown.deployment is False
    assert found[(ASKED.model, False)].amount == ASKED.amount


def test_months_workspaces_people_and_channels_are_kept_apart(charges: TokenCharges) -> None:
    charges.add(team="T1", month="2026-11", charge=ASKED)
    charges.add(team="T1", month="2026-12", charge=ASKED)
    charges.add(team="T2", month="2026-11", charge=ASKED)
    charges.add(team="T1", month="2026-11", charge=TokenCharge("C2", "U2", ASKED.model, True, 1, 1, 1, Decimal(1)))

    november = charges.in_month(team="T1", month="2026-11")

    assert sorted((charge.channel, charge.person) for charge in november) == [("C1", "U1"), ("C2", "U2")]
    assert charges.in_month(team="T3", month="2026-11") == []
