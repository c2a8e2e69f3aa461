"""``finetune-bot validate``: check a dataset offline, as the bot would, with every problem and its line.

Starts quickly: the model catalogue (pydantic) and the cost estimate load only with ``--model``,
the tokenizer only when a record is counted, and nothing here touches Slack, Redis or AWS.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from bot.cli import EXIT_INVALID, EXIT_OK, EXIT_USAGE, Subparsers
from bot.cli.price_file import configured_price_file
from workflows.command_grammar import parse_type
from workflows.dataset_rules import CustomizationType, DatasetRules
from workflows.datasets.validation import ValidationReport, validate_dataset, validation_tokens
from workflows.datasets.validation.codes import Severity
from workflows.datasets.validation.report import FileReport, Issue
from workflows.datasets.validation.token_worker import ScanStopped
from workflows.exceptions import DatasetNotText

if TYPE_CHECKING:
    from workflows.catalogue import ModelSpec
    from workflows.catalogue.costs import CostEstimate

#: Files above this size get a progress bar on a terminal.
PROGRESS_FROM_BYTES = 32 * 1024 * 1024
#: The path that stands for standard input.
STDIN = "-"
#: Where standard input is read from, as a file (one pass; works for pipes too).
_STDIN_PATH = Path("/dev/stdin")


class UsageProblem(Exception):
    """The command cannot run as asked; the message is the one line to print."""


def add_parser(subparsers: Subparsers) -> None:
    parser = subparsers.add_parser(
        "validate",
        help="check a JSONL dataset offline",
        description="Check a JSONL dataset against a base model's rules. Exit 0 valid, 1 invalid, 2 usage or "
        "unreadable input.",
    )
    parser.add_argument("file", type=Path, metavar="FILE", help="the training dataset (.jsonl); - reads standard input")
    parser.add_argument(
        "--type",
        dest="customization",
        metavar="TYPE",
        help="instruction, continued-pretraining, conversation, distillation or reinforcement "
        "(default: detected from the first records)",
    )
    parser.add_argument("--model", metavar="MODEL_ID", help="check against this base model's limits (see `models`)")
    parser.add_argument("--validation", type=Path, metavar="FILE", help="a validation dataset to check beside it")
    parser.add_argument("--epochs", type=int, metavar="N", help="epochs for the cost estimate (default: the model's)")
    parser.add_argument(
        "--teacher",
        metavar="TEACHER_ID",
        help="distillation: the teacher, so the cost includes its inference (with --model, the student)",
    )
    parser.add_argument(
        "--max-prompt-length",
        type=int,
        metavar="TOKENS",
        help="reinforcement: the job's maxPromptLength; longer prompts are errors",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON report instead of text")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Validate, print, and map the verdict to the exit status."""
    try:
        training = _input_path(args.file)
        validation_path = None if args.validation is None else _input_path(args.validation)
        model = _model(args.model)
        typed = _customization(args.customization, model)
        chosen: list[CustomizationType | None] = [typed]

        def choose_rules(detected: CustomizationType | None) -> DatasetRules | None:
            """With a model and no type, the type the records look like (if the model takes it)."""
            if model is None:
                return None
            kind = typed or (detected if detected is not None and model.supports(detected) else None)
            picked = kind or model.customization_types[0]
            chosen[0] = picked
            return model.dataset_rules(picked)

        report = validate_dataset(
            training,
            customization=typed,
            validation_path=validation_path,
            progress=_progress_bar(training) if not args.json else None,
            choose_rules=choose_rules,
            # The command runs on one thread, so long records can be judged in a forked process.
            parallel=True,
            max_prompt_tokens=_max_prompt_tokens(args.max_prompt_length, typed),
        )
        _check_not_empty(args.file, report)
        cost = _cost(model, report, args.epochs, chosen[0], args.teacher) if model else None
    except DatasetNotText as exc:
        print(f"finetune-bot: {_shown_name(args.file)}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except ScanStopped as exc:
        # Not the dataset's fault (memory, a signal): say so, rather than report part of the file.
        print(f"finetune-bot: {_shown_name(args.file)}: could not finish the check: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (UsageProblem, OSError) as exc:
        print(f"finetune-bot: {_one_line(exc)}", file=sys.stderr)
        return EXIT_USAGE
    if args.json:
        print(json.dumps({**report.to_json(), "cost": _cost_json(cost)}, ensure_ascii=False))
    else:
        print(render_text(report, cost))
    return EXIT_OK if report.valid else EXIT_INVALID


def _input_path(path: Path) -> Path:
    """``-`` is standard input; a missing file or a folder is one line saying so."""
    if str(path) == STDIN:
        return _STDIN_PATH
    if not path.exists():
        raise UsageProblem(f"{path.name}: no such file")
    if path.is_dir():
        raise UsageProblem(f"{path.name} is a folder; give the path of a .jsonl file")
    return path


def _shown_name(given: Path) -> str:
    return "standard input" if str(given) == STDIN else given.name


def _check_not_empty(given: Path, report: ValidationReport) -> None:
    if report.file.size_bytes == 0:
        raise UsageProblem(f"{_shown_name(given)} is empty; a dataset needs one JSON record per line")


def _model(model_id: str | None) -> ModelSpec | None:
    if model_id is None:
        return None
    # The catalogue (and pydantic) load only when a model is named.
    from workflows.catalogue import CatalogueError, load_catalogue

    try:
        return load_catalogue(configured_price_file()).model(model_id)
    except CatalogueError as exc:
        raise UsageProblem(str(exc)) from None


def _customization(typed: str | None, model: ModelSpec | None) -> CustomizationType | None:
    """The type given, checked against the model; None to detect it from the records."""
    if typed is None:
        return None
    customization = parse_type(typed)
    if customization is None:
        kinds = "instruction, continued-pretraining, conversation, distillation or reinforcement"
        raise UsageProblem(f"unknown type `{typed}`; use {kinds}")
    if model is not None and not model.supports(customization):
        offered = ", ".join(model.customization_types)
        raise UsageProblem(f"{model.name} does not support {customization}; it supports {offered}")
    return customization


def _max_prompt_tokens(tokens: int | None, typed: CustomizationType | None) -> int | None:
    if tokens is None:
        return None
    if tokens < 1:
        raise UsageProblem("--max-prompt-length must be 1 or more")
    if typed not in (None, CustomizationType.REINFORCEMENT):
        raise UsageProblem("--max-prompt-length applies to reinforcement datasets only")
    return tokens


def _cost(
    model: ModelSpec,
    report: ValidationReport,
    epochs: int | None,
    customization: CustomizationType | None,
    teacher_id: str | None = None,
) -> CostEstimate:
    from workflows.catalogue.costs import estimate_cost

    kind = customization or model.customization_types[0]
    if kind is CustomizationType.REINFORCEMENT or kind is CustomizationType.DISTILLATION:
        return _prompt_cost(model, report, kind, teacher_id)
    if teacher_id is not None:
        raise UsageProblem("--teacher goes with --type distillation")
    default = int(model.default_hyperparameters(kind).get("epochCount", "1"))
    if epochs is not None and epochs < 1:
        raise UsageProblem("--epochs must be 1 or more")
    return estimate_cost(
        model,
        training_tokens=report.stats.tokens.total,
        validation_tokens=validation_tokens(report),
        epochs=epochs or default,
    )


def _prompt_cost(
    model: ModelSpec, report: ValidationReport, kind: CustomizationType, teacher_id: str | None
) -> CostEstimate:
    """Reinforcement: billed per hour. Distillation: with ``--teacher``, its inference on top of training."""
    from workflows.catalogue import load_catalogue
    from workflows.catalogue.prompt_costs import estimate_distillation_cost, estimate_rft_cost
    from workflows.setup.review import DEFAULT_MAX_RESPONSE

    tokens = report.stats.tokens.total
    if kind is CustomizationType.REINFORCEMENT:
        return estimate_rft_cost(model, prompt_tokens=tokens)
    if teacher_id is None:
        from dataclasses import replace

        from workflows.catalogue.costs import estimate_cost

        student = estimate_cost(model, training_tokens=tokens, epochs=1)
        missing = "Without --teacher this leaves out the teacher's inference, which a distillation job also pays."
        return replace(student, notes=(missing, *student.notes))
    catalogue = load_catalogue(configured_price_file())
    teacher = next((t for t in catalogue.teachers_for(model) if t.id == teacher_id), None)
    if teacher is None:
        known = ", ".join(t.id for t in catalogue.teachers_for(model)) or "none"
        raise UsageProblem(f"{teacher_id} cannot teach {model.name}; its teachers: {known}")
    return estimate_distillation_cost(
        model, teacher, prompt_tokens=tokens, prompts=report.stats.records, max_response_tokens=DEFAULT_MAX_RESPONSE
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
    if not sys.stderr.isatty() or not path.is_file() or path.stat().st_size < PROGRESS_FROM_BYTES:
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
