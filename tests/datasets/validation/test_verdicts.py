"""Verdicts that once were wrong, checked with the bundled catalogue's rules for the model named."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from workflows.catalogue import load_catalogue
from workflows.dataset_rules import CustomizationType, DatasetRules
from workflows.datasets.validation import IssueCode, validate_dataset

from .support import chat, conversation, image, lines_of, record, text, turn, write_jsonl

CONVERSATION = CustomizationType.CONVERSATION
ANSWER = turn("assistant", text("Done."))
#: Common English words; joined with spaces they read like prose to a tokenizer.
_ENGLISH = [
    "the",
    "of",
    "and",
    "to",
    "in",
    "is",
    "that",
    "for",
    "it",
    "as",
    "with",
    "was",
    "on",
    "be",
    "by",
    "this",
    "are",
    "from",
    "at",
    "or",
    "an",
    "have",
    "not",
    "which",
    "but",
    "all",
    "can",
    "their",
    "more",
    "will",
    "one",
    "about",
    "also",
    "has",
    "been",
    "other",
    "when",
    "there",
    "these",
    "into",
    "some",
    "than",
    "only",
    "its",
    "time",
    "would",
    "may",
    "new",
    "use",
    "two",
    "customer",
    "account",
    "service",
    "request",
    "response",
    "report",
    "invoice",
    "shipment",
    "refund",
    "policy",
    "contract",
    "summary",
]


def rules(model_id: str, customization: CustomizationType = CONVERSATION) -> DatasetRules:
    return load_catalogue().model(model_id).dataset_rules(customization)


def english(characters: int, seed: int = 1) -> str:
    rng = random.Random(seed)
    words: list[str] = []
    length = 0
    while length < characters:
        word = rng.choice(_ENGLISH)
        words.append(word)
        length += len(word) + 1
    return " ".join(words)[:characters]


def test_nova_micro_records_are_bounded_by_its_128k_context(tmp_path: Path) -> None:
    huge = conversation(turn("user", text(english(1_000_000))), ANSWER)
    report = validate_dataset(
        write_jsonl(tmp_path, [chat(1), huge, chat(2)]), rules=rules("amazon.nova-micro-v1:0:128k")
    )
    assert lines_of(report, IssueCode.TOO_MANY_TOKENS) == (2,)
    issue = report.issue(IssueCode.TOO_MANY_TOKENS)
    assert issue is not None
    assert "Nova Micro's context window" in issue.occurrences[0].detail
    assert "128,000" in issue.occurrences[0].detail
    assert not report.valid


def test_102000_characters_of_english_do_not_pass_silently_for_claude_3_haiku(tmp_path: Path) -> None:
    long = record(messages=[{"role": "user", "content": english(102_000)}, {"role": "assistant", "content": "ok"}])
    short = record(messages=[{"role": "user", "content": "hi"}, {"role": "assistant", "content": "hello"}])
    report = validate_dataset(
        write_jsonl(tmp_path, [short, long]), rules=rules("anthropic.claude-3-haiku-20240307-v1:0:200k")
    )
    assert lines_of(report, IssueCode.NEAR_TOKEN_LIMIT) == (2,)
    assert report.issue(IssueCode.TOO_MANY_TOKENS) is None


def test_llama_needs_the_exact_schema_version(tmp_path: Path) -> None:
    lines = [chat(1), conversation(turn("user", text("hi")), ANSWER, version="tooluse-dataset-2024")]
    llama = validate_dataset(write_jsonl(tmp_path, lines), rules=rules("meta.llama3-2-1b-instruct-v1:0:128k"))
    assert lines_of(llama, IssueCode.WRONG_SCHEMA_VERSION) == (2,)
    assert not llama.valid
    nova = validate_dataset(write_jsonl(tmp_path, lines), rules=rules("amazon.nova-micro-v1:0:128k"))
    assert lines_of(nova, IssueCode.SCHEMA_VERSION) == (2,)
    assert nova.issue(IssueCode.WRONG_SCHEMA_VERSION) is None


def test_llama_takes_a_single_system_block(tmp_path: Path) -> None:
    two = chat(2, system=[*text("Be brief."), *text("Be kind.")])
    report = validate_dataset(
        write_jsonl(tmp_path, [chat(1, system=text("Be brief.")), two]),
        rules=rules("meta.llama3-2-1b-instruct-v1:0:128k"),
    )
    assert lines_of(report, IssueCode.TOO_MANY_SYSTEM_BLOCKS) == (2,)
    nova = validate_dataset(write_jsonl(tmp_path, [two]), rules=rules("amazon.nova-micro-v1:0:128k"))
    assert nova.issue(IssueCode.TOO_MANY_SYSTEM_BLOCKS) is None


@pytest.mark.parametrize(
    ("uri", "valid"),
    [
        ("s3://data/images/cat_1-a.png", True),
        ("s3://data/images/my cat.png", False),
        ("s3://data/images/cat(1).png", False),
        ("s3://data/images/cat+dog.png", False),
    ],
)
def test_nova_media_keys_take_only_plain_characters(tmp_path: Path, uri: str, valid: bool) -> None:
    line = conversation(turn("user", [*text("What is this?"), image(uri=uri)]), ANSWER)
    report = validate_dataset(write_jsonl(tmp_path, [line]), rules=rules("amazon.nova-lite-v1:0:300k"))
    assert (report.issue(IssueCode.INVALID_S3_URI) is None) is valid


def test_a_nul_in_the_first_line_is_reported_there_not_as_a_binary_file(tmp_path: Path) -> None:
    report = validate_dataset(write_jsonl(tmp_path, [b'{"prompt": "a\x00", "completion": "b"}', chat(1)]))
    assert lines_of(report, IssueCode.NUL_BYTE) == (1,)


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_text_is_told_to_convert(tmp_path: Path, codec: str) -> None:
    path = tmp_path / "train.jsonl"
    path.write_bytes('{"prompt": "café", "completion": "b"}\n'.encode(codec))
    report = validate_dataset(path)
    issue = report.issue(IssueCode.WRONG_ENCODING)
    assert issue is not None
    assert "convert it to UTF-8" in issue.occurrences[0].detail
    assert [i.code for i in report.issues] == [IssueCode.WRONG_ENCODING]


def test_a_training_file_not_named_jsonl_gets_a_warning(tmp_path: Path) -> None:
    report = validate_dataset(write_jsonl(tmp_path, [chat(1)], "train.json"))
    assert lines_of(report, IssueCode.FILE_NAME_NOT_JSONL) == (None,)
    assert report.valid
