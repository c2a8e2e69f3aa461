"""The report as a whole: exact lines, capped occurrences with exact counts, JSON form, progress."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from workflows.datasets.validation import REPORT_SCHEMA_VERSION, IssueCode, Severity, validate_dataset

from .support import all_lines, lines_of, pc, record, write_jsonl


def test_problems_on_lines_3_7_and_12_are_reported_on_exactly_those_lines(tmp_path: Path) -> None:
    lines = [pc(i) for i in range(1, 15)]
    lines[2] = b'{"prompt": "unterminated'
    lines[6] = record(prompt="What?", completion="   ")
    lines[11] = b""
    report = validate_dataset(write_jsonl(tmp_path, lines))
    assert all_lines(report) == {3, 7, 12}
    assert lines_of(report, IssueCode.INVALID_JSON) == (3,)
    assert lines_of(report, IssueCode.EMPTY_TEXT) == (7,)
    assert lines_of(report, IssueCode.BLANK_LINE) == (12,)
    assert report.stats.lines == 14
    assert report.stats.records == 13


def test_occurrences_are_capped_while_counts_stay_exact(tmp_path: Path) -> None:
    lines = [pc(i) if i % 3 else b"[]" for i in range(1, 3001)]
    lines += [pc(1)] * 700
    report = validate_dataset(write_jsonl(tmp_path, lines), max_examples_per_code=5)
    not_objects = report.issue(IssueCode.NOT_AN_OBJECT)
    duplicates = report.issue(IssueCode.DUPLICATE_RECORD)
    assert not_objects is not None
    assert duplicates is not None
    assert not_objects.count == 1000
    assert not_objects.lines == (3, 6, 9, 12, 15)
    assert duplicates.count == 700
    assert duplicates.lines == (3001, 3002, 3003, 3004, 3005)
    assert report.to_json()["errors"] == 1000
    assert report.to_json()["warnings"] == 700


def test_errors_come_before_warnings(tmp_path: Path) -> None:
    report = validate_dataset(write_jsonl(tmp_path, [pc(1), pc(1), b"", record(prompt="a", completion="b", x=1)]))
    severities = [issue.severity for issue in report.issues]
    assert severities == sorted(severities, key=lambda s: s is not Severity.ERROR)
    assert not report.valid


def test_warnings_alone_leave_the_dataset_valid(tmp_path: Path) -> None:
    report = validate_dataset(write_jsonl(tmp_path, [pc(1), pc(1) + b"\r"]))
    assert {i.code for i in report.issues} == {IssueCode.DUPLICATE_RECORD, IssueCode.CRLF_LINE_ENDING}
    assert report.valid


def test_json_report_is_one_serialisable_object_without_paths(tmp_path: Path) -> None:
    training = write_jsonl(tmp_path, [pc(1), pc(2), b"oops"])
    validation = write_jsonl(tmp_path, [pc(2)], "validation.jsonl")
    data = report_json = validate_dataset(training, validation_path=validation).to_json()
    text = json.dumps(report_json)
    assert str(tmp_path) not in text
    assert data["schema_version"] == REPORT_SCHEMA_VERSION
    assert data["valid"] is False
    assert data["file"] == {"name": "train.jsonl", "size_bytes": training.stat().st_size}
    assert data["customization"] == "instruction"
    assert data["format"] == "prompt-completion"
    assert data["detected"] is True
    assert data["issues"][0]["code"] == "invalid-json"
    assert data["issues"][0]["occurrences"] == [
        {"line": 3, "detail": "byte 0: unexpected character, expected a JSON value near 'oops'"}
    ]
    assert set(data["stats"]["tokens"]) == {
        "total", "low", "high", "p50", "p95", "max", "template_tokens", "tokenizer", "exact",
        "counted_records", "sampling_error", "method",
    }  # fmt: skip
    assert data["validation"]["valid"] is True
    assert data["validation"]["issues"][0]["code"] == "train-validation-overlap"
    assert data["validation"]["stats"]["records"] == 1


def test_progress_covers_both_files(tmp_path: Path) -> None:
    training = write_jsonl(tmp_path, [pc(i) for i in range(100)])
    validation = write_jsonl(tmp_path, [pc(i) for i in range(100, 120)], "validation.jsonl")
    total = training.stat().st_size + validation.stat().st_size
    calls: list[tuple[int, int]] = []
    validate_dataset(training, validation_path=validation, progress=lambda done, all_: calls.append((done, all_)))
    assert calls[-1] == (total, total)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)
    assert {all_ for _, all_ in calls} == {total}


def test_a_missing_file_raises_os_error(tmp_path: Path) -> None:
    with pytest.raises(OSError, match=r"absent\.jsonl"):
        validate_dataset(tmp_path / "absent.jsonl")
