"""The ``finetune-bot`` console script: parse the subcommand and hand over to its module."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from bot.cli import EXIT_USAGE, demo, models, sandbox, serve, validate


def build_parser() -> argparse.ArgumentParser:
    """The whole command line: one subparser per module in ``bot.cli``."""
    parser = argparse.ArgumentParser(
        prog="finetune-bot",
        description="Fine-tune Amazon Bedrock models from Slack.",
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in (serve, validate, models, demo, sandbox):
        module.add_parser(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one subcommand and return its exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    run = getattr(args, "run", None)
    if run is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    status: int = run(args)
    return status


if __name__ == "__main__":
    sys.exit(main())
