"""Records that may be over the token limit, judged in a second process, give the report judged here."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from workflows.dataset_rules import DatasetFormat, DatasetRules
from workflows.datasets.validation import IssueCode, validate_dataset
from workflows.datasets.validation.issues import IssueLog
from workflows.datasets.validation.token_worker import can_fork

from .support import pc, record, write_jsonl

_WORDS = ["the", "refund", "invoice", "customer", "was", "updated", "naïve", "日本語", "x=1;", "Policy."]


def _text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(_WORDS) for _ in range(words))


@pytest.mark.skipif(not can_fork(), reason="the second process is forked, on Linux only")
def test_a_second_process_gives_the_same_report(tmp_path: Path) -> None:
    rng = random.Random(11)
    lines = []
    for index in range(400):
        if index % 9 == 0:
            # Long records: some well under the limit in tokens, some near it, some over.
            lines.append(record(prompt=_text(rng, rng.randint(50, 700)), completion=_text(rng, 20)))
        else:
            lines.append(pc(index))
    path = write_jsonl(tmp_path, lines)
    rules = DatasetRules(format=DatasetFormat.PROMPT_COMPLETION, max_tokens_per_record=400, model_name="Titan")

    here = validate_dataset(path, rules=rules, max_examples_per_code=5)
    there = validate_dataset(path, rules=rules, max_examples_per_code=5, parallel=True)

    assert there == here
    # The file exercises every verdict, with more occurrences than are kept.
    assert here.issue(IssueCode.TOO_MANY_TOKENS) is not None
    near = here.issue(IssueCode.NEAR_TOKEN_LIMIT)
    assert near is not None
    assert near.count > len(near.occurrences) == 5
    assert here.stats.tokens.max > 400


def test_merging_logs_keeps_exact_counts_and_the_first_occurrences() -> None:
    mine, theirs = IssueLog(3), IssueLog(3)
    mine.add(IssueCode.TOO_MANY_TOKENS, 1, "a")
    mine.add(IssueCode.TOO_MANY_TOKENS, 2, "b")
    for line in (5, 6, 7):
        theirs.add(IssueCode.TOO_MANY_TOKENS, line, "c")
        theirs.add(IssueCode.NEAR_TOKEN_LIMIT, line, "d")

    mine.merge(theirs)

    issues = {issue.code: issue for issue in mine.issues()}
    too_many = issues[IssueCode.TOO_MANY_TOKENS]
    assert too_many.count == 5
    assert [o.line for o in too_many.occurrences] == [1, 2, 5]
    assert [o.line for o in issues[IssueCode.NEAR_TOKEN_LIMIT].occurrences] == [5, 6, 7]
