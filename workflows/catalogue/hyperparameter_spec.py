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
    #: One word from ``choices`` (``reasoningEffort=low``).
    CHOICE = "choice"


class HyperparameterSpec(BaseModel):
    """One hyperparameter; ``fixed: 1`` in the YAML means default = min = max = 1.

    ``default`` None: AWS documents none, so the bot sends the value only when a person sets it.
    ``max`` None: the API states no upper bound. A ``choice`` has ``choices`` and no range.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    #: The key CreateModelCustomizationJob expects in ``hyperParameters``.
    name: str
    label: str
    description: str
    kind: ValueKind
    default: Decimal | str | None = None
    min: Decimal | None = None
    max: Decimal | None = None
    #: The words a ``choice`` takes, as the API spells them.
    choices: tuple[str, ...] = ()
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
        if isinstance(data, dict) and data.get("kind") != ValueKind.CHOICE and data.get("default") is not None:
            # A number's default may be written as text in the YAML ("1e-5"); it is a number all the same.
            data = {**data, "default": Decimal(str(data["default"]))}
        return data

    @model_validator(mode="after")
    def _consistent(self) -> HyperparameterSpec:
        if self.kind is ValueKind.CHOICE:
            if not self.choices or self.min is not None or self.max is not None:
                raise ValueError("a choice needs choices and no range")
            if self.default is not None and self.default not in self.choices:
                raise ValueError(f"default {self.default} is not one of the choices")
            return self
        if self.min is None or self.choices or isinstance(self.default, str):
            raise ValueError("a number needs a min, a numeric default if any, and no choices")
        numbers = [v for v in (self.default, self.min, self.max) if isinstance(v, Decimal)]
        if self.default is not None and not (
            self.min <= self.default and (self.max is None or self.default <= self.max)
        ):
            raise ValueError(f"default {self.default} is outside the range")
        if self.kind is ValueKind.INT and any(v != v.to_integral_value() for v in numbers):
            raise ValueError("an int hyperparameter needs whole-number default, min and max")
        return self

    @property
    def is_fixed(self) -> bool:
        return self.min is not None and self.min == self.max

    def default_value(self) -> str | None:
        """The default as the API string, or None when none is documented."""
        if self.default is None:
            return None
        return self.default if isinstance(self.default, str) else self.api_value(self.default)

    @property
    def uncertain(self) -> bool:
        return self.certainty is Certainty.UNCERTAIN

    def matches(self, typed: str) -> bool:
        """Whether what a person typed names this hyperparameter (API name or an alias)."""
        key = name_key(typed)
        return key == name_key(self.name) or any(key == name_key(alias) for alias in self.aliases)

    def api_value(self, value: Decimal | str) -> str:
        """The string CreateModelCustomizationJob receives."""
        if isinstance(value, str):
            return value
        return str(int(value)) if self.kind is ValueKind.INT else plain_number(value)

    def range_text(self) -> str:
        """``between 1 and 5``, ``fixed at 1``, ``at least 1`` or ``one of low, medium, high``, for messages."""
        if self.kind is ValueKind.CHOICE:
            return f"one of {', '.join(self.choices)}"
        assert self.min is not None  # checked by _consistent for numbers
        if self.is_fixed:
            return f"fixed at {display_number(self.min)}"
        if self.max is None:
            return f"at least {display_number(self.min)}"
        return f"between {display_number(self.min)} and {display_number(self.max)}"
