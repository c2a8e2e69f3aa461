"""The full comparison as a CSV file: one row per prompt, every field quoted and safe to open in a spreadsheet.

Prompts, references and answers come from a file and from models, so a cell could start like a
formula (``=HYPERLINK(…)``, ``+``, ``-``, ``@``, or a tab or carriage return before one): such a cell
gets a leading apostrophe, which spreadsheets show as text and never evaluate (OWASP's advice on CSV
injection). Every field is quoted, so commas, quotes and line breaks stay inside their cell. The file
starts with a UTF-8 byte order mark so spreadsheets read accented and non-Latin text correctly.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime

from workflows.deployments.comparison.compare_results import ComparedPrompt, ModelReply, Side
from workflows.deployments.comparison.measures import Scores

#: What a spreadsheet may take as the start of a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")

COLUMNS = (
    "line",
    "system",
    "earlier_turns",
    "prompt",
    "reference",
    *(
        f"{side}_{field}"
        for side in Side
        for field in (
            "answer",
            "exact_match",
            "token_f1",
            "rouge_l",
            "latency_ms",
            "input_tokens",
            "output_tokens",
            "cut_short",
            "error",
        )
    ),
)


def table_csv(results: list[ComparedPrompt]) -> bytes:
    """Every compared prompt as one CSV row under a header of ``COLUMNS``."""
    out = io.StringIO()
    writer = csv.writer(out, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for result in results:
        writer.writerow(_row(result))
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def table_filename(deployment: str, at: datetime) -> str:
    """``compare-NAME-20260101-1200.csv``, with only safe characters from the name."""
    name = _UNSAFE_NAME.sub("-", deployment).strip("-.")[:60] or "model"
    return f"compare-{name}-{at:%Y%m%d-%H%M}.csv"


def safe_cell(text: str) -> str:
    """``text`` as a spreadsheet shows it: an apostrophe first when it could be read as a formula."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def _row(result: ComparedPrompt) -> list[str]:
    prompt = result.prompt
    earlier = "\n".join(f"{turn.role}: {turn.text}" for turn in prompt.turns[:-1])
    cells = [str(prompt.line), safe_cell(prompt.system or ""), safe_cell(earlier)]
    cells += [safe_cell(prompt.question), safe_cell(prompt.reference)]
    for side in Side:
        cells += _side_cells(result.reply(side), result.scores(side))
    return cells


def _side_cells(reply: ModelReply, scores: Scores | None) -> list[str]:
    measures = (
        [f"{scores.exact_match:.0f}", f"{scores.token_f1:.4f}", f"{scores.rouge_l:.4f}"] if scores else ["", "", ""]
    )
    return [
        safe_cell(reply.text or ""),
        *measures,
        "" if reply.latency_ms is None else str(reply.latency_ms),
        str(reply.input_tokens),
        str(reply.output_tokens),
        "yes" if reply.cut_short else "no",
        safe_cell(reply.error or ""),
    ]
