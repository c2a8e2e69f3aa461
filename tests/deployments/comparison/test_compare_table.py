"""The comparison table: one quoted CSV row per prompt, formulas neutralised, readable back as it was written."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest

from tests.deployments.comparison.comparison_samples import compared, prompt, reply
from workflows.deployments.comparison.compare_results import ComparedPrompt, ModelReply
from workflows.deployments.comparison.compare_table import COLUMNS, safe_cell, table_csv, table_filename
from workflows.deployments.comparison.held_out import Turn


def read(data: bytes) -> list[dict[str, str]]:
    assert data.startswith("\ufeff".encode())
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ('=HYPERLINK("http://evil","x")', '\'=HYPERLINK("http://evil","x")'),
        ("+1+1", "'+1+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("＝1+1", "'＝1+1"),
        ("plain answer = fine", "plain answer = fine"),
        ("", ""),
    ],
)
def test_a_cell_that_could_start_a_formula_gets_an_apostrophe(text: str, shown: str) -> None:
    assert safe_cell(text) == shown


def test_rows_follow_the_prompts_with_both_answers_measures_latency_and_tokens() -> None:
    results = [
        compared(
            3, "Open Settings, then Reset.", "Open Settings, then Reset.", "It depends.", question="How to reset?"
        ),
        ComparedPrompt(
            prompt=prompt(
                9, "And then?", "Log in.", earlier=(Turn("user", "Hi"), Turn("assistant", "Hello")), system="Be brief."
            ),
            custom=reply("Log in again.", latency_ms=321, tokens=(12, 3)),
            base=ModelReply.failed("throttled by Bedrock after 3 tries"),
        ),
    ]
    rows = read(table_csv(results))
    assert list(rows[0]) == list(COLUMNS)
    assert [row["line"] for row in rows] == ["3", "9"]
    first, second = rows
    assert (first["prompt"], first["reference"], first["custom_answer"], first["base_answer"]) == (
        "How to reset?",
        "Open Settings, then Reset.",
        "Open Settings, then Reset.",
        "It depends.",
    )
    assert (first["custom_exact_match"], first["custom_token_f1"], first["custom_rouge_l"]) == ("1", "1.0000", "1.0000")
    assert (first["base_exact_match"], first["base_token_f1"]) == ("0", "0.0000")
    assert (second["system"], second["earlier_turns"]) == ("Be brief.", "user: Hi\nassistant: Hello")
    assert (second["custom_latency_ms"], second["custom_input_tokens"], second["custom_output_tokens"]) == (
        "321",
        "12",
        "3",
    )
    assert (second["base_answer"], second["base_rouge_l"], second["base_latency_ms"], second["base_error"]) == (
        "",
        "",
        "",
        "throttled by Bedrock after 3 tries",
    )


def test_commas_quotes_line_breaks_and_formulas_stay_inside_their_cells() -> None:
    hostile = "a, \"quoted\"\nsecond line\r\n=cmd|' /C calc'!A0"
    rows = read(table_csv([compared(1, hostile, "=1+1", "@evil", question=hostile)]))
    assert len(rows) == 1
    assert rows[0]["prompt"] == hostile
    assert rows[0]["custom_answer"] == "'=1+1"
    assert rows[0]["base_answer"] == "'@evil"
    raw = table_csv([compared(1, "r", "a", "b")]).decode("utf-8-sig")
    assert all(line.startswith('"') for line in raw.strip().split("\r\n"))


def test_the_filename_keeps_only_safe_characters() -> None:
    at = datetime(2026, 11, 29, 3, 4, tzinfo=UTC)
    assert table_filename("tone-1a2b", at) == "compare-tone-1a2b-20261129-0304.csv"
    assert table_filename("../../etc/passwd", at) == "compare-etc-passwd-20261129-0304.csv"
    assert table_filename("///", at) == "compare-model-20261129-0304.csv"
