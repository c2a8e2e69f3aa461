""" "Help me choose": the catalogue's advice for the data a person has and what they want to change."""

from __future__ import annotations

from workflows.catalogue.advice_rules import AdviceRule, DataAnswer, GoalAnswer
from workflows.catalogue.schema import Catalogue

__all__ = ["AdviceRule", "DataAnswer", "GoalAnswer", "recommend"]


def recommend(data: DataAnswer, goal: GoalAnswer, catalogue: Catalogue) -> AdviceRule:
    """The type that fits this data and goal, or advice to use another tool, as the catalogue words it."""
    return catalogue.guidance.advice_for(data, goal)
