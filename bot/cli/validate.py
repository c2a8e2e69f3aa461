"""``finetune-bot validate``: check a dataset offline, as the bot would, with every problem and its line."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from bot.cli import EXIT_INVALID, EXIT_OK, EXIT_USAGE, Subparsers
from bot.settings import SettingsError, load_settings
from workflows.catalogue import CatalogueError, ModelSpec, load_catalogue
from workflows.commands import parse_type
from workflows.costs import CostEstimate, estimate_cost
from workflows.dataset_rules import CustomizationType
from workflows.validation import ValidationReport, validate_dataset, validation_tokens
from workflows.validation.codes import Severity
from workflows.validation.detect import family, sniff_file
from workflows.validation.report import FileReport, Issue

#: Files above this size get a progress bar on a terminal.
PROGRESS_FROM_BYTES = 32 * 1024 * 1024
#: Bytes read to tell a binary file from text.
SNIFF_BYTES = 8192


class UsageProblem(Exception):
    """The command cannot run as asked; the message is the one line to print."""


def add_parser(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "validate",
        help="check a JSONL dataset offline",
        description="Check a JSONL dataset against a base model's rules. Exit 0 valid, 1 invalid, 2 usage or "
        "unreadable input.",
    )
    parser.add_argument("file", type=Path, metavar="FILE", help="the training dataset (.jsonl)")
    parser.add_argument(
        "--type",
        dest="customization",
        metavar="TYPE",
        help="instruction, continued-pretraining or conversation (default: detected from the first records)",
    )
    parser.add_argument("--model", metavar="MODEL_ID", help="check against this base model's limits (see `models`)")
    parser.add_argument("--validation", type=Path, metavar="FILE", help="a validation dataset to check beside it")
    parser.add_argument("--epochs", type=int, metavar="N", help="epochs for the cost estimate (default: the model's)")
    parser.add_argument("--json", action="store_true", help="print one JSON report instead of text")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Validate, print, and map the verdict to the exit status."""
    try:
        for path in filter(None, (args.file, args.validation)):
            _check_readable(path)
        model = _model(args.model)
        customization = _customization(args.customization, model, args.file)
        report = validate_dataset(
            args.file,
            rules=model.dataset_rules(customization) if model and customization else None,
            customization=customization if args.customization else None,
            validation_path=args.validation,
            progress=_progress_bar(args.file) if not args.json else None,
        )
        cost = _cost(model, report, args.epochs, customization) if model else None
    except (UsageProblem, CatalogueError, SettingsError, OSError) as exc:
        print(f"finetune-bot: {_one_line(exc)}", file=sys.stderr)
        return EXIT_USAGE
    if args.json:
        print(json.dumps({**report.to_json(), "cost": _cost_json(cost)}, ensure_ascii=False))
    else:
        print(render_text(report, cost))
    return EXIT_OK if report.valid else EXIT_INVALID


def _check_readable(path: Path) -> None:
    """A missing file, a folder, an empty or a binary file: one line saying so."""
    if not path.exists():
        raise UsageProblem(f"{path.name}: no such file")
    if path.is_dir():
        raise UsageProblem(f"{path.name} is a folder; give the path of a .jsonl file")
    with path.open("rb") as stream:
        head = stream.read(SNIFF_BYTES)
    if not head:
        raise UsageProblem(f"{path.name} is empty; a dataset needs one JSON record per line")
    if b"\x00" in head:
        raise UsageProblem(f"{path.name} looks like a binary file, not JSON Lines (one JSON object per line)")


def _model(model_id: str | None) -> ModelSpec | None:
    if model_id is None:
        return None
    prices = load_settings().finetune_prices_file
    return load_catalogue(prices).model(model_id)


def _customization(typed: str | None, model: ModelSpec | None, path: Path) -> CustomizationType | None:
    """The type given, or (with a model) the one the file's records look like."""
    if typed is not None:
        customization = parse_type(typed)
        if customization is None:
            raise UsageProblem(f"unknown type `{typed}`; use instruction, continued-pretraining or conversation")
        if model is not None and not model.supports(customization):
            offered = ", ".join(model.customization_types)
            raise UsageProblem(f"{model.name} does not support {customization}; it supports {offered}")
        return customization
    if model is None:
        return None
    sniffed = sniff_file(path).format
    detected = family(sniffed) if sniffed is not None else None
    if detected is not None and model.supports(detected):
        return detected
    return model.customization_types[0]


