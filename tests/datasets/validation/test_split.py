"""A file scanned in ranges by several processes gives, to the byte, the report one process gives."""

from __future__ import annotations

import itertools
import json
import multiprocessing
import os
import random
from pathlib import Path

import pytest

from workflows.dataset_rules import CustomizationType, DatasetFormat, DatasetRules
from workflows.datasets.validation import IssueCode, ValidationReport, split, validate_dataset, validator
from workflows.datasets.validation.ranges import Range, cut
from workflows.datasets.validation.token_worker import can_fork

from .support import chat, pc, record

pytestmark = pytest.mark.skipif(not can_fork(), reason="the ranges are scanned in forked processes, on Linux only")

RULES = DatasetRules(format=DatasetFormat.PROMPT_COMPLETION, max_tokens_per_record=300, model_name="Titan")
_WORDS = ["the", "refund", "invoice", "customer", "was", "updated", "naïve", "日本語", "x=1;", "Policy."]


def _long(rng: random.Random, words: int) -> bytes:
    """A record well over, near or under the limit in tokens, and over it in bytes, so it is judged."""
    return record(prompt=" ".join(rng.choice(_WORDS) for _ in range(words)), completion="ok")


def _planted() -> list[bytes]:
    """Lines with a problem of every kind the flat scan reports, some repeated far apart."""
    rng = random.Random(5)
    return [
        b"\xef\xbb\xbf" + pc(0),  # a byte order mark on the first line
        pc(1),
        b"",  # a blank line
        pc(2) + b"\r",  # CRLF
        b'{"prompt": "unterminated',
        record(prompt="Ça coûte 5 €", completion="d'accord"),  # not ASCII
        pc(1),  # a duplicate of line 2
        _long(rng, 400),
        chat(3),  # a conversation record in a prompt/completion file
        record(prompt=" ", completion="blank prompt"),
        b"[1, 2]",
        record(prompt="日本語のテキスト", completion="はい"),
        _long(rng, 150),
        b'{"prompt": "a", "completion": "b", "extra": 1}',
        pc(2),  # a duplicate of a CRLF line's content
        _long(rng, 900),
        b"\xff\xfe not UTF-8",
        pc(4),
    ]


def _report(path: Path, monkeypatch: pytest.MonkeyPatch, ranges: list[Range] | None, cap: int = 2) -> ValidationReport:
    """The report made by one process (``ranges`` None) or by one process per range given."""
    if ranges is not None:
        monkeypatch.setattr(validator, "split_ranges", lambda fd, size: ranges)
    try:
        return validate_dataset(
            path,
            rules=RULES,
            customization=CustomizationType.INSTRUCTION,
            max_examples_per_code=cap,
            parallel=ranges is not None,
        )
    finally:
        monkeypatch.undo()


def _starts(data: bytes) -> list[int]:
    """The offset of every line but the first."""
    return [at + 1 for at, byte in enumerate(data) if byte == ord("\n") and at + 1 < len(data)]


def _ranges(starts: list[int], size: int) -> list[Range]:
    bounds = [0, *starts, size]
    return [Range(start, end) for start, end in itertools.pairwise(bounds)]


def _same(path: Path, monkeypatch: pytest.MonkeyPatch, ranges: list[Range], cap: int = 2) -> ValidationReport:
    one = _report(path, monkeypatch, None, cap)
    many = _report(path, monkeypatch, ranges, cap)
    assert json.dumps(many.to_json()) == json.dumps(one.to_json())
    assert many == one
    return one


@pytest.mark.parametrize("ending", [b"\n", b"\r\n", b"", b"\n\n"], ids=["newline", "crlf", "none", "blank-last"])
def test_a_cut_at_any_line_gives_the_same_report(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ending: bytes
) -> None:
    lines = _planted()
    data = b"\n".join(lines) + ending
    path = tmp_path / "train.jsonl"
    path.write_bytes(data)

    for start in _starts(data):
        _same(path, monkeypatch, _ranges([start], len(data)))
    report = _same(path, monkeypatch, _ranges(_starts(data), len(data)))

    # The file holds what it was made to hold, with more occurrences than are kept.
    codes = {issue.code for issue in report.issues}
    assert {
        IssueCode.BOM,
        IssueCode.BLANK_LINE,
        IssueCode.CRLF_LINE_ENDING,
        IssueCode.INVALID_JSON,
        IssueCode.DUPLICATE_RECORD,
        IssueCode.TOO_MANY_TOKENS,
        IssueCode.MIXED_FORMATS,
        IssueCode.NOT_AN_OBJECT,
    } <= codes
    duplicates = report.issue(IssueCode.DUPLICATE_RECORD)
    assert duplicates is not None
    assert [o.detail for o in duplicates.occurrences] == ["same content as line 2", "same content as line 4"]


