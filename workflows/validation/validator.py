"""``validate_dataset``: detect or take the format, scan the files, and assemble the report."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from workflows.dataset_rules import CustomizationType, DatasetFormat, DatasetRules
from workflows.validation.detect import sniff_file
from workflows.validation.duplicates import DigestTable
from workflows.validation.formats.media import MediaTracker, s3_bucket
from workflows.validation.issues import IssueLog
from workflows.validation.plan import make_plan
from workflows.validation.quotas import FileSize, check_total, check_training, check_validation
from workflows.validation.records import RecordRouter, build_checker
from workflows.validation.report import DatasetStats, FileInfo, FileReport, Turns, ValidationReport
from workflows.validation.scan import Scanner, ScanResult, ScanSetup
from workflows.validation.tokens import TokenPolicy, TokenTally

_FLAT = frozenset({DatasetFormat.PROMPT_COMPLETION, DatasetFormat.TEXT_INPUT})


def validate_dataset(
    path: Path,
    *,
    rules: DatasetRules | None = None,
    customization: CustomizationType | None = None,
    validation_path: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
    max_examples_per_code: int = 20,
    dataset_s3_uri: str | None = None,
) -> ValidationReport:
    """Check a JSONL training file (and optional validation file) and report every problem.

    Args:
        path: the training file, read as a binary stream.
        rules: the model's rules (``ModelSpec.dataset_rules``); None checks the format against
            rules every Bedrock model taking it shares.
        customization: the type asked for; None detects it from the first records.
        validation_path: an optional validation file, checked with the same rules, its bounds,
            and for overlap with the training file.
        progress: called with (bytes done, bytes total) about every 8 MiB.
        max_examples_per_code: occurrences kept per code and file; counts stay exact.
        dataset_s3_uri: where the dataset will live, so media can be checked against its bucket.

    Raises:
        OSError: a file cannot be read.
        ValueError: ``dataset_s3_uri`` is not an ``s3://bucket/key`` URI.
    """
    dataset_bucket = None if dataset_s3_uri is None else s3_bucket(dataset_s3_uri)
    if dataset_s3_uri is not None and dataset_bucket is None:
        raise ValueError("dataset_s3_uri must look like s3://bucket/key")
    training_size = path.stat().st_size
    validation_size = 0 if validation_path is None else validation_path.stat().st_size
    sniff = sniff_file(path)
    plan = make_plan(sniff, rules, customization)
    media = MediaTracker(plan.rules.media, dataset_bucket=dataset_bucket, model=plan.model)
    run = _Run(
        setup=ScanSetup(
            router=RecordRouter(plan, build_checker(plan, media)),
            fast=plan.format if plan.format in _FLAT else None,
            reserved_words=plan.rules.reserved_words,
            max_tokens=plan.rules.max_tokens_per_record,
        ),
        policy=TokenPolicy(
            exact=rules is not None and rules.token_count_exact,
            model=None if rules is None else rules.model_name,
        ),
        cap=max_examples_per_code,
        mean_line_bytes=sniff.mean_line_bytes,
        progress=progress,
        total_bytes=training_size + validation_size,
    )
    training_log = IssueLog(max_examples_per_code)
    training_digests = run.digests(training_size)
    training = run.scan(path, training_size, training_log, training_digests, None, offset=0)
    training_file = FileSize(training.records, training_size)
    check_training(training_log, plan.rules, training_file, format_known=plan.format is not None)
    validation: FileReport | None = None
    validation_file: FileSize | None = None
    if validation_path is not None:
        log = IssueLog(max_examples_per_code)
        result = run.scan(
            validation_path, validation_size, log, run.digests(validation_size), training_digests, training_size
        )
        validation_file = FileSize(result.records, validation_size)
        check_validation(log, plan.rules, validation_file)
        validation = FileReport(FileInfo(validation_path.name, validation_size), log.issues(), _stats(result))
    check_total(training_log, plan.rules, training_file, validation_file)
    return ValidationReport(
        file=FileInfo(path.name, training_size),
        format=plan.format,
        customization=plan.customization,
        detected=plan.detected,
        note=plan.note,
        mismatch=plan.mismatch,
        turns=_turns(training),
        model_name=None if rules is None else rules.model_name,
        issues=training_log.issues(),
        stats=_stats(training),
        validation=validation,
    )


@dataclass(frozen=True, slots=True)
class _Run:
    """What both files' scans share."""

    setup: ScanSetup
    policy: TokenPolicy
    cap: int
    mean_line_bytes: float
    progress: Callable[[int, int], None] | None
    total_bytes: int

    def digests(self, size: int) -> DigestTable:
        """A duplicate table sized for the records the file probably holds."""
        expected = int(size / self.mean_line_bytes) if self.mean_line_bytes else 0
        return DigestTable(expected)

    def scan(
        self,
        path: Path,
        size: int,
        log: IssueLog,
        digests: DigestTable,
        training: DigestTable | None,
        offset: int,
    ) -> ScanResult:
        scanner = Scanner(
            self.setup,
            log=log,
            tally=TokenTally(size_bytes=size, policy=self.policy),
            digests=digests,
            training=training,
            progress=self._progress_from(offset),
        )
        with path.open("rb") as stream:
            return scanner.run(stream)

    def _progress_from(self, offset: int) -> Callable[[int], None] | None:
        report, total = self.progress, self.total_bytes
        if report is None:
            return None
        return lambda done: report(offset + done, total)


def _stats(result: ScanResult) -> DatasetStats:
    return DatasetStats(
        lines=result.lines,
        records=result.records,
        characters=result.characters,
        single_turn_records=result.single_turn,
        multi_turn_records=result.multi_turn,
        tokens=result.tokens,
    )


def _turns(result: ScanResult) -> Turns | None:
    if result.single_turn and result.multi_turn:
        return Turns.MIXED
    if result.multi_turn:
        return Turns.MULTI
    if result.single_turn:
        return Turns.SINGLE
    return None
