"""Distillation and reinforcement costs: the teacher's inference is billed on top, unknown stays unknown, never $0."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from workflows.catalogue import PriceOverrideError, load_catalogue
from workflows.catalogue.catalogue_view import models_message
from workflows.catalogue.costs import CostItem
from workflows.catalogue.prompt_costs import estimate_distillation_cost, estimate_rft_cost
from workflows.dataset_rules import CustomizationType

NOVA_MICRO = "amazon.nova-micro-v1:0:128k"
NOVA_PRO_TEACHER = "amazon.nova-pro-v1:0"
NOVA_2_LITE = "amazon.nova-2-lite-v1:0:256k"


def _prices(tmp_path: Path, text: str, name: str = "prices.yml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_distillation_bills_the_teacher_reading_and_writing_on_top_of_training() -> None:
    catalogue = load_catalogue()
    teacher = catalogue.teacher(NOVA_PRO_TEACHER)
    assert teacher is not None
    estimate = estimate_distillation_cost(
        catalogue.model(NOVA_MICRO), teacher, prompt_tokens=100_000, prompts=1_000, max_response_tokens=500
    )
    reading, writing = estimate.extra
    assert (reading.item, reading.amount) == (CostItem.TEACHER_INPUT, Decimal("0.08"))  # 100K × $0.0008 / 1K
    assert (writing.item, writing.amount) == (CostItem.TEACHER_OUTPUT, Decimal("1.6"))  # 500K × $0.0032 / 1K
    assert "up to 1,000 prompts × 500 tokens" in writing.basis
    assert estimate.training.amount is None  # Nova Micro's training price is unknown
    assert estimate.upfront is None
    assert estimate.headline() == "up to $1.68 for the teacher's answers; training price unknown"
    text = estimate.text()
    assert "Student training, one epoch: unknown" in text
    assert "$0" not in text.replace("$0.0", "")


def test_distillation_totals_when_every_price_is_set(tmp_path: Path) -> None:
    path = _prices(
        tmp_path,
        f"""
models:
  "{NOVA_MICRO}":
    training_per_1k_tokens: {{usd: "0.002", as_of: 2026-11-01}}
""",
    )
    catalogue = load_catalogue(path)
    teacher = catalogue.teacher(NOVA_PRO_TEACHER)
    assert teacher is not None
    estimate = estimate_distillation_cost(
        catalogue.model(NOVA_MICRO), teacher, prompt_tokens=100_000, prompts=1_000, max_response_tokens=500
    )
    # Teacher $1.68, plus one epoch over 600K tokens at $0.002 per 1K = $1.20.
    assert estimate.upfront == Decimal("2.88")
    assert estimate.headline() == "up to $2.88 for the teacher's answers and one training epoch"


def test_an_unknown_teacher_price_is_unknown_with_how_to_set_it() -> None:
    catalogue = load_catalogue()
    teacher = catalogue.teacher("amazon.nova-premier-v1:0")
    assert teacher is not None
    estimate = estimate_distillation_cost(
        catalogue.model(NOVA_MICRO), teacher, prompt_tokens=1_000, prompts=10, max_response_tokens=100
    )
    assert all(line.amount is None for line in estimate.extra)
    assert "under `teachers:` in the price override file" in estimate.extra[0].text()
    assert estimate.headline() == "teacher and training prices unknown"


def test_teacher_prices_can_be_overridden_and_unknown_teachers_are_refused(tmp_path: Path) -> None:
    good = _prices(
        tmp_path,
        """
teachers:
  "amazon.nova-premier-v1:0":
    input_per_1k_tokens: {usd: "0.0025", as_of: 2026-11-01, source: aws.amazon.com/bedrock/pricing}
""",
    )
    teacher = load_catalogue(good).teacher("amazon.nova-premier-v1:0")
    assert teacher is not None
    assert teacher.input_per_1k_tokens.usd == Decimal("0.0025")
    assert teacher.output_per_1k_tokens.usd is None
    typo = 'teachers:\n  "amazon.nova-premier-v2:0":\n    input_per_1k_tokens: {usd: 1, as_of: 2026}\n'
    bad = _prices(tmp_path, typo, "bad.yml")
    with pytest.raises(PriceOverrideError, match=r"unknown teacher `amazon\.nova-premier-v2:0`"):
        load_catalogue(bad)


def test_rft_is_priced_per_training_hour_which_is_unknown_and_names_the_grader_cost() -> None:
    estimate = estimate_rft_cost(load_catalogue().model(NOVA_2_LITE), prompt_tokens=20_000)
    assert estimate.training.amount is None
    assert estimate.upfront is None
    assert estimate.headline() == "training price unknown; the hours are not known in advance"
    text = estimate.text()
    assert "rft_training_per_hour" in text
    assert "AWS Lambda bills those invocations" in text


def test_an_rft_hour_price_from_the_override_file_is_shown_as_a_rate(tmp_path: Path) -> None:
    path = _prices(
        tmp_path,
        f"""
models:
  "{NOVA_2_LITE}":
    rft_training_per_hour: {{usd: "100", as_of: 2026-11-01}}
""",
    )
    estimate = estimate_rft_cost(load_catalogue(path).model(NOVA_2_LITE), prompt_tokens=20_000)
    assert estimate.training.amount_text() == "$100.00 per training hour"
    assert estimate.upfront is None
    assert estimate.headline() == "$100.00 per training hour; the hours are not known in advance"


def test_an_rft_hour_price_for_a_model_without_rft_is_refused(tmp_path: Path) -> None:
    path = _prices(tmp_path, f'models:\n  "{NOVA_MICRO}":\n    rft_training_per_hour: {{usd: 1, as_of: 2026}}\n')
    with pytest.raises(PriceOverrideError, match="does not take reinforcement fine-tuning"):
        load_catalogue(path)


def test_finetune_models_distillation_lists_pairs_per_region_with_their_source() -> None:
    message = models_message(load_catalogue(), CustomizationType.DISTILLATION, "us-east-1")
    (details,) = message.details
    assert "Nova Pro `amazon.nova-pro-v1:0` → Nova Micro, Nova Lite" in details
    assert "Nova Premier `amazon.nova-premier-v1:0` → Nova Micro, Nova Lite, Nova Pro" in details
    assert "billed on top of the student's training" in details
    assert "prequisites-model-distillation.html" in details
    west = models_message(load_catalogue(), CustomizationType.DISTILLATION, "us-west-2").details[0]
    assert "Llama 3.1 405B Instruct" in west
    assert "(single-turn)" in west


def test_finetune_models_reinforcement_lists_models_ranges_and_dated_source() -> None:
    (details,) = models_message(load_catalogue(), CustomizationType.REINFORCEMENT, "us-east-1").details
    assert "Nova 2 Lite — `amazon.nova-2-lite-v1:0:256k` · price per training hour unknown" in details
    assert "`batchSize` between 16 and 512" in details
    assert "`reasoningEffort` one of low, medium, high" in details
    assert "read 2026-11-29" in details
    assert "gpt-oss" not in details  # us-west-2 only
