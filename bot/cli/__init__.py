"""Subcommands of the ``finetune-bot`` command line.

Each module exposes ``add_parser(subparsers)``, which declares its arguments and sets
``run=<callable(argparse.Namespace) -> int>`` as the parser's default; ``bot.__main__`` lists
the modules and calls ``run``.
"""

from __future__ import annotations

import argparse
from typing import TypeAlias

#: The object ``add_parser`` receives: ``parser.add_subparsers()``'s result.
Subparsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"

#: Exit statuses shared by every subcommand.
EXIT_OK = 0
EXIT_INVALID = 1
EXIT_USAGE = 2
