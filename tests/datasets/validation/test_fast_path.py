"""The scan's fast path for clean flat records reports exactly what the general checks report."""

from __future__ import annotations

import io
import random

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from workflows.dataset_rules import CustomizationType, DatasetFormat, DatasetRules
from workflows.datasets.validation.detect import sniff
from workflows.datasets.validation.duplicates import DigestTable
from workflows.datasets.validation.formats.media import MediaTracker
from workflows.datasets.validation.issues import IssueLog
from workflows.datasets.validation.lines import CHUNK_BYTES
from workflows.datasets.validation.plan import make_plan
from workflows.datasets.validation.records import RecordRouter, build_checker
from workflows.datasets.validation.report import Issue
from workflows.datasets.validation.scan import Scanner, ScanResult, ScanSetup
from workflows.datasets.validation.tokens import TokenPolicy, TokenTally

_TEXT = st.sampled_from(["", " ", "\n\t", "What is 2 plus 2?", "It is 4.", "naïve café", "日本語", "😀"]) | st.text(
    max_size=30
)
_VALUE = (
    _TEXT | st.none() | st.integers(-5, 5) | st.lists(_TEXT, max_size=2) | st.dictionaries(_TEXT, _TEXT, max_size=2)
)
_KEYS = st.sampled_from(["prompt", "completion", "input", "x", "messages"])
_RECORD = st.dictionaries(_KEYS, _VALUE, max_size=3).map(orjson.dumps) | st.builds(
    lambda p, c: orjson.dumps({"prompt": p, "completion": c}), _TEXT, _TEXT
)
_ODD = st.sampled_from(
    [
        b"",
        b"   ",
        b'{"prompt": "a", "completion": "b", "prompt": "c"}',
        b'{"completion": "b", "prompt": "a"}',
        b' {"prompt" : "a" , "completion" : "b"} \r',
        b'{"prompt": "\\ud800", "completion": "b"}',
        b'{"prompt": "\\ud83d\\ude00", "completion": "\\u00e9"}',
        b'{"prompt": "\xff", "completion": "b"}',
        b'{"prompt": "\xed\xa0\x80", "completion": "b"}',
        b'\xef\xbb\xbf{"prompt": "a", "completion": "b"}',
        b'{"prompt": "a", "completion": "b"}{}',
        b'{"prompt": "a\x01", "completion": "b"}',
        b'{"prompt": "a", "completion": "b"',
        b'{"input": "a"}',
        b'{"input": " "}',
        b'{"input": "a", "input": ""}',
        b'["prompt", "completion"]',
        b'"prompt"',
        b'{"prompt": "User: hi", "completion": "' + b"x" * 40 + b'"}',
    ]
)
_LINE = st.one_of(_RECORD, _ODD)


def _scan(
    content: bytes, rules: DatasetRules, customization: CustomizationType, *, fast: bool
) -> tuple[ScanResult, tuple[Issue, ...]]:
    plan = make_plan(sniff(content, complete=True), rules, customization)
    media = MediaTracker(plan.rules.media, dataset_bucket=None, model=plan.model)
    setup = ScanSetup(
        router=RecordRouter(plan, build_checker(plan, media)),
        fast=plan.format if fast else None,
        reserved_words=plan.rules.reserved_words,
        max_tokens=plan.rules.max_tokens_per_record,
    )
    log = IssueLog(4)
    tally = TokenTally(expected_records=None, policy=TokenPolicy(exact=False, model=None))
    result = Scanner(setup, log=log, tally=tally, digests=DigestTable()).run(io.BytesIO(content))
    return result, log.issues()


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    lines=st.lists(_LINE, max_size=14),
    repeats=st.lists(st.integers(0, 13), max_size=4),
    flat=st.sampled_from(
        [
            (DatasetFormat.PROMPT_COMPLETION, CustomizationType.INSTRUCTION),
            (DatasetFormat.TEXT_INPUT, CustomizationType.CONTINUED_PRETRAINING),
        ]
    ),
    limit=st.none() | st.integers(1, 30),
    reserved=st.sampled_from([(), ("User:",)]),
)
def test_the_fast_path_and_the_general_checks_agree(
    lines: list[bytes],
    repeats: list[int],
    flat: tuple[DatasetFormat, CustomizationType],
    limit: int | None,
    reserved: tuple[str, ...],
) -> None:
    lines = lines + [lines[i] for i in repeats if i < len(lines)]
    content = b"\n".join(lines) + b"\n"
    rules = DatasetRules(format=flat[0], max_tokens_per_record=limit, reserved_words=reserved)
    assert _scan(content, rules, flat[1], fast=True) == _scan(content, rules, flat[1], fast=False)


@pytest.mark.parametrize(
    "flat",
    [
        (DatasetFormat.PROMPT_COMPLETION, CustomizationType.INSTRUCTION),
        (DatasetFormat.TEXT_INPUT, CustomizationType.CONTINUED_PRETRAINING),
    ],
)
def test_batches_decoded_at_once_halved_or_line_by_line_agree_with_the_general_checks(
    flat: tuple[DatasetFormat, CustomizationType],
) -> None:
    # Many batches: runs of clean records, long and non-ASCII ones, records of other formats,
    # broken and blank lines, CRLF endings and repeats, so every way through the batch is taken.
    rng = random.Random(7)
    keys = ("prompt", "completion") if flat[0] is DatasetFormat.PROMPT_COMPLETION else ("input",)
    odd = [
        b"",
        b"  ",
        b'{"prompt": "a", "completion": "b"',
        b'{"schemaVersion": "bedrock-conversation-2024", "messages": [{"role": "user", "content": [{"text": "q"}]}]}',
        b'{"prompt": "a", "completion": "b", "input": "c"}',
        b'{"prompt": " ", "completion": "b"}',
        b'{"input": ""}',
        b'{"prompt": 1, "completion": "b"}',
        b"[1, 2]",
    ]
    lines: list[bytes] = []
    for index in range(3000):
        roll = rng.random()
        # Mostly clean, with a stretch where records that decode but need the general checks come
        # every few lines.
        odd_share = 0.3 if 1000 <= index < 1400 else 0.02
        if roll < odd_share:
            lines.append(rng.choice(odd[3:7] if odd_share > 0.1 else odd))
        elif roll < odd_share + 0.01 and lines:
            lines.append(rng.choice(lines))
        else:
            words = rng.randint(1, 400 if roll < 0.1 else 40)
            text = " ".join(rng.choice(["the", "refund", "naïve", "日本語", "x=1;", "User:"]) for _ in range(words))
            line = orjson.dumps({key: f"{key} {index} {text}" for key in keys})
            lines.append(line + b"\r" if roll > 0.995 else line)
    content = b"\n".join(lines) + b"\n"
    assert len(content) > 8 * CHUNK_BYTES
    for limit, reserved in ((None, ()), (200, ("User:",))):
        rules = DatasetRules(format=flat[0], max_tokens_per_record=limit, reserved_words=reserved)
        assert _scan(content, rules, flat[1], fast=True) == _scan(content, rules, flat[1], fast=False)
