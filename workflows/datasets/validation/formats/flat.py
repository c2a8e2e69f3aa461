"""Flat formats: ``{"prompt", "completion"}`` for instruction tuning and ``{"input"}`` for pre-training."""

from __future__ import annotations

from typing import Any

from workflows.dataset_rules import DatasetFormat
from workflows.datasets.validation.codes import IssueCode
from workflows.datasets.validation.formats.common import Content, TextParts, check_text, report_unknown_keys
from workflows.datasets.validation.issues import IssueLog
from workflows.datasets.validation.template import flat_overhead

#: The string fields of each flat format, in record order.
FLAT_FIELDS: dict[DatasetFormat, tuple[str, ...]] = {
    DatasetFormat.PROMPT_COMPLETION: ("prompt", "completion"),
    DatasetFormat.TEXT_INPUT: ("input",),
}


class FlatChecker:
    """Required string fields, no empty text, and a warning for every other key."""

    def __init__(self, format: DatasetFormat) -> None:
        self._fields = FLAT_FIELDS[format]
        self._known = frozenset(self._fields)
        self._overhead = flat_overhead(format)

    def check(self, record: dict[str, Any], line: int, log: IssueLog) -> Content:
        parts = TextParts()
        for name in self._fields:
            if name not in record:
                log.add(IssueCode.MISSING_KEY, line, name)
                continue
            text = check_text(record[name], name, line, log)
            if text is not None:
                parts.add(text, name)
        report_unknown_keys(record, self._known, "", line, log)
        texts = tuple(parts.texts)
        # Same key as the scan's fast path: the field strings in order, so both paths agree.
        key = texts if len(texts) == len(self._fields) else None
        return Content(texts, tuple(parts.paths), key, self._overhead)
