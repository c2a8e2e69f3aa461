"""Arbitrary bytes never crash the validator, and every line it reports lies within the file."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workflows.dataset_rules import CustomizationType, DatasetFormat, DatasetRules, MediaRules
from workflows.datasets.validation import IssueCode, validate_dataset
from workflows.datasets.validation.encoding import TextKind, text_kind
from workflows.exceptions import DatasetNotText

from .support import chat, pc

_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**63 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
_KEYS = st.sampled_from(
    ["prompt", "completion", "input", "messages", "schemaVersion", "system", "role", "reference_answer", "x"]
)
_RECORD = st.dictionaries(_KEYS, _JSON, max_size=4).map(orjson.dumps)
_SPECIAL = st.sampled_from(
    [
        b"",
        b"\r",
        b"\x00",
        b"\xef\xbb\xbf" + pc(1),
        pc(1) + b"\r",
        b'{"prompt": "\xff\xfe", "completion": "x"}',
        b'{"prompt": NaN, "completion": Infinity}',
        b'{"prompt": "\\udc00", "completion": "\\ud800"}',
        b'{"prompt": 1' + b"0" * 400 + b', "completion": 1e999}',
        b"[" * 3000 + b"]" * 3000,
        b'{"a": ' * 600 + b"1" + b"}" * 600,
        b"\xe2\x80\xa8",
        chat(1),
        b'{"messages": [{"role": "system", "content": [{"video": {}}]}], "schemaVersion": 3}',
        b'{"messages": [{"role": "user", "content": [{"type": "text"}, 3, {"type": 1}]}], "reference_answer": []}',
        b'{"messages": [{"role": "system", "content": "a"}, {"role": null}], "reference_answer": {"x": NaN}}',
        b'{"messages": "hi", "reference_answer": null}',
        b'{"schemaVersion": "bedrock-conversation-2024", "messages": [{"role": "user", "content": [{"text": "q"}]}]}',
    ]
)
_LINE = st.one_of(st.binary(max_size=40), _RECORD, _SPECIAL, st.just(pc(2)))
_RULES = st.sampled_from(
    [
        None,
        DatasetRules(
            format=DatasetFormat.BEDROCK_CONVERSATION,
            reserved_words=("User:",),
            media=MediaRules(image_formats=frozenset({"png"}), max_images_per_record=1, same_bucket=True),
            max_tokens_per_record=5,
            min_records=3,
        ),
        DatasetRules(format=DatasetFormat.PROMPT_COMPLETION, max_tokens_per_record=3, token_count_exact=True),
        DatasetRules(format=DatasetFormat.CHAT_PROMPTS, single_turn=True, min_records=2, max_prompt_tokens=4),
        DatasetRules(format=DatasetFormat.BEDROCK_CONVERSATION, single_turn=True, max_records=3),
    ]
)


def _line_count(content: bytes) -> int:
    return content.count(b"\n") + (1 if content and not content.endswith(b"\n") else 0)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    lines=st.lists(_LINE, max_size=12),
    validation_lines=st.none() | st.lists(_LINE, max_size=4),
    final_newline=st.booleans(),
    rules=_RULES,
    customization=st.none() | st.sampled_from(list(CustomizationType)),
)
def test_any_bytes_give_a_report_with_lines_inside_the_file(
    lines: list[bytes],
    validation_lines: list[bytes] | None,
    final_newline: bool,
    rules: DatasetRules | None,
    customization: CustomizationType | None,
) -> None:
    content = b"\n".join(lines) + (b"\n" if final_newline and lines else b"")
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "train.jsonl"
        path.write_bytes(content)
        validation = None
        if validation_lines is not None:
            validation = Path(directory) / "validation.jsonl"
            validation.write_bytes(b"\n".join(validation_lines))
        heads = [content, *([] if validation_lines is None else [b"\n".join(validation_lines)])]
        if any(text_kind(head) is TextKind.BINARY for head in heads):
            # Binary data is refused as a whole, with its own error; never a crash.
            with pytest.raises(DatasetNotText):
                validate_dataset(path, rules=rules, customization=customization, validation_path=validation)
            return
        report = validate_dataset(
            path, rules=rules, customization=customization, validation_path=validation, max_examples_per_code=3
        )
        json.dumps(report.to_json())
    if report.issue(IssueCode.WRONG_ENCODING) is not None:
        # UTF-16 or UTF-32 text is reported once as a whole, not line by line.
        assert report.stats.lines == 0
        return
    assert report.stats.lines == _line_count(content)
    for issue in report.issues:
        assert issue.count >= len(issue.occurrences)
        for occurrence in issue.occurrences:
            assert occurrence.line is None or 1 <= occurrence.line <= report.stats.lines
    if report.validation is not None:
        for issue in report.validation.issues:
            for occurrence in issue.occurrences:
                assert occurrence.line is None or 1 <= occurrence.line <= report.validation.stats.lines
