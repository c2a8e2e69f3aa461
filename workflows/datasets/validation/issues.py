"""Collects the problems of one file: exact counts per code, and the first few places of each."""

from __future__ import annotations

from workflows.datasets.validation.codes import CODES, IssueCode, Severity
from workflows.datasets.validation.report import Issue, Occurrence

_ORDER = {code: index for index, code in enumerate(IssueCode)}


class IssueLog:
    """Counts every occurrence and keeps at most ``cap`` of each code, so memory stays bounded."""

    __slots__ = ("_cap", "_counts", "_kept")

    def __init__(self, cap: int) -> None:
        self._cap = max(cap, 0)
        self._counts: dict[IssueCode, int] = {}
        self._kept: dict[IssueCode, list[Occurrence]] = {}

    def add(self, code: IssueCode, line: int | None, detail: str = "") -> None:
        """Record one occurrence of ``code`` at a 1-based line (None: the whole file)."""
        count = self._counts.get(code, 0) + 1
        self._counts[code] = count
        if count <= self._cap:
            self._kept.setdefault(code, []).append(Occurrence(line, detail))

    @property
    def cap(self) -> int:
        """Occurrences kept per code."""
        return self._cap

    def merge(self, other: IssueLog, lines_before: int = 0) -> None:
        """Add ``other``'s occurrences after this log's own, per code (exact counts, the first ``cap`` kept).

        ``lines_before``: ``other`` numbered the lines of a part of the file from 1, and this many
        lines come before that part.
        """
        for code, count in other._counts.items():
            self._counts[code] = self._counts.get(code, 0) + count
            kept = self._kept.setdefault(code, [])
            taken = other._kept.get(code, [])[: max(self._cap - len(kept), 0)]
            if lines_before:
                taken = [Occurrence(o.line if o.line is None else o.line + lines_before, o.detail) for o in taken]
            kept.extend(taken)

    def count(self, code: IssueCode) -> int:
        return self._counts.get(code, 0)

    def issues(self) -> tuple[Issue, ...]:
        """Errors first, then warnings; within each, in the order of the code table."""
        codes = sorted(self._counts, key=lambda c: (CODES[c].severity is not Severity.ERROR, _ORDER[c]))
        return tuple(
            Issue(
                code=code,
                severity=CODES[code].severity,
                message=CODES[code].message,
                count=self._counts[code],
                occurrences=tuple(self._kept.get(code, ())),
            )
            for code in codes
        )
