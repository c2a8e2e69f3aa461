"""The training data's system prompt, as kept for Try it: the one most records share, in either layout."""

from __future__ import annotations

import json
from pathlib import Path

from workflows.datasets.system_prompt import SYSTEM_PROMPT_MAX, training_system_prompt


def lines(tmp_path: Path, records: list[object]) -> Path:
    path = tmp_path / "train.jsonl"
    path.write_text("\n".join(json.dumps(record) for record in records) + "\nnot json\n", encoding="utf-8")
    return path


def test_the_prompt_most_records_share_is_kept(tmp_path: Path) -> None:
    blocks = {"system": [{"text": "You are Acme's support agent."}], "messages": []}
    other = {"system": [{"text": "Be terse."}], "messages": []}
    assert training_system_prompt(lines(tmp_path, [other, blocks, blocks])) == "You are Acme's support agent."


def test_a_plain_string_system_is_read(tmp_path: Path) -> None:
    assert training_system_prompt(lines(tmp_path, [{"system": " Be kind. ", "messages": []}])) == "Be kind."


def test_records_without_one_give_none(tmp_path: Path) -> None:
    records = [{"prompt": "q", "completion": "a"}, {"system": "", "messages": []}, {"system": 3}, [1, 2]]
    assert training_system_prompt(lines(tmp_path, records)) is None


def test_a_prompt_too_long_to_keep_gives_none(tmp_path: Path) -> None:
    assert training_system_prompt(lines(tmp_path, [{"system": "x" * (SYSTEM_PROMPT_MAX + 1)}])) is None
