"""Token work in a second, forked process: long records judged against the limit and sampled records counted.

The scan's own core then only parses and checks records. Jobs go through a pipe in the order the
scan meets them and are done in that order, so the issues and counts that come back at the end
are exactly those the same work would have produced in the scan's process. The tokenizer is
loaded there, not here.
"""

from __future__ import annotations

import contextlib
import fcntl
import multiprocessing
import signal
import sys
from multiprocessing.connection import Connection
from typing import Any

from workflows.datasets.validation.issues import IssueLog
from workflows.datasets.validation.limits import LimitJudge
from workflows.datasets.validation.tokens import TokenPolicy, TokenTally, count_tokens

#: Bytes the pipe to the second process holds (the kernel may cap it, at 1 MiB by default).
PIPE_BYTES = 1 << 20
_JUDGE, _COUNT = 0, 1

#: What comes back: the limit issues, the largest count among the judged records, and the counts asked for.
Results = tuple[IssueLog, int, list[int]]


class ScanStopped(RuntimeError):
    """A process doing part of the scan stopped before it finished: the report would be incomplete."""


def can_fork() -> bool:
    """A second process is started by forking, which is safe and cheap on Linux for a single-threaded caller."""
    return sys.platform == "linux"


class TokenWorker:
    """A forked process that judges long records (``LimitJudge``) and counts texts, in the order given."""

    def __init__(self, *, limit: int | None, limit_name: str, cap: int, policy: TokenPolicy) -> None:
        context = multiprocessing.get_context("fork")
        jobs, self._jobs = context.Pipe(duplex=False)
        self._results, results = context.Pipe(duplex=False)
        _widen(self._jobs)
        self._process = context.Process(
            target=_serve, args=(jobs, results, limit, limit_name, cap, policy), name="token-work", daemon=True
        )
        self._process.start()
        jobs.close()
        results.close()

    def judge(self, line_number: int, texts: tuple[str, ...], chars: int, overhead: int) -> None:
        """Judge a record against the limit (see ``LimitJudge``)."""
        self._send((_JUDGE, line_number, texts, chars, overhead))

    def count(self, texts: tuple[str, ...]) -> None:
        """Count the texts' cl100k tokens; the count comes back with the others, in order."""
        self._send((_COUNT, texts))

    def _send(self, job: tuple[Any, ...]) -> None:
        try:
            self._jobs.send(job)
        except OSError as error:
            # Not the dataset's fault: an error about reading it would mislead.
            raise ScanStopped("the process counting tokens stopped before it finished") from error

    def finish(self) -> Results:
        """Wait for every job to be done and return the results."""
        try:
            self._jobs.send(None)
            results: Results = self._results.recv()
        except (EOFError, OSError) as error:
            raise ScanStopped("the process counting tokens stopped before it finished") from error
        finally:
            self.close()
        return results

    def close(self) -> None:
        """Stop the process (after ``finish``, or without its results when the scan failed)."""
        self._jobs.close()
        self._results.close()
        self._process.join(timeout=5)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()


def _widen(conn: Connection) -> None:
    """Let the pipe hold about a hundred long records, so the scan does not wait while the tokenizer loads."""
    with contextlib.suppress(OSError):
        fcntl.fcntl(conn.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)


def _serve(
    jobs: Connection, results: Connection, limit: int | None, limit_name: str, cap: int, policy: TokenPolicy
) -> None:
    # Ctrl-C reaches the whole process group; the scan's process stops this one by closing the pipe.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    log = IssueLog(cap)
    tally = TokenTally(expected_records=None, policy=policy)
    judge = None if limit is None else LimitJudge(limit=limit, limit_name=limit_name, log=log, tally=tally)
    counts: list[int] = []
    job: Any
    try:
        while (job := jobs.recv()) is not None:
            if job[0] == _COUNT:
                counts.append(count_tokens(job[1]))
            elif judge is not None:
                judge(*job[1:])
        results.send((log, tally.largest, counts))
    except EOFError:
        return
    finally:
        jobs.close()
        results.close()
