"""What a deployment costs: per hour and per 30 days for throughput, per 1K tokens on demand, and so far.

Every line comes from the catalogue with its "as of" date and source; an unknown price is shown as
unknown, never as $0.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal

from workflows.catalogue import ModelSpec, Price, PriceField, PriceStatus
from workflows.catalogue.costs import (
    HOURS_PER_MONTH,
    CostItem,
    CostLine,
    format_price,
    format_usd,
    provenance,
    unknown_price_hint,
)
from workflows.deployments.deployment_ports import ModelUsage
from workflows.deployments.deployment_record import DeploymentRecord, DeploymentStatus, Route
from workflows.deployments.routing import RoutePlan

_THOUSAND = Decimal(1000)
_HOUR_SECONDS = Decimal(3600)
BILLED_UNTIL_DELETED = "Provisioned Throughput is billed every hour from creation until it is deleted, used or not."


@dataclass(frozen=True, slots=True)
class DeploymentCosts:
    """The cost lines of one route plan, and the figures a record keeps."""

    lines: tuple[CostLine, ...]
    #: Whole throughput per hour (every unit); None on demand or when the price is unknown.
    hourly: Decimal | None = None
    input_per_1k: Decimal | None = None
    output_per_1k: Decimal | None = None
    notes: tuple[str, ...] = ()

    def sources(self) -> tuple[str, ...]:
        """Each distinct "as of …, source" once, for the lines with a known price."""
        found = (provenance(line.price) for line in self.lines if line.amount is not None)
        return tuple(dict.fromkeys(found))

    def text_lines(self) -> tuple[str, ...]:
        """The lines, the notes, then where the prices come from."""
        return (
            *(f"• {line.text()}" for line in self.lines),
            *self.notes,
            *(f"Prices {source}." for source in self.sources()),
        )


def plan_costs(model: ModelSpec | None, plan: RoutePlan, *, base_model_id: str) -> DeploymentCosts:
    """The lines the confirmation shows for ``plan`` on ``model`` (None: not in the catalogue, so unknown)."""
    if model is None:
        return DeploymentCosts(
            lines=(),
            notes=(
                f"{base_model_id} is not in the catalogue, so what this costs is unknown; "
                "see the Amazon Bedrock pricing page before you confirm.",
            ),
        )
    if plan.route is Route.ON_DEMAND:
        return _on_demand(model)
    return _throughput(model, plan)


def cost_so_far(record: DeploymentRecord, now: datetime, usage: ModelUsage | None = None) -> Decimal | None:
    """Dollars spent since creation: hours × hourly cost for throughput; tokens × prices on demand (needs usage)."""
    return cost_between(record, record.created_at, now, usage)


def cost_between(
    record: DeploymentRecord, start: datetime, end: datetime, usage: ModelUsage | None = None
) -> Decimal | None:
    """Dollars spent from ``start`` to ``end``: throughput by the hours it existed in that span; on demand by
    ``usage`` (the tokens of that span). None when a price or the token counts are unknown."""
    if record.route is Route.PROVISIONED:
        if record.hourly_cost is None:
            return None
        return record.hourly_cost * Decimal(billed_seconds(record, start, end)) / _HOUR_SECONDS
    if usage is None or record.input_per_1k is None or record.output_per_1k is None:
        return None
    return (record.input_per_1k * usage.input_tokens + record.output_per_1k * usage.output_tokens) / _THOUSAND


def billed_seconds(record: DeploymentRecord, start: datetime, end: datetime) -> float:
    """Seconds of ``start``–``end`` during which the deployment existed (from creation until deletion).

    One whose creation failed never served and is not billed.
    """
    if record.status is DeploymentStatus.FAILED and record.ready_at is None:
        return 0.0
    stop = min(end, record.deleted_at or end)
    return max(0.0, (stop - max(start, record.created_at)).total_seconds())


def cost_so_far_text(record: DeploymentRecord, now: datetime, usage: ModelUsage | None = None) -> str:
    """``about $363.00 (6h 00m at $60.50 per hour)``, or why it is unknown."""
    return cost_text(record, record.created_at, now, usage)


def cost_text(record: DeploymentRecord, start: datetime, end: datetime, usage: ModelUsage | None = None) -> str:
    """What ``cost_between`` found, with its basis, or why it is unknown (never $0 for unknown)."""
    amount = cost_between(record, start, end, usage)
    basis = cost_basis(record, start, end, usage)
    return f"unknown ({basis})" if amount is None else f"about {format_usd(amount)} ({basis})"


def cost_basis(record: DeploymentRecord, start: datetime, end: datetime, usage: ModelUsage | None = None) -> str:
    """How the cost was counted (``6.0 hours at $60.50 per hour``), or why it is unknown."""
    if cost_between(record, start, end, usage) is None:
        return unknown_reason(record, usage)
    if record.route is Route.PROVISIONED:
        hours = billed_seconds(record, start, end) / 3600
        hourly = format_price(record.hourly_cost) if record.hourly_cost is not None else "an unknown price"
        return f"{hours:,.1f} hours at {hourly} per hour"
    return f"{usage.input_tokens:,} input and {usage.output_tokens:,} output tokens" if usage else "tokens used"


def unknown_reason(record: DeploymentRecord, usage: ModelUsage | None) -> str:
    """Why a deployment's cost cannot be told."""
    if record.route is Route.PROVISIONED:
        return "no Provisioned Throughput price in the catalogue"
    if record.input_per_1k is None or record.output_per_1k is None:
        return "no on-demand token price in the catalogue"
    if usage is None:
        return "the token counts from CloudWatch are unavailable"
    return "unknown prices"


