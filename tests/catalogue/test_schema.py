"""The catalogue's schema: shorthand values parse, and a broken bundled file is refused at start-up."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from importlib import resources
from typing import Any

import pytest
import yaml
from pydantic import TypeAdapter, ValidationError

from workflows.catalogue import CatalogueInvalid, Certainty, Fact, HyperparameterSpec, Price, PriceStatus
from workflows.catalogue.hyperparameter_spec import display_number, plain_number
from workflows.catalogue.loader import parse_catalogue
from workflows.catalogue.values import ByteCount


def bundled_raw() -> dict[str, Any]:
    text = resources.files("workflows.catalogue").joinpath("catalogue.yml").read_text(encoding="utf-8")
    raw: dict[str, Any] = yaml.safe_load(text)
    return raw


@pytest.mark.parametrize(
    ("written", "expected"),
    [(1024, 1024), ("100 MB", 10**8), ("1 GB", 10**9), ("10 gb", 10**10), ("1.5 KB", 1500)],
)
def test_sizes_are_read_in_decimal_units(written: object, expected: int) -> None:
    assert TypeAdapter(ByteCount).validate_python(written) == expected


def test_a_size_without_a_unit_is_refused() -> None:
    with pytest.raises(ValidationError, match=r"write e\.g\. 100 MB"):
        TypeAdapter(ByteCount).validate_python("ten megs")


def test_a_bare_fact_is_confirmed_and_a_marked_one_is_not() -> None:
    assert Fact[int].model_validate(5) == Fact[int](value=5, certainty=Certainty.CONFIRMED)
    marked = Fact[int].model_validate({"value": 5, "certainty": "uncertain", "note": "third-party"})
    assert marked.uncertain


def test_a_price_without_a_date_is_refused_unless_unknown() -> None:
    with pytest.raises(ValidationError, match="needs an as_of date"):
        Price(usd=Decimal(1), source="x")
    assert Price(usd=None, source="nowhere").status is PriceStatus.UNKNOWN


def test_prices_are_unconfirmed_unless_the_data_says_otherwise() -> None:
    assert Price(usd=Decimal(1), as_of="2024", source="notes").status is PriceStatus.ESTIMATE


def test_a_fixed_hyperparameter_expands_to_default_min_and_max() -> None:
    spec = HyperparameterSpec.model_validate(
        {"name": "batchSize", "label": "Batch size", "description": "d", "kind": "int", "fixed": 1}
    )
    assert (spec.default, spec.min, spec.max, spec.is_fixed) == (Decimal(1), Decimal(1), Decimal(1), True)
    assert spec.range_text() == "fixed at 1"


@pytest.mark.parametrize(
    ("value", "plain", "display"),
    [("1e-5", "0.00001", "1e-5"), ("5e-6", "0.000005", "5e-6"), ("0.1", "0.1", "0.1"), ("10", "10", "10")],
)
def test_numbers_are_plain_for_the_api_and_short_for_people(value: str, plain: str, display: str) -> None:
    assert plain_number(Decimal(value)) == plain
    assert display_number(Decimal(value)) == display


def _first_model(raw: dict[str, Any]) -> dict[str, Any]:
    model: dict[str, Any] = raw["models"][0]
    return model


def _break_default(raw: dict[str, Any]) -> None:
    raw["hyperparameter_sets"]["nova"][0]["default"] = 99


def _break_set_name(raw: dict[str, Any]) -> None:
    _first_model(raw)["hyperparameters"] = "titan-txt"


def _break_format(raw: dict[str, Any]) -> None:
    _first_model(raw)["customizations"][0]["format"] = "text-input"


def _duplicate_model(raw: dict[str, Any]) -> None:
    raw["models"].append(raw["models"][0])


def _drop_description(raw: dict[str, Any]) -> None:
    raw["customizations"].pop()


def _on_demand_price_without_deployment(raw: dict[str, Any]) -> None:
    prices = _first_model(raw)["prices"]
    prices["on_demand_input_per_1k_tokens"] = prices["training_per_1k_tokens"]


def _typo_in_a_field(raw: dict[str, Any]) -> None:
    _first_model(raw)["regoins"] = ["us-east-1"]


@pytest.mark.parametrize(
    ("breakage", "expected"),
    [
        (_break_default, "outside"),
        (_break_set_name, "unknown hyperparameter set 'titan-txt'"),
        (_break_format, "does not fit type"),
        (_duplicate_model, "listed twice"),
        (_drop_description, "needs exactly one description"),
        (_on_demand_price_without_deployment, "on-demand prices go with on_demand_deployment"),
        (_typo_in_a_field, "regoins"),
    ],
)
def test_a_broken_catalogue_is_refused_with_the_reason(
    breakage: Callable[[dict[str, Any]], None], expected: str
) -> None:
    raw = bundled_raw()
    breakage(raw)
    with pytest.raises(CatalogueInvalid, match=expected):
        parse_catalogue(yaml.safe_dump(raw))


def test_the_bundled_file_round_trips_through_the_parser() -> None:
    assert parse_catalogue(yaml.safe_dump(bundled_raw())).models
