"""Estimated and accrued costs of a customization job, in Decimal dollars, each line with its price's provenance."""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from workflows.catalogue import ModelSpec, Price, PriceField, PriceStatus

#: A month of Provisioned Throughput, as AWS bills it by the hour: 30 days.
HOURS_PER_MONTH = 30 * 24
#: The setting that names the price override file, for "how to set this price" hints.
PRICES_SETTING = "FINETUNE_PRICES_FILE"
#: Why the validation line stays out of the total.
VALIDATION_NOTE = "Whether AWS bills validation tokens is not confirmed, so they are left out of the total."
_THOUSAND = Decimal(1000)
_CENT = Decimal("0.01")


class CostItem(StrEnum):
    """What a cost line is for."""

    #: Training tokens × epochs × price per 1K tokens; the one-off cost of the job.
    TRAINING = "training"
    #: Validation tokens, if AWS bills them like training (not confirmed; never in the total).
    VALIDATION = "validation"
    #: Storing the custom model, per month.
    STORAGE = "storage"
    #: Provisioned Throughput, one model unit, per hour, no commitment.
    PROVISIONED_HOUR = "provisioned-throughput-hour"
    #: The same for a 30-day month.
    PROVISIONED_MONTH = "provisioned-throughput-month"
    #: On-demand custom model deployment, per 1K input tokens.
    ON_DEMAND_INPUT = "on-demand-input"
    #: On-demand custom model deployment, per 1K output tokens.
    ON_DEMAND_OUTPUT = "on-demand-output"
    #: Distillation: the teacher reading the prompts, at its on-demand input price.
    TEACHER_INPUT = "teacher-input"
    #: Distillation: the teacher writing the answers, at its on-demand output price (an upper bound).
    TEACHER_OUTPUT = "teacher-output"


def format_usd(amount: Decimal) -> str:
    """Money for people: cents from $0.01 up (``$1,234.57``), two significant digits below (``$0.0034``)."""
    if amount == 0 or abs(amount) >= _CENT:
        return f"${amount.quantize(_CENT, rounding=ROUND_HALF_UP):,}"
    step = Decimal(1).scaleb(amount.adjusted() - 1)
    return f"${amount.quantize(step, rounding=ROUND_HALF_UP).normalize():f}"


def format_price(usd: Decimal) -> str:
    """A unit price with every significant digit kept (``$0.000035``), and at least cents (``$60.50``)."""
    whole, _, fraction = f"{usd.normalize():f}".partition(".")
    return f"${int(whole):,}.{fraction.ljust(2, '0')}"


def provenance(price: Price) -> str:
    """``as of 2024, <source>``: where a price came from."""
    when = f"as of {price.as_of}" if price.as_of else "undated"
    return f"{when}, {price.source.rstrip('.')}"


def unknown_price_hint(model: ModelSpec, field: PriceField) -> str:
    """How an operator fills in a missing price."""
    return (
        f"The catalogue has no {field.label} for {model.name}: set `{field.value}` for `{model.id}` "
        f"in the price override file ({PRICES_SETTING})."
    )


@dataclass(frozen=True, slots=True)
class CostLine:
    """One line of an estimate: an amount (None when the price is unknown) and the price behind it."""

    item: CostItem
    label: str
    #: Dollars; None when the price is unknown (never shown as $0).
    amount: Decimal | None
    #: ``per month``, ``per model-unit hour``, ``per 1K tokens`` for a rate; empty for an amount.
    unit: str
    #: How the amount was computed, in words; empty for a rate straight from the catalogue.
    basis: str
    #: The catalogue price behind the line: its as-of date, source, certainty and note.
    price: Price
    price_field: PriceField
    in_total: bool
    #: A caveat, or what to do when the price is unknown.
    note: str | None = None

    @property
    def status(self) -> PriceStatus:
        return self.price.status

    @property
    def is_estimate(self) -> bool:
        """True unless the price is confirmed: uncertain and unknown prices both make an estimate."""
        return self.status is not PriceStatus.CONFIRMED

    def amount_text(self) -> str:
        """``$2.40``, ``$60.50 per model-unit hour``, or ``unknown``."""
        if self.amount is None:
            return "unknown"
        money = format_price(self.amount) if self.unit else format_usd(self.amount)
        return f"{money} {self.unit}".rstrip()

    def text(self) -> str:
        """One Slack-ready line: label, amount, estimate marker, how it was computed and any caveat."""
        marker = " (estimate)" if self.status is PriceStatus.ESTIMATE else ""
        line = f"{self.label}: {self.amount_text()}{marker}"
        if self.basis and self.amount is not None:
            line += f" — {self.basis}"
        return f"{line}. {self.note}" if self.note else line


