"""Token counting: nearest-rank percentiles, the per-record limit policy, and the sampled total."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from workflows.dataset_rules import DatasetFormat, DatasetRules
from workflows.datasets.validation import IssueCode, training_tokens, validate_dataset, validation_tokens
from workflows.datasets.validation.stats import nearest_rank
from workflows.datasets.validation.template import PROMPT_COMPLETION_TOKENS
from workflows.datasets.validation.tokens import Population, TokenPolicy, TokenTally, count_tokens

from .support import pc, record, write_jsonl


@pytest.mark.parametrize(
    ("values", "percent", "expected"),
    [
        (list(range(1, 101)), 50, 50),
        (list(range(1, 101)), 95, 95),
        (list(range(1, 101)), 100, 100),
        ([10, 20, 30], 50, 20),
        ([10, 20, 30], 95, 30),
        ([10, 20, 30, 40], 50, 20),
        ([7], 95, 7),
        ([], 50, 0),
    ],
)
def test_nearest_rank(values: list[int], percent: float, expected: int) -> None:
    assert nearest_rank(values, percent) == expected


@pytest.mark.parametrize(
    ("exact", "tokens", "utf8", "chars", "limit", "verdict"),
    [
        (True, 101, 400, 400, 100, IssueCode.TOO_MANY_TOKENS),
        (True, 98, 400, 400, 100, IssueCode.NEAR_TOKEN_LIMIT),
        (True, 90, 400, 400, 100, None),
        # cl100k over-counts CJK for Llama 3: 140 cl100k tokens may be 93 Llama tokens.
        (True, 140, 420, 140, 100, IssueCode.NEAR_TOKEN_LIMIT),
        (True, 160, 480, 160, 100, IssueCode.TOO_MANY_TOKENS),
        # No public tokenizer: reject only when 0.8 × cl100k is over; warn when 1.5 × might be.
        (False, 124, 200, 200, 100, IssueCode.NEAR_TOKEN_LIMIT),
        (False, 126, 200, 200, 100, IssueCode.TOO_MANY_TOKENS),
        (False, 60, 200, 200, 100, None),
        # ... or when AWS's own estimate, a token per three characters, is over.
        (False, 40, 300, 300, 100, IssueCode.NEAR_TOKEN_LIMIT),
        # The UTF-8 length caps the high end: 90 bytes cannot be more than 90 tokens.
        (False, 85, 90, 90, 100, None),
    ],
)
def test_limit_policy_never_rejects_a_record_that_may_fit(
    exact: bool, tokens: int, utf8: int, chars: int, limit: int, verdict: IssueCode | None
) -> None:
    policy = TokenPolicy(exact=exact, model=None)
    assert policy.judge(tokens, utf8, chars, 3, limit) == verdict


@pytest.mark.parametrize(("exact", "utf8", "chars"), [(True, 400, 400), (False, 200, 200), (False, 300, 300)])
def test_a_count_at_the_ceiling_keeps_the_verdict_of_no_count(exact: bool, utf8: int, chars: int) -> None:
    policy = TokenPolicy(exact=exact, model=None)
    ceiling = policy.ceiling(utf8, chars, 3, 100)
    assert policy.judge(ceiling, utf8, chars, 3, 100) == policy.judge(0, utf8, chars, 3, 100)
    assert policy.judge(ceiling + 1, utf8, chars, 3, 100) != policy.judge(0, utf8, chars, 3, 100)


def test_small_files_are_counted_exactly(tmp_path: Path) -> None:
    lines = [pc(i) for i in range(50)]
    report = validate_dataset(write_jsonl(tmp_path, lines))
    expected = sum(
        count_tokens((f"What is {i} plus {i}?", f"It is {2 * i}.")) + PROMPT_COMPLETION_TOKENS for i in range(50)
    )
    tokens = report.stats.tokens
    assert training_tokens(report) == tokens.total == expected
    assert tokens.counted_records == 50
    assert tokens.sampling_error == 0.0
    assert tokens.template_tokens == 50 * PROMPT_COMPLETION_TOKENS


def test_validation_tokens_are_counted_separately(tmp_path: Path) -> None:
    training = write_jsonl(tmp_path, [pc(i) for i in range(5)])
    validation = write_jsonl(tmp_path, [pc(i) for i in range(5, 7)], "validation.jsonl")
    report = validate_dataset(training, validation_path=validation)
    expected = sum(
        count_tokens((f"What is {i} plus {i}?", f"It is {2 * i}.")) + PROMPT_COMPLETION_TOKENS for i in (5, 6)
    )
    assert validation_tokens(report) == expected
    assert validation_tokens(validate_dataset(training)) == 0


def test_llama_rules_give_an_exact_band(tmp_path: Path) -> None:
    rules = DatasetRules(format=DatasetFormat.PROMPT_COMPLETION, token_count_exact=True, model_name="Llama 3.1 8B")
    tokens = validate_dataset(write_jsonl(tmp_path, [pc(i) for i in range(5)]), rules=rules).stats.tokens
    assert tokens.exact
    assert tokens.low == tokens.total == tokens.high


def test_the_longest_record_sets_the_max(tmp_path: Path) -> None:
    long_prompt = "word " * 300
    lines = [pc(i) for i in range(10)] + [record(prompt=long_prompt, completion="done")]
    tokens = validate_dataset(write_jsonl(tmp_path, lines)).stats.tokens
    assert tokens.max == count_tokens((long_prompt, "done")) + PROMPT_COMPLETION_TOKENS


def test_a_sampled_total_is_close_and_states_its_error() -> None:
    rng = random.Random(3)
    words = ["data", "model", "token", "naïve", "日本語", "the", "a", "validation", "x" * 12]
    texts = [(" ".join(rng.choices(words, k=rng.randint(5, 200))), "ok") for _ in range(4000)]
    tally = TokenTally(expected_records=30_000, policy=TokenPolicy(exact=False, model=None))
    counts = {True: [0, 0], False: [0, 0]}
    countdown = {True: 1, False: 1}
    for pair in texts:
        ascii = all(t.isascii() for t in pair)
        size = sum(map(len, pair))
        counts[ascii][0] += 1
        counts[ascii][1] += size
        countdown[ascii] -= 1
        if not countdown[ascii]:
            countdown[ascii] = tally.next_gap()
            tally.sample(pair, size, ascii, 0)
    (ascii_records, ascii_chars), (other_records, other_chars) = counts[True], counts[False]
    stats = tally.finish(Population(ascii_records, ascii_chars, other_records, other_chars, 0), None)
    exact = sum(count_tokens(pair) for pair in texts)
    assert tally.stride == 50
    assert 0 < stats.counted_records < 200
    assert 0 < stats.sampling_error < 0.1
    assert abs(stats.total - exact) / exact <= max(2 * stats.sampling_error, 0.01)
    assert stats.low <= exact <= stats.high
