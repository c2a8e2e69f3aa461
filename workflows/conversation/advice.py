""" "Help me choose": from the data a person has and what they want, a recommended type or a better tool."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from workflows.dataset_rules import CustomizationType


class DataAnswer(StrEnum):
    """What data the person has (the labels are the button texts)."""

    PAIRS = "Prompt and response pairs"
    CHATS = "Chat conversations"
    DOCUMENTS = "Unlabeled documents or text"
    LITTLE = "Only a few examples"


class GoalAnswer(StrEnum):
    """What the person wants to change (the labels are the button texts)."""

    BEHAVIOUR = "How it answers: tone, format, a task"
    CHATBOT = "A chatbot that follows our style"
    DOMAIN = "What it knows: our domain's language"
    FRESH_FACTS = "Facts that change often"
    SMALL_TWEAK = "A small formatting tweak"


@dataclass(frozen=True, slots=True)
class Advice:
    """A recommendation: the type to use (None when fine-tuning is the wrong tool) and why."""

    customization: CustomizationType | None
    why: str


_WRONG_TOOL = {
    GoalAnswer.FRESH_FACTS: (
        "Fine-tuning bakes facts in at training time, so facts that change often go stale. Use retrieval "
        "instead (for example a Bedrock Knowledge Base): the model looks the facts up when it answers."
    ),
    GoalAnswer.SMALL_TWEAK: (
        "A small formatting change is cheaper and faster to get with a better prompt: give the model an "
        "example of the format in the prompt. Fine-tune only if prompting does not hold up."
    ),
}


def recommend(data: DataAnswer, goal: GoalAnswer) -> Advice:
    """The type that fits this data and goal, or advice to use another tool."""
    if goal in _WRONG_TOOL:
        return Advice(None, _WRONG_TOOL[goal])
    if data is DataAnswer.LITTLE:
        return Advice(
            None,
            "With only a few examples, put them in the prompt (few-shot prompting) first. Fine-tuning "
            "needs at least dozens of good examples, and usually hundreds, to beat a good prompt.",
        )
    if data is DataAnswer.DOCUMENTS:
        if goal is GoalAnswer.DOMAIN:
            return Advice(
                CustomizationType.CONTINUED_PRETRAINING,
                "Unlabeled text teaches a model your domain's vocabulary and facts through continued "
                "pre-training. It needs more data and costs more than instruction fine-tuning.",
            )
        return Advice(
            CustomizationType.CONTINUED_PRETRAINING,
            "Unlabeled documents can only be used for continued pre-training. To change *how* the model "
            "answers you will need labeled examples (prompt and response pairs) later.",
        )
    if data is DataAnswer.CHATS or goal is GoalAnswer.CHATBOT:
        return Advice(
            CustomizationType.CONVERSATION,
            "Conversational fine-tuning trains on system, user and assistant turns, single- or multi-turn: "
            "the right fit for a chatbot with your tone and rules.",
        )
    return Advice(
        CustomizationType.INSTRUCTION,
        "Instruction fine-tuning on prompt and response pairs changes how the model answers (tone, format, "
        "a task). It needs less data and costs less than continued pre-training.",
    )
