"""A large flat file scanned by several forked processes, one range of whole lines each, merged into one report.

Each process scans its range as the one-process scan would (``Scanner``), numbering its lines
from 1, judging its long records against the limit, and recording instead of deciding what
depends on the records before it: each record's stratum for the token sample, and each record's
content digest. This process then merges in line order: the issues, shifted by the lines before
each range (the first ``cap`` per code kept, counts exact); the duplicates, checked against one
table in line order; and the sample, drawn over the whole file's strata with the one-process
scan's seeded sequence, whose records the processes then read again from their batches and
count. The report is the one-process scan's, to the byte.

For the command line only: forking a process that runs threads (``serve``) is not safe.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import signal
from array import array
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from itertools import compress, repeat
from multiprocessing.connection import Connection, wait
from operator import add, not_
from typing import Any

from workflows.datasets.validation.codes import IssueCode
from workflows.datasets.validation.duplicates import DigestTable
from workflows.datasets.validation.issues import IssueLog
from workflows.datasets.validation.limits import LimitJudge
from workflows.datasets.validation.ranges import BatchIndex, Range, RangeReader, cut
from workflows.datasets.validation.scan import Scanner, ScanResult, ScanSetup, Strata
from workflows.datasets.validation.token_worker import ScanStopped, can_fork
from workflows.datasets.validation.tokens import (
    Population,
    Sampled,
    TokenPolicy,
    TokenTally,
    count_tokens,
    load_tokenizer,
    utf8_bytes,
)

#: Smaller files are scanned in one process: starting others would cost more than it saves.
SPLIT_FROM_BYTES = 64 << 20
#: The least each process gets.
RANGE_BYTES = 16 << 20
#: The most processes, whatever the processors: each adds about 25 MiB of its own (its batches, the
#: records' digests and strata, the tokenizer's work), and all of them together stay under 200 MB.
MAX_PROCESSES = 4
_PROGRESS, _SCANNED, _COUNTED, _FAILED = range(4)
_STOPPED = "a process scanning part of the file stopped before it finished"


def split_ranges(fd: int, size: int) -> list[Range]:
    """The ranges to scan in parallel: one per processor, or a single range when splitting does not pay."""
    parts = min(os.cpu_count() or 1, MAX_PROCESSES, size // RANGE_BYTES)
    if size < SPLIT_FROM_BYTES or parts < 2 or not can_fork():
        return [Range(0, size)]
    return cut(fd, size, parts)


@dataclass(frozen=True, slots=True)
class _Scanned:
    """What a process found in its range; lines are numbered from 1 within the range."""

    result: ScanResult
    log: IssueLog
    #: The most tokens of a record it counted (judging), template included.
    largest: int
    #: Its longest record: characters and tokens with the template (-1, 0: no record with text).
    longest_chars: int
    longest_tokens: int
    flags: bytes
    values: array[int]
    value_lines: array[int]


def split_scan(
    setup: ScanSetup,
    ranges: list[Range],
    *,
    fd: int,
    log: IssueLog,
    tally: TokenTally,
    digests: DigestTable,
    training: DigestTable | None,
    progress: Callable[[int], None] | None,
) -> ScanResult:
    """Scan ``ranges`` of the open file ``fd`` in a forked process each; merge as described above."""
    own = replace(setup, parallel=False)
    # Every process judges long records and counts sampled ones: one tokenizer, shared by all of them.
    load_tokenizer()
    # The processes share this one's memory until they write to it, and a collection of the oldest
    # generation writes to every object it visits: kept out of their collections, it stays shared.
    gc.freeze()
    try:
        workers = [_Worker(own, fd, part, log.cap, tally.policy) for part in ranges]
    finally:
        gc.unfreeze()
    try:
        scanned = _gather(workers, progress)
        draws = _draw(tally, [part.flags for part in scanned])
        for worker, (ordinals, _) in zip(workers, draws, strict=True):
            worker.send(ordinals)
        lines_before = 0
        for part in scanned:
            log.merge(part.log, lines_before)
            lines = array("q", map(add, part.value_lines, repeat(lines_before)))
            for line, first in digests.add_many(part.values, lines):
                log.add(IssueCode.DUPLICATE_RECORD, line, f"same content as line {first}")
            if training is not None:
                for line, first in training.find_many(part.values, lines):
                    log.add(IssueCode.TRAIN_VALIDATION_OVERLAP, line, f"same content as training line {first}")
            lines_before += part.result.lines
        for worker, (_, placed) in zip(workers, draws, strict=True):
            counted = worker.receive(_COUNTED)
            for entry, (chars, utf8, overhead, tokens) in zip(placed, counted, strict=True):
                tally.fill_in(entry, chars, utf8, overhead, tokens)
    finally:
        for worker in workers:
            worker.close()
    return _merged(scanned, log, tally)


def _merged(scanned: list[_Scanned], log: IssueLog, tally: TokenTally) -> ScanResult:
    for part in scanned:
        tally.note(part.largest)
    longest = max(scanned, key=lambda part: part.longest_chars)  # the first of the longest, as in one scan
    if longest.longest_chars >= 0:
        tally.note(longest.longest_tokens)
    populations = [part.result.population or Population(0, 0, 0, 0, 0) for part in scanned]
    population = Population(
        ascii_records=sum(p.ascii_records for p in populations),
        ascii_chars=sum(p.ascii_chars for p in populations),
        other_records=sum(p.other_records for p in populations),
        other_chars=sum(p.other_chars for p in populations),
        template_tokens=sum(p.template_tokens for p in populations),
    )
    lines = sum(part.result.lines for part in scanned)
    return ScanResult(
        lines=lines,
        records=lines - log.count(IssueCode.BLANK_LINE),
        size_bytes=sum(part.result.size_bytes for part in scanned),
        characters=sum(part.result.characters for part in scanned),
        single_turn=sum(part.result.single_turn for part in scanned),
        multi_turn=sum(part.result.multi_turn for part in scanned),
        tokens=tally.finish(population, None),
        population=population,
    )


def _gather(workers: list[_Worker], progress: Callable[[int], None] | None) -> list[_Scanned]:
    """Each process's findings, in range order, reporting progress as the processes send it."""
    done = [0] * len(workers)
    found: dict[int, _Scanned] = {}
    by_connection = {worker.connection: at for at, worker in enumerate(workers)}
    while len(found) < len(workers):
        for ready in wait([worker.connection for worker in workers if by_connection[worker.connection] not in found]):
            at = by_connection[ready]  # type: ignore[index]
            kind, value = workers[at].receive(_PROGRESS, _SCANNED)
            if kind == _PROGRESS:
                done[at] = value
                if progress is not None:
                    progress(sum(done))
            else:
                found[at] = value
    return [found[at] for at in range(len(workers))]


