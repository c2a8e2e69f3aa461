"""The whole product on loopback for the demo and the sandbox: the bot exactly as ``serve`` builds and runs it.

``build_runtime(Settings(...))`` makes the app and services, ``Routes`` on waitress serves them over
HTTP, and ``MonitorScheduler`` runs the status tick; only the endpoints differ: the Slack emulator,
moto (through ``AWS_ENDPOINT_URL``) and a Redis: this run's private server, or a shared one under
the demo's own key prefix. People reach the bot only through the driver's
signed requests.
"""

from __future__ import annotations

import logging
import secrets
import socket
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.composition import Runtime, build_runtime
from bot.policy_file import PolicyFileError
from bot.sandbox.aws import ROLE_NAME as ROLE_SHORT_NAME
from bot.sandbox.aws import EmulatedAws, emulated_aws
from bot.sandbox.driver import SlackDriver
from bot.sandbox.emulator import GENERAL_CHANNEL, SlackEmulator
from bot.sandbox.redis import RedisChoice, RedisUnavailable, demo_redis
from bot.scheduler import MonitorScheduler
from bot.server import HEALTH_PATH, Routes, serve_http
from bot.settings import Settings
from workflows.adapters.redis_connection import connect
from workflows.adapters.redis_jobs import RedisJobRecords
from workflows.keys import Keyspace

logger = logging.getLogger(__name__)

#: The person at the keyboard, and where they talk to the bot.
USER = "U0ALICE"
USER_NAME = "alice"
CHANNEL = GENERAL_CHANNEL
#: Seconds between status ticks: a simulated job moves through a stage in a few seconds.
POLL_SECONDS = 1
#: Seconds to wait for the bot's HTTP server to answer its health probe.
STARTUP_SECONDS = 15.0


@dataclass(frozen=True)
class Product:
    """A running product and the handles to use it with."""

    emulator: SlackEmulator
    driver: SlackDriver
    aws: EmulatedAws
    redis: RedisChoice
    runtime: Runtime
    events_url: str

    def setup_lines(self) -> list[str]:
        """What is running, in a few lines for the top of the transcript."""
        return [
            f"Slack  a local Slack workspace with #general; you are @{USER_NAME}",
            f"AWS    moto on loopback (S3, IAM, Bedrock): bucket {self.aws.bucket}, role {ROLE_SHORT_NAME}; "
            f"jobs run {self.aws.lifecycle.speed:g}× faster than on Bedrock",
            f"Redis  {self.redis.description}",
            f"Bot    the same app as `finetune-bot serve`, at {self.events_url}",
        ]


class StartupFailed(RuntimeError):
    """A part of the product did not come up; the message says which."""


@contextmanager
def running_product(*, speed: float, redis_url: str | None) -> Iterator[Product]:
    """Start Slack, AWS, Redis and the bot; stop them (scheduler first) when the block ends.

    ``redis_url`` is a shared server asked for explicitly; without it the run starts its own.
    """
    with ExitStack() as stack:
        emulator = stack.enter_context(SlackEmulator())
        aws = stack.enter_context(emulated_aws(speed=speed))
        try:
            redis_choice = stack.enter_context(demo_redis(redis_url))
        except RedisUnavailable as exc:
            raise StartupFailed(str(exc)) from None
        signing_secret = secrets.token_hex(16)
        settings = product_settings(
            emulator=emulator,
            aws=aws,
            redis_url=redis_choice.url,
            signing_secret=signing_secret,
            key_prefix=redis_choice.key_prefix,
        )
        try:
            runtime = build_runtime(settings)
        except PolicyFileError as exc:
            raise StartupFailed(str(exc)) from None
        events_url = serve_in_background(Routes(runtime.guard, runtime.services.healthy))
        if not redis_choice.private:
            stack.callback(forget_watches, redis_choice, aws)
        scheduler = MonitorScheduler(
            runtime.tick,
            seconds=settings.finetune_poll_seconds,
            on_stop=runtime.monitor.stop,
            storage_up=runtime.services.healthy,
        )
        scheduler.start()
        stack.callback(scheduler.stop)
        emulator.add_channel(CHANNEL, "general")
        driver = SlackDriver(
            events_url,
            signing_secret,
            emulator,
            default_user=USER,
            default_user_name=USER_NAME,
            default_channel=CHANNEL,
        )
        yield Product(emulator, driver, aws, redis_choice, runtime, events_url)


def product_settings(
    *, emulator: SlackEmulator, aws: EmulatedAws, redis_url: str, signing_secret: str, key_prefix: str = "finetune:"
) -> Settings:
    """The settings ``serve`` would read, pointing at the loopback stand-ins; nothing comes from the shell or .env.

    Every field is given, defaults included, so a variable in the person's environment (a price
    file, admins, a real token) cannot change the demo.
    """
    values: dict[str, Any] = {
        name: field.get_default(call_default_factory=True) for name, field in Settings.model_fields.items()
    }
    values.update(
        slack_bot_token=emulator.workspace.bot_token,
        slack_signing_secret=signing_secret,
        slack_api_url=emulator.api_url,
        redis_url=redis_url,
        redis_key_prefix=key_prefix,
        aws_region=aws.region,
        aws_endpoint_url=aws.endpoint_url,
        finetune_role_arn=aws.role_arn,
        finetune_bucket=aws.bucket,
        finetune_poll_seconds=POLL_SECONDS,
    )
    # ``_env_file`` is pydantic-settings' documented per-instance switch; mypy sees only the fields.
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def serve_in_background(routes: Routes) -> str:
    """``serve_http`` on a free loopback port from a daemon thread; the events URL once /healthz answers."""
    for _ in range(3):
        port = free_port()
        thread = threading.Thread(
            target=serve_http, args=(routes,), kwargs={"host": "127.0.0.1", "port": port}, name="bot-http", daemon=True
        )
        thread.start()
        if _wait_healthy(f"http://127.0.0.1:{port}{HEALTH_PATH}", thread):
            return f"http://127.0.0.1:{port}/slack/events"
    raise StartupFailed(f"the bot's HTTP server did not answer within {STARTUP_SECONDS:.0f}s")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def forget_watches(redis_choice: RedisChoice, aws: EmulatedAws) -> None:
    """Take this run's jobs off a shared Redis's watch list, so a later run never polls its own AWS for them."""
    try:
        records = RedisJobRecords(connect(redis_choice.url), keyspace=Keyspace(redis_choice.key_prefix))
        for name in [*aws.lifecycle.running(), *aws.lifecycle.ended()]:
            records.unwatch(name)
    except Exception:
        logger.exception("Could not take the demo's jobs off the watch list")


def _wait_healthy(url: str, thread: threading.Thread) -> bool:
    """True once ``url`` answers 200; False when the server thread died (its port was taken meanwhile)."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if not thread.is_alive():
            return False
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return True
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.05)
    raise StartupFailed(f"the bot's HTTP server did not answer within {STARTUP_SECONDS:.0f}s")


def log_to_file(path: Path) -> None:
    """Send every log record (and Python warnings) to ``path``, none to the terminal, which shows the chat."""
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    for existing in list(root.handlers):
        root.removeHandler(existing)
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    for noisy in ("botocore", "urllib3", "werkzeug", "apscheduler", "slack_sdk", "slack_bolt"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    logging.captureWarnings(True)


def problems_in_log(path: Path, *, limit: int = 8) -> list[str]:
    """The last warnings and errors logged (first line of each), to explain a failure."""
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []
    return [line for line in lines if " WARNING " in line or " ERROR " in line][-limit:]
