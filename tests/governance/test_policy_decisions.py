"""The policy's decisions as tables: types, models and people, each refusal saying why and who can."""

from __future__ import annotations

import pytest

from workflows.dataset_rules import CustomizationType
from workflows.governance.policy import Allowed, People, Rules
from workflows.governance.policy_decisions import (
    Act,
    groups_unknown,
    model_refusal,
    person_refusal,
    type_refusal,
    who_can,
)

INSTRUCTION, CPT = CustomizationType.INSTRUCTION, CustomizationType.CONTINUED_PRETRAINING


@pytest.mark.parametrize(
    ("allowed", "asked", "refused_with"),
    [
        (None, CPT, None),
        ((INSTRUCTION,), INSTRUCTION, None),
        ((INSTRUCTION,), CPT, "does not allow continued pre-training; it allows instruction fine-tuning."),
        ((), INSTRUCTION, "allows no customization type"),
    ],
)
def test_types(
    allowed: tuple[CustomizationType, ...] | None, asked: CustomizationType, refused_with: str | None
) -> None:
    refusal = type_refusal(Rules(allow=Allowed(types=allowed)), asked)
    if refused_with is None:
        assert refusal is None
    else:
        assert refusal is not None
        assert refused_with in refusal.reason
        assert refusal.rule == f"allow.types: {asked.value}"


def test_a_rule_left_out_allows_every_type_and_model() -> None:
    assert type_refusal(Rules(), CPT) is None
    assert model_refusal(Rules(allow=Allowed(types=(INSTRUCTION,))), "any", "Any") is None


@pytest.mark.parametrize(
    ("allowed", "asked", "refused_with"),
    [
        (("m1",), "m1", None),
        (("m1", "m`2"), "m3", "does not allow Model Three (`m3`) as a base model; it allows `m1`, `mˋ2`."),
        ((), "m1", "allows no base model"),
    ],
)
def test_models(allowed: tuple[str, ...], asked: str, refused_with: str | None) -> None:
    refusal = model_refusal(Rules(allow=Allowed(models=allowed)), asked, "Model Three")
    if refused_with is None:
        assert refusal is None
    else:
        assert refusal is not None
        assert refused_with in refusal.reason
        assert refusal.rule == f"allow.models: {asked}"


LISTED = People(users=("U1", "U2"), groups=("S1",))


@pytest.mark.parametrize(
    ("people", "user", "members", "allowed"),
    [
        (None, "U9", set(), True),
        (LISTED, "U1", set(), True),
        (LISTED, "U9", {"U9"}, True),
        (LISTED, "U9", {"U8"}, False),
        (People(groups=("S1",)), "U1", set(), False),
    ],
)
def test_people(people: People | None, user: str, members: set[str], allowed: bool) -> None:
    refusal = person_refusal(people, user, Act.DEPLOY, members=members)
    assert (refusal is None) is allowed


def test_a_refused_person_is_told_who_can() -> None:
    refusal = person_refusal(LISTED, "U9", Act.START, members=set())
    assert refusal is not None
    assert refusal.reason == (
        "The policy here does not allow you to start fine-tuning jobs. "
        "Who can: <@U1>, <@U2> and members of the user group `S1`."
    )
    assert refusal.rule == "start: U9 is not allowed"


def test_who_can_with_one_person() -> None:
    assert who_can(People(users=("U1",))) == "Who can: <@U1>."


def test_unreadable_groups_refuse_and_say_to_try_again() -> None:
    refusal = groups_unknown(People(groups=("S1", "S2")), Act.DEPLOY)
    assert "did not tell me who is in `S1`, `S2`" in refusal.reason
    assert "try again" in refusal.reason
