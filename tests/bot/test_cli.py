"""The console script: exit statuses and one-line messages for settings problems."""

from __future__ import annotations

import subprocess
import sys

from tests.support.bot_process import clean_environment


def run_cli(*args: str, env: dict[str, str] | None = None, cwd: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env=clean_environment(env or {}),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_serve_without_a_bot_token_names_it_and_exits_2(tmp_path: object) -> None:
    result = run_cli("serve", cwd=str(tmp_path))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "SLACK_BOT_TOKEN is not set" in lines[0]
    assert "Traceback" not in result.stderr


def test_serve_in_http_mode_needs_the_signing_secret(tmp_path: object) -> None:
    result = run_cli("serve", env={"SLACK_BOT_TOKEN": "xoxb-1"}, cwd=str(tmp_path))
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "finetune-bot: SLACK_SIGNING_SECRET is not set: it needs the signing secret from your Slack app's "
        "Basic Information page."
    )


def test_malformed_setting_stops_serve_with_one_line(tmp_path: object) -> None:
    env = {"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_SIGNING_SECRET": "s", "FINETUNE_POLL_SECONDS": "often"}
    result = run_cli("serve", env=env, cwd=str(tmp_path))
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith("finetune-bot: FINETUNE_POLL_SECONDS is not valid")


def test_no_subcommand_prints_usage_and_exits_2(tmp_path: object) -> None:
    result = run_cli(cwd=str(tmp_path))
    assert result.returncode == 2
    assert "usage: finetune-bot" in result.stderr
