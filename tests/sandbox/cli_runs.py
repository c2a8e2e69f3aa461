"""Running ``finetune-bot demo`` and ``sandbox`` as a person does: a subprocess with a clean environment."""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass

from tests.support.bot_process import clean_environment
from tests.support.net import free_port

#: AWS settings a person's shell may hold; the demo must never use them (each would break it if it did).
HOSTILE_AWS = {
    "AWS_ACCESS_KEY_ID": "AKIAREALLOOKINGKEY00",
    "AWS_SECRET_ACCESS_KEY": "real-looking-secret",
    "AWS_PROFILE": "production-profile-that-does-not-exist",
    "AWS_ENDPOINT_URL_BEDROCK": "http://127.0.0.1:9",
    "AWS_ENDPOINT_URL_S3": "http://127.0.0.1:9",
    "AWS_REGION": "eu-west-3",
}


@dataclass(frozen=True)
class Run:
    """What a finished command printed and how it ended."""

    returncode: int
    stdout: str
    stderr: str
    seconds: float


def closed_redis_url() -> str:
    """A Redis URL where nothing listens."""
    return f"redis://127.0.0.1:{free_port()}/0"


def run_cli(args: list[str], *, stdin: str = "", env: Mapping[str, str] | None = None, timeout: float = 100) -> Run:
    """``python -m bot ARGS`` in a scratch directory (no .env), with the bot's settings scrubbed plus ``env``."""
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="finetune-bot-cli-") as workdir:
        completed = subprocess.run(
            [sys.executable, "-m", "bot", *args],
            input=stdin,
            capture_output=True,
            text=True,
            encoding="utf-8",
            env=clean_environment(env or {}),
            cwd=workdir,
            timeout=timeout,
            check=False,
        )
    return Run(completed.returncode, completed.stdout, completed.stderr, time.monotonic() - started)
