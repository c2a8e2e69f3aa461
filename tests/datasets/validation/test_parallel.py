"""Token work in a second process gives the report made in one, and its loss fails the scan loudly."""

from __future__ import annotations

import io
import multiprocessing
import os
import random
import signal
from pathlib import Path

import pytest

from workflows.dataset_rules import CustomizationType, DatasetFormat, DatasetRules
from workflows.datasets.validation import IssueCode, validate_dataset
from workflows.datasets.validation.detect import sniff
from workflows.datasets.validation.duplicates import DigestTable
from workflows.datasets.validation.formats.media import MediaTracker
from workflows.datasets.validation.issues import IssueLog
from workflows.datasets.validation.lines import CHUNK_BYTES
from workflows.datasets.validation.plan import make_plan
from workflows.datasets.validation.records import RecordRouter, build_checker
from workflows.datasets.validation.scan import Scanner, ScanSetup
from workflows.datasets.validation.token_worker import can_fork
from workflows.datasets.validation.tokens import TokenPolicy, TokenTally

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


class _KillingStream:
    """A file that SIGKILLs the token process once the scan has started it, as the OOM killer might."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)
        self._reads = 0

    def read(self, size: int, /) -> bytes:
        self._reads += 1
        if self._reads == 2:
            for child in multiprocessing.active_children():
                if child.name == "token-work" and child.pid is not None:
                    os.kill(child.pid, signal.SIGKILL)
                    child.join()
        return self._data.read(size)


@pytest.mark.skipif(not can_fork(), reason="the second process is forked, on Linux only")
def test_a_killed_token_process_fails_the_scan_instead_of_reporting_less() -> None:
    lines = [pc(index) for index in range(5000)]
    content = b"".join(line + b"\n" for line in lines)
    rules = DatasetRules(format=DatasetFormat.PROMPT_COMPLETION, max_tokens_per_record=400)
    plan = make_plan(sniff(content[:65536], complete=False), rules, CustomizationType.INSTRUCTION)
    setup = ScanSetup(
        router=RecordRouter(plan, build_checker(plan, MediaTracker(plan.rules.media, dataset_bucket=None, model=""))),
        fast=plan.format,
        reserved_words=(),
        max_tokens=400,
        parallel=True,
    )
    tally = TokenTally(expected_records=None, policy=TokenPolicy(exact=False, model=None))
    scanner = Scanner(setup, log=IssueLog(5), tally=tally, digests=DigestTable())
    assert len(content) > 3 * CHUNK_BYTES
    with pytest.raises(RuntimeError, match="stopped before it finished"):
        scanner.run(_KillingStream(content))
    assert not [child for child in multiprocessing.active_children() if child.name == "token-work"]
