"""The price override file: it replaces bundled prices, and a bad file fails naming the file, model and field."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from workflows.catalogue import Certainty, PriceOverrideError, PriceStatus, load_catalogue

NOVA_MICRO = "amazon.nova-micro-v1:0:128k"


def write(tmp_path: Path, text: str, name: str = "prices.yml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_overrides_replace_bundled_prices(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        f"""
models:
  "{NOVA_MICRO}":
    training_per_1k_tokens: {{usd: "0.001", as_of: 2026-11-01, source: aws.amazon.com/bedrock/pricing}}
    storage_per_month: {{usd: 1.95, as_of: 2026-11-01}}
""",
    )
    model = load_catalogue(path).model(NOVA_MICRO)
    training = model.prices.training_per_1k_tokens
    assert training.usd == Decimal("0.001")
    assert (training.as_of, training.source, training.status) == (
        "2026-11-01",
        "aws.amazon.com/bedrock/pricing",
        PriceStatus.CONFIRMED,
    )
    assert model.prices.storage_per_month.usd == Decimal("1.95")
    assert model.prices.storage_per_month.source == "price override file"


def test_prices_not_overridden_keep_their_bundled_values(tmp_path: Path) -> None:
    path = write(tmp_path, f'models: {{"{NOVA_MICRO}": {{storage_per_month: {{usd: "2", as_of: "2026-11"}}}}}}')
    overridden = load_catalogue(path)
    bundled = load_catalogue()
    assert overridden.model(NOVA_MICRO).prices.provisioned_throughput_per_mu_hour == (
        bundled.model(NOVA_MICRO).prices.provisioned_throughput_per_mu_hour
    )
    assert overridden.model("amazon.titan-text-lite-v1:0:4k") == bundled.model("amazon.titan-text-lite-v1:0:4k")
    assert bundled.model(NOVA_MICRO).prices.storage_per_month.usd is None


def test_an_override_may_say_it_is_itself_an_estimate(tmp_path: Path) -> None:
    entry = '{usd: "0.001", as_of: "2026", certainty: uncertain}'
    path = write(tmp_path, f'models: {{"{NOVA_MICRO}": {{training_per_1k_tokens: {entry}}}}}')
    price = load_catalogue(path).model(NOVA_MICRO).prices.training_per_1k_tokens
    assert price.certainty is Certainty.UNCERTAIN
    assert price.status is PriceStatus.ESTIMATE


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            'models: {"amazon.nova-micro": {storage_per_month: {usd: 1, as_of: "2026"}}}',
            "unknown model `amazon.nova-micro` (did you mean `amazon.nova-micro-v1:0:128k`?)",
            id="unknown-model",
        ),
        pytest.param(
            f'models: {{"{NOVA_MICRO}": {{training_per_1k_tokens: {{usd: cheap, as_of: "2026"}}}}}}',
            f"model `{NOVA_MICRO}`, field `training_per_1k_tokens.usd`",
            id="not-a-number",
        ),
        pytest.param(
            f'models: {{"{NOVA_MICRO}": {{training_per_1k_tokens: {{usd: -1, as_of: "2026"}}}}}}',
            f"model `{NOVA_MICRO}`, field `training_per_1k_tokens.usd`: Input should be greater than or equal to 0",
            id="negative",
        ),
        pytest.param(
            f'models: {{"{NOVA_MICRO}": {{training_per_1k_tokens: {{usd: 1}}}}}}',
            f"model `{NOVA_MICRO}`, field `training_per_1k_tokens.as_of`: Field required",
            id="no-date",
        ),
        pytest.param(
            f'models: {{"{NOVA_MICRO}": {{training_price: {{usd: 1, as_of: "2026"}}}}}}',
            f"model `{NOVA_MICRO}`, field `training_price`: not a known field; use training_per_1k_tokens",
            id="misspelt-field",
        ),
        pytest.param(
            'models: {"amazon.titan-text-lite-v1:0:4k": {on_demand_input_per_1k_tokens: {usd: 1, as_of: "2026"}}}',
            "Titan Text G1 Lite has no on-demand custom model deployment",
            id="on-demand-where-none",
        ),
        pytest.param("prices: []", "the file needs a `models:` mapping", id="no-models-key"),
        pytest.param("models: [1, 2", "not valid YAML at line 1", id="bad-yaml"),
    ],
)
def test_a_bad_override_file_fails_naming_the_file_and_the_problem(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path, text, name="bad-prices.yml")
    with pytest.raises(PriceOverrideError) as caught:
        load_catalogue(path)
    message = str(caught.value)
    assert message.startswith("price override file bad-prices.yml: ")
    assert expected in message
    assert str(tmp_path) not in message


def test_a_missing_override_file_fails_without_printing_its_directory(tmp_path: Path) -> None:
    with pytest.raises(PriceOverrideError, match=r"^price override file gone\.yml: cannot read it") as caught:
        load_catalogue(tmp_path / "gone.yml")
    assert str(tmp_path) not in str(caught.value)


def test_many_problems_are_summarised(tmp_path: Path) -> None:
    entries = "\n".join(f'  "unknown-{n}": {{storage_per_month: {{usd: 1, as_of: "2026"}}}}' for n in range(8))
    with pytest.raises(PriceOverrideError, match=r"\(and 3 more\)$"):
        load_catalogue(write(tmp_path, f"models:\n{entries}\n"))
