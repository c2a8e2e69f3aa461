"""``finetune-bot models``: the table, the JSON document, filters and exit statuses."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import pytest

from bot.cli import EXIT_OK, EXIT_USAGE, models


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="finetune-bot")
    models.add_parser(parser.add_subparsers())
    args = parser.parse_args(["models", *argv])
    status: int = args.run(args)
    return status


@pytest.fixture(autouse=True)
def _no_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The command reads FINETUNE_PRICES_FILE through the settings; keep the developer's out of it."""
    monkeypatch.delenv("FINETUNE_PRICES_FILE", raising=False)
    monkeypatch.chdir(tmp_path)


def json_output(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, Any]:
    assert run(*argv, "--json") == EXIT_OK
    document: dict[str, Any] = json.loads(capsys.readouterr().out)
    return document


def test_the_table_groups_models_by_type(capsys: pytest.CaptureFixture[str]) -> None:
    assert run() == EXIT_OK
    out = capsys.readouterr().out
    headings = [line for line in out.splitlines() if "(--type " in line]
    assert headings == [
        "Instruction fine-tuning (--type instruction)",
        "Continued pre-training (domain adaptation) (--type continued-pretraining)",
        "Conversational fine-tuning (--type conversation)",
        "Distillation (--type distillation)",
        "Reinforcement fine-tuning (--type reinforcement)",
    ]
    assert "MODEL  " in out
    assert "TRAINING PRICE" in out
    assert "/work" not in out


def test_the_table_fits_a_terminal_100_columns_wide(capsys: pytest.CaptureFixture[str]) -> None:
    assert run() == EXIT_OK
    lines = capsys.readouterr().out.splitlines()
    assert max(map(len, lines)) <= 100
    assert any("anthropic.claude-3-haiku-20240307-v1:0:200k" in line for line in lines)


def rows_and_details(out: str) -> dict[str, tuple[str, str]]:
    """Model id → (its row, the indented line under it)."""
    lines = out.splitlines()
    return {
        line.split()[0]: (line, lines[index + 1])
        for index, line in enumerate(lines)
        if line.startswith("  ") and not line.startswith("    ") and index + 1 < len(lines)
    }