def price_sources(record: DeploymentRecord, model: ModelSpec | None) -> tuple[str, ...]:
    """Where the record's prices come from (``as of …, source``), for the prices that are known."""
    if model is None:
        return ()
    if record.route is Route.PROVISIONED:
        prices = [model.prices.provisioned_throughput(record.commitment)] if record.hourly_cost is not None else []
    else:
        fields = (PriceField.ON_DEMAND_INPUT, PriceField.ON_DEMAND_OUTPUT)
        found = (model.prices.get(field) for field in fields)
        prices = [price for price in found if price is not None and price.usd is not None]
    return tuple(dict.fromkeys(provenance(price) for price in prices))


def _throughput(model: ModelSpec, plan: RoutePlan) -> DeploymentCosts:
    price = model.prices.provisioned_throughput(plan.commitment)
    field = plan.commitment.price_field
    hourly = None if price.usd is None else price.usd * plan.units
    units = f"{plan.units} model unit{'' if plan.units == 1 else 's'}"
    terms = _commitment_words(plan)
    per_unit = f"{format_price(price.usd)} per model-unit hour" if price.usd is not None else ""
    hour = _line(model, CostItem.PROVISIONED_HOUR, f"Per hour, {units}, {terms}", hourly, "per hour", price, field)
    hour = replace(hour, basis=f"{plan.units} × {per_unit}" if plan.units > 1 and per_unit else "")
    month_amount = None if hourly is None else hourly * HOURS_PER_MONTH
    month = _line(model, CostItem.PROVISIONED_MONTH, "Per 30 days", month_amount, "", price, field)
    month = replace(month, basis=f"{HOURS_PER_MONTH} hours", note=None)
    notes = [BILLED_UNTIL_DELETED]
    if plan.commitment.api_value is not None:
        notes.append(f"With a {terms} it cannot be deleted before the term ends.")
    if price.status is PriceStatus.ESTIMATE:
        notes.append("Prices marked (estimate) are not confirmed against the AWS pricing page.")
    return DeploymentCosts(lines=(hour, month), hourly=hourly, notes=tuple(notes))


def _on_demand(model: ModelSpec) -> DeploymentCosts:
    lines = []
    for item, label, field in (
        (CostItem.ON_DEMAND_INPUT, "Input", PriceField.ON_DEMAND_INPUT),
        (CostItem.ON_DEMAND_OUTPUT, "Output", PriceField.ON_DEMAND_OUTPUT),
    ):
        price = model.prices.get(field)
        if price is None:
            raise ValueError(f"{model.name} has no {field.label} entry")
        lines.append(_line(model, item, label, price.usd, "per 1K tokens", price, field))
    notes = ["On demand there is no hourly fee: you pay for the tokens it reads and writes."]
    if any(line.status is PriceStatus.ESTIMATE for line in lines):
        notes.append("Prices marked (estimate) are not confirmed against the AWS pricing page.")
    return DeploymentCosts(
        lines=tuple(lines),
        input_per_1k=lines[0].amount,
        output_per_1k=lines[1].amount,
        notes=tuple(notes),
    )


def _line(
    model: ModelSpec,
    item: CostItem,
    label: str,
    amount: Decimal | None,
    unit: str,
    price: Price,
    field: PriceField,
) -> CostLine:
    """A line priced by ``field``; an unknown amount says how to set the price."""
    note = unknown_price_hint(model, field) if amount is None else price.note
    return CostLine(item, label, amount, unit, "", price, field, False, note)


def _commitment_words(plan: RoutePlan) -> str:
    return {"none": "no commitment", "1m": "1-month commitment", "6m": "6-month commitment"}[plan.commitment.value]
