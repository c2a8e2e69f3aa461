"""The "Help me choose" table: the answers people can give and, for each pair, a type or another tool."""

from __future__ import annotations

import itertools
from enum import StrEnum
from typing import Annotated, Any, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict

from workflows.dataset_rules import CustomizationType

E = TypeVar("E", bound=StrEnum)


class DataAnswer(StrEnum):
    """What data the person has (the labels are the button texts)."""

    PAIRS = "Prompt and response pairs"
    CHATS = "Chat conversations"
    DOCUMENTS = "Unlabeled documents or text"
    LITTLE = "Only a few examples"
    PROMPTS = "Prompts, but no good answers yet"


class GoalAnswer(StrEnum):
    """What the person wants to change (the labels are the button texts)."""

    BEHAVIOUR = "How it answers: tone, format, a task"
    CHATBOT = "A chatbot that follows our style"
    DOMAIN = "What it knows: our domain's language"
    FRESH_FACTS = "Facts that change often"
    SMALL_TWEAK = "A small formatting tweak"
    CHEAPER = "A big model's quality, cheaper"
    CHECKABLE = "Answers a program can check"


def _by_name(kind: type[E]) -> BeforeValidator:
    """Read an answer written in the catalogue as its name in kebab case (``fresh-facts``)."""

    def parse(value: Any) -> Any:
        if isinstance(value, kind) or not isinstance(value, str):
            return value
        key = value.upper().replace("-", "_")
        if key not in kind.__members__:
            names = ", ".join(name.lower().replace("_", "-") for name in kind.__members__)
            raise ValueError(f"unknown answer {value!r}; the answers are {names}")
        return kind[key]

    return BeforeValidator(parse)


class AdviceRule(BaseModel):
    """One row of the table: the answers it covers, the type it recommends (none: not fine-tuning), and why."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    #: Data answers this row covers; none listed means any.
    data: tuple[Annotated[DataAnswer, _by_name(DataAnswer)], ...] = ()
    #: Goal answers this row covers; none listed means any.
    goal: tuple[Annotated[GoalAnswer, _by_name(GoalAnswer)], ...] = ()
    #: The type to recommend; absent when fine-tuning is the wrong tool for these answers.
    recommend: CustomizationType | None = None
    #: What the advisor says (Slack mrkdwn).
    why: str

    def covers(self, data: DataAnswer, goal: GoalAnswer) -> bool:
        return (not self.data or data in self.data) and (not self.goal or goal in self.goal)


def first_uncovered(rules: tuple[AdviceRule, ...]) -> tuple[DataAnswer, GoalAnswer] | None:
    """A pair of answers no row covers, if there is one: every pair must lead somewhere."""
    for data, goal in itertools.product(DataAnswer, GoalAnswer):
        if not any(rule.covers(data, goal) for rule in rules):
            return data, goal
    return None
