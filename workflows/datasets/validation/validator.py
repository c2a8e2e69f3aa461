"""``validate_dataset``: detect or take the format, scan the files, and assemble the report."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from workflows.dataset_rules import CustomizationType, DatasetFormat, DatasetRules
from workflows.datasets.validation.codes import IssueCode
from workflows.datasets.validation.detect import family, sniff
from workflows.datasets.validation.duplicates import DigestTable
from workflows.datasets.validation.encoding import TextKind, text_kind
from workflows.datasets.validation.formats.media import MediaTracker, s3_bucket
from workflows.datasets.validation.issues import IssueLog
from workflows.datasets.validation.plan import make_plan
from workflows.datasets.validation.quotas import FileSize, check_total, check_training, check_validation
from workflows.datasets.validation.records import RecordRouter, build_checker
from workflows.datasets.validation.report import DatasetStats, FileInfo, FileReport, TokenStats, Turns, ValidationReport
from workflows.datasets.validation.scan import Scanner, ScanResult, ScanSetup
from workflows.datasets.validation.source import HEAD_BYTES, Opened, open_dataset, regular_size
from workflows.datasets.validation.split import split_ranges, split_scan
from workflows.datasets.validation.tokens import TOKENIZER, TokenPolicy, TokenTally
from workflows.exceptions import DatasetNotText

_FLAT = frozenset({DatasetFormat.PROMPT_COMPLETION, DatasetFormat.TEXT_INPUT})
#: The file name Bedrock expects a dataset to have.
_SUFFIX = ".jsonl"

#: Picks the rules once the type is detected from the first records (None: generic rules).
RulesChooser = Callable[[CustomizationType | None], DatasetRules | None]


def validate_dataset(
    path: Path,
    *,
    rules: DatasetRules | None = None,
    customization: CustomizationType | None = None,
    validation_path: Path | None = None,
    progress: Callable[[int, int], None] | None = None,
    max_examples_per_code: int = 20,
    dataset_s3_uri: str | None = None,
    choose_rules: RulesChooser | None = None,
    name: str | None = None,
    parallel: bool = False,
    max_prompt_tokens: int | None = None,
) -> ValidationReport:
    """Check a JSONL training file (and optional validation file) and report every problem.

    Each file is read once, from start to end, so a stream (standard input, a named pipe) works
    as a file does.

    Args:
        path: the training file, read as a binary stream.
        rules: the model's rules (``ModelSpec.dataset_rules``); None checks the format against
            rules every Bedrock model taking it shares.
        customization: the type asked for; None detects it from the first records.
        validation_path: an optional validation file, checked with the same rules, its bounds,
            and for overlap with the training file.
        progress: called with (bytes done, bytes total) about every 8 MiB, for regular files.
        max_examples_per_code: occurrences kept per code and file; counts stay exact.
        dataset_s3_uri: where the dataset will live, so media can be checked against its bucket.
        choose_rules: without ``rules``, called with the type detected from the first records
            (None when none was recognised) to pick the rules.
        name: the training file's name as the person knows it, when ``path`` is a copy (a
            download); the report shows it, and it must end in ``.jsonl``.
        parallel: use more processes, forked (Linux only; the report is the same): a large
            regular file of a flat format is scanned in ranges by one process per processor
            (``split``); otherwise records that may be over the per-record token limit are
            judged in a second process while the scan goes on. Only for a single-threaded
            caller, such as the command line.
        max_prompt_tokens: reinforcement fine-tuning's ``maxPromptLength``: each prompt is checked
            against it instead of the model's per-record limit.

    Raises:
        OSError: a file cannot be read.
        DatasetNotText: a file is binary data.
        ValueError: ``dataset_s3_uri`` is not an ``s3://bucket/key`` URI.
    """
    dataset_bucket = None if dataset_s3_uri is None else s3_bucket(dataset_s3_uri)
    if dataset_s3_uri is not None and dataset_bucket is None:
        raise ValueError("dataset_s3_uri must look like s3://bucket/key")
    sizes = [regular_size(path), 0 if validation_path is None else regular_size(validation_path)]
    total = None if None in sizes else sum(s or 0 for s in sizes)
    with open_dataset(path) as training_input:
        kind = _text_kind(path, training_input)
        head = training_input.head
        sniffed = sniff(head, complete=len(head) < HEAD_BYTES)
        if rules is None and choose_rules is not None:
            rules = choose_rules(family(sniffed.format) if sniffed.format else None)
        plan = make_plan(sniffed, rules, customization)
        if max_prompt_tokens is not None and plan.format is DatasetFormat.CHAT_PROMPTS:
            plan = replace(plan, rules=replace(plan.rules, max_prompt_tokens=max_prompt_tokens))
        media = MediaTracker(plan.rules.media, dataset_bucket=dataset_bucket, model=plan.model)
        run = _Run(
            setup=ScanSetup(
                router=RecordRouter(plan, build_checker(plan, media)),
                fast=plan.format if plan.format in _FLAT else None,
                reserved_words=plan.rules.reserved_words,
                max_tokens=_record_limit(plan.rules),
                limit_name=_limit_name(plan.rules),
                parallel=parallel,
            ),
            policy=TokenPolicy(
                exact=rules is not None and rules.token_count_exact,
                model=None if rules is None else rules.model_name,
            ),
            cap=max_examples_per_code,
            mean_line_bytes=sniffed.mean_line_bytes,
            progress=progress if total else None,
            total_bytes=total or 0,
        )
        training_log = IssueLog(max_examples_per_code)
        training_digests = run.digests(training_input.size)
        training = run.scan(
            name or _own_name(path), training_input, kind, training_log, training_digests, None, offset=0
        )
    training_file = FileSize(training.records, training.size_bytes)
    if kind is TextKind.UTF8:
        check_training(training_log, plan.rules, training_file, format_known=plan.format is not None)
    validation: FileReport | None = None
    validation_file: FileSize | None = None
    if validation_path is not None:
        log = IssueLog(max_examples_per_code)
        with open_dataset(validation_path) as validation_input:
            validation_kind = _text_kind(validation_path, validation_input)
            result = run.scan(
                _own_name(validation_path),
                validation_input,
                validation_kind,
                log,
                run.digests(validation_input.size),
                training_digests,
                offset=training.size_bytes,
            )
        validation_file = FileSize(result.records, result.size_bytes)
        if validation_kind is TextKind.UTF8:
            check_validation(log, plan.rules, validation_file)
        validation = FileReport(FileInfo(validation_path.name, result.size_bytes), log.issues(), _stats(result))
    check_total(training_log, plan.rules, training_file, validation_file)
    return ValidationReport(
        file=FileInfo(name or path.name, training.size_bytes),
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


def _text_kind(path: Path, opened: Opened) -> TextKind:
    kind = text_kind(opened.head)
    if kind is TextKind.BINARY:
        raise DatasetNotText("it looks like a binary file, not JSON Lines (one JSON object per line)")
    return kind


def _record_limit(rules: DatasetRules) -> int | None:
    """Tokens a record may have: a reinforcement prompt's ``maxPromptLength`` when set, else the model's limit."""
    if rules.max_prompt_tokens is not None:
        return rules.max_prompt_tokens
    return rules.max_tokens_per_record


def _limit_name(rules: DatasetRules) -> str:
    if rules.max_prompt_tokens is not None:
        return "maxPromptLength"
    if rules.token_limit_is_context:
        who = rules.model_name or "the model"
        return f"{who}'s context window (Bedrock documents no per-record training limit)"
    return "the limit"


@dataclass(frozen=True, slots=True)
class _Run:
    """What both files' scans share."""

    setup: ScanSetup
    policy: TokenPolicy
    cap: int
    mean_line_bytes: float
    progress: Callable[[int, int], None] | None
    total_bytes: int

    def expected_records(self, size: int | None) -> int | None:
        """Records the file probably holds, from its size and the first lines (None for a stream)."""
        if size is None or not self.mean_line_bytes:
            return None
        return int(size / self.mean_line_bytes)

    def digests(self, size: int | None) -> DigestTable:
        """A duplicate table sized for the records the file probably holds."""
        return DigestTable(self.expected_records(size) or 0)

    def scan(
        self,
        name: str | None,
        opened: Opened,
        kind: TextKind,
        log: IssueLog,
        digests: DigestTable,
        training: DigestTable | None,
        offset: int,
    ) -> ScanResult:
        if name is not None and not name.endswith(_SUFFIX):
            log.add(IssueCode.FILE_NAME_NOT_JSONL, None, f"{name} does not end in {_SUFFIX}")
        if kind is not TextKind.UTF8:
            return _unread(log, kind, opened)
        tally = TokenTally(expected_records=self.expected_records(opened.size), policy=self.policy)
        progress = self._progress_from(offset)
        if self.setup.parallel and self.setup.fast is not None and opened.size is not None:
            ranges = split_ranges(opened.fd, opened.size)
            if len(ranges) > 1:
                return split_scan(
                    self.setup,
                    ranges,
                    fd=opened.fd,
                    log=log,
                    tally=tally,
                    digests=digests,
                    training=training,
                    progress=progress,
                )
        scanner = Scanner(self.setup, log=log, tally=tally, digests=digests, training=training, progress=progress)
        return scanner.run(opened.stream)

    def _progress_from(self, offset: int) -> Callable[[int], None] | None:
        report, total = self.progress, self.total_bytes
        if report is None:
            return None
        return lambda done: report(offset + done, total)


def _own_name(path: Path) -> str | None:
    """The dataset's file name; None for standard input and ``<(…)``, which have none of their own."""
    return None if str(path).startswith(("/dev/", "/proc/")) else path.name


def _unread(log: IssueLog, kind: TextKind, opened: Opened) -> ScanResult:
    """A UTF-16 or UTF-32 file: one issue that says to convert it, and no line-by-line noise."""
    marked = opened.head.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff"))
    bom = " (it starts with a byte order mark)" if marked else ""
    log.add(IssueCode.WRONG_ENCODING, None, f"the file is {kind.value} text{bom}; convert it to UTF-8")
    size = opened.size if opened.size is not None else _drain(opened)
    none = TokenStats(0, 0, 0, 0, 0, 0, 0, TOKENIZER, False, 0, 0.0, "not counted: the file is not UTF-8")
    return ScanResult(lines=0, records=0, size_bytes=size, characters=0, single_turn=0, multi_turn=0, tokens=none)


def _drain(opened: Opened) -> int:
    """Read a stream to its end, returning its size."""
    read = 0
    while chunk := opened.stream.read(1 << 20):
        read += len(chunk)
    return read


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
