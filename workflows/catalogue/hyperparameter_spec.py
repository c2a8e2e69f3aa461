"""The catalogue's description of one hyperparameter: API name, type, default and range."""

from __future__ import annotations

import re
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, model_validator

from workflows.catalogue.values import Certainty
from workflows.dataset_rules import CustomizationType

#: The types whose jobs take the documented hyperparameters (distillation's are not documented).
FINE_TUNING_TYPES = frozenset(
    {
        CustomizationType.INSTRUCTION,
        CustomizationType.CONTINUED_PRETRAINING,
        CustomizationType.CONVERSATION,
    }
)

_SEPARATORS = re.compile(r"[\s_\-]+")


def name_key(name: str) -> str:
    """How names are compared: case, spaces, ``_`` and ``-`` do not matter (``epoch_count``)."""
    return _SEPARATORS.sub("", name).lower()


def plain_number(value: Decimal) -> str:
    """A number as the API string: plain notation, no exponent, no trailing zeros (``0.00001``)."""
    text = f"{value.normalize():f}"
    return "0" if text in {"-0", "0"} else text


def display_number(value: Decimal) -> str:
    """A number for people: integers plainly, tiny values as ``1e-5``."""
    if value == value.to_integral_value():
        return str(int(value))
    if abs(value) < Decimal("0.001"):
        return f"{value.normalize():e}"
    return plain_number(value)


class ValueKind(StrEnum):
    """The type of a hyperparameter's value (the API takes every value as a string)."""

    #: A whole number (``epochCount=3``).
    INT = "int"
    #: A decimal number (``learningRate=1e-5``).
    FLOAT = "float"


class HyperparameterSpec(BaseModel):
    """One hyperparameter; ``fixed: 1`` in the YAML means default = min = max = 1."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    #: The key CreateModelCustomizationJob expects in ``hyperParameters``.
    name: str
    label: str
    description: str
    kind: ValueKind
    default: Decimal
    min: Decimal
    max: Decimal
    #: Other names people may type, compared like the API name (``epochs``, ``lr``).
    aliases: tuple[str, ...] = ()
    applies_to: frozenset[CustomizationType] = FINE_TUNING_TYPES
    certainty: Certainty = Certainty.CONFIRMED
    note: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _expand_fixed(cls, data: object) -> object:
        if isinstance(data, dict) and "fixed" in data:
            data = dict(data)
            fixed = data.pop("fixed")
            for key in ("default", "min", "max"):
                if data.setdefault(key, fixed) != fixed:
                    raise ValueError(f"{key} contradicts fixed: {fixed}")
        return data

    @model_validator(mode="after")
    def _consistent(self) -> HyperparameterSpec:
        if not self.min <= self.default <= self.max:
            raise ValueError(f"default {self.default} is outside {self.min}–{self.max}")
        if self.kind is ValueKind.INT and any(v != v.to_integral_value() for v in (self.default, self.min, self.max)):
            raise ValueError("an int hyperparameter needs whole-number default, min and max")
        return self

    @property
    def is_fixed(self) -> bool:
        return self.min == self.max

    @property
    def uncertain(self) -> bool:
        return self.certainty is Certainty.UNCERTAIN

    def matches(self, typed: str) -> bool:
        """Whether what a person typed names this hyperparameter (API name or an alias)."""
        key = name_key(typed)
        return key == name_key(self.name) or any(key == name_key(alias) for alias in self.aliases)

    def api_value(self, value: Decimal) -> str:
        """The string CreateModelCustomizationJob receives."""
        return str(int(value)) if self.kind is ValueKind.INT else plain_number(value)

    def range_text(self) -> str:
        """``between 1 and 5`` or ``fixed at 1``, for messages."""
        if self.is_fixed:
            return f"fixed at {display_number(self.min)}"
        return f"between {display_number(self.min)} and {display_number(self.max)}"
