"""``/finetune models``: the base models people can customize here, as a message."""

from __future__ import annotations

from workflows.catalogue.costs import format_price
from workflows.catalogue.schema import Catalogue, PriceStatus
from workflows.dataset_rules import TYPE_LABELS, CustomizationType
from workflows.messages import Message


def models_message(catalogue: Catalogue, customization: CustomizationType | None, region: str) -> Message:
    """One paragraph per type: each model with its id, format and training price (or why not)."""
    kinds = [customization] if customization else list(TYPE_LABELS)
    details = []
    for kind in kinds:
        lines = [f"*{TYPE_LABELS.get(kind, kind.value)}*"]
        models = catalogue.models_for(kind, region)
        for model in models:
            price = model.prices.training_per_1k_tokens
            priced = f"{format_price(price.usd)} per 1K training tokens" if price.usd is not None else "price unknown"
            marker = " (estimate)" if price.status is PriceStatus.ESTIMATE else ""
            legacy = " · legacy" if model.is_legacy else ""
            lines.append(f"• {model.name} — `{model.id}` · {priced}{marker}{legacy}")
        if not models:
            lines.append(f"• none in {region}")
        details.append("\n".join(lines))
    return Message(
        text=f"Base models you can customize in {region}:",
        details=tuple(details),
        context="Start with `/finetune`, or in one line: `/finetune new type=… model=… data=s3://…`.",
    )
