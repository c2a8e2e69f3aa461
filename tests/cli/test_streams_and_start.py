"""``finetune-bot validate`` on streams (read once), encodings told apart, and a start without service packages."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.support.bot_process import clean_environment

RECORDS = "".join(f'{{"prompt": "question {n}", "completion": "answer {n}"}}\n' for n in range(1, 301))
#: Packages the offline commands must not load: the service's clients and its settings.
SERVICE_PACKAGES = ("boto3", "botocore", "slack_bolt", "slack_sdk", "redis", "pydantic_settings")


def finetune_bot(
    *args: str, cwd: Path, stdin: str | None = None, shell: bool = False
) -> subprocess.CompletedProcess[str]:
    command: list[str] | str = [sys.executable, "-m", "bot", *args]
    if shell:
        command = " ".join([f"'{sys.executable}' -m bot", *args])
    return subprocess.run(
        command,
        input=stdin,
        env=clean_environment({}),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        shell=shell,
        executable="/bin/bash" if shell else None,
    )


def records_checked(result: subprocess.CompletedProcess[str]) -> int:
    report = json.loads(result.stdout)
    records: int = report["stats"]["records"]
    return records


def test_a_dash_reads_standard_input(tmp_path: Path) -> None:
    result = finetune_bot(
        "validate", "-", "--type", "instruction", cwd=tmp_path, stdin='{"prompt":"q","completion":"a"}\n'
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("path", ["-", "/dev/stdin"])
def test_a_piped_file_is_read_once_from_its_start(tmp_path: Path, path: str) -> None:
    result = finetune_bot("validate", path, "--json", cwd=tmp_path, stdin=RECORDS)
    assert result.returncode == 0, result.stdout + result.stderr
    assert records_checked(result) == 300
    assert json.loads(result.stdout)["customization"] == "instruction"


def test_process_substitution_is_read_once(tmp_path: Path) -> None:
    source = tmp_path / "records.txt"
    source.write_text(RECORDS, encoding="utf-8")
    result = finetune_bot("validate", f"<(cat '{source}')", "--json", cwd=tmp_path, shell=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert records_checked(result) == 300


def test_a_named_pipe_is_read_once(tmp_path: Path) -> None:
    fifo = tmp_path / "train.jsonl"
    os.mkfifo(fifo)

    def feed() -> None:
        with fifo.open("w", encoding="utf-8") as pipe:
            pipe.write(RECORDS)

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    result = finetune_bot("validate", str(fifo), "--json", cwd=tmp_path)
    writer.join(timeout=30)
    assert result.returncode == 0, result.stdout + result.stderr
    assert records_checked(result) == 300


def test_empty_standard_input_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = finetune_bot("validate", "-", cwd=tmp_path, stdin="")
    assert result.returncode == 2
    assert result.stderr.strip() == "finetune-bot: standard input is empty; a dataset needs one JSON record per line"


def test_a_nul_on_the_first_line_is_reported_at_that_line(tmp_path: Path) -> None:
    path = tmp_path / "train.jsonl"
    path.write_bytes(b'{"prompt": "a\x00b", "completion": "c"}\n' + RECORDS.encode())
    result = finetune_bot("validate", str(path), "--json", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    issues = {issue["code"]: issue for issue in json.loads(result.stdout)["issues"]}
    assert [o["line"] for o in issues["nul-byte"]["occurrences"]] == [1]


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le"])
def test_utf16_is_told_to_convert_to_utf8(tmp_path: Path, codec: str) -> None:
    path = tmp_path / "train.jsonl"
    path.write_bytes(RECORDS.encode(codec))
    result = finetune_bot("validate", str(path), cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "wrong-encoding" in result.stdout
    assert "convert it to UTF-8" in result.stdout


def test_version(tmp_path: Path) -> None:
    result = finetune_bot("--version", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout.startswith("finetune-bot ")


@pytest.mark.parametrize(
    "args",
    [
        ["validate", "{file}"],
        ["validate", "{file}", "--model", "amazon.titan-text-express-v1:0:8k", "--type", "instruction"],
        ["models"],
        ["models", "--json"],
    ],
    ids=["validate", "validate-with-model", "models", "models-json"],
)
def test_offline_commands_load_no_service_package(tmp_path: Path, args: list[str]) -> None:
    """What a command imports is deterministic; loading Slack, Redis, AWS or the settings costs seconds."""
    data = tmp_path / "train.jsonl"
    data.write_text(RECORDS, encoding="utf-8")
    argv = [arg.format(file=data) for arg in args]
    script = (
        "import sys, contextlib, io\n"
        "from bot.__main__ import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    status = main({argv!r})\n"
        f"loaded = sorted(name for name in {SERVICE_PACKAGES!r} if name in sys.modules)\n"
        "print(status, loaded)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        env=clean_environment({}),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split(" ", 1)[1].strip() == "[]"
