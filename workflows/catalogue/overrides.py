"""The price override file: its schema, its error messages, and applying it to the catalogue."""

from __future__ import annotations

import difflib
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from workflows.catalogue.errors import HOW_TO_LIST, PriceOverrideError
from workflows.catalogue.schema import Catalogue, ModelSpec
from workflows.catalogue.values import AsOf, Certainty, Price, PriceField

#: At most this many problems are listed in one error message.
_MAX_PROBLEMS = 5


class PriceOverride(BaseModel):
    """One replacement price; the operator vouches for it unless ``certainty: uncertain``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    usd: Decimal = Field(ge=0)
    as_of: AsOf
    source: str = "price override file"
    certainty: Certainty = Certainty.CONFIRMED
    note: str | None = None

    def price(self) -> Price:
        return Price(usd=self.usd, as_of=self.as_of, source=self.source, certainty=self.certainty, note=self.note)


class ModelPriceOverrides(BaseModel):
    """The prices to replace for one model; the keys are the catalogue's price field names."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    training_per_1k_tokens: PriceOverride | None = None
    storage_per_month: PriceOverride | None = None
    provisioned_throughput_per_mu_hour: PriceOverride | None = None
    provisioned_throughput_1_month_per_mu_hour: PriceOverride | None = None
    provisioned_throughput_6_months_per_mu_hour: PriceOverride | None = None
    on_demand_input_per_1k_tokens: PriceOverride | None = None
    on_demand_output_per_1k_tokens: PriceOverride | None = None
    rft_training_per_hour: PriceOverride | None = None

    def given(self) -> dict[PriceField, PriceOverride]:
        found = {field: getattr(self, field.value) for field in PriceField}
        return {field: override for field, override in found.items() if override is not None}


class TeacherPriceOverrides(BaseModel):
    """A distillation teacher's on-demand prices, which a distillation job pays for the teacher's answers."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    input_per_1k_tokens: PriceOverride | None = None
    output_per_1k_tokens: PriceOverride | None = None

    def given(self) -> dict[str, Price]:
        found = {"input_per_1k_tokens": self.input_per_1k_tokens, "output_per_1k_tokens": self.output_per_1k_tokens}
        return {key: override.price() for key, override in found.items() if override is not None}


class PriceOverrides(BaseModel):
    """The whole file: ``models:`` (and ``teachers:``) mapping each model id to the prices to replace."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    models: dict[str, ModelPriceOverrides] = {}
    teachers: dict[str, TeacherPriceOverrides] = {}


def read_price_overrides(path: Path, catalogue: Catalogue) -> PriceOverrides:
    """Parse and check the file against the catalogue; every problem raises PriceOverrideError."""
    raw = _read_yaml(path)
    try:
        overrides = PriceOverrides.model_validate(raw)
    except ValidationError as exc:
        raise PriceOverrideError(_describe(path, exc)) from None
    problems = [
        problem for model_id, entry in overrides.models.items() for problem in _check(model_id, entry, catalogue)
    ]
    problems += [_unknown_teacher(teacher_id, catalogue) for teacher_id in overrides.teachers]
    problems = [problem for problem in problems if problem]
    if problems:
        raise PriceOverrideError(_join(path, problems))
    return overrides


def apply_price_overrides(catalogue: Catalogue, overrides: PriceOverrides) -> Catalogue:
    """A new catalogue whose prices are replaced where the override file says so."""
    models = tuple(_apply(model, overrides.models.get(model.id)) for model in catalogue.models)
    teachers = tuple(
        teacher.model_copy(update=entry.given()) if (entry := overrides.teachers.get(teacher.id)) else teacher
        for teacher in catalogue.teachers
    )
    return catalogue.model_copy(update={"models": models, "teachers": teachers})


def _apply(model: ModelSpec, entry: ModelPriceOverrides | None) -> ModelSpec:
    if entry is None:
        return model
    update = {field.value: override.price() for field, override in entry.given().items()}
    return model.model_copy(update={"prices": model.prices.model_copy(update=update)})


def _read_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "it is not UTF-8 text"
        raise PriceOverrideError(f"price override file {path.name}: cannot read it ({reason})") from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" at line {where.line + 1}" if where is not None else ""
        raise PriceOverrideError(f"price override file {path.name}: not valid YAML{line}") from None


def _check(model_id: str, entry: ModelPriceOverrides, catalogue: Catalogue) -> list[str]:
    """An override must name a known model, and on-demand prices only where on-demand exists."""
    known = [model.id for model in catalogue.models]
    if model_id not in known:
        close = difflib.get_close_matches(model_id, known, n=1, cutoff=0.6)
        hint = f" (did you mean `{close[0]}`?)" if close else ""
        return [f"unknown model `{model_id}`{hint}. {HOW_TO_LIST}"]
    model = catalogue.model(model_id)
    on_demand = {PriceField.ON_DEMAND_INPUT, PriceField.ON_DEMAND_OUTPUT}
    if model.on_demand_deployment is None and on_demand & entry.given().keys():
        return [f"model `{model_id}`: {model.name} has no on-demand custom model deployment, so no on-demand price"]
    if model.prices.rft_training_per_hour is None and PriceField.RFT_TRAINING_HOUR in entry.given():
        return [f"model `{model_id}`: {model.name} does not take reinforcement fine-tuning, so no price per hour"]
    return []


def _unknown_teacher(teacher_id: str, catalogue: Catalogue) -> str:
    """Empty when the teacher is known; else what is wrong."""
    known = [teacher.id for teacher in catalogue.teachers]
    if teacher_id in known:
        return ""
    close = difflib.get_close_matches(teacher_id, known, n=1, cutoff=0.6)
    hint = f" (did you mean `{close[0]}`?)" if close else ""
    return f"unknown teacher `{teacher_id}`{hint}; `finetune-bot models --type distillation` lists them"


def _describe(path: Path, exc: ValidationError) -> str:
    """pydantic's errors as "model X, field Y: what is wrong" lines."""
    problems = []
    for error in exc.errors():
        loc = [str(part) for part in error["loc"]]
        if len(loc) >= 2 and loc[0] == "models":
            field = ".".join(loc[2:]) or "(the entry)"
            problems.append(f"model `{loc[1]}`, field `{field}`: {_message(error)}")
        else:
            where = ".".join(loc) or "the top level"
            problems.append(f"{where}: {_message(error)} (the file needs a `models:` mapping)")
    return _join(path, problems)


def _message(error: Any) -> str:
    if error["type"] == "extra_forbidden":
        return "not a known field; use " + ", ".join(field.value for field in PriceField) + " with usd, as_of, source"
    return str(error["msg"])


def _join(path: Path, problems: list[str]) -> str:
    shown = problems[:_MAX_PROBLEMS]
    more = f" (and {len(problems) - len(shown)} more)" if len(problems) > len(shown) else ""
    return f"price override file {path.name}: " + "; ".join(shown) + more
