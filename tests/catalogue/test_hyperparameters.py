"""Hyperparameter checks: names by alias and any case, whole numbers, ranges with the range in the message."""

from __future__ import annotations

import pytest

from workflows.catalogue import Catalogue, ModelSpec, load_catalogue
from workflows.catalogue.hyperparameters import ProblemCode, check_hyperparameters
from workflows.dataset_rules import CustomizationType

CONVERSATION = CustomizationType.CONVERSATION
INSTRUCTION = CustomizationType.INSTRUCTION
NOVA_MICRO = "amazon.nova-micro-v1:0:128k"
LLAMA_8B = "meta.llama3-1-8b-instruct-v1:0:128k"
TITAN_LITE = "amazon.titan-text-lite-v1:0:4k"
HAIKU = "anthropic.claude-3-haiku-20240307-v1:0:200k"


@pytest.fixture(name="catalogue")
def _catalogue() -> Catalogue:
    return load_catalogue()


def model(catalogue: Catalogue, model_id: str) -> ModelSpec:
    return catalogue.model(model_id)


@pytest.mark.parametrize(
    ("model_id", "customization", "given", "expected"),
    [
        (NOVA_MICRO, CONVERSATION, {}, {"epochCount": "2", "learningRate": "0.00001", "learningRateWarmupSteps": "10"}),
        (NOVA_MICRO, CONVERSATION, {"epochCount": "3"}, {"epochCount": "3"}),
        (NOVA_MICRO, CONVERSATION, {"epochs": "5"}, {"epochCount": "5"}),
        (NOVA_MICRO, CONVERSATION, {"EPOCHS": " 1 "}, {"epochCount": "1"}),
        (NOVA_MICRO, CONVERSATION, {"epoch_count": "4"}, {"epochCount": "4"}),
        (NOVA_MICRO, CONVERSATION, {"learningRate": "1e-5"}, {"learningRate": "0.00001"}),
        (NOVA_MICRO, CONVERSATION, {"lr": "1E-4"}, {"learningRate": "0.0001"}),
        (NOVA_MICRO, CONVERSATION, {"learningrate": "0.000002"}, {"learningRate": "0.000002"}),
        (NOVA_MICRO, CONVERSATION, {"warmup": "0"}, {"learningRateWarmupSteps": "0"}),
        (LLAMA_8B, INSTRUCTION, {"batchSize": "1"}, {"batchSize": "1", "epochCount": "5", "learningRate": "0.0001"}),
        (TITAN_LITE, INSTRUCTION, {"batch": "64", "learningRate": "0"}, {"batchSize": "64", "learningRate": "0"}),
        (TITAN_LITE, CustomizationType.CONTINUED_PRETRAINING, {"epochs": "10"}, {"epochCount": "10"}),
        (HAIKU, CONVERSATION, {"learningRateMultiplier": "0.5"}, {"learningRateMultiplier": "0.5", "batchSize": "32"}),
    ],
)
def test_values_in_range_are_accepted_and_defaults_filled_in(
    catalogue: Catalogue,
    model_id: str,
    customization: CustomizationType,
    given: dict[str, str],
    expected: dict[str, str],
) -> None:
    spec = model(catalogue, model_id)
    check = check_hyperparameters(spec, customization, given)
    assert check.ok, check.problems
    assert check.values.keys() == spec.default_hyperparameters(customization).keys()
    assert expected.items() <= check.values.items()