def _draw(tally: TokenTally, flags: list[bytes]) -> list[tuple[list[int], list[Sampled]]]:
    """The sample the one-process scan draws, over the records of every range in line order.

    Returns per range the ordinals (within the range) of its sampled records and their places in
    the tally, to fill in once counted.
    """
    every = b"".join(flags)
    # Positions kept as machine integers: a list of a million Python ints would take 40 MB.
    ascii_at = array("q", compress(range(len(every)), every))
    other_at = array("q", compress(range(len(every)), map(not_, every)))
    starts = [0]
    for range_flags in flags[:-1]:
        starts.append(starts[-1] + len(range_flags))
    draws: list[tuple[list[int], list[Sampled]]] = [([], []) for _ in flags]
    next_ascii = next_other = 0
    ascii_end, other_end = len(ascii_at), len(other_at)
    while next_ascii < ascii_end or next_other < other_end:
        if next_other >= other_end or (next_ascii < ascii_end and ascii_at[next_ascii] < other_at[next_other]):
            at = ascii_at[next_ascii]
            next_ascii += tally.next_gap(True)
            entry = tally.place(True)
        else:
            at = other_at[next_other]
            next_other += tally.next_gap(False)
            entry = tally.place(False)
        part = bisect_right(starts, at) - 1
        draws[part][0].append(at - starts[part])
        draws[part][1].append(entry)
    return draws


class _Worker:
    """One forked process scanning one range, and the pipe to it."""

    def __init__(self, setup: ScanSetup, fd: int, part: Range, cap: int, policy: TokenPolicy) -> None:
        context = multiprocessing.get_context("fork")
        self.connection, theirs = context.Pipe()
        self._process = context.Process(
            target=_serve, args=(theirs, setup, fd, part, cap, policy), name="scan-range", daemon=True
        )
        self._process.start()
        theirs.close()

    def send(self, value: Any) -> None:
        try:
            self.connection.send(value)
        except OSError as error:
            raise ScanStopped(_STOPPED) from error

    def receive(self, *kinds: int) -> Any:
        """The next message, which must be of one of ``kinds`` (a failure there is raised here)."""
        try:
            kind, value = self.connection.recv()
        except (EOFError, OSError) as error:
            raise ScanStopped(_STOPPED) from error
        if kind == _FAILED:
            raise ScanStopped(f"{_STOPPED}: {value}")
        if kind not in kinds:
            raise ScanStopped(f"{_STOPPED}: it sent an unexpected message ({kind})")
        return (kind, value) if len(kinds) > 1 else value

    def close(self) -> None:
        self.connection.close()
        self._process.join(timeout=5)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()


