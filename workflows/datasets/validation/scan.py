"""One streaming pass over one file: line hygiene, JSON, record checks, tokens and duplicates.

The loop is written for the common case. For a flat format each batch of lines is decoded and
type-checked in C in one call (``fast.FlatLine``), and runs of clean records are counted,
sampled, bounded and digested a column at a time; a batch that does not decode is halved, and
small pieces, like the lines that are not clean records, go line by line through the general
checks. Lines are read in batches small enough to stay in the processor's cache while they are
parsed; the digests of a batch are checked against the duplicate tables in one call. Token work
(records that may be over the limit, sampled counts) is done here, or in a forked process for the
command line (``token_worker``), with the same results.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from itertools import compress
from operator import add, and_, not_
from typing import Protocol

import orjson

from workflows.dataset_rules import DatasetFormat
from workflows.datasets.validation.codes import IssueCode
from workflows.datasets.validation.diagnose import Recovered, diagnose
from workflows.datasets.validation.duplicates import DigestTable
from workflows.datasets.validation.fast import (
    FAST_FAILURES,
    FlatBatch,
    FlatLine,
    flat_batch,
    prompt_completion_decoder,
    text_input_decoder,
)
from workflows.datasets.validation.issues import IssueLog
from workflows.datasets.validation.limits import LimitJudge
from workflows.datasets.validation.lines import MAX_LINE_BYTES, LineReader, Readable
from workflows.datasets.validation.ranges import BatchIndex
from workflows.datasets.validation.records import RecordRouter
from workflows.datasets.validation.report import TokenStats
from workflows.datasets.validation.template import flat_overhead
from workflows.datasets.validation.token_worker import TokenWorker, can_fork
from workflows.datasets.validation.tokens import Population, Sampled, TokenTally, count_tokens, utf8_bytes

_PROMPT_COMPLETION_PATHS = ("prompt", "completion")
_INPUT_PATHS = ("input",)
#: Bytes between progress reports.
PROGRESS_BYTES = 8 << 20
#: ``duplicates.digest``, inlined in the loop.
_MASK = (1 << 64) - 1
#: Lines that failed to decode at once are halved down to about this size, then checked one by one.
_HALVE_FROM_BYTES = 8 << 10
#: Most UTF-8 bytes of one character.
_UTF8_MOST = 4


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
    #: The records with text per stratum, for scaling a sample (what ``tokens`` was computed from).
    population: Population | None = None


class Work(Protocol):
    """Where a scan sends its token work: records to judge against the limit, and sampled records."""

    def judge(self, line_number: int, texts: tuple[str, ...], chars: int, overhead: int) -> None: ...

    def sample(self, texts: tuple[str, ...], chars: int, ascii: bool, overhead: int) -> None: ...

    def finish(self, longest: tuple[tuple[str, ...], int] | None) -> None: ...

    def close(self) -> None: ...


@dataclass(frozen=True, slots=True)
class Strata:
    """What a scan of one range records instead of sampling: each record's stratum, and where its batch is.

    The sample is then drawn over the whole file's records in line order (``split.draw``), and
    the sampled records are read again from their batches.
    """

    #: 1 for a record whose texts are all ASCII, 0 for another, one byte per record with text.
    flags: bytearray
    batches: BatchIndex


class _State:
    """The running counts of one scan, kept between batches."""

    __slots__ = (
        "ascii_chars",
        "ascii_countdown",
        "ascii_records",
        "chars",
        "line_number",
        "longest",
        "longest_chars",
        "multi",
        "other_chars",
        "other_countdown",
        "other_records",
        "single",
        "template",
    )

    def __init__(self) -> None:
        self.line_number = self.chars = self.template = 0
        self.ascii_records = self.ascii_chars = self.other_records = self.other_chars = 0
        self.single = self.multi = 0
        # Records of each stratum until its next sampled one.
        self.ascii_countdown = self.other_countdown = 1
        self.longest_chars = -1
        self.longest: tuple[tuple[str, ...], int] | None = None


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
        strata: Strata | None = None,
    ) -> None:
        self._setup = setup
        self._log = log
        self._tally = tally
        self._digests = digests
        self._training = training
        self._progress = progress
        #: Record each record's stratum (and its batch) instead of drawing the sample here.
        self._strata = strata

    def run(self, stream: Readable, work: Work | None = None) -> ScanResult:
        """Scan ``stream``; token work goes to ``work`` (default: here, or a forked process per the setup)."""
        work = work or _TokenWork(self._setup, self._log, self._tally)
        try:
            return self._scan(stream, work)
        except BaseException:
            work.close()
            raise

    def _scan(self, stream: Readable, work: Work) -> ScanResult:
        setup = self._setup
        self._work = work
        strata = self._strata
        flags = None if strata is None else strata.flags
        reader = LineReader(stream)
        self._decode_pc = prompt_completion_decoder() if setup.fast is DatasetFormat.PROMPT_COMPLETION else None
        self._decode_input = text_input_decoder() if setup.fast is DatasetFormat.TEXT_INPUT else None
        self._fast_paths = _INPUT_PATHS if self._decode_input is not None else _PROMPT_COMPLETION_PATHS
        self._fast_overhead = flat_overhead(setup.fast or DatasetFormat.PROMPT_COMPLETION)
        batches = None if setup.fast is None else flat_batch(setup.fast)
        state = self._state = _State()
        #: 1-based line number → length in bytes, for the lines too long to read.
        self._oversized: dict[int, int] = {}
        reported = 0
        for batch in reader:
            if batch.oversized is not None:
                self._oversized[state.line_number + 1] = batch.oversized
            # Content digests (taken while the record is in cache) and their lines, checked against
            # the duplicate tables once per batch, in line order.
            values: list[int] = []
            value_lines: list[int] = []
            before = 0 if flags is None else len(flags)
            if batches is not None:
                self._piece(batches, batch.raw, batch.has_cr, values, value_lines)
            else:
                self._lines(batch.lines, batch.has_cr, values, value_lines)
            if strata is not None and len(strata.flags) > before:
                strata.batches.add(batch.end, len(batch.raw), batch.oversized is not None, before)
            self._duplicates(values, value_lines)
            if self._progress is not None and batch.done - reported >= PROGRESS_BYTES:
                self._progress(batch.done)
                reported = batch.done
        if self._progress is not None and reported < reader.bytes_read:
            self._progress(reader.bytes_read)

        work.finish(state.longest)
        population = Population(
            state.ascii_records, state.ascii_chars, state.other_records, state.other_chars, state.template
        )
        return ScanResult(
            lines=state.line_number,
            records=state.line_number - self._log.count(IssueCode.BLANK_LINE),
            size_bytes=reader.bytes_read,
            characters=state.chars,
            single_turn=state.single,
            multi_turn=state.multi,
            tokens=self._tally.finish(population, None),
            population=population,
        )

    def _piece(self, batches: FlatBatch, raw: bytes, has_cr: bool, values: list[int], value_lines: list[int]) -> None:
        """Lines of a flat format: decoded in one call, or halved when that fails, and small pieces one by one.

        The lines are decoded as one JSON array, with ``,`` between lines: a decode that gives as
        many values as there are lines gives one per line, in order (a value that ran over a
        line's end would leave fewer). Lines ending in ``\\r`` go one by one, to be reported.
        """
        if not has_cr:
            body = raw.replace(b"\n", b",\n")
            try:
                records = batches.decode(b"".join((b"[", body, b"]")))
            except FAST_FAILURES:
                pass
            else:
                if len(records) == len(body) - len(raw) + 1:
                    self._records(batches, records, raw, values, value_lines)
                    return
        middle = raw.find(b"\n", len(raw) // 2)
        if middle < 0:
            middle = raw.rfind(b"\n")
        if len(raw) >= _HALVE_FROM_BYTES and middle >= 0:
            self._piece(batches, raw[:middle], has_cr, values, value_lines)
            self._piece(batches, raw[middle + 1 :], has_cr, values, value_lines)
            return
        self._lines(raw.split(b"\n"), has_cr, values, value_lines)

    def _records(
        self, batches: FlatBatch, records: list[FlatLine], raw: bytes, values: list[int], value_lines: list[int]
    ) -> None:
        """Decoded lines, one record each: runs of clean records at once, any other line by the general checks."""
        columns = [list(map(column, records)) for column in batches.columns]
        if (
            all(map(all, columns))
            and not any(any(map(str.isspace, column)) for column in columns)  # type: ignore[arg-type]
            and not any(any(map(foreign, records)) for foreign in batches.foreign)
        ):
            self._clean(columns, values, value_lines)  # type: ignore[arg-type]
            return
        count = len(records)
        others: set[int] = set()
        for column in columns:
            others.update(compress(range(count), map(not_, column)))
            if any(map(str.isspace, filter(None, column))):
                others.update(at for at, text in enumerate(column) if text and text.isspace())
        for foreign in batches.foreign:
            others.update(compress(range(count), map(foreign, records)))
        start = 0
        # Where each other line starts: found by counting line ends (memchr), not by splitting the batch.
        offset = line = 0
        find = raw.find
        for at in sorted(others):
            if at > start:
                self._clean([column[start:at] for column in columns], values, value_lines)  # type: ignore[misc]
            while line < at:
                offset = find(b"\n", offset) + 1
                line += 1
            end = find(b"\n", offset)
            self._lines([raw[offset : end if end >= 0 else len(raw)]], False, values, value_lines)
            start = at + 1
        if start < count:
            self._clean([column[start:] for column in columns], values, value_lines)  # type: ignore[misc]

    def _clean(self, columns: list[list[str]], values: list[int], value_lines: list[int]) -> None:
        """Consecutive clean flat records (non-blank texts, nothing else), counted and checked at once."""
        state = self._state
        work = self._work
        tally = self._tally
        limit = self._setup.max_tokens
        overhead = self._fast_overhead
        keys = list(zip(*columns, strict=True))
        sizes = list(map(len, columns[0]))
        for column in columns[1:]:
            sizes = list(map(add, sizes, map(len, column)))
        count = len(keys)
        first = state.line_number + 1
        state.line_number += count
        total = sum(sizes)
        state.chars += total
        state.template += overhead * count
        biggest = max(sizes)
        if all(all(map(str.isascii, column)) for column in columns):
            state.ascii_records += count
            state.ascii_chars += total
            countdown = state.ascii_countdown
            if self._strata is not None:
                self._strata.flags.extend(b"\x01" * count)
            elif countdown > count:
                state.ascii_countdown = countdown - count
            else:
                at = countdown - 1
                while at < count:
                    gap = tally.next_gap(True)
                    work.sample(keys[at], sizes[at], True, overhead)
                    at += gap
                state.ascii_countdown = at - count + 1
            # Every token is at least one byte: only a record longer than the limit can be over it.
            if limit is not None and biggest + overhead > limit:
                for at, size in enumerate(sizes):
                    if size + overhead > limit:
                        work.judge(first + at, keys[at], size, overhead)
        else:
            self._mixed(columns, keys, sizes, first)
        if biggest > state.longest_chars:
            state.longest_chars = biggest
            state.longest = (keys[sizes.index(biggest)], overhead)
        if self._setup.reserved_words:
            for at, texts in enumerate(keys):
                self._reserved(texts, self._fast_paths, first + at)
        values.extend([value & _MASK or 1 for value in map(hash, keys)])
        value_lines.extend(range(first, first + count))

    def _mixed(self, columns: list[list[str]], keys: list[tuple[str, ...]], sizes: list[int], first: int) -> None:
        """The counts, samples and limit checks of clean records of which some are not ASCII.

        ASCII records and the others are sampled separately, but from one random sequence, so
        their samples are taken in line order.
        """
        state = self._state
        work = self._work
        tally = self._tally
        overhead = self._fast_overhead
        count = len(sizes)
        flags = list(map(str.isascii, columns[0]))
        for column in columns[1:]:
            flags = list(map(and_, flags, map(str.isascii, column)))
        ascii_at = list(compress(range(count), flags))
        other_at = list(compress(range(count), map(not_, flags)))
        ascii_chars = sum(compress(sizes, flags))
        state.ascii_records += len(ascii_at)
        state.ascii_chars += ascii_chars
        state.other_records += len(other_at)
        state.other_chars += sum(sizes) - ascii_chars
        if self._strata is not None:
            self._strata.flags.extend(flags)
            self._over(keys, sizes, first, ascii_at, other_at)
            return
        # Index, in each stratum's records here, of its next sampled one.
        next_ascii = state.ascii_countdown - 1
        next_other = state.other_countdown - 1
        ascii_end, other_end = len(ascii_at), len(other_at)
        while next_ascii < ascii_end or next_other < other_end:
            if next_other >= other_end or (next_ascii < ascii_end and ascii_at[next_ascii] < other_at[next_other]):
                at = ascii_at[next_ascii]
                next_ascii += tally.next_gap(True)
                work.sample(keys[at], sizes[at], True, overhead)
            else:
                at = other_at[next_other]
                next_other += tally.next_gap(False)
                work.sample(keys[at], sizes[at], False, overhead)
        state.ascii_countdown = next_ascii - ascii_end + 1
        state.other_countdown = next_other - other_end + 1
        self._over(keys, sizes, first, ascii_at, other_at)

    def _over(
        self, keys: list[tuple[str, ...]], sizes: list[int], first: int, ascii_at: list[int], other_at: list[int]
    ) -> None:
        """Send the records of a batch that may be over the per-record limit to be judged, in line order."""
        limit = self._setup.max_tokens
        overhead = self._fast_overhead
        work = self._work
        if limit is None:
            return
        # Every token is at least one byte, and UTF-8 takes at most four bytes a character.
        over = [at for at in ascii_at if sizes[at] + overhead > limit]
        over += [
            at
            for at in other_at
            if _UTF8_MOST * sizes[at] + overhead > limit and utf8_bytes(keys[at]) + overhead > limit
        ]
        for at in sorted(over):
            work.judge(first + at, keys[at], sizes[at], overhead)

    def _lines(self, lines: list[bytes], has_cr: bool, values: list[int], value_lines: list[int]) -> None:  # noqa: C901 - the general loop, in one frame for speed
        """Lines checked one by one: a clean flat record decoded in C, anything else by the general checks."""
        setup = self._setup
        state = self._state
        log = self._log
        add_issue = log.add
        route = setup.router.check
        tally = self._tally
        judge, sample = self._work.judge, self._work.sample
        reserved = setup.reserved_words
        limit = setup.max_tokens
        decode_pc = self._decode_pc
        decode_input = self._decode_input
        fast_paths = self._fast_paths
        fast_overhead = self._fast_overhead
        loads = orjson.loads
        decode_error = orjson.JSONDecodeError
        crlf = IssueCode.CRLF_LINE_ENDING
        flags = None if self._strata is None else self._strata.flags

        line_number = state.line_number
        chars, template = state.chars, state.template
        ascii_records, ascii_chars = state.ascii_records, state.ascii_chars
        other_records, other_chars = state.other_records, state.other_chars
        single, multi = state.single, state.multi
        ascii_countdown, other_countdown = state.ascii_countdown, state.other_countdown
        longest_chars, longest = state.longest_chars, state.longest
        key: Hashable | None
        paths: tuple[str, ...]
        overhead: int
        size: int
        is_ascii: bool

        for line in lines:
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
                    recovered = self._rejected(line, line_number)
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
            if flags is not None:
                flags.append(is_ascii)
                if is_ascii:
                    ascii_records += 1
                    ascii_chars += size
                else:
                    other_records += 1
                    other_chars += size
            elif is_ascii:
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

        state.line_number = line_number
        state.chars, state.template = chars, template
        state.ascii_records, state.ascii_chars = ascii_records, ascii_chars
        state.other_records, state.other_chars = other_records, other_chars
        state.single, state.multi = single, multi
        state.ascii_countdown, state.other_countdown = ascii_countdown, other_countdown
        state.longest_chars, state.longest = longest_chars, longest

    def _duplicates(self, values: list[int], lines: list[int]) -> None:
        """Report the records of one batch (by ``duplicates.digest``) seen before in this file or the training file."""
        for line, first in self._digests.add_many(values, lines):
            self._log.add(IssueCode.DUPLICATE_RECORD, line, f"same content as line {first}")
        if self._training is not None:
            for line, first in self._training.find_many(values, lines):
                self._log.add(IssueCode.TRAIN_VALIDATION_OVERLAP, line, f"same content as training line {first}")

    def _rejected(self, line: bytes, line_number: int) -> Recovered | None:
        """A line orjson would not parse: too long, or explained by ``diagnose``."""
        length = self._oversized.get(line_number)
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
