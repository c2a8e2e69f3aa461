"""``finetune-bot validate``: every problem with its line, exit statuses, and one-line messages for bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from bot.sandbox.samples import CONVERSATION, INSTRUCTION, sample_path
from tests.support.bot_process import clean_environment

GOOD = '{"prompt": "What is 2+2?", "completion": "4"}'


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", "validate", *args],
        env=clean_environment({}),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def three_problems(tmp_path: Path) -> Path:
    """Problems on lines 3 (broken JSON), 7 (empty completion) and 12 (missing completion)."""
    lines = [f'{{"prompt": "question {n}", "completion": "answer {n}"}}' for n in range(1, 15)]
    lines[2] = '{"prompt": "question 3", "completion": "answer 3"'
    lines[6] = '{"prompt": "question 7", "completion": ""}'
    lines[11] = '{"prompt": "question 12"}'
    path = tmp_path / "train.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_every_problem_is_listed_with_its_line_and_the_exit_status_is_1(three_problems: Path) -> None:
    result = run(str(three_problems), cwd=three_problems.parent)
    assert result.returncode == 1, result.stderr
    assert "INVALID (3 errors" in result.stdout
    for line in ("line 3:", "line 7:", "line 12:"):
        assert line in result.stdout


def test_the_json_report_carries_the_same_lines_and_codes(three_problems: Path) -> None:
    result = run(str(three_problems), "--json", cwd=three_problems.parent)
    assert result.returncode == 1
    report = json.loads(result.stdout)
    found = {(issue["code"], o["line"]) for issue in report["issues"] for o in issue["occurrences"]}
    assert found == {("invalid-json", 3), ("empty-text", 7), ("missing-key", 12)}
    assert report["valid"] is False
    assert report["customization"] == "instruction"
    assert report["detected"] is True
    assert report["cost"] is None


@pytest.mark.parametrize(
    ("sample", "args"),
    [
        (INSTRUCTION, ["--type", "instruction"]),
        (CONVERSATION, ["--model", "amazon.nova-micro-v1:0:128k"]),
        (INSTRUCTION, ["--model", "amazon.titan-text-lite-v1:0:4k", "--epochs", "2"]),
    ],
)
def test_a_valid_file_exits_0(tmp_path: Path, sample: str, args: list[str]) -> None:
    result = run(str(sample_path(sample)), *args, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert ": valid (0 errors" in result.stdout


def test_with_a_model_the_json_report_has_the_cost(tmp_path: Path) -> None:
    result = run(str(sample_path(CONVERSATION)), "--model", "amazon.nova-micro-v1:0:128k", "--json", cwd=tmp_path)
    cost = json.loads(result.stdout)["cost"]
    assert cost["model"] == "amazon.nova-micro-v1:0:128k"
    assert cost["epochs"] == 2
    assert {line["item"] for line in cost["lines"]} >= {"training", "storage"}


def test_a_validation_file_is_checked_beside_the_training_file(tmp_path: Path) -> None:
    validation = tmp_path / "valid.jsonl"
    validation.write_text(GOOD + "\n\n", encoding="utf-8")
    result = run(str(sample_path(INSTRUCTION)), "--validation", str(validation), "--json", cwd=tmp_path)
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["validation"]["valid"] is False
    assert [i["code"] for i in report["validation"]["issues"]] == ["blank-line"]


def write(path: Path, content: bytes) -> Path:
    path.write_bytes(content)
    return path


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: d / "missing.jsonl", "missing.jsonl: no such file"),
        (lambda d: d, "is a folder"),
        (lambda d: write(d / "empty.jsonl", b""), "empty.jsonl is empty"),
        (lambda d: write(d / "model.bin", b"\x7fELF\x02\x01\x00\x00binary"), "looks like a binary file"),
    ],
)
def test_unreadable_input_gets_one_line_and_exit_2(tmp_path: Path, make: object, message: str) -> None:
    target = make(tmp_path)  # type: ignore[operator]
    result = run(str(target), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--type", "images"], "unknown type `images`"),
        (["--model", "gpt-4"], "Unknown model `gpt-4`"),
        (["--model", "amazon.nova-micro-v1:0:128k", "--type", "continued-pretraining"], "does not support"),
        (["--model", "amazon.nova-micro-v1:0:128k", "--epochs", "0"], "--epochs must be 1 or more"),
    ],
)
def test_bad_options_get_one_line_and_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    result = run(str(sample_path(CONVERSATION)), *args, cwd=tmp_path)
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
