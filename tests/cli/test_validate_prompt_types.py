"""`finetune-bot validate --type distillation|reinforcement`: samples pass, broken copies fail with lines."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.sandbox.samples import DISTILLATION, REINFORCEMENT, sample_path

from .test_validate import run


def _broken_copy(sample: str, tmp_path: Path, replacements: dict[int, str]) -> Path:
    """The sample with some 1-based lines replaced."""
    lines = sample_path(sample).read_text(encoding="utf-8").splitlines()
    for number, text in replacements.items():
        lines[number - 1] = text
    path = tmp_path / f"broken-{sample}"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("sample", "args"),
    [
        (DISTILLATION, ["--type", "distillation"]),
        (DISTILLATION, ["--type", "distillation", "--model", "amazon.nova-micro-v1:0:128k"]),
        (DISTILLATION, ["--type", "distillation", "--model", "meta.llama3-1-8b-instruct-v1:0:128k"]),
        (REINFORCEMENT, ["--type", "reinforcement"]),
        (REINFORCEMENT, []),
        (REINFORCEMENT, ["--type", "rft", "--max-prompt-length", "512"]),
    ],
)
def test_the_samples_are_valid(sample: str, args: list[str], tmp_path: Path) -> None:
    result = run(str(sample_path(sample)), *args, cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "valid (0 errors" in result.stdout


def test_a_broken_distillation_file_names_each_problem_by_line(tmp_path: Path) -> None:
    multi_turn = (
        '{"schemaVersion": "bedrock-conversation-2024", "messages": [{"role": "user", "content": [{"text": "a"}]}, '
        '{"role": "assistant", "content": [{"text": "b"}]}, {"role": "user", "content": [{"text": "c"}]}]}'
    )
    picture = (
        '{"schemaVersion": "bedrock-conversation-2024", "messages": [{"role": "user", "content": [{"text": "What '
        'is this?"}, {"image": {"format": "png", "source": {"s3Location": {"uri": "s3://b/cat.png"}}}}]}]}'
    )
    path = _broken_copy(DISTILLATION, tmp_path, {4: multi_turn, 9: picture, 17: '{"schemaVersion": "bedrock-'})
    result = run(
        str(path), "--type", "distillation", "--model", "meta.llama3-1-8b-instruct-v1:0:128k", "--json", cwd=tmp_path
    )
    assert result.returncode == 1, result.stderr
    found = {(issue["code"], o["line"]) for issue in json.loads(result.stdout)["issues"] for o in issue["occurrences"]}
    assert found == {("multi-turn-prompt", 4), ("media-not-allowed", 9), ("invalid-json", 17)}


def test_a_broken_reinforcement_file_names_each_problem_by_line(tmp_path: Path) -> None:
    path = _broken_copy(
        REINFORCEMENT,
        tmp_path,
        {
            2: '{"messages": [{"role": "user", "content": "How many jars?"}]}',
            5: '{"messages": [{"role": "user", "content": "Two?"}, {"role": "assistant", "content": "2"}], '
            '"reference_answer": "2"}',
            8: '{"messages": [{"role": "user", "content": "Hi"}, {"role": "system", "content": "Be terse."}], '
            '"reference_answer": "1"}',
        },
    )
    result = run(str(path), "--type", "reinforcement", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "INVALID (3 errors" in result.stdout
    for code, line in (("no-reference-answer", 2), ("last-not-user", 5), ("system-not-first", 8)):
        section = result.stdout.split(f"{code} (error")[1]
        assert f"line {line}:" in section.split("\n\n")[0]


def test_a_prompt_over_max_prompt_length_is_an_error_naming_the_setting(tmp_path: Path) -> None:
    result = run(str(sample_path(REINFORCEMENT)), "--type", "reinforcement", "--max-prompt-length", "20", cwd=tmp_path)
    assert result.returncode == 1
    assert "too-many-tokens (error" in result.stdout
    assert "maxPromptLength is 20" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--type", "conversation", "--max-prompt-length", "100"], "reinforcement datasets only"),
        (["--type", "reinforcement", "--max-prompt-length", "0"], "1 or more"),
        (["--type", "reinforcement", "--model", "amazon.nova-micro-v1:0:128k"], "does not support reinforcement"),
    ],
)
def test_bad_prompt_options_get_one_line_and_exit_2(args: list[str], message: str, tmp_path: Path) -> None:
    result = run(str(sample_path(REINFORCEMENT)), *args, cwd=tmp_path)
    assert result.returncode == 2
    assert message in result.stderr


def test_a_distillation_cost_with_the_teacher_bills_its_inference(tmp_path: Path) -> None:
    args = ["--type", "distillation", "--model", "amazon.nova-micro-v1:0:128k"]
    result = run(str(sample_path(DISTILLATION)), *args, "--teacher", "amazon.nova-pro-v1:0", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Teacher writing the answers: $0.38 (estimate) — up to 120 prompts × 1,000 tokens" in result.stdout
    without = run(str(sample_path(DISTILLATION)), *args, cwd=tmp_path)
    assert "Without --teacher this leaves out the teacher's inference" in without.stdout
    wrong = run(str(sample_path(DISTILLATION)), *args, "--teacher", "meta.llama3-1-405b-instruct-v1:0", cwd=tmp_path)
    assert wrong.returncode == 2
    assert "cannot teach Nova Micro" in wrong.stderr


def test_a_reinforcement_cost_is_per_training_hour(tmp_path: Path) -> None:
    args = ["--type", "reinforcement", "--model", "amazon.nova-2-lite-v1:0:256k"]
    result = run(str(sample_path(REINFORCEMENT)), *args, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "Bedrock bills reinforcement fine-tuning per training hour" in result.stdout
    assert "AWS Lambda bills those invocations" in result.stdout
