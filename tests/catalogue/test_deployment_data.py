"""Serving custom models in the catalogue: on-demand support by model and region, throughput prices by commitment."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from workflows.catalogue import (
    Catalogue,
    CatalogueInvalid,
    Commitment,
    PriceField,
    PriceStatus,
    load_catalogue,
)
from workflows.catalogue.loader import CATALOGUE_FILE, parse_catalogue

NOVA = ("amazon.nova-micro-v1:0:128k", "amazon.nova-lite-v1:0:300k", "amazon.nova-pro-v1:0:300k")
LLAMA_33 = "meta.llama3-3-70b-instruct-v1:0:128k"
TITAN_LITE = "amazon.titan-text-lite-v1:0:4k"


@pytest.fixture(name="catalogue")
def _catalogue() -> Catalogue:
    return load_catalogue()


def bundled_yaml() -> Any:
    return yaml.safe_load((Path(__file__).parents[2] / "workflows" / "catalogue" / CATALOGUE_FILE).read_text())


class TestOnDemandSupport:
    @pytest.mark.parametrize(
        ("model_id", "region", "supported"),
        [
            *[(model_id, "us-east-1", True) for model_id in NOVA],
            *[(model_id, "us-west-2", False) for model_id in NOVA],
            (LLAMA_33, "us-west-2", True),
            (LLAMA_33, "us-east-1", False),
            (TITAN_LITE, "us-east-1", False),
            ("anthropic.claude-3-haiku-20240307-v1:0:200k", "us-west-2", False),
        ],
    )
    def test_by_base_model_and_region(self, catalogue: Catalogue, model_id: str, region: str, supported: bool) -> None:
        assert catalogue.model(model_id).on_demand_in(region) is supported

    def test_only_models_customized_on_or_after_the_cut_off(self, catalogue: Catalogue) -> None:
        micro = catalogue.model(NOVA[0])
        assert micro.on_demand_in("us-east-1", date(2025, 7, 16))
        assert not micro.on_demand_in("us-east-1", date(2025, 7, 15))

    def test_every_on_demand_entry_names_its_source(self, catalogue: Catalogue) -> None:
        entries = [model.on_demand_deployment for model in catalogue.models if model.on_demand_deployment]
        assert len(entries) == 5  # Nova Micro, Lite, Pro, 2 Lite; Llama 3.3 70B
        assert all("deploy-custom-model-on-demand" in entry.source for entry in entries)

    def test_a_source_is_required(self) -> None:
        raw = bundled_yaml()
        nova = next(model for model in raw["models"] if model["id"] == NOVA[0])
        nova["on_demand_deployment"] = {"regions": ["us-east-1"], "customized_on_or_after": "2025-07-16"}
        with pytest.raises(CatalogueInvalid, match="source"):
            parse_catalogue(yaml.safe_dump(raw))


class TestThroughputPrices:
    def test_nova_has_all_three_commitments_dated_and_sourced(self, catalogue: Catalogue) -> None:
        for model_id in NOVA:
            prices = catalogue.model(model_id).prices
            hourly = {commitment: prices.provisioned_throughput(commitment) for commitment in Commitment}
            assert {commitment: price.usd for commitment, price in hourly.items()} == {
                Commitment.NONE: Decimal("60.50"),
                Commitment.ONE_MONTH: Decimal("55.00"),
                Commitment.SIX_MONTHS: Decimal("30.25"),
            }
            for price in hourly.values():
                assert price.as_of == "2026-09-01"
                assert "Price List API" in price.source
                assert price.status is PriceStatus.ESTIMATE

    def test_no_commitment_is_the_price_the_review_already_shows(self, catalogue: Catalogue) -> None:
        for model in catalogue.models:
            assert (
                model.prices.provisioned_throughput(Commitment.NONE) == model.prices.provisioned_throughput_per_mu_hour
            )

    @pytest.mark.parametrize("model_id", [TITAN_LITE, "cohere.command-light-text-v14:7:4k", LLAMA_33])
    def test_commitment_prices_not_found_are_unknown_never_zero(self, catalogue: Catalogue, model_id: str) -> None:
        prices = catalogue.model(model_id).prices
        for commitment in (Commitment.ONE_MONTH, Commitment.SIX_MONTHS):
            price = prices.provisioned_throughput(commitment)
            assert (price.usd, price.status) == (None, PriceStatus.UNKNOWN)
            assert price.source
        model = catalogue.model(model_id)
        assert any(PriceField.PROVISIONED_THROUGHPUT_SIX_MONTHS.value in item for item in model.uncertainties())

    def test_every_model_states_every_commitment(self) -> None:
        raw = bundled_yaml()
        del raw["models"][0]["prices"]["provisioned_throughput_6_months_per_mu_hour"]
        with pytest.raises(CatalogueInvalid, match="provisioned_throughput_6_months_per_mu_hour"):
            parse_catalogue(yaml.safe_dump(raw))

    def test_the_override_file_sets_commitment_prices(self, tmp_path: Path) -> None:
        path = tmp_path / "prices.yml"
        path.write_text(
            f'models: {{"{TITAN_LITE}": {{provisioned_throughput_1_month_per_mu_hour: '
            '{usd: "6.50", as_of: 2026-11-01}}}',
            encoding="utf-8",
        )
        price = load_catalogue(path).model(TITAN_LITE).prices.provisioned_throughput(Commitment.ONE_MONTH)
        assert (price.usd, price.status) == (Decimal("6.50"), PriceStatus.CONFIRMED)


@pytest.mark.parametrize(
    ("commitment", "api_value", "field"),
    [
        (Commitment.NONE, None, PriceField.PROVISIONED_THROUGHPUT),
        (Commitment.ONE_MONTH, "OneMonth", PriceField.PROVISIONED_THROUGHPUT_ONE_MONTH),
        (Commitment.SIX_MONTHS, "SixMonths", PriceField.PROVISIONED_THROUGHPUT_SIX_MONTHS),
    ],
)
def test_commitments_map_to_the_api_and_the_price(
    commitment: Commitment, api_value: str | None, field: PriceField
) -> None:
    assert commitment.api_value == api_value
    assert commitment.price_field is field
    assert Commitment(commitment.value) is commitment