def test_ranges_cut_by_size_give_the_same_report_with_a_sample(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Enough records that one in several is counted, in both strata, with errors on both sides of each cut."""
    rng = random.Random(7)
    lines = []
    for index in range(6000):
        roll = rng.random()
        if roll < 0.05:
            lines.append(record(prompt=f"Prix {index} : {'é' * rng.randint(1, 40)}", completion="oui"))
        elif roll < 0.07:
            lines.append(_long(rng, rng.randint(100, 900)))
        elif roll < 0.08:
            lines.append(pc(rng.randint(0, index)))  # a duplicate, often from another range
        elif roll < 0.085:
            lines.append(b"not json")
        else:
            lines.append(pc(index))
    path = tmp_path / "train.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    fd = os.open(path, os.O_RDONLY)
    try:
        ranges = cut(fd, path.stat().st_size, 5)
    finally:
        os.close(fd)
    assert len(ranges) == 5

    report = _same(path, monkeypatch, ranges, cap=3)

    tokens = report.stats.tokens
    assert 0 < tokens.counted_records < report.stats.records
    assert report.issue(IssueCode.DUPLICATE_RECORD) is not None


def test_a_thinned_sample_is_drawn_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Long first lines make the file look short, so every record is sampled until the sample is thinned."""
    rng = random.Random(3)
    lines = [_long(rng, 1500) for _ in range(3)] + [pc(index) for index in range(2500)]
    lines += [record(prompt=f"née {index}", completion="oui") for index in range(1200)]
    path = tmp_path / "train.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    data = path.read_bytes()
    starts = _starts(data)

    report = _same(path, monkeypatch, _ranges(starts[1000:3001:1000], len(data)))

    assert report.stats.tokens.counted_records < 1000 < report.stats.records


def test_the_validation_file_is_checked_against_the_training_file_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    training = tmp_path / "train.jsonl"
    training.write_bytes(b"".join(pc(index) + b"\n" for index in range(40)))
    held_out = tmp_path / "validation.jsonl"
    held_out.write_bytes(b"".join(pc(index) + b"\n" for index in range(30, 60, 3)))

    def report(ranges: bool) -> ValidationReport:
        if ranges:
            monkeypatch.setattr(validator, "split_ranges", lambda fd, size: cut(fd, size, 3))
        try:
            return validate_dataset(training, rules=RULES, validation_path=held_out, parallel=ranges)
        finally:
            monkeypatch.undo()

    assert report(True) == report(False)
    assert report(False).validation is not None


def test_cuts_fall_after_a_newline_and_cover_the_file(tmp_path: Path) -> None:
    data = b"\xef\xbb\xbf{}\r\n" + b"x" * 5000 + b"\n\n" + b"y" * 100 + b"\nlast"
    path = tmp_path / "train.jsonl"
    path.write_bytes(data)
    fd = os.open(path, os.O_RDONLY)
    try:
        for parts in range(1, 12):
            ranges = cut(fd, len(data), parts)
            assert ranges[0].start == 0
            assert ranges[-1].end == len(data)
            assert all(a.end == b.start for a, b in itertools.pairwise(ranges))
            assert all(data[part.start - 1] == ord("\n") for part in ranges[1:])
            assert all(part.start < part.end for part in ranges)
    finally:
        os.close(fd)


def test_small_files_and_one_processor_are_not_split_and_many_processors_are_capped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "train.jsonl"
    path.write_bytes(b"".join(pc(index) + b"\n" for index in range(100)))
    fd = os.open(path, os.O_RDONLY)
    try:
        assert split.split_ranges(fd, path.stat().st_size) == [Range(0, path.stat().st_size)]
        monkeypatch.setattr(split, "SPLIT_FROM_BYTES", 0)
        monkeypatch.setattr(split, "RANGE_BYTES", 1)
        monkeypatch.setattr(split.os, "cpu_count", lambda: 3)
        assert len(split.split_ranges(fd, path.stat().st_size)) == 3
        monkeypatch.setattr(split.os, "cpu_count", lambda: 64)
        assert len(split.split_ranges(fd, path.stat().st_size)) == split.MAX_PROCESSES
        monkeypatch.setattr(split.os, "cpu_count", lambda: 1)
        assert len(split.split_ranges(fd, path.stat().st_size)) == 1
    finally:
        os.close(fd)


def test_a_failing_range_fails_the_scan_and_leaves_no_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "train.jsonl"
    path.write_bytes(b"".join(pc(index) + b"\n" for index in range(200)))
    # Reading a sampled record again fails in the second process: it reports why, and the scan fails.
    monkeypatch.setattr(validator, "split_ranges", lambda fd, size: cut(fd, size, 2))
    monkeypatch.setattr(split, "_count", _explode)
    with pytest.raises(RuntimeError, match="stopped before it finished: OSError: disk on fire"):
        validate_dataset(path, rules=RULES, parallel=True)
    assert not [child for child in multiprocessing.active_children() if child.name == "scan-range"]


def _explode(*args: object) -> object:
    raise OSError("disk on fire")


def test_the_command_scans_in_ranges_and_says_so_when_a_range_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.__main__ import main

    path = tmp_path / "train.jsonl"
    path.write_bytes(b"".join(pc(index) + b"\n" for index in range(300)) + b"not json\n" + pc(3) + b"\n")
    args = ["validate", str(path), "--type", "instruction", "--json"]
    assert main(args) == 1
    one = capsys.readouterr().out
    monkeypatch.setattr(split, "SPLIT_FROM_BYTES", 0)
    monkeypatch.setattr(split, "RANGE_BYTES", 1)
    monkeypatch.setattr(split.os, "cpu_count", lambda: 3)
    assert main(args) == 1
    assert capsys.readouterr().out == one

    monkeypatch.setattr(split, "_count", _explode)
    assert main(args) == 2
    error = capsys.readouterr().err
    assert error.count("\n") == 1
    assert "could not finish the check: a process scanning part of the file stopped" in error
