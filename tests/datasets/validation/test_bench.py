"""The validation benchmark runs end to end on a tiny file: it generates, times both sides and cleans up."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import validate


def test_the_benchmark_prints_throughput_ratio_and_peak_memory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert validate.main(["--size-mb", "1", "--runs", "1", "--out-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    for scenario in ("## mixed:", "## conversation:"):
        assert scenario in out
    assert out.count("ratio validate / bare") == 2
    assert out.count("peak RSS (largest run)") == 2
    assert out.count("all processes together :") == 2
    assert "mixed-formats" in out  # the conversation-format records in the prompt/completion file
    assert list(tmp_path.iterdir()) == []


def test_the_generator_is_deterministic(tmp_path: Path) -> None:
    scenario = validate.SCENARIOS["mixed"]
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    assert validate.generate(scenario, first, 200_000, seed=4) == validate.generate(scenario, second, 200_000, seed=4)
    assert first.read_bytes() == second.read_bytes()
