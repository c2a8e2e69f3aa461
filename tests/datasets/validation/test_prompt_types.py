"""Distillation and reinforcement prompts: what each type accepts, its bounds, and how a file is recognised."""

from __future__ import annotations

from pathlib import Path

import orjson

from workflows.dataset_rules import CustomizationType, DatasetFormat, DatasetRules
from workflows.datasets.validation import IssueCode, validate_dataset

from .support import chat, conversation, image, lines_of, prompt, record, text, turn, write_jsonl

DISTILL = CustomizationType.DISTILLATION
RFT = CustomizationType.REINFORCEMENT
USER = turn("user", text("Summarise the call."))
ANSWER = turn("assistant", text("The customer wants a refund."))


def _codes(report: object) -> set[IssueCode]:
    return {issue.code for issue in report.issues}  # type: ignore[attr-defined]


def test_distillation_prompts_may_end_with_the_user_or_carry_an_answer(tmp_path: Path) -> None:
    lines = [conversation(USER), conversation(USER, ANSWER), conversation(USER, ANSWER, USER)]
    report = validate_dataset(write_jsonl(tmp_path, lines), customization=DISTILL)
    assert report.valid
    assert report.customization is DISTILL


def test_distillation_without_a_model_takes_text_only_and_at_most_15000_prompts(tmp_path: Path) -> None:
    lines = [conversation(turn("user", text(f"Prompt {n}"))) for n in range(15_001)]
    lines[9] = conversation(turn("user", [*text("What is it?"), image()]))
    report = validate_dataset(write_jsonl(tmp_path, lines), customization=DISTILL)
    assert lines_of(report, IssueCode.MEDIA_NOT_ALLOWED) == (10,)
    assert lines_of(report, IssueCode.TOO_MANY_RECORDS) == (None,)


def test_single_turn_students_refuse_multi_turn_prompts_that_others_accept(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path, [conversation(USER, ANSWER, USER), chat(1)])
    single = DatasetRules(format=DatasetFormat.BEDROCK_CONVERSATION, single_turn=True, model_name="Llama 3.2 1B")
    assert lines_of(validate_dataset(path, rules=single, customization=DISTILL), IssueCode.MULTI_TURN_PROMPT) == (1,)
    multi = DatasetRules(format=DatasetFormat.BEDROCK_CONVERSATION, model_name="Nova Lite")
    assert IssueCode.MULTI_TURN_PROMPT not in _codes(validate_dataset(path, rules=multi, customization=DISTILL))


def test_reinforcement_files_are_recognised_by_their_reference_answers(tmp_path: Path) -> None:
    report = validate_dataset(write_jsonl(tmp_path, [prompt(n) for n in range(100)]))
    assert report.customization is RFT
    assert report.format is DatasetFormat.CHAT_PROMPTS
    assert report.valid


def test_reinforcement_takes_100_to_20000_prompts(tmp_path: Path) -> None:
    few = validate_dataset(write_jsonl(tmp_path, [prompt(n) for n in range(99)]), customization=RFT)
    assert lines_of(few, IssueCode.TOO_FEW_RECORDS) == (None,)
    many = validate_dataset(write_jsonl(tmp_path, [prompt(n) for n in range(20_001)], "many.jsonl"), customization=RFT)
    assert lines_of(many, IssueCode.TOO_MANY_RECORDS) == (None,)


def test_extra_keys_and_text_parts_are_accepted_and_media_is_not(tmp_path: Path) -> None:
    parts = record(
        messages=[{"role": "user", "content": [{"type": "text", "text": "What is 3 plus 3?"}]}],
        reference_answer={"x": 6},
        difficulty="easy",
        id="q-7",
    )
    picture = record(
        messages=[{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "https://x/y.png"}}]}],
        reference_answer="cat",
    )
    report = validate_dataset(write_jsonl(tmp_path, [parts, picture, *(prompt(n) for n in range(100))]))
    assert _codes(report) == {IssueCode.MEDIA_NOT_ALLOWED}
    assert lines_of(report, IssueCode.MEDIA_NOT_ALLOWED) == (2,)


def test_chat_records_without_reference_answers_are_named_not_called_another_type(tmp_path: Path) -> None:
    lines = [orjson.dumps({"messages": [{"role": "user", "content": f"Question {n}"}]}) for n in range(100)]
    report = validate_dataset(write_jsonl(tmp_path, lines), customization=RFT)
    assert report.mismatch is None
    assert _codes(report) == {IssueCode.NO_REFERENCE_ANSWER}
    assert report.issue(IssueCode.NO_REFERENCE_ANSWER).count == 100  # type: ignore[union-attr]


def test_a_reinforcement_file_checked_as_conversation_is_the_wrong_format(tmp_path: Path) -> None:
    report = validate_dataset(
        write_jsonl(tmp_path, [prompt(1), prompt(2)]), customization=CustomizationType.CONVERSATION
    )
    assert lines_of(report, IssueCode.WRONG_FORMAT) == (1, 2)
    assert report.mismatch is not None
    assert "reinforcement fine-tuning" in report.mismatch


def test_single_turn_reinforcement_refuses_earlier_turns_that_open_weight_models_take(tmp_path: Path) -> None:
    history = [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello"}]
    line = orjson.dumps({"messages": [*history, {"role": "user", "content": "2+2?"}], "reference_answer": "4"})
    path = write_jsonl(tmp_path, [line, *(prompt(n) for n in range(100))])
    assert validate_dataset(path, customization=RFT).valid
    nova = DatasetRules(format=DatasetFormat.CHAT_PROMPTS, single_turn=True, min_records=100, model_name="Nova 2 Lite")
    assert lines_of(validate_dataset(path, rules=nova, customization=RFT), IssueCode.MULTI_TURN_PROMPT) == (1,)


def test_max_prompt_length_counts_the_prompt_not_the_reference_answer(tmp_path: Path) -> None:
    long_answer = record(messages=[{"role": "user", "content": "Say hi."}], reference_answer="word " * 400)
    long_prompt = record(messages=[{"role": "user", "content": "hello " * 400}], reference_answer="hi")
    path = write_jsonl(tmp_path, [long_answer, long_prompt, *(prompt(n) for n in range(100))])
    report = validate_dataset(path, customization=RFT, max_prompt_tokens=100)
    assert lines_of(report, IssueCode.TOO_MANY_TOKENS) == (2,)
    assert "maxPromptLength is 100" in report.issue(IssueCode.TOO_MANY_TOKENS).occurrences[0].detail  # type: ignore[union-attr]
