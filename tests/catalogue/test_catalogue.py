"""The bundled catalogue: it loads, holds every required model with its exact identifier, and answers lookups."""

from __future__ import annotations

import pytest

from workflows.catalogue import (
    Catalogue,
    Certainty,
    Lifecycle,
    PriceStatus,
    UnknownModel,
    UnsupportedCustomization,
    load_catalogue,
)
from workflows.dataset_rules import CustomizationType, DatasetFormat

INSTRUCTION = CustomizationType.INSTRUCTION
CPT = CustomizationType.CONTINUED_PRETRAINING
CONVERSATION = CustomizationType.CONVERSATION
DISTILLATION = CustomizationType.DISTILLATION

#: Every model the product needs, with the exact baseModelIdentifier, and its format for each type it offers.
REQUIRED = {
    "amazon.titan-text-express-v1:0:8k": {
        INSTRUCTION: DatasetFormat.PROMPT_COMPLETION,
        CPT: DatasetFormat.TEXT_INPUT,
    },
    "amazon.titan-text-lite-v1:0:4k": {INSTRUCTION: DatasetFormat.PROMPT_COMPLETION, CPT: DatasetFormat.TEXT_INPUT},
    "meta.llama3-1-8b-instruct-v1:0:128k": {INSTRUCTION: DatasetFormat.PROMPT_COMPLETION},
    "meta.llama3-1-70b-instruct-v1:0:128k": {INSTRUCTION: DatasetFormat.PROMPT_COMPLETION},
    "meta.llama3-2-1b-instruct-v1:0:128k": {CONVERSATION: DatasetFormat.BEDROCK_CONVERSATION},
    "meta.llama3-2-3b-instruct-v1:0:128k": {CONVERSATION: DatasetFormat.BEDROCK_CONVERSATION},
    "meta.llama3-2-11b-instruct-v1:0:128k": {CONVERSATION: DatasetFormat.BEDROCK_CONVERSATION},
    "meta.llama3-2-90b-instruct-v1:0:128k": {CONVERSATION: DatasetFormat.BEDROCK_CONVERSATION},
    "meta.llama3-3-70b-instruct-v1:0:128k": {CONVERSATION: DatasetFormat.BEDROCK_CONVERSATION},
    "amazon.nova-micro-v1:0:128k": {CONVERSATION: DatasetFormat.BEDROCK_CONVERSATION},
    "amazon.nova-lite-v1:0:300k": {CONVERSATION: DatasetFormat.BEDROCK_CONVERSATION},
    "amazon.nova-pro-v1:0:300k": {CONVERSATION: DatasetFormat.BEDROCK_CONVERSATION},
    "anthropic.claude-3-haiku-20240307-v1:0:200k": {CONVERSATION: DatasetFormat.ANTHROPIC_MESSAGES},
    "cohere.command-light-text-v14:7:4k": {INSTRUCTION: DatasetFormat.PROMPT_COMPLETION},
}

NOVA = ["amazon.nova-micro-v1:0:128k", "amazon.nova-lite-v1:0:300k", "amazon.nova-pro-v1:0:300k"]
LLAMA_3 = [model_id for model_id in REQUIRED if model_id.startswith("meta.llama3")]
ESTIMATED_TOKENS = [model_id for model_id in REQUIRED if not model_id.startswith("meta.")]


@pytest.fixture(name="catalogue")
def _catalogue() -> Catalogue:
    return load_catalogue()


def test_the_bundled_catalogue_loads_once_and_is_cached() -> None:
    assert load_catalogue() is load_catalogue()


@pytest.mark.parametrize("model_id", REQUIRED)
def test_every_required_model_is_present_with_its_exact_identifier(catalogue: Catalogue, model_id: str) -> None:
    assert catalogue.model(model_id).id == model_id


