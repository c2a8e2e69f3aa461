"""One hand-made file per error code, with the exact lines where the code must be reported."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from workflows.dataset_rules import CustomizationType, DatasetFormat, DatasetRules, MediaRules
from workflows.datasets.validation import CODES, IssueCode, Severity, validate_dataset
from workflows.datasets.validation.lines import MAX_LINE_BYTES

from .support import (
    chat,
    conversation,
    image,
    lines_of,
    pc,
    prompt,
    record,
    text,
    turn,
    video,
    write_jsonl,
)

PC_RULES = DatasetRules(format=DatasetFormat.PROMPT_COMPLETION)
NOVA = DatasetRules(
    format=DatasetFormat.BEDROCK_CONVERSATION,
    reserved_words=("User:", "[EOS]"),
    media=MediaRules(
        image_formats=frozenset({"png", "jpeg"}),
        video_formats=frozenset({"mp4"}),
        max_images_per_record=2,
        max_videos_per_record=1,
        same_bucket=True,
    ),
    model_name="Nova Lite",
)
TEXT_ONLY = DatasetRules(format=DatasetFormat.BEDROCK_CONVERSATION, model_name="Nova Micro")
LLAMA = DatasetRules(
    format=DatasetFormat.BEDROCK_CONVERSATION,
    exact_schema_version=True,
    max_system_blocks=1,
    model_name="Llama 3.2 1B Instruct",
)
LLAMA_STUDENT = DatasetRules(
    format=DatasetFormat.BEDROCK_CONVERSATION,
    exact_schema_version=True,
    max_system_blocks=1,
    single_turn=True,
    model_name="Llama 3.1 8B Instruct",
)
NOVA_2_LITE_RFT = DatasetRules(format=DatasetFormat.CHAT_PROMPTS, single_turn=True, model_name="Nova 2 Lite")
DISTILL = {"customization": CustomizationType.DISTILLATION}
RFT = {"customization": CustomizationType.REINFORCEMENT}
HUGE_INTEGER = b"1" + b"0" * 5000
USER = turn("user", text("Describe the picture."))
ANSWER = turn("assistant", text("A cat."))
TWENTY_HELLOS = " ".join(["hello"] * 20)  # 20 cl100k tokens, 119 bytes


@dataclass(frozen=True)
class Case:
    code: IssueCode
    lines: list[bytes]
    #: Lines where the code must be reported; (None,) for a whole-file issue.
    expected: tuple[int | None, ...]
    options: dict[str, Any] = field(default_factory=dict)
    validation: list[bytes] | None = None
    name: str = "train.jsonl"


CASES = [
    Case(IssueCode.BLANK_LINE, [pc(1), b"", pc(2), b"  \t"], (2, 4)),
    Case(IssueCode.BOM, [b"\xef\xbb\xbf" + pc(1), pc(2)], (1,)),
    Case(IssueCode.CRLF_LINE_ENDING, [pc(1) + b"\r", pc(2), pc(3) + b"\r"], (1, 3)),
    Case(IssueCode.INVALID_UTF8, [pc(1), b'{"prompt": "caf\xe9", "completion": "x"}'], (2,)),
    Case(IssueCode.INVALID_JSON, [pc(1), b'{"prompt": "a", "completion": "b"', pc(2)], (2,)),
    Case(
        IssueCode.JSON_NON_FINITE_NUMBER,
        [pc(1), b'{"prompt": "a", "completion": "b", "w": NaN}', b'{"prompt": "c", "completion": "d", "w": 1e999}'],
        (2, 3),
    ),
    Case(
        IssueCode.JSON_NUMBER_OUT_OF_RANGE,
        [pc(1), b'{"prompt": "a", "completion": "b", "n": ' + HUGE_INTEGER + b"}"],
        (2,),
    ),
    Case(IssueCode.NUL_BYTE, [pc(1), b'{"prompt": "a\x00b", "completion": "c"}', pc(2)], (2,)),
    Case(IssueCode.WRONG_ENCODING, [(pc(1) + b"\n" + pc(2)).decode().encode("utf-16")], (None,)),
    Case(IssueCode.FILE_NAME_NOT_JSONL, [pc(1), pc(2)], (None,), name="train.json"),
    Case(
        IssueCode.WRONG_SCHEMA_VERSION,
        [chat(1), conversation(USER, ANSWER, version="tooluse-dataset-2024")],
        (2,),
        {"rules": LLAMA},
    ),
    Case(
        IssueCode.TOO_MANY_SYSTEM_BLOCKS,
        [chat(1, system=text("Be brief.")), chat(2, system=[*text("Be brief."), *text("Be kind.")])],
        (2,),
        {"rules": LLAMA},
    ),
    Case(IssueCode.JSON_LONE_SURROGATE, [pc(1), b'{"prompt": "cut \\ud83d", "completion": "b"}'], (2,)),
    Case(
        IssueCode.LINE_TOO_LONG,
        [pc(1), b'{"prompt": "' + b"a" * MAX_LINE_BYTES + b'", "completion": "b"}', pc(2)],
        (2,),
    ),
    Case(IssueCode.NOT_AN_OBJECT, [pc(1), b"[1, 2]", b'"text"'], (2, 3)),
    Case(IssueCode.UNKNOWN_FORMAT, [record(question="a", answer="b")], (None,)),
    Case(
        IssueCode.WRONG_FORMAT,
        [pc(1), pc(2), record(input="some text")],
        (1, 2),
        {"customization": CustomizationType.CONTINUED_PRETRAINING},
    ),
    Case(IssueCode.MIXED_FORMATS, [pc(1), pc(2), record(input="x"), chat(1), pc(3)], (3, 4)),
    Case(IssueCode.MISSING_KEY, [pc(1), record(prompt="a")], (2,)),
    Case(IssueCode.UNKNOWN_KEY, [pc(1), record(prompt="a", completion="b", id=7)], (2,)),
    Case(IssueCode.WRONG_TYPE, [pc(1), record(prompt=1, completion="b")], (2,)),
    Case(
        IssueCode.EMPTY_TEXT, [pc(1), record(prompt=" \n", completion="b"), record(prompt="a", completion="")], (2, 3)
    ),
    Case(IssueCode.SCHEMA_VERSION, [chat(1), conversation(USER, ANSWER, version="v1")], (2,)),
    Case(IssueCode.NO_MESSAGES, [chat(1), conversation()], (2,)),
    Case(IssueCode.INVALID_ROLE, [chat(1), conversation(USER, turn("bot", text("hi")))], (2,)),
    Case(IssueCode.SYSTEM_IN_MESSAGES, [conversation(turn("system", text("Be brief.")), USER, ANSWER)], (1,)),
    Case(IssueCode.FIRST_NOT_USER, [chat(1), conversation(ANSWER, USER, ANSWER)], (2,)),
    Case(IssueCode.LAST_NOT_ASSISTANT, [chat(1), chat(2), conversation(USER)], (3,)),
    Case(IssueCode.ROLES_NOT_ALTERNATING, [conversation(USER, USER, ANSWER), chat(1)], (1,)),
    Case(IssueCode.EMPTY_CONTENT, [chat(1), conversation(turn("user", []), ANSWER)], (2,)),
    Case(
        IssueCode.INVALID_CONTENT_BLOCK, [chat(1), conversation(turn("user", [{"text": "a", **image()}]), ANSWER)], (2,)
    ),
    Case(
        IssueCode.MEDIA_IN_ASSISTANT,
        [chat(1), conversation(USER, turn("assistant", [*text("This one:"), image()]))],
        (2,),
    ),
    Case(
        IssueCode.MEDIA_NOT_ALLOWED,
        [chat(1), conversation(turn("user", [*text("What is it?"), image()]), ANSWER)],
        (2,),
        {"rules": TEXT_ONLY},
    ),
    Case(
        IssueCode.MEDIA_FORMAT,
        [conversation(turn("user", [*text("Look"), image(fmt="bmp")]), ANSWER)],
        (1,),
        {"rules": NOVA, "dataset_s3_uri": "s3://bucket/train.jsonl"},
    ),
    Case(
        IssueCode.TOO_MANY_MEDIA,
        [chat(1), conversation(turn("user", [*text("Compare"), image(), image(), image()]), ANSWER)],
        (2,),
        {"rules": NOVA},
    ),
    Case(
        IssueCode.MIXED_MEDIA_IN_RECORD,
        [chat(1), conversation(turn("user", [*text("Compare"), image(), video()]), ANSWER)],
        (2,),
    ),
    Case(
        IssueCode.MIXED_MEDIA_IN_DATASET,
        [
            conversation(turn("user", [*text("a"), image()]), ANSWER),
            conversation(turn("user", [*text("b"), video()]), ANSWER),
            conversation(turn("user", [*text("c"), image()]), ANSWER),
        ],
        (2,),
    ),
    Case(
        IssueCode.INVALID_S3_URI,
        [chat(1), conversation(turn("user", [*text("a"), image(uri="https://example.com/cat.png")]), ANSWER)],
        (2,),
    ),
    Case(
        IssueCode.MEDIA_BUCKET_MISMATCH,
        [
            conversation(turn("user", [*text("a"), image(uri="s3://data/cat.png")]), ANSWER),
            conversation(turn("user", [*text("b"), image(uri="s3://elsewhere/cat.png")]), ANSWER),
        ],
        (2,),
        {"rules": NOVA, "dataset_s3_uri": "s3://data/train.jsonl"},
    ),
    Case(
        IssueCode.RESERVED_WORD,
        [chat(1), conversation(turn("user", text("User: hi")), ANSWER), chat(2)],
        (2,),
        {"rules": NOVA},
    ),
    Case(
        IssueCode.TOO_MANY_TOKENS,
        [pc(1), record(prompt=TWENTY_HELLOS, completion="ok")],
        (2,),
        {
            "rules": DatasetRules(
                format=DatasetFormat.PROMPT_COMPLETION, max_tokens_per_record=16, token_count_exact=True
            )
        },
    ),
    Case(
        IssueCode.NEAR_TOKEN_LIMIT,
        [pc(1), record(prompt=TWENTY_HELLOS, completion="ok")],
        (2,),
        {"rules": DatasetRules(format=DatasetFormat.PROMPT_COMPLETION, max_tokens_per_record=30)},
    ),
    Case(
        IssueCode.DUPLICATE_RECORD,
        [pc(1), pc(2), b'{ "completion" : "It is 2.",  "prompt" : "What is 1 plus 1?" }', pc(2)],
        (3, 4),
    ),
    Case(
        IssueCode.MULTI_TURN_PROMPT,
        [
            conversation(USER),
            conversation(USER, ANSWER, turn("user", text("And the dog?"))),
            conversation(USER, ANSWER),
        ],
        (2,),
        {**DISTILL, "rules": LLAMA_STUDENT},
    ),
    Case(
        IssueCode.LAST_NOT_USER,
        [prompt(1), prompt(2, extra=[{"role": "assistant", "content": "It is 4."}]), prompt(3)],
        (2,),
        RFT,
    ),
    Case(
        IssueCode.SYSTEM_NOT_FIRST,
        [
            prompt(1),
            record(
                messages=[{"role": "user", "content": "Add 2 and 2."}, {"role": "system", "content": "Be terse."}],
                reference_answer="4",
            ),
        ],
        (2,),
        RFT,
    ),
    Case(
        IssueCode.NO_REFERENCE_ANSWER,
        [
            prompt(1),
            record(messages=[{"role": "user", "content": "Add 2 and 2."}]),
            record(messages=[{"role": "user", "content": "Add 3 and 3."}], reference_answer=None),
            record(messages=[{"role": "user", "content": "Add 4 and 4."}], reference_answer="  "),
        ],
        (2, 3, 4),
        RFT,
    ),
    Case(IssueCode.EMPTY_FILE, [], (None,)),
    Case(
        IssueCode.TOO_FEW_RECORDS,
        [pc(1), pc(2)],
        (None,),
        {"rules": DatasetRules(format=DatasetFormat.PROMPT_COMPLETION, min_records=3)},
    ),
    Case(
        IssueCode.TOO_MANY_RECORDS,
        [pc(1), pc(2)],
        (None,),
        {"rules": DatasetRules(format=DatasetFormat.PROMPT_COMPLETION, max_records=1)},
    ),
    Case(
        IssueCode.TOO_MANY_TOTAL_RECORDS,
        [pc(1), pc(2)],
        (None,),
        {"rules": DatasetRules(format=DatasetFormat.PROMPT_COMPLETION, max_total_records=2)},
        validation=[pc(3)],
    ),
    Case(
        IssueCode.FILE_TOO_LARGE,
        [pc(1)],
        (None,),
        {"rules": DatasetRules(format=DatasetFormat.PROMPT_COMPLETION, max_file_bytes=10)},
    ),
]
#: Codes reported in the validation file's sub-report: (code, training lines, validation lines, lines).
VALIDATION_CASES = [
    (IssueCode.TRAIN_VALIDATION_OVERLAP, [pc(1), pc(2), pc(3)], [pc(9), pc(3), pc(8), pc(1)], (2, 4)),
    (IssueCode.TOO_MANY_RECORDS, [pc(1)], [pc(2), pc(3)], (None,)),
    (IssueCode.FILE_TOO_LARGE, [pc(1)], [pc(2)], (None,)),
    (IssueCode.EMPTY_FILE, [pc(1)], [], (None,)),
]
VALIDATION_RULES = DatasetRules(
    format=DatasetFormat.PROMPT_COMPLETION, max_validation_records=1, max_validation_file_bytes=20
)


def test_every_code_has_a_case() -> None:
    assert {case.code for case in CASES} | {IssueCode.TRAIN_VALIDATION_OVERLAP} == set(IssueCode)


@pytest.mark.parametrize("case", CASES, ids=[case.code.value for case in CASES])
def test_code_is_reported_on_exactly_its_lines(case: Case, tmp_path: Path) -> None:
    path = write_jsonl(tmp_path, case.lines, case.name)
    validation = None if case.validation is None else write_jsonl(tmp_path, case.validation, "validation.jsonl")
    report = validate_dataset(path, validation_path=validation, **case.options)
    assert lines_of(report, case.code) == case.expected
    issue = report.issue(case.code)
    assert issue is not None
    assert issue.count == len(case.expected)
    assert issue.severity is CODES[case.code].severity
    assert report.valid is (not any(i.severity is Severity.ERROR for i in report.issues))


@pytest.mark.parametrize(
    ("code", "training", "validation", "expected"),
    VALIDATION_CASES,
    ids=[case[0].value for case in VALIDATION_CASES],
)
def test_validation_file_codes_are_reported_in_its_sub_report(
    code: IssueCode, training: list[bytes], validation: list[bytes], expected: tuple[int | None, ...], tmp_path: Path
) -> None:
    report = validate_dataset(
        write_jsonl(tmp_path, training),
        validation_path=write_jsonl(tmp_path, validation, "validation.jsonl"),
        rules=VALIDATION_RULES,
    )
    assert lines_of(report.validation, code) == expected
    assert lines_of(report, code) == ()


def test_every_message_says_what_to_do() -> None:
    """Each message names a problem and an action: at least two sentences."""
    for code, info in CODES.items():
        assert info.message.count(". ") + info.message.count(": ") >= 1, code


def test_details_give_the_json_path(tmp_path: Path) -> None:
    lines = [conversation(USER, turn("assistant", [{"text": ""}]), turn("user", text("more")))]
    report = validate_dataset(write_jsonl(tmp_path, lines), customization=CustomizationType.CONVERSATION)
    details = {i.code: i.occurrences[0].detail for i in report.issues}
    assert details == {
        IssueCode.EMPTY_TEXT: "messages[1].content[0].text",
        IssueCode.LAST_NOT_ASSISTANT: "messages[2].role is 'user'",
    }


def test_invalid_utf8_detail_has_the_byte_offset(tmp_path: Path) -> None:
    report = validate_dataset(write_jsonl(tmp_path, [b'{"prompt": "caf\xe9", "completion": "x"}']))
    issue = report.issue(IssueCode.INVALID_UTF8)
    assert issue is not None
    assert issue.occurrences[0].detail == "byte 15 of the line (0xe9)"


def test_reserved_word_detail_names_the_word_and_place(tmp_path: Path) -> None:
    report = validate_dataset(
        write_jsonl(tmp_path, [conversation(turn("user", text("Say [EOS] now")), ANSWER)]), rules=NOVA
    )
    issue = report.issue(IssueCode.RESERVED_WORD)
    assert issue is not None
    assert issue.occurrences[0].detail == "'[EOS]' in messages[0].content[0].text at character 4"


def test_duplicate_detail_names_the_first_occurrence(tmp_path: Path) -> None:
    report = validate_dataset(write_jsonl(tmp_path, [pc(1), pc(2), pc(1)]))
    issue = report.issue(IssueCode.DUPLICATE_RECORD)
    assert issue is not None
    assert issue.occurrences[0].detail == "same content as line 1"


def test_anthropic_reserved_words_apply_without_a_model(tmp_path: Path) -> None:
    lines = [
        record(messages=[{"role": "user", "content": "Hi\n\nHuman: again"}, {"role": "assistant", "content": "Yes"}])
    ]
    report = validate_dataset(write_jsonl(tmp_path, lines))
    issue = report.issue(IssueCode.RESERVED_WORD)
    assert issue is not None
    assert issue.occurrences[0].detail == "'\\nHuman:' in messages[0].content at character 3"


def test_duplicates_ignore_extra_keys_and_layout(tmp_path: Path) -> None:
    """The inline check and the general one normalise a record the same way."""
    lines = [
        pc(1),
        record(completion="It is 2.", prompt="What is 1 plus 1?", id=5),
        b' {"prompt":"What is 1 plus 1?",  "completion":"It is 2."}',
    ]
    report = validate_dataset(write_jsonl(tmp_path, lines))
    assert lines_of(report, IssueCode.DUPLICATE_RECORD) == (2, 3)


def test_a_record_with_an_error_still_gets_its_other_problems(tmp_path: Path) -> None:
    """Bad UTF-8 is reported, and the record is still checked once the bytes are replaced."""
    report = validate_dataset(write_jsonl(tmp_path, [pc(1), b'{"prompt": "caf\xe9", "completion": ""}']))
    assert lines_of(report, IssueCode.INVALID_UTF8) == (2,)
    assert lines_of(report, IssueCode.EMPTY_TEXT) == (2,)
