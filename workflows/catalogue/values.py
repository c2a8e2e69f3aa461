"""Value types the catalogue is built from: certainty markers, sourced facts, sizes, dates and prices."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Generic, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, model_validator


class Certainty(StrEnum):
    """How far a value can be trusted; anything not confirmed is shown as an estimate."""

    #: Stated by AWS documentation, or set by the operator in the price override file.
    CONFIRMED = "confirmed"
    #: Third-party, conflicting, inferred or old; show it as an estimate.
    UNCERTAIN = "uncertain"


class PriceStatus(StrEnum):
    """What a price (and a cost computed from it) is, for display."""

    #: A confirmed price.
    CONFIRMED = "confirmed"
    #: A price we have but could not verify; the cost is an estimate.
    ESTIMATE = "estimate"
    #: No price known; the cost cannot be computed and must not be shown as $0.
    UNKNOWN = "unknown"


_SIZE_UNITS = {"B": 1, "KB": 10**3, "MB": 10**6, "GB": 10**9}
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(B|KB|MB|GB)\s*$", re.IGNORECASE)


def _parse_size(value: object) -> object:
    """``"1 GB"`` to bytes, in decimal units (1 GB = 10⁹ B): the smaller, safer reading of AWS quotas."""
    if not isinstance(value, str):
        return value
    match = _SIZE.match(value)
    if match is None:
        raise ValueError(f"not a size: {value!r} (write e.g. 100 MB or 10 GB)")
    return int(Decimal(match[1]) * _SIZE_UNITS[match[2].upper()])


def _as_of_text(value: object) -> object:
    """YAML reads ``2025-06-01`` as a date and ``2024`` as an int; keep both as ISO text."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    return value


#: A size in bytes, written in the YAML as an int or as ``100 MB`` / ``10 GB``.
ByteCount = Annotated[int, BeforeValidator(_parse_size), Field(ge=0)]

#: When a price was seen: a full date, or just ``YYYY-MM`` / ``YYYY`` when the source is that vague.
AsOf = Annotated[str, BeforeValidator(_as_of_text), StringConstraints(pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$")]

T = TypeVar("T")


class Fact(BaseModel, Generic[T]):
    """A value with how far to trust it; the YAML may give a bare value when it is confirmed."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    value: T
    certainty: Certainty = Certainty.CONFIRMED
    note: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _bare_value(cls, data: object) -> object:
        return data if isinstance(data, dict) else {"value": data}

    @property
    def uncertain(self) -> bool:
        return self.certainty is Certainty.UNCERTAIN


class Price(BaseModel):
    """One price in US dollars with where and when it was seen; ``usd`` None means unknown."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    usd: Decimal | None = Field(ge=0)
    as_of: AsOf | None = None
    source: str
    #: Unverified unless stated otherwise: a guess is never shown as a fact.
    certainty: Certainty = Certainty.UNCERTAIN
    note: str | None = None

    @model_validator(mode="after")
    def _dated_when_known(self) -> Price:
        if self.usd is not None and self.as_of is None:
            raise ValueError("a price needs an as_of date")
        return self

    @property
    def status(self) -> PriceStatus:
        if self.usd is None:
            return PriceStatus.UNKNOWN
        return PriceStatus.CONFIRMED if self.certainty is Certainty.CONFIRMED else PriceStatus.ESTIMATE


class PriceField(StrEnum):
    """The prices a model carries; the values are the YAML keys, also used in the override file."""

    #: Training, per 1,000 tokens trained (tokens × epochs).
    TRAINING = "training_per_1k_tokens"
    #: Storing one custom model, per month.
    STORAGE = "storage_per_month"
    #: Provisioned Throughput, per model unit and hour, no commitment.
    PROVISIONED_THROUGHPUT = "provisioned_throughput_per_mu_hour"
    #: Provisioned Throughput, per model unit and hour, with a 1-month commitment.
    PROVISIONED_THROUGHPUT_ONE_MONTH = "provisioned_throughput_1_month_per_mu_hour"
    #: Provisioned Throughput, per model unit and hour, with a 6-month commitment.
    PROVISIONED_THROUGHPUT_SIX_MONTHS = "provisioned_throughput_6_months_per_mu_hour"
    #: On-demand custom model deployment, per 1,000 input tokens.
    ON_DEMAND_INPUT = "on_demand_input_per_1k_tokens"
    #: On-demand custom model deployment, per 1,000 output tokens.
    ON_DEMAND_OUTPUT = "on_demand_output_per_1k_tokens"
    #: Reinforcement fine-tuning, per hour of training (models that take it).
    RFT_TRAINING_HOUR = "rft_training_per_hour"

    @property
    def label(self) -> str:
        """What the price is for, in words (``training price``)."""
        return {
            PriceField.TRAINING: "training price",
            PriceField.STORAGE: "storage price",
            PriceField.PROVISIONED_THROUGHPUT: "Provisioned Throughput price",
            PriceField.PROVISIONED_THROUGHPUT_ONE_MONTH: "Provisioned Throughput price with a 1-month commitment",
            PriceField.PROVISIONED_THROUGHPUT_SIX_MONTHS: "Provisioned Throughput price with a 6-month commitment",
            PriceField.ON_DEMAND_INPUT: "on-demand input price",
            PriceField.ON_DEMAND_OUTPUT: "on-demand output price",
            PriceField.RFT_TRAINING_HOUR: "reinforcement fine-tuning price per training hour",
        }[self]


class Commitment(StrEnum):
    """How long a Provisioned Throughput is bought for; the values are what people type (``commitment=1m``)."""

    #: Billed per hour until deleted; can be deleted at any time.
    NONE = "none"
    #: Cheaper per hour; cannot be deleted before the month ends.
    ONE_MONTH = "1m"
    #: Cheaper still; cannot be deleted before the six months end.
    SIX_MONTHS = "6m"

    @property
    def api_value(self) -> str | None:
        """``commitmentDuration`` for CreateProvisionedModelThroughput (omitted for no commitment)."""
        return {Commitment.NONE: None, Commitment.ONE_MONTH: "OneMonth", Commitment.SIX_MONTHS: "SixMonths"}[self]

    @property
    def price_field(self) -> PriceField:
        return {
            Commitment.NONE: PriceField.PROVISIONED_THROUGHPUT,
            Commitment.ONE_MONTH: PriceField.PROVISIONED_THROUGHPUT_ONE_MONTH,
            Commitment.SIX_MONTHS: PriceField.PROVISIONED_THROUGHPUT_SIX_MONTHS,
        }[self]


class ModelPrices(BaseModel):
    """Every price of one base model; on-demand prices exist only where on-demand deployment does."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    training_per_1k_tokens: Price
    storage_per_month: Price
    provisioned_throughput_per_mu_hour: Price
    provisioned_throughput_1_month_per_mu_hour: Price
    provisioned_throughput_6_months_per_mu_hour: Price
    on_demand_input_per_1k_tokens: Price | None = None
    on_demand_output_per_1k_tokens: Price | None = None
    #: Only for models that take reinforcement fine-tuning.
    rft_training_per_hour: Price | None = None

    def get(self, field: PriceField) -> Price | None:
        price: Price | None = getattr(self, field.value)
        return price

    def provisioned_throughput(self, commitment: Commitment) -> Price:
        """The hourly price of one model unit with this commitment (a custom model's equals its base model's)."""
        price: Price = getattr(self, commitment.price_field.value)
        return price
