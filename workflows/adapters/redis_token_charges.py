"""Per-token charges in Redis: one hash per workspace and month, counters added with HINCRBY in one transaction."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import cast

import redis

from workflows import keys
from workflows.adapters.redis_values import as_text
from workflows.deployment_keys import TOKEN_CHARGES_RETENTION_SECONDS, token_charges_key
from workflows.ports import TokenCharge

#: Money is kept in whole nano-dollars, so that adding is exact (a token of Nova Micro costs 35 of them).
_NANO = Decimal(10) ** 9
#: Separates the parts of a group (Slack ids, deployment names and model ids never contain it).
_SEP = "\x1f"
_COUNTERS = ("calls", "in", "out", "nusd")


class RedisTokenCharges:
    """``TokenCharges`` on Redis: a field per group and counter (``<group>#calls``, ``#in``, ``#out``, ``#nusd``)."""

    def __init__(self, client: redis.Redis, *, keyspace: keys.Keyspace = keys.DEFAULT) -> None:
        self._client = client
        self._keys = keyspace

    def add(self, *, team: str, month: str, charge: TokenCharge) -> None:
        key = token_charges_key(self._keys, team, month)
        group = _group(charge)
        nano = 0 if charge.amount is None else int((charge.amount * _NANO).to_integral_value(rounding=ROUND_HALF_UP))
        pipe = self._client.pipeline(transaction=True)
        pipe.hincrby(key, f"{group}#calls", charge.calls)
        pipe.hincrby(key, f"{group}#in", charge.input_tokens)
        pipe.hincrby(key, f"{group}#out", charge.output_tokens)
        pipe.hincrby(key, f"{group}#nusd", nano)
        pipe.expire(key, TOKEN_CHARGES_RETENTION_SECONDS)
        pipe.execute()

    def in_month(self, *, team: str, month: str) -> list[TokenCharge]:
        raw = cast(dict[bytes, bytes], self._client.hgetall(token_charges_key(self._keys, team, month)))
        counters: dict[str, dict[str, int]] = {}
        for field, value in raw.items():
            group, _, counter = (as_text(field) or "").rpartition("#")
            if counter in _COUNTERS and group.count(_SEP) == 4:
                counters.setdefault(group, {})[counter] = int(as_text(value) or 0)
        return [_charge(group, found) for group, found in sorted(counters.items())]


def _group(charge: TokenCharge) -> str:
    kind = "deployment" if charge.deployment else "base"
    pricing = "unknown" if charge.amount is None else "priced"
    return _SEP.join((charge.channel, charge.person, charge.model, kind, pricing))


def _charge(group: str, found: dict[str, int]) -> TokenCharge:
    channel, person, model, kind, pricing = group.split(_SEP)
    return TokenCharge(
        channel=channel,
        person=person,
        model=model,
        deployment=kind == "deployment",
        calls=found.get("calls", 0),
        input_tokens=found.get("in", 0),
        output_tokens=found.get("out", 0),
        amount=None if pricing == "unknown" else Decimal(found.get("nusd", 0)) / _NANO,
    )