def test_a_table_row_shows_format_on_demand_price_and_status(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("--type", "instruction") == EXIT_OK
    rows = rows_and_details(capsys.readouterr().out)
    lite, lite_details = rows["amazon.titan-text-lite-v1:0:4k"]
    assert "$0.0004 (estimate)" in lite
    assert "us-east-1, us-west-2" in lite
    assert lite_details.strip() == (
        "Titan Text G1 Lite (Amazon) · prompt-completion · also continued-pretraining · unconfirmed"
    )
    _, cohere_details = rows["cohere.command-light-text-v14:7:4k"]
    assert cohere_details.rstrip().endswith("legacy · unconfirmed")
    assert list(rows)[-1] == "cohere.command-light-text-v14:7:4k"
    assert "unknown" in rows["meta.llama3-1-8b-instruct-v1:0:128k"][0]


def test_type_filter_shows_one_group(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("--type", "continued-pretraining") == EXIT_OK
    out = capsys.readouterr().out
    assert "Continued pre-training" in out
    assert "Conversational" not in out
    assert "text-input" in out


def test_region_filter_keeps_only_models_offered_there(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("--type", "conversation", "--region", "us-east-1") == EXIT_OK
    out = capsys.readouterr().out
    assert "amazon.nova-micro-v1:0:128k" in out
    assert "meta.llama3" not in out
    assert "yes" in out


def test_a_region_with_no_models_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("--type", "instruction", "--region", "eu-west-9") == EXIT_OK
    assert "No models in eu-west-9. Known regions: us-east-1, us-west-2." in capsys.readouterr().out


@pytest.mark.parametrize("typed", ["poetry", "rlhf"])
def test_an_unknown_type_exits_2_with_one_line_listing_the_valid_types(
    capsys: pytest.CaptureFixture[str], typed: str
) -> None:
    assert run("--type", typed) == EXIT_USAGE
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err == (
        f"finetune-bot models: unknown type `{typed}`; valid types: instruction, continued-pretraining, conversation, "
        "distillation, reinforcement\n"
    )


def test_json_is_one_object_with_types_and_models(capsys: pytest.CaptureFixture[str]) -> None:
    document = json_output(capsys)
    assert set(document) == {"schema_version", "filters", "types", "models", "teachers"}
    assert document["filters"] == {"type": None, "region": None}
    assert [group["type"] for group in document["types"]] == [
        "instruction",
        "continued-pretraining",
        "conversation",
        "distillation",
        "reinforcement",
    ]
    ids = [model["id"] for model in document["models"]]
    assert len(ids) == 17
    listed = {model_id for group in document["types"] for model_id in group["models"]}
    assert listed == set(ids)


def test_json_model_entries_carry_prices_with_status_and_provenance(capsys: pytest.CaptureFixture[str]) -> None:
    document = json_output(capsys, "--type", "conversation", "--region", "us-east-1")
    assert document["filters"] == {"type": "conversation", "region": "us-east-1"}
    micro = next(model for model in document["models"] if model["id"] == "amazon.nova-micro-v1:0:128k")
    training = micro["prices"]["training_per_1k_tokens"]
    assert (training["usd"], training["status"]) == (None, "unknown")
    pt = micro["prices"]["provisioned_throughput_per_mu_hour"]
    assert (pt["usd"], pt["status"], pt["as_of"]) == ("60.50", "estimate", "2026-09-01")
    assert micro["on_demand_deployment"] == {
        "supported": True,
        "regions": ["us-east-1"],
        "customized_on_or_after": "2025-07-16",
    }
    conversation = next(entry for entry in micro["types"] if entry["type"] == "conversation")
    assert conversation["format"] == "bedrock-conversation"
    assert conversation["limits"]["max_records"] == 20000
    assert "[EOS]" in conversation["limits"]["reserved_words"]
    epochs = next(spec for spec in micro["hyperparameters"] if spec["name"] == "epochCount")
    assert (epochs["kind"], epochs["default"], epochs["min"], epochs["max"]) == ("int", "2", "1", "5")
    assert micro["uncertain"]


def test_json_respects_a_price_override_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    prices = tmp_path / "prices.yml"
    prices.write_text(
        'models: {"amazon.nova-micro-v1:0:128k": {training_per_1k_tokens: {usd: "0.001", as_of: 2026-11-01}}}',
        encoding="utf-8",
    )
    document = json_output(capsys, "--type", "conversation", "--prices", str(prices))
    micro = next(model for model in document["models"] if model["id"] == "amazon.nova-micro-v1:0:128k")
    assert micro["prices"]["training_per_1k_tokens"]["usd"] == "0.001"
    assert micro["prices"]["training_per_1k_tokens"]["status"] == "confirmed"


def test_the_prices_setting_is_used_when_no_file_is_given(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    prices = tmp_path / "from-settings.yml"
    prices.write_text(
        'models: {"amazon.nova-pro-v1:0:300k": {storage_per_month: {usd: "2.50", as_of: 2026-11-01}}}',
        encoding="utf-8",
    )
    monkeypatch.setenv("FINETUNE_PRICES_FILE", str(prices))
    document = json_output(capsys, "--type", "conversation")
    pro = next(model for model in document["models"] if model["id"] == "amazon.nova-pro-v1:0:300k")
    assert pro["prices"]["storage_per_month"]["usd"] == "2.50"


def test_a_bad_price_file_exits_2_with_one_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    prices = tmp_path / "prices.yml"
    prices.write_text('models: {"nova": {storage_per_month: {usd: 1, as_of: "2026"}}}', encoding="utf-8")
    assert run("--prices", str(prices)) == EXIT_USAGE
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("finetune-bot models: price override file prices.yml: unknown model `nova`")
    assert "Traceback" not in err


def test_distillation_lists_each_student_with_its_teachers_and_their_prices(capsys: pytest.CaptureFixture[str]) -> None:
    assert run("--type", "distillation", "--region", "us-east-1") == EXIT_OK
    rows = rows_and_details(capsys.readouterr().out)
    _, micro = rows["amazon.nova-micro-v1:0:128k"]
    assert "teachers: Nova Pro amazon.nova-pro-v1:0 ($0.0008" in micro


def test_reinforcement_shows_the_price_per_hour_as_unknown_and_single_turn_models(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert run("--type", "reinforcement") == EXIT_OK
    rows = rows_and_details(capsys.readouterr().out)
    nova, nova_details = rows["amazon.nova-2-lite-v1:0:256k"]
    assert "unknown per hour" in nova
    assert "single-turn prompts" in nova_details
    assert set(rows) >= {"openai.gpt-oss-20b", "qwen.qwen3-32b"}


def test_json_teachers_carry_dated_sourced_prices(capsys: pytest.CaptureFixture[str]) -> None:
    document = json_output(capsys, "--type", "distillation")
    teachers = {teacher["id"]: teacher for teacher in document["teachers"]}
    pro = teachers["amazon.nova-pro-v1:0"]
    assert pro["prices"]["input_per_1k_tokens"]["as_of"] == "2026-09-01"
    assert "prequisites-model-distillation" in pro["source"]
    premier = teachers["amazon.nova-premier-v1:0"]["prices"]["output_per_1k_tokens"]
    assert (premier["usd"], premier["status"]) == (None, "unknown")
