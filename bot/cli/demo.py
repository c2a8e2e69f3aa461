"""``finetune-bot demo``: the whole product on this machine, playing one fine-tuning job from start to finish."""

from __future__ import annotations

import argparse
import io
import sys

from bot.cli import Subparsers

#: A simulated hour of Bedrock time passes in this many fewer seconds (12 s per job).
DEFAULT_SPEED = 300.0


def add_parser(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "demo",
        help="watch the whole product run one fine-tuning job, on local stand-ins for Slack, AWS and Redis",
        description=(
            "Start a local Slack, AWS emulated on loopback and Redis (the server at REDIS_URL if one answers, "
            "else an in-process one), run the bot exactly as `serve` does, and play a conversation from "
            "/finetune to the job's completion notice. Needs no Slack workspace, AWS account or Redis server."
        ),
    )
    parser.add_argument(
        "--speed",
        type=positive_number,
        default=DEFAULT_SPEED,
        metavar="N",
        help=f"how many times faster than on Bedrock simulated jobs move (default: {DEFAULT_SPEED:g})",
    )
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Exit 0 when the job completed and was announced; 1 with the reason otherwise."""
    # The sandbox brings moto and fakeredis in; importing them only here keeps the other commands quick.
    from bot.sandbox import demo
    from bot.sandbox.stack import configured_redis_url

    readable_output()
    return demo.main(speed=args.speed, redis_url=configured_redis_url())


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
