"""Decides what a file is checked against: format, rules and customization type, and says why.

A model's rules win; else a requested customization type picks the format; else the format is
the one detected from the first records, with generic rules. When the data does not fit the
choice, ``mismatch`` explains it in one sentence.
"""

from __future__ import annotations

from dataclasses import dataclass

from workflows.dataset_rules import CustomizationType, DatasetFormat, DatasetRules, MediaRules
from workflows.datasets.validation.detect import Sniff, family, is_conversation

#: Reserved strings of the Anthropic prompt format (Claude 3 Haiku rejects records holding them).
ANTHROPIC_RESERVED = ("\nHuman:", "\nAssistant:")

#: Media that some Bedrock conversation model accepts; generic rules refuse nothing more.
_GENERIC_MEDIA = MediaRules(
    image_formats=frozenset({"png", "jpeg", "gif", "webp"}),
    video_formats=frozenset({"mov", "mkv", "mp4", "webm"}),
    max_images_per_record=10,
    max_videos_per_record=1,
    single_modality=True,
)

_RECORDS = {
    DatasetFormat.PROMPT_COMPLETION: "prompt/completion",
    DatasetFormat.TEXT_INPUT: "input",
    DatasetFormat.BEDROCK_CONVERSATION: "bedrock-conversation-2024",
    DatasetFormat.ANTHROPIC_MESSAGES: "Anthropic-style messages",
    DatasetFormat.CHAT_PROMPTS: "messages/reference_answer",
}
_TYPES = {
    CustomizationType.INSTRUCTION: "instruction fine-tuning",
    CustomizationType.CONTINUED_PRETRAINING: "continued pre-training",
    CustomizationType.CONVERSATION: "conversational fine-tuning",
    CustomizationType.DISTILLATION: "distillation",
    CustomizationType.REINFORCEMENT: "reinforcement fine-tuning",
}
#: Reinforcement fine-tuning: 100 to 20,000 prompts (AWS documentation, rft-prepare-data).
RFT_MIN_PROMPTS = 100
RFT_MAX_PROMPTS = 20_000
#: Distillation: at most 15,000 prompts or prompt-response pairs (AWS documentation, distillation-prepare-datasets).
DISTILLATION_MAX_PROMPTS = 15_000
_LAYOUTS = {
    DatasetFormat.BEDROCK_CONVERSATION: 'content blocks like [{"text": "..."}]',
    DatasetFormat.ANTHROPIC_MESSAGES: "plain-string content",
}


@dataclass(frozen=True, slots=True)
class Plan:
    """What the scan checks records against."""

    #: The format records must have (None: unknown; only line-level checks apply).
    format: DatasetFormat | None
    rules: DatasetRules
    customization: CustomizationType | None
    detected: bool
    #: The format most of the first records have (None: none recognised).
    data_format: DatasetFormat | None
    note: str
    mismatch: str | None
    #: Records must end with an assistant turn (distillation prompts need not).
    final_assistant: bool

    @property
    def model(self) -> str:
        """The model's name for messages ("the chosen model" when the rules do not name it)."""
        return self.rules.model_name or "the chosen model"


def keys_name(format: DatasetFormat) -> str:
    """How messages name a format's keys ("prompt/completion", "input", "messages")."""
    if format is DatasetFormat.CHAT_PROMPTS:
        return "messages and reference_answer"
    return "messages" if is_conversation(format) else _RECORDS[format]


def records_name(format: DatasetFormat) -> str:
    """How messages name a format's records ("prompt/completion")."""
    return _RECORDS[format]


def generic_rules(format: DatasetFormat, customization: CustomizationType | None = None) -> DatasetRules:
    """Rules that hold for every Bedrock model taking ``format``, for when no model is given."""
    if format is DatasetFormat.CHAT_PROMPTS:
        return DatasetRules(format=format, min_records=RFT_MIN_PROMPTS, max_records=RFT_MAX_PROMPTS)
    if customization is CustomizationType.DISTILLATION:
        # Distillation takes text only, whichever the student.
        return DatasetRules(format=format, max_records=DISTILLATION_MAX_PROMPTS)
    if format is DatasetFormat.BEDROCK_CONVERSATION:
        return DatasetRules(format=format, media=_GENERIC_MEDIA)
    if format is DatasetFormat.ANTHROPIC_MESSAGES:
        return DatasetRules(format=format, reserved_words=ANTHROPIC_RESERVED)
    return DatasetRules(format=format)


