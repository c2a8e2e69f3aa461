"""The per-record token limit: judges a record whose UTF-8 length could be over it.

Only records longer in UTF-8 than the limit reach the judge (every token is at least one byte).
Judging one costs a word-by-word bound and sometimes an exact count, a few hundred microseconds
for a 10 KB record, so the command line runs the judge in a second process (``token_worker``).
"""

from __future__ import annotations

from workflows.datasets.validation.issues import IssueLog
from workflows.datasets.validation.tokens import TokenTally, multibyte_share, utf8_bytes


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
