"""Valid files of every format pass cleanly; the type is detected, and mismatches are explained."""

from __future__ import annotations

from pathlib import Path

import pytest

from workflows.dataset_rules import CustomizationType, DatasetFormat, DatasetRules
from workflows.datasets.validation import Turns, validate_dataset

from .support import chat, conversation, image, pc, record, text, turn, write_jsonl

USER = turn("user", text("Tell me more."))
ANSWER = turn("assistant", text("Here is more."))
MULTI = [
    conversation(turn("user", text(f"Q{i}")), turn("assistant", text(f"A{i}")), USER, ANSWER, system=text("Be kind."))
    for i in range(3)
]
ANTHROPIC = [
    record(system="Be brief.", messages=[{"role": "user", "content": f"Q{i}"}, {"role": "assistant", "content": "A"}])
    for i in range(3)
]
VALID = {
    "prompt-completion": [pc(i) for i in range(5)],
    "text-input": [record(input=f"Chapter {i}. The domain text goes here.") for i in range(5)],
    "bedrock-conversation": [chat(i, system=text("You are helpful.")) for i in range(5)],
    "bedrock-conversation-multi-turn": MULTI,
    "bedrock-conversation-images": [
        conversation(turn("user", [*text(f"What is in picture {i}?"), image(f"s3://media-bucket/{i}.png")]), ANSWER)
        for i in range(3)
    ],
    "anthropic-messages": ANTHROPIC,
}


@pytest.mark.parametrize("name", list(VALID))
def test_valid_files_pass_with_no_issue(name: str, tmp_path: Path) -> None:
    report = validate_dataset(write_jsonl(tmp_path, VALID[name]))
    assert report.valid
    assert report.issues == ()
    assert report.stats.records == len(VALID[name])
    assert report.stats.tokens.total > 0


@pytest.mark.parametrize(
    ("lines", "customization", "format", "turns", "note"),
    [
        (VALID["prompt-completion"], CustomizationType.INSTRUCTION, DatasetFormat.PROMPT_COMPLETION, None,
         "Detected instruction (prompt/completion records) from the first records"),
        (VALID["text-input"], CustomizationType.CONTINUED_PRETRAINING, DatasetFormat.TEXT_INPUT, None,
         "Detected continued-pretraining (input records) from the first records"),
        (VALID["bedrock-conversation"], CustomizationType.CONVERSATION, DatasetFormat.BEDROCK_CONVERSATION,
         Turns.SINGLE, "Detected conversation (single-turn) from the first records"),
        (MULTI, CustomizationType.CONVERSATION, DatasetFormat.BEDROCK_CONVERSATION, Turns.MULTI,
         "Detected conversation (multi-turn) from the first records"),
        (ANTHROPIC, CustomizationType.CONVERSATION, DatasetFormat.ANTHROPIC_MESSAGES, Turns.SINGLE,
         "Detected conversation (single-turn) from the first records"),
        ([chat(1), MULTI[0]], CustomizationType.CONVERSATION, DatasetFormat.BEDROCK_CONVERSATION, Turns.MIXED,
         "Detected conversation (multi-turn) from the first records"),
    ],
    ids=["instruction", "continued-pretraining", "single-turn", "multi-turn", "anthropic", "mixed-turns"],
)  # fmt: skip
def test_type_is_detected_from_the_records(
    lines: list[bytes],
    customization: CustomizationType,
    format: DatasetFormat,
    turns: Turns | None,
    note: str,
    tmp_path: Path,
) -> None:
    report = validate_dataset(write_jsonl(tmp_path, lines))
    assert (report.customization, report.format, report.turns) == (customization, format, turns)
    assert report.detected
    assert report.note.startswith(note)
    assert report.mismatch is None


def test_a_requested_type_is_not_marked_detected(tmp_path: Path) -> None:
    report = validate_dataset(
        write_jsonl(tmp_path, VALID["prompt-completion"]), customization=CustomizationType.INSTRUCTION
    )
    assert not report.detected
    assert report.note.startswith("Checked as instruction, as requested")
    assert report.valid


@pytest.mark.parametrize(
    ("lines", "options", "mismatch"),
    [
        (VALID["prompt-completion"], {"customization": CustomizationType.CONTINUED_PRETRAINING},
         "this file has prompt/completion records: that is instruction fine-tuning, not continued pre-training"),
        (VALID["text-input"], {"customization": CustomizationType.INSTRUCTION},
         "this file has input records: that is continued pre-training, not instruction fine-tuning"),
        (VALID["bedrock-conversation"], {"customization": CustomizationType.INSTRUCTION},
         "this file has bedrock-conversation-2024 records: that is conversational fine-tuning, "
         "not instruction fine-tuning"),
        (VALID["prompt-completion"],
         {"rules": DatasetRules(format=DatasetFormat.TEXT_INPUT, model_name="Titan Text Express")},
         "this file has prompt/completion records: that is instruction fine-tuning, not continued pre-training; "
         "Titan Text Express takes input records for it"),
        (ANTHROPIC, {"rules": DatasetRules(format=DatasetFormat.BEDROCK_CONVERSATION, model_name="Nova Micro")},
         "this file has Anthropic-style messages records with plain-string content, but Nova Micro takes "
         'bedrock-conversation-2024 records with content blocks like [{"text": "..."}]'),
    ],
    ids=["instruction-as-cpt", "cpt-as-instruction", "conversation-as-instruction", "model-rules", "layouts"],
)  # fmt: skip
def test_a_mismatch_is_explained_and_invalid(
    lines: list[bytes], options: dict[str, object], mismatch: str, tmp_path: Path
) -> None:
    report = validate_dataset(write_jsonl(tmp_path, lines), **options)  # type: ignore[arg-type]
    assert report.mismatch == mismatch
    assert not report.valid


def test_rules_for_another_type_than_requested_are_explained(tmp_path: Path) -> None:
    rules = DatasetRules(format=DatasetFormat.TEXT_INPUT, model_name="Titan Text Lite")
    report = validate_dataset(
        write_jsonl(tmp_path, VALID["prompt-completion"]), rules=rules, customization=CustomizationType.INSTRUCTION
    )
    assert report.mismatch == (
        "this file has prompt/completion records, as instruction fine-tuning needs, "
        "but the rules for Titan Text Lite are for input records"
    )


def test_model_rules_are_named_in_the_note(tmp_path: Path) -> None:
    rules = DatasetRules(format=DatasetFormat.PROMPT_COMPLETION, model_name="Llama 3.1 8B", token_count_exact=True)
    report = validate_dataset(write_jsonl(tmp_path, VALID["prompt-completion"]), rules=rules)
    assert report.model_name == "Llama 3.1 8B"
    assert report.note.endswith("checked against the rules for Llama 3.1 8B")
    assert report.stats.tokens.exact


def test_distillation_prompts_may_end_with_the_user(tmp_path: Path) -> None:
    lines = [conversation(turn("user", text(f"Summarise report {i}."))) for i in range(3)]
    report = validate_dataset(write_jsonl(tmp_path, lines), customization=CustomizationType.DISTILLATION)
    assert report.valid
    assert report.format is DatasetFormat.BEDROCK_CONVERSATION


def test_detection_skips_broken_first_lines(tmp_path: Path) -> None:
    report = validate_dataset(write_jsonl(tmp_path, [b"not json", b"", pc(1), pc(2)]))
    assert report.customization is CustomizationType.INSTRUCTION
    assert report.detected
