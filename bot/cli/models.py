"""``finetune-bot models``: the base models per customization type, as a table or one JSON object.

The table fits a terminal 100 columns wide: one row per model (id, regions, on-demand, training
price), then an indented line with its name, provider, format, other types and status.
"""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.cli import EXIT_OK, EXIT_USAGE, Subparsers
from bot.cli.price_file import configured_price_file
from workflows.dataset_rules import CustomizationType, DatasetRules

if TYPE_CHECKING:
    from workflows.catalogue import Catalogue, CustomizationInfo, HyperparameterSpec, ModelSpec, Price, TeacherSpec

#: Widest line of the table and the legend.
WIDTH = 100
#: The table's column headings, in order.
_COLUMNS = ("MODEL", "REGIONS", "ON-DEMAND", "TRAINING PRICE")


def add_parser(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "models",
        help="list the base models you can customize",
        description="List the base models per customization type, with formats, regions and training prices.",
    )
    parser.add_argument(
        "--type", dest="customization", metavar="TYPE", help="instruction, continued-pretraining or conversation"
    )
    parser.add_argument("--region", metavar="REGION", help="only models offered in this AWS region, e.g. us-west-2")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of a table")
    parser.add_argument(
        "--prices", type=Path, metavar="FILE", help="a price override file (default: the FINETUNE_PRICES_FILE setting)"
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Print the catalogue; a bad type or price file ends with one line and status 2."""
    from workflows.catalogue import CatalogueError, load_catalogue

    try:
        catalogue = load_catalogue(_prices_file(args))
    except CatalogueError as exc:
        return _usage_error(str(exc))
    groups = _groups(catalogue, args.customization)
    if groups is None:
        valid = ", ".join(info.type.value for info in catalogue.customizations)
        return _usage_error(f"unknown type `{args.customization}`; valid types: {valid}")
    region = args.region.strip().lower() if args.region else None
    if args.json:
        type_filter = groups[0].type if args.customization else None
        document = catalogue_json(catalogue, groups, type_filter=type_filter, region=region)
        print(json.dumps(document, indent=2, ensure_ascii=False))
    else:
        print(render_table(catalogue, groups, region))
    return EXIT_OK


def _usage_error(message: str) -> int:
    print(f"finetune-bot models: {message}", file=sys.stderr)
    return EXIT_USAGE


def _prices_file(args: argparse.Namespace) -> Path | None:
    if args.prices is not None:
        prices: Path = args.prices
        return prices
    return configured_price_file()


def _groups(catalogue: Catalogue, typed: str | None) -> list[CustomizationInfo] | None:
    """The types to show: all of them, or the one asked for (None when it is not one)."""
    known = list(catalogue.customizations)
    if typed is None:
        return known
    chosen = [info for info in known if info.type.value == typed.strip().lower()]
    return chosen or None


# ── human output ──────────────────────────────────────────────────────────────────────────────


def render_table(catalogue: Catalogue, groups: list[CustomizationInfo], region: str | None) -> str:
    """One aligned table per customization type, then a legend; no line is wider than ``WIDTH``."""
    blocks = [_group_block(catalogue, info, region) for info in groups]
    legend = (
        "(estimate): price not confirmed against the AWS pricing page. unknown: no price in the catalogue; "
        "set it in the price override file (FINETUNE_PRICES_FILE). legacy: on its way out. "
        "unconfirmed: only older AWS docs list the model for this type."
    )
    return "\n\n".join([*blocks, textwrap.fill(legend, WIDTH)])


def _group_block(catalogue: Catalogue, info: CustomizationInfo, region: str | None) -> str:
    where = f" in {region}" if region else ""
    heading = f"{info.title} (--type {info.type.value}){where}"
    models = catalogue.models_for(info.type, region)
    if not models:
        known = f"  No models{where}. Known regions: {', '.join(catalogue.regions())}."
        return "\n".join([heading, *textwrap.wrap(known, WIDTH, subsequent_indent="  ")])
    offered = {offered.type for offered in catalogue.customizations}
    rows = [(model, _row(model, info.type)) for model in models]
    widths = [max(len(cells[i]) for cells in [_COLUMNS, *(row for _, row in rows)]) for i in range(len(_COLUMNS))]
    lines = [heading, _aligned(_COLUMNS, widths)]
    for model, row in rows:
        lines.append(_aligned(row, widths))
        lines += textwrap.wrap(
            _details(catalogue, model, info.type, offered), WIDTH, initial_indent="    ", subsequent_indent="    "
        )
    return "\n".join(lines)


def _aligned(row: tuple[str, ...], widths: list[int]) -> str:
    return "  " + "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()


def _row(model: ModelSpec, customization: CustomizationType) -> tuple[str, ...]:
    hourly = model.prices.rft_training_per_hour
    per_hour = customization is CustomizationType.REINFORCEMENT and hourly is not None
    return (
        model.id,
        ", ".join(model.regions) or "—",
        "yes" if model.on_demand_deployment is not None else "no",
        f"{_price_cell(hourly)} per hour"
        if per_hour and hourly is not None
        else _price_cell(model.prices.training_per_1k_tokens),
    )


def _details(
    catalogue: Catalogue, model: ModelSpec, customization: CustomizationType, offered: set[CustomizationType]
) -> str:
    """The model's second line: name and provider, record format, teachers, its other types, status."""
    from workflows.catalogue import Certainty

    rules = model.rules(customization)
    parts = [f"{model.name} ({model.provider})", rules.format.value]
    if rules.single_turn:
        parts.append("single-turn prompts")
    teachers = catalogue.teachers_for(model)
    if customization is CustomizationType.DISTILLATION and teachers:
        parts.append("teachers: " + ", ".join(f"{t.name} {t.id} ({_teacher_prices(t)})" for t in teachers))
    others = [t.value for t in model.customization_types if t in offered and t is not customization]
    if others:
        parts.append(f"also {', '.join(others)}")
    if model.is_legacy:
        parts.append("legacy")
    if rules.availability is Certainty.UNCERTAIN:
        parts.append("unconfirmed")
    return " · ".join(parts)


def _teacher_prices(teacher: TeacherSpec) -> str:
    return f"{_price_cell(teacher.input_per_1k_tokens)} in / {_price_cell(teacher.output_per_1k_tokens)} out per 1K"


def _price_cell(price: Price) -> str:
    from workflows.catalogue import PriceStatus
    from workflows.catalogue.costs import format_price

    if price.usd is None:
        return "unknown"
    marker = " (estimate)" if price.status is PriceStatus.ESTIMATE else ""
    return f"{format_price(price.usd)}{marker}"


# ── JSON output ───────────────────────────────────────────────────────────────────────────────


def catalogue_json(
    catalogue: Catalogue,
    groups: list[CustomizationInfo],
    *,
    type_filter: CustomizationType | None = None,
    region: str | None = None,
) -> dict[str, Any]:
    """``{filters, types: [{type, title, summary, models: [id]}], models: [{…}]}``; prices as decimal strings."""
    types = [
        {
            "type": info.type.value,
            "title": info.title,
            "summary": info.summary,
            "models": [m.id for m in catalogue.models_for(info.type, region)],
        }
        for info in groups
    ]
    shown = {model_id for group in types for model_id in group["models"]}
    return {
        "schema_version": 1,
        "filters": {"type": type_filter.value if type_filter else None, "region": region},
        "types": types,
        "models": [_model_json(catalogue, model) for model in catalogue.models if model.id in shown],
        "teachers": [
            {
                "id": teacher.id,
                "name": teacher.name,
                "regions": list(teacher.regions),
                "access": teacher.access.value,
                "source": teacher.source,
                "as_of": teacher.as_of,
                "prices": {
                    key: {**price.model_dump(mode="json"), "status": price.status.value}
                    for key, price in (
                        ("input_per_1k_tokens", teacher.input_per_1k_tokens),
                        ("output_per_1k_tokens", teacher.output_per_1k_tokens),
                    )
                },
            }
            for teacher in catalogue.teachers
            if any(
                teacher.id in rules.teachers
                for model in catalogue.models
                if model.id in shown
                for rules in model.customizations
            )
        ],
    }


def _model_json(catalogue: Catalogue, model: ModelSpec) -> dict[str, Any]:
    deployment = model.on_demand_deployment
    return {
        "id": model.id,
        "name": model.name,
        "provider": model.provider,
        "lifecycle": model.lifecycle.value,
        "regions": list(model.regions),
        "types": [
            {
                "type": rules.type.value,
                "format": rules.format.value,
                "offered": catalogue.customization(rules.type).offered,
                "availability": rules.availability.value,
                "limits": _limits_json(model.dataset_rules(rules.type)),
                "single_turn": rules.single_turn,
                "teachers": list(rules.teachers),
                "source": rules.source,
                "as_of": rules.as_of,
            }
            for rules in model.customizations
        ],
        "token_counting": model.token_counting.value,
        "on_demand_deployment": {
            "supported": deployment is not None,
            "regions": list(deployment.regions) if deployment else [],
            "customized_on_or_after": deployment.customized_on_or_after.isoformat() if deployment else None,
        },
        "prices": _prices_json(model),
        "hyperparameters": [_hyperparameter_json(spec) for spec in model.hyperparameters],
        "uncertain": model.uncertainties(),
    }


def _limits_json(rules: DatasetRules) -> dict[str, Any]:
    """The validator's bounds for one type (null: no bound known)."""
    return {
        "min_records": rules.min_records,
        "max_records": rules.max_records,
        "max_validation_records": rules.max_validation_records,
        "max_total_records": rules.max_total_records,
        "max_tokens_per_record": rules.max_tokens_per_record,
        "token_count_exact": rules.token_count_exact,
        "max_file_bytes": rules.max_file_bytes,
        "max_validation_file_bytes": rules.max_validation_file_bytes,
        "reserved_words": list(rules.reserved_words),
        "image_formats": sorted(rules.media.image_formats),
        "video_formats": sorted(rules.media.video_formats),
    }


def _hyperparameter_json(spec: HyperparameterSpec) -> dict[str, Any]:
    return {
        "name": spec.name,
        "label": spec.label,
        "description": spec.description,
        "kind": spec.kind.value,
        "default": spec.default_value(),
        "min": None if spec.min is None else spec.api_value(spec.min),
        "max": None if spec.max is None else spec.api_value(spec.max),
        "choices": list(spec.choices) or None,
        "fixed": spec.is_fixed,
        "aliases": list(spec.aliases),
        "types": sorted(t.value for t in spec.applies_to),
        "certainty": spec.certainty.value,
        "note": spec.note,
    }


def _prices_json(model: ModelSpec) -> dict[str, Any]:
    """Every price the model has, with its status (confirmed, estimate, unknown); ``usd`` is a string or null."""
    found: dict[str, Any] = {}
    from workflows.catalogue import PriceField

    for field in PriceField:
        price = model.prices.get(field)
        if price is not None:
            found[field.value] = {**price.model_dump(mode="json"), "status": price.status.value}
    return found
