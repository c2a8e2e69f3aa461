"""``/finetune models``: the base models people can customize here, as a message."""

from __future__ import annotations

from workflows.catalogue.costs import format_price
from workflows.catalogue.schema import Catalogue, ModelSpec, Price, PriceStatus, TeacherAccess, TeacherSpec
from workflows.dataset_rules import TYPE_LABELS, CustomizationType
from workflows.messages import Message

#: The types ``/finetune models`` lists when none is named.
_LISTED = tuple(TYPE_LABELS)
_TITLES = {
    **TYPE_LABELS,
    CustomizationType.DISTILLATION: "Distillation (teacher → students)",
    CustomizationType.REINFORCEMENT: "Reinforcement fine-tuning",
}


def models_message(catalogue: Catalogue, customization: CustomizationType | None, region: str) -> Message:
    """One paragraph per type: each model with its id, format and training price (or why not)."""
    kinds = [customization] if customization else list(_LISTED)
    details = []
    for kind in kinds:
        lines = [f"*{_TITLES.get(kind, kind.value)}*"]
        if kind is CustomizationType.DISTILLATION:
            lines += _distillation_lines(catalogue, region)
        else:
            lines += _model_lines(catalogue, kind, region)
        details.append("\n".join(lines))
    return Message(
        text=f"Base models you can customize in {region}:",
        details=tuple(details),
        context="Start with `/finetune`, or in one line: `/finetune new type=… model=… data=s3://…`.",
    )


def _model_lines(catalogue: Catalogue, kind: CustomizationType, region: str) -> list[str]:
    models = catalogue.models_for(kind, region)
    lines = [_model_line(model, kind) for model in models] or [f"• none in {region}"]
    if kind is CustomizationType.REINFORCEMENT and models:
        lines.append(_rft_ranges(models[0]))
        lines += sorted({_sourced(model, kind) for model in models})
    return lines


def _model_line(model: ModelSpec, kind: CustomizationType) -> str:
    legacy = " · legacy" if model.is_legacy else ""
    if kind is CustomizationType.REINFORCEMENT and model.prices.rft_training_per_hour is not None:
        priced = _priced(model.prices.rft_training_per_hour, "per training hour")
        turns = " · single-turn prompts" if model.rules(kind).single_turn else ""
        return f"• {model.name} — `{model.id}` · {priced}{turns}{legacy}"
    priced = _priced(model.prices.training_per_1k_tokens, "per 1K training tokens")
    return f"• {model.name} — `{model.id}` · {priced}{legacy}"


def _rft_ranges(model: ModelSpec) -> str:
    specs = model.hyperparameters_for(CustomizationType.REINFORCEMENT)
    ranges = ", ".join(f"`{spec.name}` {spec.range_text()}" for spec in specs)
    return (
        "  Settings (ranges from the API's service model, botocore 1.44.8; AWS documents no defaults, so the bot "
        f"sends only what you set): {ranges}."
    )


def _sourced(model: ModelSpec, kind: CustomizationType) -> str:
    rules = model.rules(kind)
    when = f"read {rules.as_of}" if rules.as_of else "date read not recorded"
    return f"  _Source ({when}): {rules.source or 'not recorded'}_"


def _distillation_lines(catalogue: Catalogue, region: str) -> list[str]:
    lines = []
    for teacher in (t for t in catalogue.teachers if t.in_region(region)):
        students = [m for m in catalogue.models_for(CustomizationType.DISTILLATION, region) if _teaches(m, teacher)]
        if students:
            lines.append(_teacher_line(teacher, students))
    if not lines:
        return [f"• none in {region}"]
    sources = sorted({f"  _Source ({_when(t)}): {t.source}_" for t in catalogue.teachers if t.in_region(region)})
    billing = "  The teacher's on-demand inference on your prompts is billed on top of the student's training."
    return [*lines, billing, *sources]


def _teacher_line(teacher: TeacherSpec, students: list[ModelSpec]) -> str:
    names = ", ".join(
        f"{student.name}{' (single-turn)' if student.rules(CustomizationType.DISTILLATION).single_turn else ''}"
        for student in students
    )
    if teacher.input_per_1k_tokens.usd is None and teacher.output_per_1k_tokens.usd is None:
        prices = "teacher's on-demand prices unknown"
    else:
        price_in = _priced(teacher.input_per_1k_tokens, "in")
        prices = f"teacher {price_in} / {_priced(teacher.output_per_1k_tokens, 'out per 1K tokens')}"
    access = " · inference profile only" if teacher.access is TeacherAccess.INFERENCE_PROFILE else ""
    return f"• {teacher.name} `{teacher.id}` → {names} · {prices}{access}"


def _teaches(student: ModelSpec, teacher: TeacherSpec) -> bool:
    return teacher.id in student.rules(CustomizationType.DISTILLATION).teachers


def _priced(price: Price, unit: str) -> str:
    if price.usd is None:
        return "price per training hour unknown" if unit == "per training hour" else "price unknown"
    marker = " (estimate)" if price.status is PriceStatus.ESTIMATE else ""
    return f"{format_price(price.usd)} {unit}{marker}"


def _when(teacher: TeacherSpec) -> str:
    return f"read {teacher.as_of}" if teacher.as_of else "date read not recorded"