@dataclass(frozen=True, slots=True)
class CostEstimate:
    """What a job will cost to train, store and use, shown before anything is spent."""

    model_id: str
    model_name: str
    training_tokens: int
    validation_tokens: int
    epochs: int
    training: CostLine
    #: Present when there are validation tokens; never in the total.
    validation: CostLine | None
    storage: CostLine
    #: Using the model: Provisioned Throughput per hour and month, and on-demand per token where offered.
    usage: tuple[CostLine, ...]
    notes: tuple[str, ...] = ()
    #: One-off lines beyond training (distillation: the teacher's inference), shown after it.
    extra: tuple[CostLine, ...] = ()
    #: The review's headline when the plain "about $X to train" would mislead.
    summary: str | None = None

    @property
    def billed_training_tokens(self) -> int:
        return self.training_tokens * self.epochs

    @property
    def upfront(self) -> Decimal | None:
        """The one-off cost of the job (training, and any extra one-off lines in the total), or None when unknown."""
        parts = [line for line in (self.training, *self.extra) if line.in_total]
        if not parts or any(line.amount is None for line in parts):
            return None
        return sum((line.amount for line in parts if line.amount is not None), Decimal(0))

    def headline(self) -> str:
        """What the review says first: ``about $2.40 to train``, or why there is no single figure."""
        if self.summary is not None:
            return self.summary
        upfront = self.upfront
        return f"about {format_usd(upfront)} to train" if upfront is not None else "training price unknown"

    @property
    def is_estimate(self) -> bool:
        """True when any line rests on an unconfirmed or unknown price."""
        return any(line.is_estimate for line in self.lines())

    def lines(self) -> tuple[CostLine, ...]:
        validation = (self.validation,) if self.validation is not None else ()
        return (self.training, *self.extra, *validation, self.storage, *self.usage)

    def unknown(self) -> tuple[CostLine, ...]:
        """The lines whose price is unknown."""
        return tuple(line for line in self.lines() if line.amount is None)

    def sources(self) -> tuple[str, ...]:
        """Each distinct price provenance once, for a footnote."""
        found = (provenance(line.price) for line in self.lines() if line.amount is not None)
        return tuple(dict.fromkeys(found))

    def text(self) -> str:
        """The whole estimate as Slack-ready lines, with the price sources as a footnote."""
        sources = [f"Prices {source}." for source in self.sources()]
        return "\n".join([*(f"• {line.text()}" for line in self.lines()), *self.notes, *sources])


def estimate_cost(model: ModelSpec, *, training_tokens: int, validation_tokens: int = 0, epochs: int) -> CostEstimate:
    """Training (tokens × epochs × price per 1K), storage per month, and what serving the model costs."""
    if training_tokens < 0 or validation_tokens < 0:
        raise ValueError("token counts must not be negative")
    if epochs < 1:
        raise ValueError("epochs must be at least 1")
    estimate = CostEstimate(
        model_id=model.id,
        model_name=model.name,
        training_tokens=training_tokens,
        validation_tokens=validation_tokens,
        epochs=epochs,
        training=_training_line(model, training_tokens, epochs),
        validation=_validation_line(model, validation_tokens, epochs) if validation_tokens else None,
        storage=rate_line(model, CostItem.STORAGE, "Storage", "per month", PriceField.STORAGE),
        usage=usage_lines(model),
    )
    return replace(estimate, notes=common_notes(model, estimate))