def make_plan(sniff: Sniff, rules: DatasetRules | None, customization: CustomizationType | None) -> Plan:
    """Choose the format and rules, and explain the choice and any mismatch with the data."""
    data = sniff.format
    if rules is not None:
        target: DatasetFormat | None = rules.format
    elif customization is not None:
        target = _format_for(customization, data)
    else:
        target = data
    if target is DatasetFormat.CHAT_PROMPTS and is_conversation(data):
        # Chat records that lack their reference answers are still reinforcement prompts; the
        # records say what is missing.
        data = target
    chosen = customization or (family(data) if data else None) or (family(target) if target else None)
    detected = customization is None and data is not None
    # With no format known only line-level checks run, and the placeholder rules go unused.
    effective = rules or generic_rules(target or DatasetFormat.PROMPT_COMPLETION, chosen)
    return Plan(
        format=target,
        rules=effective,
        customization=chosen,
        detected=detected,
        data_format=data,
        note=_note(sniff, chosen, customization is not None, rules),
        mismatch=_mismatch(data, target, customization, rules),
        final_assistant=customization is not CustomizationType.DISTILLATION,
    )


def _format_for(customization: CustomizationType, data: DatasetFormat | None) -> DatasetFormat:
    if customization is CustomizationType.INSTRUCTION:
        return DatasetFormat.PROMPT_COMPLETION
    if customization is CustomizationType.CONTINUED_PRETRAINING:
        return DatasetFormat.TEXT_INPUT
    if customization is CustomizationType.REINFORCEMENT:
        return DatasetFormat.CHAT_PROMPTS
    if customization is CustomizationType.CONVERSATION and data is not None and is_conversation(data):
        return data
    return DatasetFormat.BEDROCK_CONVERSATION


def _note(sniff: Sniff, plan_type: CustomizationType | None, requested: bool, rules: DatasetRules | None) -> str:
    against = (
        f"checked against the rules for {rules.model_name or 'the chosen model'}"
        if rules is not None
        else "checked against generic rules for the format"
    )
    if plan_type is None:
        return "Could not tell the format from the first records; only line-level checks were run"
    if requested:
        return f"Checked as {plan_type.value}, as requested; {against}"
    data = sniff.format
    if data is None:
        return f"No record was recognised in the first lines; {against} ({plan_type.value})"
    if is_conversation(data):
        kind = "multi-turn" if sniff.multi_turn else "single-turn"
    else:
        kind = f"{records_name(data)} records"
    return f"Detected {plan_type.value} ({kind}) from the first records; {against}"


def _mismatch(
    data: DatasetFormat | None,
    target: DatasetFormat | None,
    customization: CustomizationType | None,
    rules: DatasetRules | None,
) -> str | None:
    if data is None or target is None or data is target:
        return None
    model = rules.model_name if rules is not None else None
    if family(data) is not family(target):
        wanted = customization or family(target)
        if family(data) is wanted:
            # The rules given are for another type than the one asked for.
            rules_name = f"the rules for {model}" if model else "the rules given"
            return (
                f"this file has {records_name(data)} records, as {_TYPES[wanted]} needs, but "
                f"{rules_name} are for {records_name(target)} records"
            )
        sentence = f"this file has {records_name(data)} records: that is {_TYPES[family(data)]}, not {_TYPES[wanted]}"
        if model:
            sentence += f"; {model} takes {records_name(target)} records for it"
        return sentence
    return (
        f"this file has {records_name(data)} records with {_LAYOUTS[data]}, but "
        f"{model or 'the chosen format'} takes {records_name(target)} records with {_LAYOUTS[target]}"
    )
