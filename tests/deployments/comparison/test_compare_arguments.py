"""``/finetune compare`` arguments: the model, ``n=``, ``lines=`` and ``prompts=``, or a refusal that says how."""

from __future__ import annotations

import pytest

from workflows.deployments.comparison.compare_arguments import MAX_PROMPTS, CompareArguments, parse_compare
from workflows.deployments.deploy_arguments import Refusal


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tone-1a2b", CompareArguments("tone-1a2b")),
        ("tone n=5", CompareArguments("tone", limit=5)),
        ("N=50 tone", CompareArguments("tone", limit=50)),
        ("tone lines=3,7,10-12", CompareArguments("tone", lines=(3, 7, 10, 11, 12))),
        ("tone lines=4,2,4,3-5", CompareArguments("tone", lines=(4, 2, 3, 5))),
        (
            "tone prompts=s3://b/held.jsonl lines=2",
            CompareArguments("tone", lines=(2,), prompts_uri="s3://b/held.jsonl"),
        ),
    ],
)
def test_arguments_are_read_in_any_order(text: str, expected: CompareArguments) -> None:
    assert parse_compare(text) == expected


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("", "Say which deployed model to compare"),
        ("n=3", "Say which deployed model to compare"),
        ("one two", "Compare one model at a time (I read `one`, `two`)"),
        ("tone k=1", "I don't know the option `k`"),
        ("tone n=1 n=2", "`n=` is given twice"),
        ("tone n=0", "`n=` takes a whole number of prompts"),
        ("tone n=ten", "`n=` takes a whole number of prompts, such as `n=10`, not `ten`"),
        ("tone n=²", "`n=` takes a whole number"),
        (f"tone n={MAX_PROMPTS + 1}", f"more than the {MAX_PROMPTS} prompts one comparison runs"),
        ("tone lines=a", "`lines=` takes line numbers and ranges"),
        ("tone lines=0", "lines count from 1"),
        ("tone lines=9-3", "a range goes up"),
        ("tone lines=1-1000000", f"Name at most {MAX_PROMPTS} lines"),
        ("tone lines=1-40,41-60", f"Name at most {MAX_PROMPTS} lines"),
        ("tone prompts=https://example.com/x.jsonl", "`prompts=` takes an S3 URI"),
    ],
)
def test_bad_arguments_are_refused_with_how_to_write_them(text: str, says: str) -> None:
    refused = parse_compare(text)
    assert isinstance(refused, Refusal)
    assert says in refused.text
