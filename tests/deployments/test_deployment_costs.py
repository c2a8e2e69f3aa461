"""What a deployment costs: catalogue prices with their dates and sources, unknown never $0, and cost so far."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from tests.deployments.deployment_samples import CREATED, NOVA_MICRO, TITAN_LITE, on_demand, throughput
from workflows.catalogue import Catalogue, Commitment, load_catalogue
from workflows.deployments.deployment_costs import (
    BILLED_UNTIL_DELETED,
    cost_between,
    cost_so_far,
    cost_so_far_text,
    cost_text,
    plan_costs,
    price_sources,
)
from workflows.deployments.deployment_ports import ModelUsage
from workflows.deployments.deployment_record import Route
from workflows.deployments.routing import RoutePlan

LLAMA_8B = "meta.llama3-1-8b-instruct-v1:0:128k"


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return load_catalogue()


def provisioned(units: int = 1, commitment: Commitment = Commitment.NONE) -> RoutePlan:
    return RoutePlan(Route.PROVISIONED, units, commitment, "reason")


def test_throughput_per_hour_and_per_30_days_with_the_price_date_and_source(catalogue: Catalogue) -> None:
    costs = plan_costs(catalogue.model(TITAN_LITE), provisioned(), base_model_id=TITAN_LITE)
    assert costs.hourly == Decimal("7.10")
    assert costs.text_lines() == (
        "• Per hour, 1 model unit, no commitment: $7.10 per hour (estimate). No-commitment rate.",
        "• Per 30 days: $5,112.00 (estimate) — 720 hours",
        BILLED_UNTIL_DELETED,
        "Prices marked (estimate) are not confirmed against the AWS pricing page.",
        "Prices as of 2024, Third-party GitHub notes (about 2024); not checked against aws.amazon.com/bedrock/pricing.",
    )


def test_units_multiply_and_a_commitment_uses_its_own_price(catalogue: Catalogue) -> None:
    costs = plan_costs(catalogue.model(NOVA_MICRO), provisioned(2, Commitment.ONE_MONTH), base_model_id=NOVA_MICRO)
    hour, month = costs.lines
    assert costs.hourly == Decimal("110.00")
    assert hour.text().startswith(
        "Per hour, 2 model units, 1-month commitment: $110.00 per hour (estimate) — 2 × $55.00 per model-unit hour."
    )
    assert month.amount == Decimal("79200.00")
    assert "With a 1-month commitment it cannot be deleted before the term ends." in costs.notes
    assert costs.sources() == (
        "as of 2026-09-01, Third-party extract of the AWS Price List API (api-evangelist/amazon-nova)",
    )


def test_an_unknown_throughput_price_is_unknown_never_zero(catalogue: Catalogue) -> None:
    costs = plan_costs(catalogue.model(LLAMA_8B), provisioned(3), base_model_id=LLAMA_8B)
    assert costs.hourly is None
    assert [line.amount_text() for line in costs.lines] == ["unknown", "unknown"]
    text = "\n".join(costs.text_lines())
    assert "$0" not in text
    assert "set `provisioned_throughput_per_mu_hour` for `meta.llama3-1-8b-instruct-v1:0:128k`" in text
    assert costs.sources() == ()
    assert BILLED_UNTIL_DELETED in text


def test_on_demand_per_1k_input_and_output_tokens_with_dates(catalogue: Catalogue) -> None:
    plan = RoutePlan(Route.ON_DEMAND, 1, Commitment.NONE, "reason")
    costs = plan_costs(catalogue.model(NOVA_MICRO), plan, base_model_id=NOVA_MICRO)
    assert (costs.hourly, costs.input_per_1k, costs.output_per_1k) == (None, Decimal("0.000035"), Decimal("0.00014"))
    lines = costs.text_lines()
    assert lines[0].startswith("• Input: $0.000035 per 1K tokens (estimate).")
    assert lines[1].startswith("• Output: $0.00014 per 1K tokens (estimate).")
    assert "On demand there is no hourly fee: you pay for the tokens it reads and writes." in lines
    assert lines[-1] == (
        "Prices as of 2026-09-01, Third-party extract of the AWS Price List API "
        "(api-evangelist/amazon-nova), us-east-1."
    )
    assert BILLED_UNTIL_DELETED not in lines


def test_a_model_outside_the_catalogue_has_unknown_costs_and_says_so() -> None:
    costs = plan_costs(None, provisioned(), base_model_id="acme.unknown-v1")
    assert costs.lines == ()
    assert costs.hourly is None
    assert costs.text_lines() == (
        "acme.unknown-v1 is not in the catalogue, so what this costs is unknown; "
        "see the Amazon Bedrock pricing page before you confirm.",
    )


def test_throughput_cost_so_far_is_hours_since_creation_times_the_hourly_cost() -> None:
    record = throughput()
    assert cost_so_far(record, CREATED + timedelta(hours=6)) == Decimal("363.00")
    assert cost_so_far_text(record, CREATED + timedelta(hours=6)) == "about $363.00 (6.0 hours at $60.50 per hour)"
    assert cost_so_far(record, CREATED - timedelta(minutes=5)) == Decimal(0)


def test_a_deleted_throughput_stops_costing_when_it_was_deleted() -> None:
    record = throughput(deleted_at=CREATED + timedelta(hours=2))
    assert cost_so_far(record, CREATED + timedelta(days=3)) == Decimal("121.00")


def test_an_unknown_hourly_cost_gives_an_unknown_cost_so_far() -> None:
    record = throughput(hourly_cost=None)
    assert cost_so_far(record, CREATED + timedelta(hours=1)) is None
    assert cost_so_far_text(record, CREATED + timedelta(hours=1)).startswith("unknown")


def test_on_demand_cost_so_far_comes_from_the_tokens_used() -> None:
    usage = ModelUsage(invocations=40, input_tokens=2_000_000, output_tokens=500_000)
    record = on_demand()
    assert cost_so_far(record, CREATED, usage) == Decimal("0.14")
    assert cost_so_far_text(record, CREATED, usage) == "about $0.14 (2,000,000 input and 500,000 output tokens)"
    assert cost_so_far(record, CREATED) is None
    assert cost_so_far(on_demand(output_per_1k=None), CREATED, usage) is None
    assert cost_so_far_text(record, CREATED) == "unknown (the token counts from CloudWatch are unavailable)"
    assert cost_so_far_text(on_demand(output_per_1k=None), CREATED, usage) == (
        "unknown (no on-demand token price in the catalogue)"
    )


def test_a_span_counts_only_the_hours_the_throughput_existed_in_it() -> None:
    record = throughput(deleted_at=CREATED + timedelta(hours=10))
    assert cost_between(record, CREATED - timedelta(hours=5), CREATED + timedelta(hours=2)) == Decimal("121.00")
    assert cost_between(record, CREATED + timedelta(hours=8), CREATED + timedelta(hours=30)) == Decimal("121.00")
    assert cost_between(record, CREATED + timedelta(hours=11), CREATED + timedelta(hours=30)) == Decimal(0)
    assert cost_text(record, CREATED + timedelta(hours=9), CREATED + timedelta(days=2)) == (
        "about $60.50 (1.0 hours at $60.50 per hour)"
    )


def test_price_sources_are_the_catalogue_dates_of_the_prices_used() -> None:
    model = load_catalogue(None).model(NOVA_MICRO)
    [hourly] = price_sources(throughput(), model)
    assert hourly.startswith("as of ")
    assert price_sources(throughput(hourly_cost=None), model) == ()
    assert all(source.startswith("as of ") for source in price_sources(on_demand(), model))
    assert price_sources(throughput(), None) == ()