class _RangeWork:
    """A range's token work: long records judged here; the longest kept for the merge; no sampling."""

    def __init__(self, setup: ScanSetup, log: IssueLog, tally: TokenTally) -> None:
        limit, name = setup.max_tokens, setup.limit_name
        self._judge = None if limit is None else LimitJudge(limit=limit, limit_name=name, log=log, tally=tally)
        self.longest: tuple[tuple[str, ...], int] | None = None

    def judge(self, line_number: int, texts: tuple[str, ...], chars: int, overhead: int) -> None:
        if self._judge is None:
            raise RuntimeError("a record was sent to be judged with no per-record limit set")
        self._judge(line_number, texts, chars, overhead)

    def sample(self, texts: tuple[str, ...], chars: int, ascii: bool, overhead: int) -> None:
        raise RuntimeError("a range's records are sampled over the whole file, not in its scan")

    def finish(self, longest: tuple[tuple[str, ...], int] | None) -> None:
        self.longest = longest

    def close(self) -> None:
        return None


class _Collect:
    """Every record's texts, characters, stratum and template tokens, in line order (stride 1)."""

    def __init__(self) -> None:
        self.records: list[tuple[tuple[str, ...], int, bool, int]] = []

    def judge(self, line_number: int, texts: tuple[str, ...], chars: int, overhead: int) -> None:
        return None

    def sample(self, texts: tuple[str, ...], chars: int, ascii: bool, overhead: int) -> None:
        self.records.append((texts, chars, ascii, overhead))

    def finish(self, longest: tuple[tuple[str, ...], int] | None) -> None:
        return None

    def close(self) -> None:
        return None


def _serve(connection: Connection, setup: ScanSetup, fd: int, part: Range, cap: int, policy: TokenPolicy) -> None:
    # Ctrl-C reaches the whole process group; the parent stops this one by closing the pipe.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        batches = BatchIndex()
        scanned = _scan(connection, setup, fd, part, cap, policy, batches)
        connection.send((_SCANNED, scanned))
        del scanned  # what was sent is not needed here any more
        ordinals = connection.recv()
        connection.send((_COUNTED, _count(setup, fd, part, batches, ordinals)))
    except (EOFError, BrokenPipeError):
        return
    except Exception as error:
        with contextlib.suppress(OSError):
            connection.send((_FAILED, f"{type(error).__name__}: {error}"))
    finally:
        connection.close()


class _Deferred(DigestTable):
    """Takes each record's digest and line, to be checked in line order by the merge."""

    __slots__ = ("lines", "values")

    def __init__(self) -> None:
        super().__init__()
        self.values = array("Q")
        self.lines = array("q")

    def add_many(self, values: Sequence[int], lines: Sequence[int]) -> list[tuple[int, int]]:
        self.values.extend(values)
        self.lines.extend(lines)
        return []


def _scan(
    connection: Connection, setup: ScanSetup, fd: int, part: Range, cap: int, policy: TokenPolicy, batches: BatchIndex
) -> _Scanned:
    log = IssueLog(cap)
    tally = TokenTally(expected_records=None, policy=policy)
    work = _RangeWork(setup, log, tally)
    strata = Strata(bytearray(), batches)
    deferred = _Deferred()
    scanner = Scanner(
        setup,
        log=log,
        tally=tally,
        digests=deferred,
        progress=lambda done: connection.send((_PROGRESS, done)),
        strata=strata,
    )
    result = scanner.run(RangeReader(fd, part.start, part.end), work)
    chars, tokens = -1, 0
    if work.longest is not None:
        texts, overhead = work.longest
        chars, tokens = sum(map(len, texts)), count_tokens(texts) + overhead
    return _Scanned(result, log, tally.largest, chars, tokens, bytes(strata.flags), deferred.values, deferred.lines)


def _count(
    setup: ScanSetup, fd: int, part: Range, batches: BatchIndex, ordinals: list[int]
) -> list[tuple[int, int, int, int]]:
    """(characters, UTF-8 bytes, template tokens, cl100k tokens) of each sampled record, read again."""
    counted: list[tuple[int, int, int, int]] = []
    held_first = -1
    records: list[tuple[tuple[str, ...], int, bool, int]] = []
    for ordinal in ordinals:
        start, end, first = batches.locate(ordinal)
        if first != held_first:
            records, held_first = _records(setup, fd, part.start + start, part.start + end), first
        texts, chars, ascii, overhead = records[ordinal - first]
        counted.append((chars, chars if ascii else utf8_bytes(texts), overhead, count_tokens(texts)))
    return counted


def _records(setup: ScanSetup, fd: int, start: int, end: int) -> list[tuple[tuple[str, ...], int, bool, int]]:
    """Every record with text between ``start`` and ``end``, as the scan saw it."""
    collect = _Collect()
    scanner = Scanner(
        setup,
        log=IssueLog(0),
        tally=TokenTally(expected_records=None, policy=TokenPolicy(exact=False, model=None)),
        digests=DigestTable(),
    )
    scanner.run(RangeReader(fd, start, end), collect)
    return collect.records
