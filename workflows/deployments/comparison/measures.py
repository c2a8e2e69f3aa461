"""Simple measures of an answer against the reference answer: exact match, token F1 and ROUGE-L.

Both texts are normalised the same way first (Unicode NFKC, case-folded, split into runs of letters
and digits in any script), so punctuation, case and spacing do not count and non-English text is
measured like English. Token F1 is the bag-of-words overlap used by SQuAD (without its English-only
article removal); ROUGE-L is the F-measure of the longest common subsequence of tokens, as
``rouge-score`` defines it (``rougeL``), with the subsequence computed by RapidFuzz. These measure
word overlap with one reference, not whether an answer is right: the summary says so.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

from rapidfuzz.distance import LCSseq

#: A token: a run of letters or digits (``\w`` without the underscore), in any script.
_TOKEN = re.compile(r"[^\W_]+")


@dataclass(frozen=True, slots=True)
class Scores:
    """How close one answer is to its reference, each from 0 to 1."""

    #: 1.0 when the normalised token sequences are equal, else 0.0.
    exact_match: float
    token_f1: float
    rouge_l: float


def tokens(text: str) -> list[str]:
    """``text`` as normalised tokens: NFKC, case-folded, letters and digits only."""
    return _TOKEN.findall(unicodedata.normalize("NFKC", text).casefold())


def exact_match(answer: str, reference: str) -> float:
    return 1.0 if tokens(answer) == tokens(reference) else 0.0


def token_f1(answer: str, reference: str) -> float:
    """The harmonic mean of the share of the answer's tokens found in the reference and the reverse (as bags)."""
    said, wanted = tokens(answer), tokens(reference)
    if not said or not wanted:
        return 1.0 if said == wanted else 0.0
    common = sum((Counter(said) & Counter(wanted)).values())
    return _f_measure(common, len(said), len(wanted))


def rouge_l(answer: str, reference: str) -> float:
    """ROUGE-L F-measure: the longest common token subsequence over the answer's and the reference's length."""
    said, wanted = tokens(answer), tokens(reference)
    if not said or not wanted:
        return 0.0
    common = int(LCSseq.similarity(said, wanted))
    return _f_measure(common, len(said), len(wanted))


def score(answer: str, reference: str) -> Scores:
    return Scores(
        exact_match=exact_match(answer, reference),
        token_f1=token_f1(answer, reference),
        rouge_l=rouge_l(answer, reference),
    )


def _f_measure(common: int, answer_length: int, reference_length: int) -> float:
    if common == 0:
        return 0.0
    precision = common / answer_length
    recall = common / reference_length
    return 2 * precision * recall / (precision + recall)