@pytest.mark.parametrize(
    ("model_id", "customization", "expected"),
    [(model_id, t, fmt) for model_id, formats in REQUIRED.items() for t, fmt in formats.items()],
)
def test_each_model_gives_dataset_rules_in_its_format(
    catalogue: Catalogue, model_id: str, customization: CustomizationType, expected: DatasetFormat
) -> None:
    model = catalogue.model(model_id)
    assert model.supports(customization)
    rules = model.dataset_rules(customization)
    assert rules.format is expected
    assert rules.model_name == model.name


def test_every_supported_type_of_every_model_gives_dataset_rules(catalogue: Catalogue) -> None:
    for model in catalogue.models:
        for customization in CustomizationType:
            if model.supports(customization):
                assert model.dataset_rules(customization).format is model.rules(customization).format


def test_only_titan_text_offers_continued_pretraining(catalogue: Catalogue) -> None:
    assert {model.id for model in catalogue.models_for(CPT)} == {
        "amazon.titan-text-express-v1:0:8k",
        "amazon.titan-text-lite-v1:0:4k",
    }


def test_an_unsupported_type_raises_with_what_the_model_supports(catalogue: Catalogue) -> None:
    model = catalogue.model("amazon.nova-micro-v1:0:128k")
    assert not model.supports(INSTRUCTION)
    with pytest.raises(UnsupportedCustomization, match="Nova Micro does not support instruction; it supports"):
        model.dataset_rules(INSTRUCTION)


@pytest.mark.parametrize("model_id", NOVA)
def test_nova_rules_carry_the_reserved_keywords(catalogue: Catalogue, model_id: str) -> None:
    rules = catalogue.model(model_id).dataset_rules(CONVERSATION)
    assert set(rules.reserved_words) == {"User:", "Bot:", "Assistant:", "System:", "<image>", "<video>", "[EOS]"}
    assert (rules.min_records, rules.max_records, rules.max_validation_records) == (8, 20000, 1000)


def test_claude_haiku_rules_match_the_reference(catalogue: Catalogue) -> None:
    rules = catalogue.model("anthropic.claude-3-haiku-20240307-v1:0:200k").dataset_rules(CONVERSATION)
    assert rules.reserved_words == ("\nHuman:", "\nAssistant:")
    assert (rules.min_records, rules.max_records, rules.max_validation_records, rules.max_total_records) == (
        32,
        10000,
        1000,
        10000,
    )
    assert rules.max_tokens_per_record == 32000
    assert (rules.max_file_bytes, rules.max_validation_file_bytes) == (10 * 10**9, 10**9)


@pytest.mark.parametrize("model_id", LLAMA_3)
def test_llama_3_token_counts_are_exact(catalogue: Catalogue, model_id: str) -> None:
    model = catalogue.model(model_id)
    rules = model.dataset_rules(model.customization_types[0])
    assert rules.token_count_exact
    assert rules.max_tokens_per_record == (10000 if "90b" in model_id else 16000)
    assert (rules.min_records, rules.max_total_records) == (100, 10000)


@pytest.mark.parametrize("model_id", ESTIMATED_TOKENS)
def test_other_families_count_tokens_by_estimate(catalogue: Catalogue, model_id: str) -> None:
    model = catalogue.model(model_id)
    assert not model.dataset_rules(model.customization_types[0]).token_count_exact


@pytest.mark.parametrize(
    ("model_id", "window"), [("amazon.nova-micro-v1:0:128k", 128_000), ("amazon.nova-pro-v1:0:300k", 300_000)]
)
def test_nova_records_are_bounded_by_the_context_window_not_an_invented_limit(
    catalogue: Catalogue, model_id: str, window: int
) -> None:
    rules = catalogue.model(model_id).dataset_rules(CONVERSATION)
    assert rules.max_tokens_per_record == window
    assert rules.token_limit_is_context


def test_a_documented_training_limit_wins_over_the_context_window(catalogue: Catalogue) -> None:
    rules = catalogue.model("anthropic.claude-3-haiku-20240307-v1:0:200k").dataset_rules(CONVERSATION)
    assert rules.max_tokens_per_record == 32_000
    assert not rules.token_limit_is_context


