"""The validation report: frozen records, and their one JSON form (documented in the README)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from workflows.dataset_rules import CustomizationType, DatasetFormat
from workflows.datasets.validation.codes import IssueCode, Severity

#: Bumped whenever a key of ``to_json()`` changes meaning or disappears.
REPORT_SCHEMA_VERSION = 1


class Turns(StrEnum):
    """Whether a conversation dataset holds one user turn per record, several, or both."""

    SINGLE = "single-turn"
    MULTI = "multi-turn"
    MIXED = "mixed"


@dataclass(frozen=True, slots=True)
class Occurrence:
    """Where one problem is: the 1-based line (None for the whole file) and a precise detail."""

    line: int | None
    detail: str


@dataclass(frozen=True, slots=True)
class Issue:
    """Every occurrence of one code in one file: the exact count and the first few places."""

    code: IssueCode
    severity: Severity
    message: str
    count: int
    occurrences: tuple[Occurrence, ...]

    @property
    def lines(self) -> tuple[int, ...]:
        """The line numbers of the occurrences kept (whole-file occurrences have none)."""
        return tuple(o.line for o in self.occurrences if o.line is not None)


@dataclass(frozen=True, slots=True)
class TokenStats:
    """Token counts of a file, with how they were obtained and how far they can be off."""

    #: Estimated tokens in the file, template overhead included; what training bills per epoch.
    total: int
    #: The range the true total lies in, given the sample and the tokenizer's fit to the model.
    low: int
    high: int
    #: Per-record tokens (template included), nearest-rank percentiles over the counted records.
    p50: int
    p95: int
    #: The largest per-record count found (the longest record is always counted).
    max: int
    #: Tokens in ``total`` that come from the approximate per-record prompt template.
    template_tokens: int
    #: The offline tokenizer used.
    tokenizer: str
    #: True when the tokenizer is the model's own, or counts the same (Llama 3 and cl100k).
    exact: bool
    #: Records tokenized; the percentiles come from these. Equal to the records when not sampled.
    counted_records: int
    #: Relative half-width of the 95% interval of the sampled total (0.0 when every record counted).
    sampling_error: float
    #: How the numbers were obtained and how far off they may be, in words.
    method: str


@dataclass(frozen=True, slots=True)
class DatasetStats:
    """Sizes of one file's content."""

    lines: int
    #: Non-blank lines: every one is meant to be a record.
    records: int
    #: Characters of training text (prompts, completions, inputs, system prompts, turns).
    characters: int
    #: Conversation records with one user turn, and with more than one.
    single_turn_records: int
    multi_turn_records: int
    tokens: TokenStats


@dataclass(frozen=True, slots=True)
class FileInfo:
    """Which file was read: its name (never its full path) and size."""

    name: str
    size_bytes: int


@dataclass(frozen=True, slots=True)
class FileReport:
    """The findings for one file (used for the validation file)."""

    file: FileInfo
    issues: tuple[Issue, ...]
    stats: DatasetStats

    @property
    def valid(self) -> bool:
        return not any(i.severity is Severity.ERROR for i in self.issues)

    def issue(self, code: IssueCode) -> Issue | None:
        """The issue with this code, if the file has it."""
        return next((i for i in self.issues if i.code is code), None)

    def to_json(self) -> dict[str, Any]:
        return {"valid": self.valid, **_file_json(self.file, self.issues, self.stats)}


@dataclass(frozen=True, slots=True)
class ValidationReport:
    """Everything the validator found about a training file and its optional validation file."""

    file: FileInfo
    #: The format the records were checked against (None when it could not be told).
    format: DatasetFormat | None
    customization: CustomizationType | None
    #: True when the customization type was inferred from the records rather than given.
    detected: bool
    #: How the type and format were chosen, in one sentence.
    note: str
    #: Why the data does not fit the chosen type or model, when it does not.
    mismatch: str | None
    #: Single- or multi-turn, for conversation data.
    turns: Turns | None
    #: The model whose rules were applied (None: generic rules for the format).
    model_name: str | None
    issues: tuple[Issue, ...]
    stats: DatasetStats
    validation: FileReport | None = None

    @property
    def valid(self) -> bool:
        """No errors in either file; warnings are allowed."""
        own = not any(i.severity is Severity.ERROR for i in self.issues)
        return own and (self.validation is None or self.validation.valid)

    def issue(self, code: IssueCode) -> Issue | None:
        """The training file's issue with this code, if any."""
        return next((i for i in self.issues if i.code is code), None)

    def to_json(self) -> dict[str, Any]:
        """One JSON-serialisable object; the schema is documented in the README."""
        return {
            "schema_version": REPORT_SCHEMA_VERSION,
            "valid": self.valid,
            "format": None if self.format is None else self.format.value,
            "customization": None if self.customization is None else self.customization.value,
            "detected": self.detected,
            "note": self.note,
            "mismatch": self.mismatch,
            "turns": None if self.turns is None else self.turns.value,
            "model": self.model_name,
            **_file_json(self.file, self.issues, self.stats),
            "validation": None if self.validation is None else self.validation.to_json(),
        }


def training_tokens(report: ValidationReport) -> int:
    """Estimated tokens of the training file (per epoch), for the cost estimate."""
    return report.stats.tokens.total


def validation_tokens(report: ValidationReport) -> int:
    """Estimated tokens of the validation file (0 without one)."""
    return 0 if report.validation is None else report.validation.stats.tokens.total


def _file_json(file: FileInfo, issues: tuple[Issue, ...], stats: DatasetStats) -> dict[str, Any]:
    return {
        "file": {"name": file.name, "size_bytes": file.size_bytes},
        "errors": sum(i.count for i in issues if i.severity is Severity.ERROR),
        "warnings": sum(i.count for i in issues if i.severity is Severity.WARNING),
        "issues": [_issue_json(i) for i in issues],
        "stats": _stats_json(stats),
    }


def _issue_json(issue: Issue) -> dict[str, Any]:
    return {
        "code": issue.code.value,
        "severity": issue.severity.value,
        "message": issue.message,
        "count": issue.count,
        "occurrences": [{"line": o.line, "detail": o.detail} for o in issue.occurrences],
    }


def _stats_json(stats: DatasetStats) -> dict[str, Any]:
    t = stats.tokens
    return {
        "lines": stats.lines,
        "records": stats.records,
        "characters": stats.characters,
        "single_turn_records": stats.single_turn_records,
        "multi_turn_records": stats.multi_turn_records,
        "tokens": {
            "total": t.total,
            "low": t.low,
            "high": t.high,
            "p50": t.p50,
            "p95": t.p95,
            "max": t.max,
            "template_tokens": t.template_tokens,
            "tokenizer": t.tokenizer,
            "exact": t.exact,
            "counted_records": t.counted_records,
            "sampling_error": round(t.sampling_error, 4),
            "method": t.method,
        },
    }
