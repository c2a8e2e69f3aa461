"""A validation report for people: a short Slack summary with the first errors, and the full text report."""

from __future__ import annotations

from workflows.datasets.validation.codes import Severity
from workflows.datasets.validation.report import FileReport, Issue, ValidationReport
from workflows.messages import Message
from workflows.setup.model import DatasetRole
from workflows.slack_text import code

#: Occurrences listed in the thread; the rest are in the attached full report.
SHOWN_IN_THREAD = 10


def checked_part(report: ValidationReport, role: DatasetRole) -> ValidationReport | FileReport:
    """The part of the report about the file being checked: the validation file's, or the training file's."""
    if role is DatasetRole.VALIDATION and report.validation is not None:
        return report.validation
    return report


def summary_message(report: ValidationReport, *, name: str, role: DatasetRole) -> Message:
    """The thread reply once a dataset is checked: verdict, counts, the first problems and the estimate."""
    part = checked_part(report, role)
    issues = part.issues
    errors = _count(issues, Severity.ERROR)
    stats = part.stats
    tokens = stats.tokens
    if part.valid:
        text = f"{code(name)} is ready: {stats.records:,} records, about {tokens.total:,} tokens."
    else:
        text = f"{code(name)} has {errors:,} problem{'s' if errors != 1 else ''} to fix before training."
    facts = [
        ("Records", f"{stats.records:,} ({stats.lines:,} lines)"),
        (
            "Tokens",
            f"about {tokens.total:,} (range {tokens.low:,}–{tokens.high:,}); per record p50 {tokens.p50:,}, "
            f"p95 {tokens.p95:,}, max {tokens.max:,}",
        ),
        ("Characters", f"{stats.characters:,}"),
    ]
    if report.turns is not None and role is DatasetRole.TRAINING:
        facts.append(("Conversations", report.turns.value))
    details = [line for line in _first_problems(issues)]
    hidden = _occurrences(issues) - min(_occurrences(issues), SHOWN_IN_THREAD)
    if hidden:
        details.append(f"…and {hidden:,} more; the full report is attached below.")
    if not part.valid:
        details.append("Fix these lines and upload the corrected file in this thread (or type its `s3://` URI).")
    context = " ".join(
        filter(None, [report.note if role is DatasetRole.TRAINING else None, report.mismatch, tokens.method])
    )
    return Message(text=text, details=tuple(details), facts=tuple(facts), context=context or None)


def needs_full_report(report: ValidationReport, *, role: DatasetRole) -> bool:
    """True when the thread shows only part of the problems."""
    return _occurrences(checked_part(report, role).issues) > SHOWN_IN_THREAD


def full_report_text(report: ValidationReport, *, name: str) -> str:
    """Every kept occurrence of every issue, grouped by code, with the exact counts."""
    lines = [f"Validation report for {name}", report.note]
    if report.mismatch:
        lines.append(report.mismatch)
    lines += _file_section(report.issues)
    if report.validation is not None:
        lines += ["", f"Validation file {report.validation.file.name}", *_file_section(report.validation.issues)]
    return "\n".join(lines) + "\n"


def _file_section(issues: tuple[Issue, ...]) -> list[str]:
    if not issues:
        return ["No problems found."]
    lines = []
    for issue in issues:
        lines += ["", f"[{issue.severity.value}] {issue.code.value}: {issue.count:,} × {issue.message}"]
        lines += [f"  {_where(o.line)}: {o.detail}" for o in issue.occurrences]
        if issue.count > len(issue.occurrences):
            lines.append(f"  … {issue.count - len(issue.occurrences):,} more not listed")
    return lines


def _first_problems(issues: tuple[Issue, ...]) -> list[str]:
    """Errors first, then warnings, in line order, at most ``SHOWN_IN_THREAD``."""
    ordered = sorted(issues, key=lambda i: (i.severity is not Severity.ERROR, i.code.value))
    found = [(issue, occurrence) for issue in ordered for occurrence in issue.occurrences]
    shown = found[:SHOWN_IN_THREAD]
    return [
        f"• {_where(o.line)} — `{issue.code.value}`{' (warning)' if issue.severity is Severity.WARNING else ''}: "
        f"{issue.message} {o.detail}".rstrip()
        for issue, o in shown
    ]


def _where(line: int | None) -> str:
    return f"Line {line}" if line is not None else "Whole file"


def _count(issues: tuple[Issue, ...], severity: Severity) -> int:
    return sum(issue.count for issue in issues if issue.severity is severity)


def _occurrences(issues: tuple[Issue, ...]) -> int:
    return sum(issue.count for issue in issues)


__all__ = ["checked_part", "full_report_text", "needs_full_report", "summary_message"]
