"""``finetune-bot serve`` as a real subprocess on a free port, the way it runs in production."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.net import free_port, http_status, wait_until

#: Variables a developer's shell may carry that must not leak into the bot under test.
_SCRUBBED_PREFIXES = ("SLACK_", "AWS_", "FINETUNE_", "REDIS_", "PORT")


def clean_environment(overrides: Mapping[str, str]) -> dict[str, str]:
    """The test process's environment without the bot's settings, plus ``overrides``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(_SCRUBBED_PREFIXES)}
    env.update(overrides)
    return env


@dataclass
class BotProcess:
    """A running bot: its URLs, its process and its log."""

    port: int
    process: subprocess.Popen[bytes]
    log_path: Path
    workdir: tempfile.TemporaryDirectory[str] = field(repr=False)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def events_url(self) -> str:
        return f"{self.base_url}/slack/events"

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        """Terminate gracefully (SIGTERM), as an orchestrator would."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.workdir.cleanup()

    def kill(self) -> None:
        """Kill at once (SIGKILL), as a crash would."""
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


def start_bot(env: Mapping[str, str], *, timeout: float = 30) -> BotProcess:
    """Start ``finetune-bot serve`` with exactly ``env`` and wait until it answers HTTP."""
    port = free_port()
    workdir = tempfile.TemporaryDirectory(prefix="finetune-bot-")
    log_path = Path(workdir.name) / "bot.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=clean_environment(env),
            cwd=workdir.name,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    bot = BotProcess(port=port, process=process, log_path=log_path, workdir=workdir)

    def ready() -> bool:
        if process.poll() is not None:
            raise RuntimeError(f"finetune-bot serve exited with {process.returncode}:\n{bot.log()}")
        return http_status(f"{bot.base_url}/healthz", timeout=1) is not None

    try:
        wait_until(ready, timeout=timeout, what="finetune-bot serve to answer /healthz")
    except BaseException:
        bot.stop()
        raise
    return bot
