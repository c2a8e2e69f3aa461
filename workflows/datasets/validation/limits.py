"""The per-record token limit: judges a record whose UTF-8 length could be over it, in this process or another.

Only records longer in UTF-8 than the limit reach the judge (every token is at least one byte).
Judging one costs a word-by-word bound and sometimes an exact count, a few hundred microseconds
for a 10 KB record; ``LimitWorker`` does that work in a second process, in order, while the
scan goes on, and hands back the same issues the judge would have logged here.
"""

from __future__ import annotations

import contextlib
import fcntl
import multiprocessing
import sys
from multiprocessing.connection import Connection
from typing import Any

from workflows.datasets.validation.issues import IssueLog
from workflows.datasets.validation.tokens import TokenPolicy, TokenTally, multibyte_share, utf8_bytes

#: Bytes the pipe to the judging process holds (the kernel may cap it, at 1 MiB by default).
PIPE_BYTES = 1 << 20


class LimitJudge:
    """Logs too-many-tokens or near-token-limit for records over ``limit``, and notes their counts."""

    def __init__(self, *, limit: int, limit_name: str, log: IssueLog, tally: TokenTally) -> None:
        self._limit = limit
        self._limit_name = limit_name
        self._log = log
        self._tally = tally

    def __call__(self, line_number: int, texts: tuple[str, ...], chars: int, overhead: int) -> None:
        """Judge a record that might be over the limit: the UTF-8 length rules most out, the count the rest.

        The count stops as soon as it cannot change the verdict (see ``tokens.count_if_over``).
        """
        limit = self._limit
        utf8 = utf8_bytes(texts)
        if utf8 + overhead <= limit:
            return
        policy = self._tally.policy
        tokens = self._tally.count_if_over(texts, overhead, policy.ceiling(utf8, chars, overhead, limit))
        verdict = policy.judge(tokens or 0, utf8, chars, overhead, limit)
        if verdict is None:
            return
        if tokens is None:
            # Over by its characters alone; the count could not change that, so it was not finished.
            who = policy.model or "the model"
            counted = f"{chars:,} characters, so up to {policy.high(0, utf8, chars):,.0f} tokens for {who}"
        else:
            counted = policy.explain(tokens, multibyte_share(utf8, chars))
        detail = f"{counted}, plus about {overhead} for the template; {self._limit_name} is {limit:,}"
        self._log.add(verdict, line_number, detail)


def can_fork() -> bool:
    """A second process is started by forking, which is safe and cheap on Linux for a single-threaded caller."""
    return sys.platform == "linux"


class LimitWorker:
    """A ``LimitJudge`` in a forked process: records go in as they are scanned, issues come back at the end."""

    def __init__(self, *, limit: int, limit_name: str, cap: int, policy: TokenPolicy) -> None:
        context = multiprocessing.get_context("fork")
        jobs, self._jobs = context.Pipe(duplex=False)
        self._results, results = context.Pipe(duplex=False)
        _widen(self._jobs)
        self._process = context.Process(
            target=_serve, args=(jobs, results, limit, limit_name, cap, policy), name="limit-judge", daemon=True
        )
        self._process.start()
        jobs.close()
        results.close()

    def __call__(self, line_number: int, texts: tuple[str, ...], chars: int, overhead: int) -> None:
        self._jobs.send((line_number, texts, chars, overhead))

    def finish(self, log: IssueLog, tally: TokenTally) -> None:
        """Wait for every record to be judged; add the issues to ``log`` and the largest count to ``tally``."""
        try:
            self._jobs.send(None)
            judged, largest = self._results.recv()
        except (EOFError, OSError) as error:
            raise RuntimeError("the process judging long records stopped before it finished") from error
        finally:
            self.close()
        log.merge(judged)
        tally.note(largest)

    def close(self) -> None:
        """Stop the process without its result (the scan failed)."""
        self._jobs.close()
        self._results.close()
        self._process.join(timeout=5)
        if self._process.is_alive():
            self._process.kill()
            self._process.join()


def _widen(conn: Connection) -> None:
    """Let a pipe hold about a hundred long records, so the scan does not wait while the judge starts up."""
    with contextlib.suppress(OSError):
        fcntl.fcntl(conn.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)


def _serve(jobs: Connection, results: Connection, limit: int, limit_name: str, cap: int, policy: TokenPolicy) -> None:
    log = IssueLog(cap)
    tally = TokenTally(expected_records=None, policy=policy)
    judge = LimitJudge(limit=limit, limit_name=limit_name, log=log, tally=tally)
    job: Any
    try:
        while (job := jobs.recv()) is not None:
            judge(*job)
        results.send((log, tally.largest))
    except EOFError:
        return
    finally:
        jobs.close()
        results.close()
