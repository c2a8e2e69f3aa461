"""The "Help me choose" table in the catalogue: what it says is what the advisor says, and gaps are refused."""

from __future__ import annotations

import itertools
from importlib import resources
from typing import Any

import pytest
import yaml

from workflows.catalogue import Catalogue, CatalogueInvalid
from workflows.catalogue.loader import load_catalogue, parse_catalogue
from workflows.dataset_rules import CustomizationType
from workflows.setup import questions
from workflows.setup.advice import DataAnswer, GoalAnswer, recommend


def bundled_raw() -> dict[str, Any]:
    text = resources.files("workflows.catalogue").joinpath("catalogue.yml").read_text(encoding="utf-8")
    raw: dict[str, Any] = yaml.safe_load(text)
    return raw


def with_advice(rules: list[dict[str, Any]]) -> Catalogue:
    """The bundled catalogue with its advice table replaced by ``rules``."""
    raw = bundled_raw()
    raw["guidance"]["advice"] = rules
    return parse_catalogue(yaml.safe_dump(raw))


@pytest.mark.parametrize(
    ("data", "goal", "recommended"),
    [
        (DataAnswer.CHATS, GoalAnswer.CHATBOT, CustomizationType.CONVERSATION),
        (DataAnswer.PAIRS, GoalAnswer.CHATBOT, CustomizationType.CONVERSATION),
        (DataAnswer.CHATS, GoalAnswer.BEHAVIOUR, CustomizationType.CONVERSATION),
        (DataAnswer.PAIRS, GoalAnswer.BEHAVIOUR, CustomizationType.INSTRUCTION),
        (DataAnswer.DOCUMENTS, GoalAnswer.DOMAIN, CustomizationType.CONTINUED_PRETRAINING),
        (DataAnswer.DOCUMENTS, GoalAnswer.BEHAVIOUR, CustomizationType.CONTINUED_PRETRAINING),
        (DataAnswer.LITTLE, GoalAnswer.BEHAVIOUR, None),
        (DataAnswer.PAIRS, GoalAnswer.FRESH_FACTS, None),
        (DataAnswer.DOCUMENTS, GoalAnswer.SMALL_TWEAK, None),
    ],
)
def test_the_bundled_table_recommends(
    data: DataAnswer, goal: GoalAnswer, recommended: CustomizationType | None
) -> None:
    assert recommend(data, goal, load_catalogue()).recommend is recommended


def test_the_first_row_that_covers_the_answers_wins() -> None:
    advice = recommend(DataAnswer.DOCUMENTS, GoalAnswer.DOMAIN, load_catalogue())
    assert advice.why.startswith("Unlabeled text teaches a model your domain's vocabulary")


def test_a_changed_catalogue_changes_what_the_advisor_says() -> None:
    catalogue = with_advice(
        [
            {"data": ["chats"], "why": "Try a *system prompt* before you train anything."},
            {"recommend": "instruction", "why": "Pairs are all you need."},
        ]
    )

    chats = questions.advice(recommend(DataAnswer.CHATS, GoalAnswer.CHATBOT, catalogue), catalogue)
    pairs = questions.advice(recommend(DataAnswer.PAIRS, GoalAnswer.CHATBOT, catalogue), catalogue)

    assert chats.text == "Fine-tuning may not be the right tool here."
    assert chats.details[0] == "Try a *system prompt* before you train anything."
    assert pairs.text == "I recommend *Instruction fine-tuning*."
    assert pairs.details[0] == "Pairs are all you need."


def test_a_recommendation_shows_the_types_use_and_limits_from_the_catalogue() -> None:
    raw = bundled_raw()
    conversation = next(item for item in raw["customizations"] if item["type"] == "conversation")
    conversation["not_for"] = "Teaching it tomorrow's prices."
    conversation["use_when"] = "You have good example dialogues."
    catalogue = parse_catalogue(yaml.safe_dump(raw))

    message = questions.advice(recommend(DataAnswer.CHATS, GoalAnswer.CHATBOT, catalogue), catalogue)

    assert "_Use it when:_ You have good example dialogues." in message.details
    assert "_Not for:_ Teaching it tomorrow's prices." in message.details


def test_every_pair_of_answers_gets_advice_from_the_bundled_table() -> None:
    catalogue = load_catalogue()
    for data, goal in itertools.product(DataAnswer, GoalAnswer):
        assert recommend(data, goal, catalogue).why.strip()


@pytest.mark.parametrize(
    ("rules", "reason"),
    [
        ([{"data": ["pairs"], "recommend": "instruction", "why": "…"}], "no advice covers the answers CHATS and"),
        ([{"goal": ["fresh-fact"], "why": "…"}, {"why": "…"}], "unknown answer 'fresh-fact'; the answers are"),
        ([{"recommend": "instruction"}], "why"),
    ],
)
def test_a_broken_advice_table_is_refused_with_the_reason(rules: list[dict[str, Any]], reason: str) -> None:
    with pytest.raises(CatalogueInvalid, match=reason):
        with_advice(rules)


def test_advice_may_not_recommend_a_type_the_conversation_does_not_offer() -> None:
    raw = bundled_raw()
    for info in raw["customizations"]:
        if info["type"] == "distillation":
            info["offered"] = False
    with pytest.raises(CatalogueInvalid, match="recommends distillation, which is not offered"):
        parse_catalogue(yaml.safe_dump(raw))


@pytest.mark.parametrize(
    ("data", "goal", "recommended", "trade_off"),
    [
        (DataAnswer.PAIRS, GoalAnswer.CHEAPER, CustomizationType.DISTILLATION, "billed on top of the training"),
        (DataAnswer.PROMPTS, GoalAnswer.BEHAVIOUR, CustomizationType.DISTILLATION, "billed on top of the training"),
        (DataAnswer.PAIRS, GoalAnswer.CHECKABLE, CustomizationType.REINFORCEMENT, "a grader you trust"),
        (DataAnswer.PROMPTS, GoalAnswer.CHECKABLE, CustomizationType.REINFORCEMENT, "each example costs more"),
    ],
)
def test_the_advisor_recognises_the_new_situations_and_states_their_trade_offs(
    data: DataAnswer, goal: GoalAnswer, recommended: CustomizationType, trade_off: str
) -> None:
    catalogue = load_catalogue()
    rule = recommend(data, goal, catalogue)
    assert rule.recommend is recommended
    assert trade_off in " ".join(rule.why.split())
