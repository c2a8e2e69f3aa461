"""The price override file of the offline commands: the environment first, then ``.env``, as the settings read it."""

from __future__ import annotations

from pathlib import Path

from bot.cli.price_file import configured_price_file


def test_unset_means_none(tmp_path: Path) -> None:
    assert configured_price_file({}, tmp_path / ".env") is None


def test_the_environment_wins_over_the_env_file(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("FINETUNE_PRICES_FILE=from-file.yml\n", encoding="utf-8")
    assert configured_price_file({"FINETUNE_PRICES_FILE": "from-env.yml"}, env_file) == Path("from-env.yml")
    assert configured_price_file({}, env_file) == Path("from-file.yml")


def test_the_name_in_any_case_and_comments_as_dotenv_reads_them(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text('# prices\nfinetune_prices_file="prices.yml"  # ours\nOTHER=1\n', encoding="utf-8")
    assert configured_price_file({}, env_file) == Path("prices.yml")


def test_an_empty_value_is_unset(tmp_path: Path) -> None:
    assert configured_price_file({"FINETUNE_PRICES_FILE": " "}, tmp_path / ".env") is None
