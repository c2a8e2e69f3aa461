"""Dataset validation for Bedrock fine-tuning: every problem with its line, code and fix, offline.

``validate_dataset(path, ...)`` streams a JSONL file (and an optional validation file) and
returns a ``ValidationReport``; ``report.to_json()`` is the machine-readable form.
"""

from workflows.datasets.validation.codes import CODES, CodeInfo, IssueCode, Severity
from workflows.datasets.validation.plan import generic_rules
from workflows.datasets.validation.report import (
    REPORT_SCHEMA_VERSION,
    DatasetStats,
    FileInfo,
    FileReport,
    Issue,
    Occurrence,
    TokenStats,
    Turns,
    ValidationReport,
    training_tokens,
    validation_tokens,
)
from workflows.datasets.validation.validator import validate_dataset

__all__ = [
    "CODES",
    "REPORT_SCHEMA_VERSION",
    "CodeInfo",
    "DatasetStats",
    "FileInfo",
    "FileReport",
    "Issue",
    "IssueCode",
    "Occurrence",
    "Severity",
    "TokenStats",
    "Turns",
    "ValidationReport",
    "generic_rules",
    "training_tokens",
    "validate_dataset",
    "validation_tokens",
]
