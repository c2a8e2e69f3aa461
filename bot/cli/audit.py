"""``finetune-bot audit export [--since DATE] [--until DATE]``: the audit log as JSON Lines on standard output."""

from __future__ import annotations

import argparse
import json
import re
import sys
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from bot.cli import EXIT_INVALID, EXIT_OK, EXIT_USAGE, Subparsers

if TYPE_CHECKING:
    from workflows.governance.governance_ports import AuditLog

#: What a date on the command line may look like, in the words of the error.
DATE_FORMS = "YYYY-MM-DD, or YYYY-MM-DDTHH:MM[:SS] with an optional Z or ±HH:MM (UTC when none)"
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class DateError(ValueError):
    """A ``--since``/``--until`` value that is no date; the message is the one line to print."""


def add_parser(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser("audit", help="read the audit log", description="Read the audit log.")
    actions = parser.add_subparsers(dest="audit_action", metavar="ACTION")
    export = actions.add_parser(
        "export",
        help="write the audit log as JSON Lines to standard output",
        description="Write audit entries as JSON Lines (one object per line, oldest first) to standard output.",
    )
    export.add_argument("--since", metavar="DATE", help=f"from this moment on (inclusive): {DATE_FORMS}")
    export.add_argument("--until", metavar="DATE", help="up to this moment (a bare date includes that whole day)")
    export.set_defaults(run=run_export)
    parser.set_defaults(run=lambda _args: _usage(parser))


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_usage(sys.stderr)
    print("finetune-bot audit: say what to do, e.g. `finetune-bot audit export --since 2026-01-01`", file=sys.stderr)
    return EXIT_USAGE


def parse_moment(value: str, *, option: str, end_of_day: bool = False) -> datetime:
    """A UTC moment from a date or a date and time; a bare date is its start (or the next day's with ``end_of_day``)."""
    text = value.strip()
    try:
        if _DAY.match(text):
            day = date.fromisoformat(text)
            moment = datetime(day.year, day.month, day.day, tzinfo=UTC)
            return moment + timedelta(days=1) if end_of_day else moment
        if "T" not in text and " " not in text:
            raise ValueError(text)
        moment = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        shown = value if len(value) <= 40 else value[:40] + "…"
        raise DateError(f"{option} {shown!r} is not a date: use {DATE_FORMS}") from None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def run_export(args: argparse.Namespace) -> int:
    """Print the entries between the dates, one JSON object per line; bad dates or settings are one line, status 2."""
    try:
        since = parse_moment(args.since, option="--since") if args.since else None
        until = parse_moment(args.until, option="--until", end_of_day=True) if args.until else None
    except DateError as exc:
        print(f"finetune-bot audit export: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if since is not None and until is not None and since >= until:
        print("finetune-bot audit export: --since must be before --until", file=sys.stderr)
        return EXIT_USAGE
    from bot.composition import audit_log
    from bot.settings import SettingsError, load_settings

    try:
        log = audit_log(load_settings())
    except SettingsError as exc:
        print(f"finetune-bot: {exc}", file=sys.stderr)
        return EXIT_USAGE
    return _write(log, since, until)


def _write(log: AuditLog, since: datetime | None, until: datetime | None) -> int:
    from workflows.exceptions import StorageUnavailable

    try:
        for entry in log.between(since, until):
            sys.stdout.write(json.dumps(entry.as_json(), ensure_ascii=False) + "\n")
    except StorageUnavailable:
        print("finetune-bot audit export: Redis did not answer at REDIS_URL; nothing more was written", file=sys.stderr)
        return EXIT_INVALID
    return EXIT_OK