@pytest.mark.parametrize(
    ("model_id", "batch_size", "limit"),
    [
        ("amazon.titan-text-express-v1:0:8k", None, 4096),
        ("amazon.titan-text-express-v1:0:8k", 1, 4096),
        ("amazon.titan-text-express-v1:0:8k", 2, 2048),
        ("amazon.titan-text-express-v1:0:8k", 64, 2048),
        ("amazon.titan-text-lite-v1:0:4k", 2, 4096),
        ("amazon.titan-text-lite-v1:0:4k", 3, 2048),
    ],
)
def test_titan_token_limit_halves_at_larger_batch_sizes(
    catalogue: Catalogue, model_id: str, batch_size: int | None, limit: int
) -> None:
    rules = catalogue.model(model_id).dataset_rules(INSTRUCTION, batch_size=batch_size)
    assert rules.max_tokens_per_record == limit


def test_titan_file_size_limits_differ_between_fine_tuning_and_pretraining(catalogue: Catalogue) -> None:
    model = catalogue.model("amazon.titan-text-lite-v1:0:4k")
    assert model.dataset_rules(INSTRUCTION).max_file_bytes == 10**9
    assert model.dataset_rules(CPT).max_file_bytes == 10 * 10**9
    assert model.dataset_rules(CPT).max_validation_file_bytes == 100 * 10**6


def test_media_rules_follow_the_model(catalogue: Catalogue) -> None:
    micro = catalogue.model("amazon.nova-micro-v1:0:128k").dataset_rules(CONVERSATION).media
    lite = catalogue.model("amazon.nova-lite-v1:0:300k").dataset_rules(CONVERSATION).media
    vision = catalogue.model("meta.llama3-2-11b-instruct-v1:0:128k").dataset_rules(CONVERSATION).media
    assert not micro.allows_media
    assert lite.video_formats == {"mov", "mkv", "mp4", "webm"}
    assert (lite.max_videos_per_record, lite.same_bucket, lite.single_modality) == (1, True, True)
    assert vision.image_formats == {"gif", "jpeg", "png", "webp"}
    assert not vision.video_formats


def test_uncertain_values_are_marked_as_such(catalogue: Catalogue) -> None:
    express = catalogue.model("amazon.titan-text-express-v1:0:8k")
    total = express.rules(INSTRUCTION).max_total_records
    assert total is not None
    assert total.certainty is Certainty.UNCERTAIN
    assert express.rules(INSTRUCTION).availability is Certainty.UNCERTAIN
    assert express.rules(CPT).availability is Certainty.CONFIRMED
    llama33 = catalogue.model("meta.llama3-3-70b-instruct-v1:0:128k")
    assert all(spec.uncertain for spec in llama33.hyperparameters)
    assert any("Llama 3.3" in item for item in llama33.uncertainties())


def test_no_bundled_price_is_presented_as_confirmed(catalogue: Catalogue) -> None:
    statuses = {
        price.status
        for model in catalogue.models
        for price in (
            model.prices.training_per_1k_tokens,
            model.prices.storage_per_month,
            model.prices.provisioned_throughput_per_mu_hour,
        )
    }
    assert statuses <= {PriceStatus.ESTIMATE, PriceStatus.UNKNOWN}


def test_every_known_price_has_an_as_of_date_and_a_source(catalogue: Catalogue) -> None:
    for model in catalogue.models:
        for price in model.prices.model_dump().values():
            if price is not None:
                assert price["source"]
                assert price["usd"] is None or price["as_of"]


@pytest.mark.parametrize(
    "model_id",
    ["amazon.titan-text-express-v1:0:8k", "meta.llama3-1-8b-instruct-v1:0:128k", "amazon.nova-micro-v1:0:128k"],
)
def test_models_without_a_published_training_price_have_none(catalogue: Catalogue, model_id: str) -> None:
    assert catalogue.model(model_id).prices.training_per_1k_tokens.usd is None


