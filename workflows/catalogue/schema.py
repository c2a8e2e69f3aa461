"""The catalogue as pydantic models: customization types, guidance, base models, and the lookups on them."""

from __future__ import annotations

import difflib
from typing import Literal

from pydantic import BaseModel, ConfigDict, model_validator

from workflows.catalogue.advice_rules import AdviceRule, DataAnswer, GoalAnswer, first_uncovered
from workflows.catalogue.errors import UnknownModel
from workflows.catalogue.hyperparameter_spec import HyperparameterSpec, ValueKind
from workflows.catalogue.model_spec import (
    CustomizationRules,
    Lifecycle,
    MediaSpec,
    ModelSpec,
    OnDemandDeployment,
    TokenCounting,
)
from workflows.catalogue.teacher_spec import TeacherAccess, TeacherSpec
from workflows.catalogue.values import Certainty, Fact, ModelPrices, Price, PriceField, PriceStatus
from workflows.dataset_rules import CustomizationType

__all__ = [
    "AdviceRule",
    "Catalogue",
    "Certainty",
    "CustomizationInfo",
    "CustomizationRules",
    "Fact",
    "Guidance",
    "HyperparameterSpec",
    "Lifecycle",
    "MediaSpec",
    "ModelPrices",
    "ModelSpec",
    "OnDemandDeployment",
    "Price",
    "PriceField",
    "PriceStatus",
    "TeacherAccess",
    "TeacherSpec",
    "TokenCounting",
    "ValueKind",
]


class CustomizationInfo(BaseModel):
    """A customization type explained for people choosing one (Slack mrkdwn-safe text)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    type: CustomizationType
    title: str
    #: Whether the conversation offers it today (distillation is data for later).
    offered: bool
    #: One line: what it does.
    summary: str
    #: When to pick it, with concrete examples.
    use_when: str
    #: The data it needs and how much.
    data: str
    #: One example record, as a JSONL line.
    example: str
    #: How cost and data volume compare with the other types.
    cost: str
    #: What it will not do.
    not_for: str


class Guidance(BaseModel):
    """Advice that spans the types: which one fits, when not to fine-tune at all, and the idea behind it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    #: "Help me choose": the first row that covers a person's two answers is what the advisor says.
    advice: tuple[AdviceRule, ...]
    transfer_learning: str

    @model_validator(mode="after")
    def _every_answer_leads_somewhere(self) -> Guidance:
        uncovered = first_uncovered(self.advice)
        if uncovered is not None:
            data, goal = uncovered
            raise ValueError(f"no advice covers the answers {data.name} and {goal.name}")
        return self

    def advice_for(self, data: DataAnswer, goal: GoalAnswer) -> AdviceRule:
        """The first row covering these answers (the validator guarantees there is one)."""
        return next(rule for rule in self.advice if rule.covers(data, goal))


class Catalogue(BaseModel):
    """Every customization type and base model the bot knows, loaded once and never mutated."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    schema_version: Literal[1]
    customizations: tuple[CustomizationInfo, ...]
    guidance: Guidance
    models: tuple[ModelSpec, ...]
    #: Distillation teachers; every teacher a student names must be here.
    teachers: tuple[TeacherSpec, ...] = ()

    @model_validator(mode="after")
    def _complete(self) -> Catalogue:
        ids = [model.id for model in self.models]
        if len(set(ids)) != len(ids):
            raise ValueError("a model id is listed twice")
        described = [info.type for info in self.customizations]
        if sorted(described) != sorted(CustomizationType):
            raise ValueError("every customization type needs exactly one description")
        known = {teacher.id for teacher in self.teachers}
        for model in self.models:
            for rules in model.customizations:
                missing = sorted(set(rules.teachers) - known)
                if missing:
                    raise ValueError(f"{model.id} names teachers the catalogue does not list: {', '.join(missing)}")
        offered = {info.type for info in self.customizations if info.offered}
        for rule in self.guidance.advice:
            if rule.recommend is not None and rule.recommend not in offered:
                raise ValueError(f"the advice recommends {rule.recommend.value}, which is not offered")
        return self

    def model(self, model_id: str) -> ModelSpec:
        """The model with this exact ``baseModelIdentifier``; raises UnknownModel with close matches."""
        for model in self.models:
            if model.id == model_id:
                return model
        raise UnknownModel(model_id, self._close_matches(model_id))

    def models_for(self, customization: CustomizationType, region: str | None = None) -> list[ModelSpec]:
        """Models offering this type (in this region, if given): active first, then legacy."""
        found = [
            model
            for model in self.models
            if model.supports(customization) and (region is None or model.in_region(region))
        ]
        return sorted(found, key=lambda model: model.is_legacy)

    def teacher(self, teacher_id: str) -> TeacherSpec | None:
        """The teacher with this exact id, or None."""
        return next((teacher for teacher in self.teachers if teacher.id == teacher_id), None)

    def teachers_for(self, student: ModelSpec, region: str | None = None) -> list[TeacherSpec]:
        """The teachers a student can learn from (in this region, if given), in the student's order."""
        if not student.supports(CustomizationType.DISTILLATION):
            return []
        found = [self.teacher(teacher_id) for teacher_id in student.rules(CustomizationType.DISTILLATION).teachers]
        return [t for t in found if t is not None and (region is None or t.in_region(region))]

    def customization(self, customization: CustomizationType) -> CustomizationInfo:
        return next(info for info in self.customizations if info.type is customization)

    def offered_customizations(self) -> list[CustomizationInfo]:
        """The types the conversation offers, in catalogue order."""
        return [info for info in self.customizations if info.offered]

    def regions(self) -> list[str]:
        """Every region some model is listed in, sorted."""
        return sorted({region for model in self.models for region in model.regions})

    def _close_matches(self, typed: str) -> list[str]:
        """Ids that look like what was typed, by id or by display name."""
        by_key = {model.id.lower(): model.id for model in self.models}
        by_key.update({model.name.lower(): model.id for model in self.models})
        prefixed = [model.id for model in self.models if typed and model.id.startswith(typed)]
        close = difflib.get_close_matches(typed.lower(), list(by_key), n=3, cutoff=0.6)
        return list(dict.fromkeys([*prefixed, *(by_key[key] for key in close)]))[:3]
