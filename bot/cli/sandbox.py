"""``finetune-bot sandbox``: chat with the real bot in your terminal, on local stand-ins for Slack, AWS and Redis."""

from __future__ import annotations

import argparse

from bot.cli import EXIT_USAGE, Subparsers
from bot.cli.demo import add_redis_url, positive_number, readable_output, sandbox_module, stop_on_sigterm

#: A simulated hour of Bedrock time passes in 30 seconds: slow enough to read each stage.
DEFAULT_SPEED = 120.0


def add_parser(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "sandbox",
        help="chat with the bot in your terminal: no Slack workspace, AWS account or Redis server needed",
        description=(
            "You are the Slack user: type /finetune commands and messages, pick buttons and menu options by "
            "number, attach files by path (or `attach sample:NAME`). The bot is the same app `serve` runs; "
            "Slack, AWS and Redis (a private Valkey server) are local stand-ins. Reads standard input line by line, "
            "so it can be scripted."
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


def run(args: argparse.Namespace) -> int:
    """Exit 0 at `quit` or the end of the input (once running jobs are announced); 1 when it cannot start."""
    sandbox = sandbox_module("bot.sandbox.sandbox", "sandbox")
    if sandbox is None:
        return EXIT_USAGE
    readable_output()
    stop_on_sigterm()
    status: int = sandbox.main(speed=args.speed, redis_url=args.redis_url)
    return status
