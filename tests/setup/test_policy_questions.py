"""The policy at the type and model questions: a refused answer is explained, the question stands, it is noted."""

from __future__ import annotations

from dataclasses import replace

from tests.setup.test_conversation import CONTEXT, NOVA, said
from workflows.dataset_rules import CustomizationType
from workflows.governance.policy import Policy
from workflows.setup.effects import RecordRefusal
from workflows.setup.events import ModelChosen, TypeChosen
from workflows.setup.machine import Step, advance, begin
from workflows.setup.model import Stage

TITAN = "amazon.titan-text-express-v1:0:8k"
POLICY = Policy.model_validate(
    {
        "version": 1,
        "workspaces": {
            "*": {
                "allow": {"types": ["instruction", "conversation"], "models": [TITAN]},
                "channels": {"COPEN": {"allow": {}}},
            }
        },
    }
)
GOVERNED = replace(CONTEXT, policy=POLICY)


def opened(channel: str = "C") -> Step:
    return begin(team="T", channel=channel, thread_ts="1.0", user="U1", context=GOVERNED)


def test_a_type_the_policy_does_not_allow_is_refused_with_the_reason() -> None:
    step = advance(opened().conversation, TypeChosen("U1", CustomizationType.CONTINUED_PRETRAINING), GOVERNED)
    assert step.conversation.stage is Stage.CHOOSING_TYPE
    assert said(step) == [
        "The policy here does not allow continued pre-training; it allows instruction fine-tuning, "
        "conversational fine-tuning. Pick another type."
    ]
    assert RecordRefusal("allow.types: continued-pretraining", "continued-pretraining") in step.effects


def test_a_model_the_policy_does_not_allow_is_refused_and_an_allowed_one_goes_on() -> None:
    at_model = advance(opened().conversation, TypeChosen("U1", CustomizationType.CONVERSATION), GOVERNED)
    refused = advance(at_model.conversation, ModelChosen("U1", NOVA), GOVERNED)
    assert refused.conversation.stage is Stage.CHOOSING_MODEL
    (text,) = said(refused)
    assert text.startswith("The policy here does not allow Nova Micro (`amazon.nova-micro-v1:0:128k`) as a base model")
    assert RecordRefusal(f"allow.models: {NOVA}", NOVA) in refused.effects
    at_instruction = advance(opened().conversation, TypeChosen("U1", CustomizationType.INSTRUCTION), GOVERNED)
    accepted = advance(at_instruction.conversation, ModelChosen("U1", TITAN), GOVERNED)
    assert accepted.conversation.stage is Stage.AWAITING_TRAINING


def test_a_channel_that_opens_allow_takes_any_type() -> None:
    step = advance(opened("COPEN").conversation, TypeChosen("U1", CustomizationType.CONTINUED_PRETRAINING), GOVERNED)
    assert step.conversation.stage is Stage.CHOOSING_MODEL
    assert not any(isinstance(effect, RecordRefusal) for effect in step.effects)


def test_without_a_policy_nothing_is_refused() -> None:
    step = begin(team="T", channel="C", thread_ts="1.0", user="U1", context=CONTEXT)
    step = advance(step.conversation, TypeChosen("U1", CustomizationType.CONVERSATION), CONTEXT)
    step = advance(step.conversation, ModelChosen("U1", NOVA), CONTEXT)
    assert step.conversation.stage is Stage.AWAITING_TRAINING
