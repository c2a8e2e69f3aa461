"""One streaming pass over one file: line hygiene, JSON, record checks, tokens and duplicates.

The loop is written for the common case: a clean prompt/completion (or input) record is decoded
and type-checked in C (``fast``), and only lines that fail that go through the general checks.
Lines are read in batches small enough to stay in the processor's cache while they are parsed;
each record's duplicate digest is taken while its text is still there, and the digests of a batch
are checked in one call. Token work (records that may be over the limit, sampled counts) is done
here, or in a forked process for the command line (``token_worker``), with the same results.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass

import orjson

from workflows.dataset_rules import DatasetFormat
from workflows.datasets.validation.codes import IssueCode
from workflows.datasets.validation.diagnose import Recovered, diagnose
from workflows.datasets.validation.duplicates import DigestTable
from workflows.datasets.validation.fast import FAST_FAILURES, prompt_completion_decoder, text_input_decoder
from workflows.datasets.validation.issues import IssueLog
from workflows.datasets.validation.limits import LimitJudge
from workflows.datasets.validation.lines import MAX_LINE_BYTES, LineReader, Readable
from workflows.datasets.validation.records import RecordRouter
from workflows.datasets.validation.report import TokenStats
from workflows.datasets.validation.template import flat_overhead
from workflows.datasets.validation.token_worker import TokenWorker, can_fork
from workflows.datasets.validation.tokens import Population, Sampled, TokenTally, count_tokens

_PROMPT_COMPLETION_PATHS = ("prompt", "completion")
_INPUT_PATHS = ("input",)
#: Bytes between progress reports.
PROGRESS_BYTES = 8 << 20
#: ``duplicates.digest``, inlined in the loop.
_MASK = (1 << 64) - 1


@dataclass(frozen=True, slots=True)
class ScanSetup:
    """What one scan checks, shared by the training and validation files."""

    router: RecordRouter
    #: The flat format checked inline (None: every record goes through the router).
    fast: DatasetFormat | None
    reserved_words: tuple[str, ...]
    max_tokens: int | None
    #: How messages name the per-record bound ("the limit", or the model's context window).
    limit_name: str = "the limit"
    #: Judge records that may be over the limit in a second process (see ``limits.LimitWorker``).
    parallel: bool = False


@dataclass(frozen=True, slots=True)
class ScanResult:
    """Counts from one pass."""

    lines: int
    records: int
    #: Bytes read: the file's size, also for a stream.
    size_bytes: int
    characters: int
    single_turn: int
    multi_turn: int
    tokens: TokenStats


class Scanner:
    """Scans one file into an issue log, a token tally and a duplicate table."""

    def __init__(
        self,
        setup: ScanSetup,
        *,
        log: IssueLog,
        tally: TokenTally,
        digests: DigestTable,
        training: DigestTable | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> None:
        self._setup = setup
        self._log = log
        self._tally = tally
        self._digests = digests
        self._training = training
        self._progress = progress

    def run(self, stream: Readable) -> ScanResult:
        work = _TokenWork(self._setup, self._log, self._tally)
        try:
            return self._scan(stream, work)
        except BaseException:
            work.close()
            raise

    def _scan(self, stream: Readable, work: _TokenWork) -> ScanResult:  # noqa: C901 - the hot loop, in one frame for speed
        setup = self._setup
        log = self._log
        add_issue = log.add
        route = setup.router.check
        tally = self._tally
        judge, sample = work.judge, work.sample
        reserved = setup.reserved_words
        limit = setup.max_tokens
        decode_pc = prompt_completion_decoder() if setup.fast is DatasetFormat.PROMPT_COMPLETION else None
        decode_input = text_input_decoder() if setup.fast is DatasetFormat.TEXT_INPUT else None
        fast_paths = _INPUT_PATHS if decode_input is not None else _PROMPT_COMPLETION_PATHS
        fast_overhead = flat_overhead(setup.fast or DatasetFormat.PROMPT_COMPLETION)
        loads = orjson.loads
        decode_error = orjson.JSONDecodeError
        crlf = IssueCode.CRLF_LINE_ENDING
        reader = LineReader(stream)

        line_number = chars = template = 0
        ascii_records = ascii_chars = other_records = other_chars = 0
        single = multi = 0
        ascii_countdown = other_countdown = 1
        longest_chars = -1
        reported = 0
        longest: tuple[tuple[str, ...], int] | None = None
        key: Hashable | None
        paths: tuple[str, ...]
        overhead: int
        size: int
        is_ascii: bool

        for batch in reader:
            has_cr = batch.has_cr
            # Content digests (taken while the record is in cache) and their lines, checked against
            # the duplicate tables once per batch, in line order.
            values: list[int] = []
            value_lines: list[int] = []
            for line in batch.lines:
                line_number += 1
                if has_cr and line[-1:] == b"\r":
                    add_issue(crlf, line_number, "the line ends with \\r\\n")

                # A clean flat record is decoded and type-checked in C; anything else takes the general path.
                texts: tuple[str, ...] | None = None
                if decode_pc is not None:
                    try:
                        record = decode_pc(line)
                    except FAST_FAILURES:
                        pass
                    else:
                        p = record.prompt
                        c = record.completion
                        if p and c and not p.isspace() and not c.isspace():
                            texts = (p, c)
                            size = len(p) + len(c)
                            is_ascii = p.isascii() and c.isascii()
                elif decode_input is not None:
                    try:
                        t = decode_input(line).input
                    except FAST_FAILURES:
                        pass
                    else:
                        if t and not t.isspace():
                            texts = (t,)
                            size = len(t)
                            is_ascii = t.isascii()
                if texts is not None:
                    key = texts
                    paths = fast_paths
                    overhead = fast_overhead
                    bound = len(line)
                else:
                    try:
                        value = loads(line)
                        bound = len(line)
                    except decode_error:
                        recovered = self._rejected(line, line_number, reader)
                        if recovered is None:
                            continue
                        # Replacement characters may be longer than the bytes they replace.
                        value, bound = recovered.value, 3 * len(line)
                    content = route(value, line_number, log)
                    if content is None:
                        continue
                    texts, key, paths, overhead = content.texts, content.key, content.paths, content.overhead
                    size = sum(map(len, texts))
                    is_ascii = all(map(str.isascii, texts))
                    if content.user_turns > 1:
                        multi += 1
                    elif content.user_turns == 1:
                        single += 1

                chars += size
                template += overhead
                if is_ascii:
                    ascii_records += 1
                    ascii_chars += size
                    ascii_countdown -= 1
                    if not ascii_countdown:
                        ascii_countdown = tally.next_gap(True)
                        sample(texts, size, True, overhead)
                else:
                    other_records += 1
                    other_chars += size
                    other_countdown -= 1
                    if not other_countdown:
                        other_countdown = tally.next_gap(False)
                        sample(texts, size, False, overhead)
                if size > longest_chars:
                    longest_chars = size
                    longest = (texts, overhead)
                if reserved:
                    self._reserved(texts, paths, line_number)
                # Every token is at least one byte: only a record longer than the limit can be over it.
                if limit is not None and bound + overhead > limit and (not is_ascii or size + overhead > limit):
                    judge(line_number, texts, size, overhead)
                if key is not None:
                    values.append(hash(key) & _MASK or 1)
                    value_lines.append(line_number)
            self._duplicates(values, value_lines)
            if self._progress is not None and batch.done - reported >= PROGRESS_BYTES:
                self._progress(batch.done)
                reported = batch.done
        if self._progress is not None and reported < reader.bytes_read:
            self._progress(reader.bytes_read)

        work.finish(longest)
        population = Population(ascii_records, ascii_chars, other_records, other_chars, template)
        return ScanResult(
            lines=line_number,
            records=line_number - log.count(IssueCode.BLANK_LINE),
            size_bytes=reader.bytes_read,
            characters=chars,
            single_turn=single,
            multi_turn=multi,
            tokens=tally.finish(population, None),
        )

    def _duplicates(self, values: list[int], lines: list[int]) -> None:
        """Report the records of one batch (by ``duplicates.digest``) seen before in this file or the training file."""
        for line, first in self._digests.add_many(values, lines):
            self._log.add(IssueCode.DUPLICATE_RECORD, line, f"same content as line {first}")
        if self._training is not None:
            for line, first in self._training.find_many(values, lines):
                self._log.add(IssueCode.TRAIN_VALIDATION_OVERLAP, line, f"same content as training line {first}")

    def _rejected(self, line: bytes, line_number: int, reader: LineReader) -> Recovered | None:
        """A line orjson would not parse: too long, or explained by ``diagnose``."""
        length = reader.oversized.get(line_number)
        if length is not None:
            detail = f"{length:,} bytes; lines over {MAX_LINE_BYTES:,} bytes are not read"
            self._log.add(IssueCode.LINE_TOO_LONG, line_number, detail)
            return None
        return diagnose(line, line_number, self._log)

    def _reserved(self, texts: tuple[str, ...], paths: tuple[str, ...], line_number: int) -> None:
        for text, path in zip(texts, paths, strict=True):
            for word in self._setup.reserved_words:
                at = text.find(word)
                if at >= 0:
                    self._log.add(IssueCode.RESERVED_WORD, line_number, f"{word!r} in {path} at character {at}")


class _TokenWork:
    """Token work of one scan: in this process, or in a forked one when the setup asks for it.

    The second process starts with the first record that needs a count, so a file with no text
    never forks.
    """

    def __init__(self, setup: ScanSetup, log: IssueLog, tally: TokenTally) -> None:
        self._setup = setup
        self._log = log
        self._tally = tally
        self._remote = setup.parallel and can_fork()
        self._worker: TokenWorker | None = None
        self._judge: LimitJudge | None = None
        #: Sampled records counted in the second process, in the order sent.
        self._held: list[Sampled] = []

    def judge(self, line_number: int, texts: tuple[str, ...], chars: int, overhead: int) -> None:
        """Judge a record that may be over the per-record limit."""
        if self._remote:
            self._started().judge(line_number, texts, chars, overhead)
            return
        if self._judge is None:
            if self._setup.max_tokens is None:
                raise RuntimeError("a record was sent to be judged with no per-record limit set")
            self._judge = LimitJudge(
                limit=self._setup.max_tokens, limit_name=self._setup.limit_name, log=self._log, tally=self._tally
            )
        self._judge(line_number, texts, chars, overhead)

    def sample(self, texts: tuple[str, ...], chars: int, ascii: bool, overhead: int) -> None:
        """Count a sampled record for the token estimate."""
        if self._remote:
            self._held.append(self._tally.hold(texts, chars, ascii, overhead))
            self._started().count(texts)
        else:
            self._tally.sample(texts, chars, ascii, overhead)

    def finish(self, longest: tuple[tuple[str, ...], int] | None) -> None:
        """Count the longest record, and bring the second process's issues and counts into the log and tally."""
        worker = self._worker
        if worker is None:
            if longest is not None:
                self._tally.note(count_tokens(longest[0]) + longest[1])
            return
        if longest is not None:
            worker.count(longest[0])
        self._worker = None
        judged, largest, counts = worker.finish()
        self._log.merge(judged)
        self._tally.note(largest)
        if longest is not None:
            self._tally.note(counts.pop() + longest[1])
        for entry, tokens in zip(self._held, counts, strict=True):
            self._tally.fill(entry, tokens)

    def close(self) -> None:
        """Stop the second process, if any, without its results."""
        if self._worker is not None:
            self._worker.close()
            self._worker = None

    def _started(self) -> TokenWorker:
        if self._worker is None:
            setup = self._setup
            self._worker = TokenWorker(
                limit=setup.max_tokens, limit_name=setup.limit_name, cap=self._log.cap, policy=self._tally.policy
            )
        return self._worker
