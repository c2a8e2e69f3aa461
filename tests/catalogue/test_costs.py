"""Cost arithmetic: hand-computed amounts, provenance on every line, and unknown prices never shown as $0."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from workflows.catalogue import Catalogue, PriceStatus, load_catalogue
from workflows.catalogue.costs import (
    HOURS_PER_MONTH,
    CostItem,
    accrued_training_cost,
    estimate_cost,
    format_price,
    format_usd,
)

TITAN_LITE = "amazon.titan-text-lite-v1:0:4k"
TITAN_EXPRESS = "amazon.titan-text-express-v1:0:8k"
COHERE = "cohere.command-light-text-v14:7:4k"
NOVA_MICRO = "amazon.nova-micro-v1:0:128k"


@pytest.fixture(name="catalogue")
def _catalogue() -> Catalogue:
    return load_catalogue()


@pytest.mark.parametrize(
    ("model_id", "tokens", "epochs", "amount", "shown"),
    [
        # tokens × epochs × price per 1K ÷ 1,000
        (TITAN_LITE, 1_000_000, 3, Decimal("1.2"), "$1.20"),  # 3,000,000 × 0.0004 / 1000
        (TITAN_LITE, 2_500_000, 5, Decimal("5"), "$5.00"),  # 12,500,000 × 0.0004 / 1000
        (TITAN_LITE, 1_234_567, 2, Decimal("0.9876536"), "$0.99"),  # 2,469,134 × 0.0004 / 1000
        (TITAN_LITE, 10_000, 1, Decimal("0.004"), "$0.004"),  # 10,000 × 0.0004 / 1000
        (TITAN_LITE, 0, 1, Decimal("0"), "$0.00"),
        (COHERE, 7_000_000, 1, Decimal("7"), "$7.00"),  # 7,000,000 × 0.001 / 1000
        (COHERE, 123_456_789, 3, Decimal("370.370367"), "$370.37"),  # 370,370,367 × 0.001 / 1000
    ],
)
def test_training_cost_is_tokens_times_epochs_times_price(
    catalogue: Catalogue, model_id: str, tokens: int, epochs: int, amount: Decimal, shown: str
) -> None:
    estimate = estimate_cost(catalogue.model(model_id), training_tokens=tokens, epochs=epochs)
    assert estimate.training.amount == amount
    assert estimate.upfront == amount
    assert estimate.training.amount_text() == shown
    assert estimate.billed_training_tokens == tokens * epochs


@pytest.mark.parametrize(
    ("model_id", "storage", "hourly", "monthly"),
    [
        (TITAN_LITE, "$1.95 per month", "$7.10 per model-unit hour", "$5,112.00"),  # 7.10 × 720
        (COHERE, "$1.95 per month", "$8.56 per model-unit hour", "$6,163.20"),  # 8.56 × 720
        (NOVA_MICRO, "unknown", "$60.50 per model-unit hour", "$43,560.00"),  # 60.50 × 720
    ],
)
def test_storage_and_provisioned_throughput(
    catalogue: Catalogue, model_id: str, storage: str, hourly: str, monthly: str
) -> None:
    estimate = estimate_cost(catalogue.model(model_id), training_tokens=1000, epochs=1)
    by_item = {line.item: line for line in estimate.lines()}
    assert by_item[CostItem.STORAGE].amount_text() == storage
    assert by_item[CostItem.PROVISIONED_HOUR].amount_text() == hourly
    assert by_item[CostItem.PROVISIONED_MONTH].amount_text() == monthly
    assert HOURS_PER_MONTH == 720


def test_on_demand_rates_appear_only_where_the_base_model_supports_them(catalogue: Catalogue) -> None:
    nova = estimate_cost(catalogue.model(NOVA_MICRO), training_tokens=1000, epochs=1)
    titan = estimate_cost(catalogue.model(TITAN_LITE), training_tokens=1000, epochs=1)
    nova_items = {line.item: line for line in nova.usage}
    assert nova_items[CostItem.ON_DEMAND_INPUT].amount_text() == "$0.000035 per 1K tokens"
    assert nova_items[CostItem.ON_DEMAND_OUTPUT].amount_text() == "$0.00014 per 1K tokens"
    assert {line.item for line in titan.usage} == {CostItem.PROVISIONED_HOUR, CostItem.PROVISIONED_MONTH}
    assert any("2025-07-16" in note for note in nova.notes)


def test_validation_tokens_are_shown_but_left_out_of_the_total(catalogue: Catalogue) -> None:
    estimate = estimate_cost(catalogue.model(TITAN_LITE), training_tokens=1_000_000, validation_tokens=50_000, epochs=3)
    assert estimate.validation is not None
    assert estimate.validation.amount == Decimal("0.06")  # 50,000 × 3 × 0.0004 / 1000
    assert not estimate.validation.in_total
    assert estimate.upfront == Decimal("1.2")
    assert "not confirmed" in estimate.validation.text()
    assert [line.item for line in estimate.lines() if line.in_total] == [CostItem.TRAINING]


def test_no_validation_line_without_validation_tokens(catalogue: Catalogue) -> None:
    assert estimate_cost(catalogue.model(TITAN_LITE), training_tokens=10, epochs=1).validation is None


@pytest.mark.parametrize("model_id", [TITAN_EXPRESS, NOVA_MICRO, "anthropic.claude-3-haiku-20240307-v1:0:200k"])
def test_an_unknown_training_price_is_reported_as_unknown_never_zero(catalogue: Catalogue, model_id: str) -> None:
    model = catalogue.model(model_id)
    estimate = estimate_cost(model, training_tokens=1_000_000, validation_tokens=1000, epochs=2)
    assert estimate.training.amount is None
    assert estimate.upfront is None
    assert estimate.training.status is PriceStatus.UNKNOWN
    assert estimate.is_estimate
    text = estimate.training.text()
    assert text.startswith("Training: unknown.")
    assert "training_per_1k_tokens" in text
    assert model.id in text
    assert "FINETUNE_PRICES_FILE" in text
    assert "$" not in text
    assert all(line.amount != 0 for line in estimate.lines())
    assert estimate.training in estimate.unknown()


def test_uncertain_prices_are_marked_as_estimates_with_their_provenance(catalogue: Catalogue) -> None:
    estimate = estimate_cost(catalogue.model(TITAN_LITE), training_tokens=1_000_000, epochs=1)
    assert estimate.training.status is PriceStatus.ESTIMATE
    assert "(estimate)" in estimate.training.text()
    assert estimate.training.price.as_of == "2024"
    assert "Third-party" in estimate.training.price.source
    assert any(source.startswith("as of 2024, Third-party") for source in estimate.sources())
    assert "Prices as of 2024" in estimate.text()


def test_a_confirmed_override_price_makes_a_plain_line(catalogue: Catalogue, tmp_path: Path) -> None:
    path = tmp_path / "prices.yml"
    path.write_text(
        f'models: {{"{NOVA_MICRO}": {{training_per_1k_tokens: {{usd: "0.002", as_of: 2026-11-01, source: AWS}}}}}}',
        encoding="utf-8",
    )
    model = load_catalogue(path).model(NOVA_MICRO)
    estimate = estimate_cost(model, training_tokens=500_000, epochs=2)
    assert estimate.training.amount == Decimal("2")  # 1,000,000 × 0.002 / 1000
    assert estimate.training.status is PriceStatus.CONFIRMED
    assert estimate.training.text() == "Training: $2.00 — 500,000 tokens × 2 epochs × $0.002 per 1K tokens"


@pytest.mark.parametrize(
    ("model_id", "tokens", "amount"),
    [(TITAN_LITE, 2_000_000, Decimal("0.8")), (COHERE, 1_500, Decimal("0.0015")), (TITAN_LITE, 0, Decimal("0"))],
)
def test_accrued_training_cost_is_tokens_trained_times_price(
    catalogue: Catalogue, model_id: str, tokens: int, amount: Decimal
) -> None:
    line = accrued_training_cost(catalogue.model(model_id), tokens)
    assert line.amount == amount
    assert line.label == "Training so far"


def test_accrued_cost_with_an_unknown_price_is_unknown(catalogue: Catalogue) -> None:
    line = accrued_training_cost(catalogue.model(NOVA_MICRO), 1_000_000)
    assert line.amount is None
    assert line.amount_text() == "unknown"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"training_tokens": -1, "epochs": 1}, "negative"),
        ({"training_tokens": 1, "validation_tokens": -1, "epochs": 1}, "negative"),
        ({"training_tokens": 1, "epochs": 0}, "at least 1"),
    ],
)
def test_impossible_inputs_are_refused(catalogue: Catalogue, kwargs: dict[str, int], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        estimate_cost(catalogue.model(TITAN_LITE), **kwargs)


def test_negative_tokens_trained_are_refused(catalogue: Catalogue) -> None:
    with pytest.raises(ValueError, match="negative"):
        accrued_training_cost(catalogue.model(TITAN_LITE), -5)


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        ("0", "$0.00"),
        ("0.004", "$0.004"),
        ("0.00345", "$0.0035"),
        ("0.00999", "$0.01"),
        ("0.015", "$0.02"),
        ("12", "$12.00"),
        ("1234.565", "$1,234.57"),
        ("43560", "$43,560.00"),
    ],
)
def test_money_is_rounded_sensibly(amount: str, shown: str) -> None:
    assert format_usd(Decimal(amount)) == shown


@pytest.mark.parametrize(
    ("price", "shown"),
    [("0.000035", "$0.000035"), ("0.0004", "$0.0004"), ("1.95", "$1.95"), ("60.5", "$60.50"), ("7", "$7.00")],
)
def test_unit_prices_keep_every_significant_digit(price: str, shown: str) -> None:
    assert format_price(Decimal(price)) == shown
