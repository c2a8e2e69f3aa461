"""Per-token charges in a list (``TokenCharges``), added up by person, channel, model and pricing as Redis does."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from workflows.ports import TokenCharge


@dataclass
class MemoryTokenCharges:
    """``TokenCharges``: ``added`` keeps every charge as given, by workspace and month."""

    added: dict[tuple[str, str], list[TokenCharge]] = field(default_factory=dict)

    def add(self, *, team: str, month: str, charge: TokenCharge) -> None:
        self.added.setdefault((team, month), []).append(charge)

    def in_month(self, *, team: str, month: str) -> list[TokenCharge]:
        groups: dict[tuple[str, str, str, bool, bool], TokenCharge] = {}
        for charge in self.added.get((team, month), []):
            key = (charge.channel, charge.person, charge.model, charge.deployment, charge.amount is None)
            found = groups.get(key)
            groups[key] = charge if found is None else _sum(found, charge)
        return [groups[key] for key in sorted(groups)]


def _sum(one: TokenCharge, other: TokenCharge) -> TokenCharge:
    amount = None if one.amount is None or other.amount is None else one.amount + other.amount
    return replace(
        one,
        calls=one.calls + other.calls,
        input_tokens=one.input_tokens + other.input_tokens,
        output_tokens=one.output_tokens + other.output_tokens,
        amount=amount,
    )
