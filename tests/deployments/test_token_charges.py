"""Per-token charges of Try it and Compare: the arithmetic, who and where they count for, and the budgets."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from tests.deployments.deployment_samples import CREATED, on_demand, ready, throughput
from tests.fakes.clock import FakeClock
from tests.fakes.token_charges import MemoryTokenCharges
from workflows.catalogue import load_catalogue
from workflows.chat.chat_ports import ChatAnswer, StopReason
from workflows.deployments.token_charges import Asked, TokenMeter, TokenSpending, month_key, token_cost
from workflows.governance.budget_decisions import budget_refusal
from workflows.governance.policy import Budgets
from workflows.governance.spending_sum import SpendingSum
from workflows.ports import TokenCharge

ANSWER = ChatAnswer(text="Hi", latency_ms=200, input_tokens=2000, output_tokens=500, stop_reason=StopReason.END_TURN)
BOB = Asked(team="T1", channel="C9", user="U0BOB")
NOW = CREATED + timedelta(hours=1)


class BrokenCharges(MemoryTokenCharges):
    def add(self, *, team: str, month: str, charge: TokenCharge) -> None:
        raise ConnectionError("Redis did not answer")


def meter(charges: MemoryTokenCharges) -> TokenMeter:
    return TokenMeter(charges=charges, catalogue=load_catalogue(None), clock=FakeClock(NOW))


def test_input_and_output_tokens_are_priced_per_thousand_and_an_unknown_price_stays_unknown() -> None:
    assert token_cost(Decimal("0.000035"), Decimal("0.00014"), ANSWER) == Decimal("0.00014")
    assert token_cost(None, Decimal("0.00014"), ANSWER) is None
    assert token_cost(Decimal("0.000035"), None, ANSWER) is None


def test_an_on_demand_answer_is_priced_from_the_deployment_and_a_throughputs_not_at_all() -> None:
    charges = MemoryTokenCharges()

    on_demand_cost = meter(charges).custom(BOB, ready(on_demand()), ANSWER)
    throughput_cost = meter(charges).custom(BOB, ready(throughput()), ANSWER)

    assert (on_demand_cost, throughput_cost) == (Decimal("0.00014"), None)
    [charge] = charges.in_month(team="T1", month=month_key(NOW))
    assert (charge.model, charge.deployment, charge.channel, charge.person) == (on_demand().name, True, "C9", "U0BOB")


def test_a_base_model_is_priced_from_the_catalogue_and_one_it_does_not_price_is_unknown() -> None:
    charges = MemoryTokenCharges()

    nova = meter(charges).base(BOB, "amazon.nova-micro-v1:0:128k", ANSWER)
    titan = meter(charges).base(BOB, "amazon.titan-text-lite-v1:0:4k", ANSWER)
    gone = meter(charges).base(BOB, "acme.gone-v1", ANSWER)

    assert (nova, titan, gone) == (Decimal("0.00014"), None, None)
    amounts = {charge.model: charge.amount for charge in charges.in_month(team="T1", month=month_key(NOW))}
    assert amounts == {
        "amazon.nova-micro-v1:0:128k": Decimal("0.00014"),
        "amazon.titan-text-lite-v1:0:4k": None,
        "acme.gone-v1": None,
    }


def test_a_ledger_that_fails_never_fails_the_answer() -> None:
    assert meter(BrokenCharges()).base(BOB, "amazon.nova-micro-v1:0:128k", ANSWER) == Decimal("0.00014")


def test_the_budgets_count_priced_answers_for_their_channel_and_person_and_refuse_what_goes_over() -> None:
    charges = MemoryTokenCharges()
    for _ in range(3):
        charges.add(team="T1", month=month_key(NOW), charge=TokenCharge("C9", "U0BOB", "m", False, 1, 1, 1, Decimal(3)))
    charges.add(team="T1", month=month_key(NOW), charge=TokenCharge("C9", "U2", "m", False, 1, 1, 1, Decimal(1)))
    charges.add(team="T1", month=month_key(NOW), charge=TokenCharge("C2", "U0BOB", "x", False, 1, 1, 1, None))
    charges.add(team="T1", month="2026-09", charge=TokenCharge("C9", "U0BOB", "m", False, 1, 1, 1, Decimal(50)))

    spent = SpendingSum(TokenSpending(charges)).month_to_date(team="T1", channel="C9", user="U0BOB", now=NOW)
    refusal = budget_refusal(Budgets(channel_usd=Decimal(12)), spent, Decimal(3), what="This deployment's cost")

    assert (spent.channel, spent.person) == (Decimal(10), Decimal(9))
    assert refusal is not None
    assert "$10.00 is spent, $2.00 is left" in refusal.reason
