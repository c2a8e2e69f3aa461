"""Whole-file checks: empty files, unknown formats, record-count bounds and file-size limits."""

from __future__ import annotations

from dataclasses import dataclass

from workflows.dataset_rules import DatasetRules
from workflows.datasets.validation.codes import IssueCode
from workflows.datasets.validation.issues import IssueLog


@dataclass(frozen=True, slots=True)
class FileSize:
    """A file's record count and size in bytes."""

    records: int
    size_bytes: int


def check_training(log: IssueLog, rules: DatasetRules, file: FileSize, *, format_known: bool) -> None:
    """Bounds of the training file; an empty file is reported once, not also as too small."""
    model = rules.model_name or "this model"
    if file.records == 0:
        log.add(IssueCode.EMPTY_FILE, None, "no non-blank lines")
    elif not format_known:
        log.add(IssueCode.UNKNOWN_FORMAT, None, "no record among the first lines has known keys")
    elif rules.min_records is not None and file.records < rules.min_records:
        detail = f"{file.records:,} records; {model} needs at least {rules.min_records:,}"
        log.add(IssueCode.TOO_FEW_RECORDS, None, detail)
    _at_most(log, IssueCode.TOO_MANY_RECORDS, file.records, rules.max_records, "records", model)
    _at_most(log, IssueCode.FILE_TOO_LARGE, file.size_bytes, rules.max_file_bytes, "bytes", model)


def check_validation(log: IssueLog, rules: DatasetRules, file: FileSize) -> None:
    """Bounds of the validation file."""
    model = rules.model_name or "this model"
    if file.records == 0:
        log.add(IssueCode.EMPTY_FILE, None, "no non-blank lines")
    _at_most(log, IssueCode.TOO_MANY_RECORDS, file.records, rules.max_validation_records, "records", model)
    size_limit = rules.max_validation_file_bytes
    _at_most(log, IssueCode.FILE_TOO_LARGE, file.size_bytes, size_limit, "bytes", model)


def check_total(log: IssueLog, rules: DatasetRules, training: FileSize, validation: FileSize | None) -> None:
    """The bound on training and validation records together, reported with the training file."""
    if rules.max_total_records is None:
        return
    total = training.records + (validation.records if validation else 0)
    if total > rules.max_total_records:
        model = rules.model_name or "this model"
        detail = f"{total:,} records in all; {model} takes at most {rules.max_total_records:,}"
        log.add(IssueCode.TOO_MANY_TOTAL_RECORDS, None, detail)


def _at_most(log: IssueLog, code: IssueCode, value: int, limit: int | None, unit: str, model: str) -> None:
    if limit is not None and value > limit:
        log.add(code, None, f"{value:,} {unit}; {model} takes at most {limit:,}")