def accrued_training_cost(model: ModelSpec, tokens_trained: int) -> CostLine:
    """What the tokens trained so far have cost; a stopped job is billed for exactly these."""
    if tokens_trained < 0:
        raise ValueError("tokens_trained must not be negative")
    price = model.prices.training_per_1k_tokens
    basis = f"{tokens_trained:,} tokens trained × {per_1k(price)}"
    return _line(model, CostItem.TRAINING, "Training so far", _times(price, tokens_trained), basis)


def _training_line(model: ModelSpec, tokens: int, epochs: int) -> CostLine:
    price = model.prices.training_per_1k_tokens
    basis = f"{tokens:,} tokens × {epochs} epochs × {per_1k(price)}"
    return _line(model, CostItem.TRAINING, "Training", _times(price, tokens * epochs), basis)


def _validation_line(model: ModelSpec, tokens: int, epochs: int) -> CostLine:
    price = model.prices.training_per_1k_tokens
    basis = f"if billed like training, {tokens:,} tokens × {epochs} epochs × {per_1k(price)}"
    line = _line(model, CostItem.VALIDATION, "Validation", _times(price, tokens * epochs), basis)
    return replace(line, in_total=False, note=VALIDATION_NOTE)


def usage_lines(model: ModelSpec) -> tuple[CostLine, ...]:
    field = PriceField.PROVISIONED_THROUGHPUT
    hourly = rate_line(model, CostItem.PROVISIONED_HOUR, "Provisioned Throughput", "per model-unit hour", field)
    lines = [hourly, _month_line(model, hourly)]
    if model.on_demand_deployment is not None:
        lines += [
            rate_line(
                model,
                CostItem.ON_DEMAND_INPUT,
                "On-demand input",
                "per 1K tokens",
                PriceField.ON_DEMAND_INPUT,
            ),
            rate_line(
                model,
                CostItem.ON_DEMAND_OUTPUT,
                "On-demand output",
                "per 1K tokens",
                PriceField.ON_DEMAND_OUTPUT,
            ),
        ]
    return tuple(lines)


def _month_line(model: ModelSpec, hourly: CostLine) -> CostLine:
    amount = None if hourly.amount is None else hourly.amount * HOURS_PER_MONTH
    basis = f"1 model unit × {HOURS_PER_MONTH} hours, no commitment"
    line = _line(
        model,
        CostItem.PROVISIONED_MONTH,
        "Provisioned Throughput, 30 days",
        amount,
        basis,
        hourly.price_field,
    )
    return replace(line, in_total=False, note=None)


def rate_line(model: ModelSpec, item: CostItem, label: str, unit: str, field: PriceField) -> CostLine:
    price = _price(model, field)
    return replace(_line(model, item, label, price.usd, "", field), unit=unit, in_total=False)


def _line(
    model: ModelSpec,
    item: CostItem,
    label: str,
    amount: Decimal | None,
    basis: str,
    field: PriceField = PriceField.TRAINING,
) -> CostLine:
    """A line priced by ``field``; an unknown amount carries the hint to set the price."""
    price = _price(model, field)
    note = unknown_price_hint(model, field) if amount is None else price.note
    return CostLine(item, label, amount, "", basis, price, field, item is CostItem.TRAINING, note)


def _price(model: ModelSpec, field: PriceField) -> Price:
    price = model.prices.get(field)
    if price is None:
        raise ValueError(f"{model.name} has no {field.label} entry")
    return price


def _times(price: Price, tokens: int) -> Decimal | None:
    return None if price.usd is None else price.usd * tokens / _THOUSAND


def per_1k(price: Price) -> str:
    return f"{format_price(price.usd)} per 1K tokens" if price.usd is not None else "an unknown price per 1K tokens"


def common_notes(model: ModelSpec, estimate: CostEstimate) -> tuple[str, ...]:
    notes = []
    if any(line.status is PriceStatus.ESTIMATE for line in estimate.lines()):
        notes.append("Prices marked (estimate) are not confirmed against the AWS pricing page.")
    if model.on_demand_deployment is not None:
        deployment = model.on_demand_deployment
        notes.append(
            f"On-demand deployment (pay per token, no hourly fee) works in {', '.join(deployment.regions)} "
            f"for models customized on or after {deployment.customized_on_or_after:%Y-%m-%d}."
        )
    notes.append("Provisioned Throughput is billed every hour until you delete it.")
    return tuple(notes)