@pytest.mark.parametrize(
    ("model_id", "customization", "given", "code", "message"),
    [
        (
            NOVA_MICRO,
            CONVERSATION,
            {"epochCount": "9"},
            ProblemCode.OUT_OF_RANGE,
            "epochCount must be between 1 and 5 for Nova Micro; you gave 9",
        ),
        (
            NOVA_MICRO,
            CONVERSATION,
            {"epochs": "0"},
            ProblemCode.OUT_OF_RANGE,
            "epochCount must be between 1 and 5 for Nova Micro; you gave 0",
        ),
        (
            NOVA_MICRO,
            CONVERSATION,
            {"learningRate": "0.01"},
            ProblemCode.OUT_OF_RANGE,
            "learningRate must be between 1e-6 and 1e-4 for Nova Micro; you gave 0.01",
        ),
        (
            LLAMA_8B,
            INSTRUCTION,
            {"batchSize": "4"},
            ProblemCode.OUT_OF_RANGE,
            "batchSize is fixed at 1 for Llama 3.1 8B Instruct; you gave 4",
        ),
        (
            TITAN_LITE,
            INSTRUCTION,
            {"learningRateWarmupSteps": "251"},
            ProblemCode.OUT_OF_RANGE,
            "learningRateWarmupSteps must be between 0 and 250 for Titan Text G1 Lite; you gave 251",
        ),
        (
            NOVA_MICRO,
            CONVERSATION,
            {"epochCount": "3.0"},
            ProblemCode.NOT_WHOLE,
            "epochCount must be a whole number for Nova Micro; you gave 3.0",
        ),
        (
            NOVA_MICRO,
            CONVERSATION,
            {"epochCount": "2.5"},
            ProblemCode.NOT_WHOLE,
            "epochCount must be a whole number for Nova Micro; you gave 2.5",
        ),
        (
            NOVA_MICRO,
            CONVERSATION,
            {"epochCount": "1e1"},
            ProblemCode.NOT_WHOLE,
            "epochCount must be a whole number for Nova Micro; you gave 1e1",
        ),
        (
            NOVA_MICRO,
            CONVERSATION,
            {"learningRate": "fast"},
            ProblemCode.NOT_A_NUMBER,
            "learningRate must be a number for Nova Micro; you gave `fast`",
        ),
        (
            NOVA_MICRO,
            CONVERSATION,
            {"epochs": "three"},
            ProblemCode.NOT_A_NUMBER,
            "epochCount must be a whole number for Nova Micro; you gave `three`",
        ),
        (
            NOVA_MICRO,
            CONVERSATION,
            {"learningRate": "nan"},
            ProblemCode.NOT_A_NUMBER,
            "learningRate must be a number for Nova Micro; you gave `nan`",
        ),
        (NOVA_MICRO, CONVERSATION, {"learningRate": ""}, ProblemCode.NOT_A_NUMBER, "you gave ` `"),
        (
            NOVA_MICRO,
            CONVERSATION,
            {"dropout": "0.1"},
            ProblemCode.UNKNOWN_NAME,
            "`dropout` is not a hyperparameter of Nova Micro; valid: epochCount, learningRate, learningRateWarmupSteps",
        ),
        (
            NOVA_MICRO,
            CONVERSATION,
            {"batchSize": "8"},
            ProblemCode.UNKNOWN_NAME,
            "`batchSize` is not a hyperparameter of Nova Micro; valid:",
        ),
        (NOVA_MICRO, CONVERSATION, {"lerningRate": "1e-5"}, ProblemCode.UNKNOWN_NAME, "Did you mean learningRate?"),
        (
            NOVA_MICRO,
            CONVERSATION,
            {"epochs": "2", "epochCount": "3"},
            ProblemCode.REPEATED,
            "epochCount is given more than once",
        ),
        (
            NOVA_MICRO,
            INSTRUCTION,
            {},
            ProblemCode.UNSUPPORTED_TYPE,
            "Nova Micro does not support instruction; it supports conversation, distillation",
        ),
        (
            NOVA_MICRO,
            CustomizationType.DISTILLATION,
            {"epochs": "2"},
            ProblemCode.UNKNOWN_NAME,
            "Nova Micro has no documented hyperparameters for distillation",
        ),
    ],
)
def test_bad_values_are_reported_with_a_message_that_says_what_to_do(
    catalogue: Catalogue,
    model_id: str,
    customization: CustomizationType,
    given: dict[str, str],
    code: ProblemCode,
    message: str,
) -> None:
    check = check_hyperparameters(model(catalogue, model_id), customization, given)
    assert not check.ok
    assert [problem.code for problem in check.problems] == [code]
    assert message in check.problems[0].message


def test_every_problem_is_reported_in_one_pass(catalogue: Catalogue) -> None:
    given = {"epochs": "9", "lr": "fast", "dropout": "0.1"}
    check = check_hyperparameters(model(catalogue, NOVA_MICRO), CONVERSATION, given)
    assert [problem.name for problem in check.problems] == ["epochs", "lr", "dropout"]


def test_a_bad_value_leaves_the_default_in_the_map(catalogue: Catalogue) -> None:
    check = check_hyperparameters(model(catalogue, NOVA_MICRO), CONVERSATION, {"epochs": "9"})
    assert check.values["epochCount"] == "2"


def test_the_epoch_count_is_available_for_the_cost_estimate(catalogue: Catalogue) -> None:
    check = check_hyperparameters(model(catalogue, NOVA_MICRO), CONVERSATION, {"epochs": "4"})
    assert check.epochs == 4


def test_assumed_ranges_are_flagged(catalogue: Catalogue) -> None:
    llama33 = model(catalogue, "meta.llama3-3-70b-instruct-v1:0:128k")
    check = check_hyperparameters(llama33, CONVERSATION, {})
    assert check.ok
    assert check.uncertain == ("epochCount", "batchSize", "learningRate")
    assert check_hyperparameters(model(catalogue, NOVA_MICRO), CONVERSATION, {}).uncertain == ()


@pytest.mark.parametrize("model_id", [NOVA_MICRO, LLAMA_8B, TITAN_LITE, HAIKU, "cohere.command-light-text-v14:7:4k"])
def test_the_defaults_themselves_pass_the_check(catalogue: Catalogue, model_id: str) -> None:
    spec = model(catalogue, model_id)
    customization = spec.customization_types[0]
    defaults = spec.default_hyperparameters(customization)
    check = check_hyperparameters(spec, customization, defaults)
    assert check.ok
    assert check.values == defaults


def test_rft_settings_have_no_default_a_choice_and_an_open_upper_bound() -> None:
    from workflows.catalogue import load_catalogue
    from workflows.catalogue.hyperparameters import ProblemCode, check_hyperparameters
    from workflows.dataset_rules import CustomizationType

    model = load_catalogue().model("amazon.nova-2-lite-v1:0:256k")
    kind = CustomizationType.REINFORCEMENT
    assert model.default_hyperparameters(kind) == {}
    check = check_hyperparameters(model, kind, {"reasoning": "HIGH", "maxPromptLength": "100000", "batch": "32"})
    assert check.ok
    assert check.values == {"reasoningEffort": "high", "maxPromptLength": "100000", "batchSize": "32"}
    wrong = check_hyperparameters(model, kind, {"reasoningEffort": "max", "batchSize": "8", "maxPromptLength": "0"})
    assert [problem.code for problem in wrong.problems] == [ProblemCode.OUT_OF_RANGE] * 3
    assert "reasoningEffort must be one of low, medium, high" in wrong.problems[0].message
    assert "maxPromptLength must be at least 1" in wrong.problems[2].message
