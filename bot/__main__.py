"""The ``finetune-bot`` console script: parse the subcommand and hand over to its module.

Each subcommand module declares its arguments with light imports only and loads what it runs
on inside ``run``, so ``validate`` and ``models`` start without Slack, Redis, AWS or the
service's settings.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from bot.cli import EXIT_USAGE, audit, demo, models, sandbox, serve, validate

#: Exit status when the output's reader went away (128 + SIGPIPE, as a shell reports it).
EXIT_BROKEN_PIPE = 141
#: The distribution whose version ``--version`` prints.
DISTRIBUTION = "finetune-bot"


def build_parser() -> argparse.ArgumentParser:
    """The whole command line: one subparser per module in ``bot.cli``."""
    parser = argparse.ArgumentParser(
        prog="finetune-bot",
        description="Fine-tune Amazon Bedrock models from Slack.",
    )
    parser.add_argument("--version", action=_PrintVersion, help="print the version and exit")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in (serve, validate, models, demo, sandbox, audit):
        module.add_parser(subparsers)
    return parser


class _PrintVersion(argparse.Action):
    """``--version``: looked up only when asked for, so other commands do not pay for it."""

    def __init__(self, option_strings: list[str], dest: str, help: str | None = None) -> None:
        super().__init__(option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, nargs=0, help=help)

    def __call__(self, parser: argparse.ArgumentParser, *args: object, **kwargs: object) -> None:
        print(f"{parser.prog} {version()}")
        parser.exit()


def version() -> str:
    """The installed version ("unknown" when the package is not installed, e.g. run from a checkout)."""
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as installed_version

    try:
        return installed_version(DISTRIBUTION)
    except PackageNotFoundError:
        return "unknown"


def main(argv: Sequence[str] | None = None) -> int:
    """Run one subcommand and return its exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    run = getattr(args, "run", None)
    if run is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    try:
        status: int = run(args)
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader went away (``… | head``): stop quietly, as command-line tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    return status


if __name__ == "__main__":
    sys.exit(main())
