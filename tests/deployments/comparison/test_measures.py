"""The measures against a reference answer: exact match, token F1 and ROUGE-L, on worked examples."""

from __future__ import annotations

import pytest

from workflows.deployments.comparison.measures import exact_match, rouge_l, score, token_f1, tokens


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Reset it, then log in.", ["reset", "it", "then", "log", "in"]),
        ("  MIXED   Case\nlines ", ["mixed", "case", "lines"]),
        ("snake_case and 3.14", ["snake", "case", "and", "3", "14"]),
        ("Ｆｕｌｌｗｉｄｔｈ ＡＢＣ", ["fullwidth", "abc"]),
        ("Straße über Ärger", ["strasse", "über", "ärger"]),
        ("日本語 テキスト", ["日本語", "テキスト"]),
        ("", []),
        ("?!…", []),
    ],
)
def test_tokens_are_case_folded_runs_of_letters_and_digits_in_any_script(text: str, expected: list[str]) -> None:
    assert tokens(text) == expected


@pytest.mark.parametrize(
    ("answer", "reference", "expected"),
    [
        ("Reset your password.", "reset your password", 1.0),
        ("Reset your password now", "reset your password", 0.0),
        ("password your reset", "reset your password", 0.0),
        ("", "", 1.0),
        ("", "anything", 0.0),
    ],
)
def test_exact_match_ignores_case_punctuation_and_spacing_but_not_words_or_order(
    answer: str, reference: str, expected: float
) -> None:
    assert exact_match(answer, reference) == expected


@pytest.mark.parametrize(
    ("answer", "reference", "expected"),
    [
        # Identical bags of words, in any order.
        ("the cat sat", "sat the cat", 1.0),
        # 5 shared of 5 answer and 6 reference tokens: P 1, R 5/6, F1 10/11.
        ("the cat on the mat", "the cat sat on the mat", 10 / 11),
        # Repeats count only as often as the reference has them: 1 shared of 3 and 1: P 1/3, R 1, F1 1/2.
        ("yes yes yes", "yes", 0.5),
        ("completely different", "nothing shared here", 0.0),
        ("", "reference", 0.0),
        ("answer", "", 0.0),
        ("", "", 1.0),
    ],
)
def test_token_f1_is_the_overlap_of_the_bags_of_words(answer: str, reference: str, expected: float) -> None:
    assert token_f1(answer, reference) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("answer", "reference", "expected"),
    [
        ("the cat sat on the mat", "the cat sat on the mat", 1.0),
        # LCS 5 of 5 and 6: P 1, R 5/6, F 10/11 (rouge-score's rougeL gives 0.9091 too).
        ("the cat on the mat", "the cat sat on the mat", 10 / 11),
        # Order matters, unlike token F1: LCS of "c b a" and "a b c" is 1: F 1/3.
        ("c b a", "a b c", 1 / 3),
        # rouge-score's worked example: LCS("the quick brown dog jumps on the log", "the quick brown fox jumps
        # over the lazy dog") is 5 ("the quick brown jumps the"): P 5/8, R 5/9, F 10/17.
        ("the quick brown dog jumps on the log", "The quick brown fox jumps over the lazy dog", 10 / 17),
        ("", "reference", 0.0),
        ("answer", "", 0.0),
    ],
)
def test_rouge_l_is_the_f_measure_of_the_longest_common_token_subsequence(
    answer: str, reference: str, expected: float
) -> None:
    assert rouge_l(answer, reference) == pytest.approx(expected)


def test_score_gathers_the_three_measures() -> None:
    scores = score("The cat on the mat.", "the cat sat on the mat")
    assert scores.exact_match == 0.0
    assert scores.token_f1 == pytest.approx(10 / 11)
    assert scores.rouge_l == pytest.approx(10 / 11)