def _cost(
    model: ModelSpec, report: ValidationReport, epochs: int | None, customization: CustomizationType | None
) -> CostEstimate:
    kind = customization or model.customization_types[0]
    default = int(model.default_hyperparameters(kind).get("epochCount", "1"))
    if epochs is not None and epochs < 1:
        raise UsageProblem("--epochs must be 1 or more")
    return estimate_cost(
        model,
        training_tokens=report.stats.tokens.total,
        validation_tokens=validation_tokens(report),
        epochs=epochs or default,
    )


def _cost_json(cost: CostEstimate | None) -> dict[str, Any] | None:
    if cost is None:
        return None
    return {
        "model": cost.model_id,
        "epochs": cost.epochs,
        "billed_training_tokens": cost.billed_training_tokens,
        "training_usd": None if cost.upfront is None else str(cost.upfront),
        "lines": [
            {
                "item": line.item.value,
                "label": line.label,
                "usd": None if line.amount is None else str(line.amount),
                "unit": line.unit,
                "status": line.status.value,
                "text": line.text(),
            }
            for line in cost.lines()
        ],
    }


def render_text(report: ValidationReport, cost: CostEstimate | None) -> str:
    """The human report: verdict, statistics, problems grouped by code with their lines, cost."""
    lines = [_verdict(report.file.name, report.valid, report.issues), report.note]
    if report.mismatch:
        lines.append(report.mismatch)
    lines += _stats_lines(report)
    lines += _issue_lines(report.issues)
    if report.validation is not None:
        lines += ["", _verdict(report.validation.file.name, report.validation.valid, report.validation.issues)]
        lines += _issue_lines(report.validation.issues)
    if cost is not None:
        lines += ["", f"Cost ({cost.model_name}, {cost.epochs} epochs)", cost.text()]
    return "\n".join(lines)


def _verdict(name: str, valid: bool, issues: tuple[Issue, ...]) -> str:
    errors = sum(i.count for i in issues if i.severity is Severity.ERROR)
    warnings = sum(i.count for i in issues if i.severity is Severity.WARNING)
    state = "valid" if valid else "INVALID"
    return f"{name}: {state} ({errors:,} error{'s' * (errors != 1)}, {warnings:,} warning{'s' * (warnings != 1)})"


def _stats_lines(report: ValidationReport | FileReport) -> list[str]:
    stats, tokens = report.stats, report.stats.tokens
    return [
        f"  records    {stats.records:,} ({stats.lines:,} lines, {stats.characters:,} characters)",
        f"  tokens     about {tokens.total:,} (range {tokens.low:,}–{tokens.high:,}); per record p50 {tokens.p50:,}, "
        f"p95 {tokens.p95:,}, max {tokens.max:,}",
        f"             {tokens.method}",
    ]


def _issue_lines(issues: tuple[Issue, ...]) -> list[str]:
    lines: list[str] = []
    for issue in issues:
        kind = "error" if issue.severity is Severity.ERROR else "warning"
        lines += ["", f"{issue.code.value} ({kind}, {issue.count:,}): {issue.message}"]
        lines += [f"  {'line ' + str(o.line) if o.line else 'file'}: {o.detail}" for o in issue.occurrences]
        if issue.count > len(issue.occurrences):
            lines.append(f"  … and {issue.count - len(issue.occurrences):,} more")
    return lines


def _progress_bar(path: Path) -> Any:
    """A one-line progress bar on stderr for large files on a terminal; None otherwise."""
    if not sys.stderr.isatty() or path.stat().st_size < PROGRESS_FROM_BYTES:
        return None

    def show(done: int, total: int) -> None:
        filled = int(30 * done / total) if total else 30
        end = "\n" if done >= total else ""
        print(
            f"\r  [{'#' * filled}{'.' * (30 - filled)}] {done / 2**20:,.0f} / {total / 2**20:,.0f} MB",
            end=end,
            file=sys.stderr,
            flush=True,
        )

    return show


def _one_line(error: BaseException) -> str:
    if isinstance(error, OSError) and error.strerror:
        return f"{Path(str(error.filename)).name if error.filename else 'file'}: {error.strerror.lower()}"
    return str(error).splitlines()[0] if str(error) else type(error).__name__
