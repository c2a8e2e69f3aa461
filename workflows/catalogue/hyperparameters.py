"""Check hyperparameters a person typed (``epochs=3``, ``learningRate=1e-5``) against the catalogue."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from workflows.catalogue import HyperparameterSpec, ModelSpec, ValueKind
from workflows.catalogue.hyperparameter_spec import name_key
from workflows.dataset_rules import CustomizationType
from workflows.slack_text import code

_WHOLE_NUMBER = re.compile(r"^[+-]?\d+$")


class ProblemCode(StrEnum):
    """Stable codes for what is wrong with a hyperparameter, for tests and for the conversation."""

    #: The model does not offer the customization type at all.
    UNSUPPORTED_TYPE = "unsupported-customization"
    #: The name matches no hyperparameter of this model (nor an alias).
    UNKNOWN_NAME = "unknown-hyperparameter"
    #: The same hyperparameter was given twice (perhaps once by an alias).
    REPEATED = "repeated-hyperparameter"
    #: The value does not parse as a finite number.
    NOT_A_NUMBER = "not-a-number"
    #: A whole number is needed and the value has a fraction or an exponent (``3.0``, ``2.5``).
    NOT_WHOLE = "not-a-whole-number"
    #: The value is outside the model's range (or differs from a fixed value).
    OUT_OF_RANGE = "out-of-range"


@dataclass(frozen=True, slots=True)
class HyperparameterProblem:
    """One thing wrong, with the name as the person typed it and a message fit to show them."""

    code: ProblemCode
    name: str
    message: str


@dataclass(frozen=True, slots=True)
class HyperparameterCheck:
    """The outcome: every API name with its string value (defaults filled in), and the problems."""

    #: Ready for CreateModelCustomizationJob's ``hyperParameters`` when ``ok``.
    values: dict[str, str]
    problems: tuple[HyperparameterProblem, ...]
    #: API names whose ranges the catalogue marks as not confirmed (show them as assumptions).
    uncertain: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def epochs(self) -> int | None:
        """The epoch count the job will use, for the cost estimate."""
        value = self.values.get("epochCount")
        return int(value) if value is not None else None


def check_hyperparameters(
    model: ModelSpec, customization: CustomizationType, values: Mapping[str, str]
) -> HyperparameterCheck:
    """Accept names case-insensitively or by alias; report unknown names, non-numbers and out-of-range values."""
    if not model.supports(customization):
        offered = ", ".join(model.customization_types)
        message = f"{model.name} does not support {customization}; it supports {offered}"
        return HyperparameterCheck({}, (HyperparameterProblem(ProblemCode.UNSUPPORTED_TYPE, "", message),))
    specs = model.hyperparameters_for(customization)
    chosen = model.default_hyperparameters(customization)
    problems: list[HyperparameterProblem] = []
    given: set[str] = set()
    for typed, raw in values.items():
        spec = _find(specs, typed)
        if spec is None:
            problems.append(_unknown(model, customization, specs, typed))
        elif spec.name in given:
            problems.append(_problem(ProblemCode.REPEATED, typed, f"{spec.name} is given more than once"))
        else:
            given.add(spec.name)
            parsed = _parse(spec, model, typed, raw)
            if isinstance(parsed, HyperparameterProblem):
                problems.append(parsed)
            else:
                chosen[spec.name] = spec.api_value(parsed)
    uncertain = tuple(spec.name for spec in specs if spec.uncertain)
    return HyperparameterCheck(chosen, tuple(problems), uncertain)


def _find(specs: Sequence[HyperparameterSpec], typed: str) -> HyperparameterSpec | None:
    return next((spec for spec in specs if spec.matches(typed)), None)


def _parse(spec: HyperparameterSpec, model: ModelSpec, typed: str, raw: str) -> Decimal | str | HyperparameterProblem:
    """The value as a number within range (or one of a choice's words), or the problem with it."""
    text = raw.strip()
    if spec.kind is ValueKind.CHOICE:
        word = text.lower()
        if word in spec.choices:
            return word
        message = f"{spec.name} must be {spec.range_text()} for {model.name}; you gave {code(text)}"
        return _problem(ProblemCode.OUT_OF_RANGE, typed, message)
    number = _number(text)
    if number is None:
        kind = "a whole number" if spec.kind is ValueKind.INT else "a number"
        return _problem(
            ProblemCode.NOT_A_NUMBER, typed, f"{spec.name} must be {kind} for {model.name}; you gave {code(text)}"
        )
    if spec.kind is ValueKind.INT and not _WHOLE_NUMBER.match(text):
        return _problem(
            ProblemCode.NOT_WHOLE, typed, f"{spec.name} must be a whole number for {model.name}; you gave {text}"
        )
    if (spec.min is not None and number < spec.min) or (spec.max is not None and number > spec.max):
        verb = "is" if spec.is_fixed else "must be"
        message = f"{spec.name} {verb} {spec.range_text()} for {model.name}; you gave {text}"
        return _problem(ProblemCode.OUT_OF_RANGE, typed, message)
    return number


def _number(text: str) -> Decimal | None:
    """A finite decimal, or None (``fast``, ``nan``, ``inf`` and empty text are not numbers)."""
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number if number.is_finite() and "_" not in text else None


def _unknown(
    model: ModelSpec, customization: CustomizationType, specs: Sequence[HyperparameterSpec], typed: str
) -> HyperparameterProblem:
    """Name the valid hyperparameters, and the closest one when the name looks like a typo."""
    if not specs:
        message = f"{model.name} has no documented hyperparameters for {customization}"
        return _problem(ProblemCode.UNKNOWN_NAME, typed, message)
    names = [spec.name for spec in specs]
    keys = {name_key(name): name for spec in specs for name in (spec.name, *spec.aliases)}
    close = difflib.get_close_matches(name_key(typed), list(keys), n=1, cutoff=0.75)
    hint = f" Did you mean {keys[close[0]]}?" if close else ""
    message = f"{code(typed)} is not a hyperparameter of {model.name}; valid: {', '.join(names)}.{hint}"
    return _problem(ProblemCode.UNKNOWN_NAME, typed, message)


def _problem(code: ProblemCode, name: str, message: str) -> HyperparameterProblem:
    return HyperparameterProblem(code, name, message)