def test_on_demand_deployment_is_where_the_reference_says(catalogue: Catalogue) -> None:
    on_demand = {model.id for model in catalogue.models if model.on_demand_deployment is not None}
    assert on_demand == {*NOVA, "amazon.nova-2-lite-v1:0:256k", "meta.llama3-3-70b-instruct-v1:0:128k"}


def test_models_for_filters_by_region_and_puts_legacy_last(catalogue: Catalogue) -> None:
    models = catalogue.models_for(INSTRUCTION)
    assert models[-1].id == "cohere.command-light-text-v14:7:4k"
    assert models[-1].lifecycle is Lifecycle.LEGACY
    assert all(not model.is_legacy for model in models[:-1])
    east = {model.id for model in catalogue.models_for(CONVERSATION, "us-east-1")}
    assert east == set(NOVA)


def test_models_for_an_unknown_region_is_empty(catalogue: Catalogue) -> None:
    assert catalogue.models_for(CONVERSATION, "eu-west-9") == []


def test_every_type_is_offered_including_distillation_and_reinforcement(catalogue: Catalogue) -> None:
    assert catalogue.customization(DISTILLATION).offered
    offered = [info.type for info in catalogue.offered_customizations()]
    assert offered == [INSTRUCTION, CPT, CONVERSATION, DISTILLATION, CustomizationType.REINFORCEMENT]
    nova_micro = catalogue.model("amazon.nova-micro-v1:0:128k").rules(DISTILLATION)
    assert "amazon.nova-pro-v1:0" in nova_micro.teachers


@pytest.mark.parametrize("customization", list(CustomizationType))
def test_every_type_is_explained_for_people(catalogue: Catalogue, customization: CustomizationType) -> None:
    info = catalogue.customization(customization)
    for text in (info.summary, info.use_when, info.data, info.cost, info.not_for, info.example):
        assert text.strip()
        assert "\n" not in text.strip()


def test_guidance_names_retrieval_prompting_and_transfer_learning(catalogue: Catalogue) -> None:
    alternatives = " ".join(rule.why for rule in catalogue.guidance.advice if rule.recommend is None)
    assert "retrieval" in alternatives
    assert "prompting" in alternatives
    assert "transfer learning" in catalogue.guidance.transfer_learning


@pytest.mark.parametrize(
    ("typed", "suggested"),
    [
        ("amazon.nova-micro-v1:0", "amazon.nova-micro-v1:0:128k"),
        ("amazon.nova-micro", "amazon.nova-micro-v1:0:128k"),
        ("nova micro", "amazon.nova-micro-v1:0:128k"),
        ("meta.llama3-1-8b-instruct-v1:0:8k", "meta.llama3-1-8b-instruct-v1:0:128k"),
    ],
)
def test_unknown_model_suggests_close_matches_and_how_to_list(catalogue: Catalogue, typed: str, suggested: str) -> None:
    with pytest.raises(UnknownModel) as caught:
        catalogue.model(typed)
    assert suggested in caught.value.suggestions
    assert f"`{suggested}`" in str(caught.value)
    assert "finetune-bot models" in str(caught.value)


def test_unknown_model_with_nothing_close_still_says_how_to_list(catalogue: Catalogue) -> None:
    with pytest.raises(UnknownModel, match=r"^Unknown model `zzz`\. List the models with"):
        catalogue.model("zzz")


@pytest.mark.parametrize("model_id", REQUIRED)
def test_defaults_are_strings_within_range_for_every_fine_tuning_type(catalogue: Catalogue, model_id: str) -> None:
    model = catalogue.model(model_id)
    for customization in REQUIRED[model_id]:
        defaults = model.default_hyperparameters(customization)
        assert defaults
        assert all(isinstance(value, str) for value in defaults.values())
        assert "epochCount" in defaults


def test_distillation_has_no_documented_hyperparameters(catalogue: Catalogue) -> None:
    assert catalogue.model("amazon.nova-lite-v1:0:300k").default_hyperparameters(DISTILLATION) == {}
