"""Failure hints: Bedrock's common failure messages (bedrock.md §6e) each get the right advice."""

from __future__ import annotations

import pytest

from workflows.jobs.monitoring.hints import DEFAULT_HINT, failure_hint


@pytest.mark.parametrize(
    ("message", "advice"),
    [
        (
            "Could not validate GetObject permissions to access Amazon S3 bucket: data at key train.jsonl",
            "could not read the dataset",
        ),
        (
            "Amazon S3 perms missing (PutObject): Could not validate PutObject permissions for "
            "s3://out/.write_access_check_file.tmp",
            "could not write the job's output",
        ),
        ("Unable to parse Amazon S3 file: train.jsonl. Data files must conform to JSONL format.", "not valid JSON"),
        ("Input size exceeded in file train.jsonl for record starting with {", "longer than the model accepts"),
        ("Maximum input token count 4919 exceeds limit of 4096 for train data", "more tokens than"),
        ("Maximum output token count 3000 exceeds limit of 2048", "more tokens than"),
        ("Max sum of input and output token length 9000 exceeds total limit of 8192", "more tokens than"),
        (
            "Automated tests flagged this fine-tuning job as including materials that are potentially "
            "inconsistent with Anthropic's third-party license terms.",
            "Anthropic's automated checks",
        ),
        ("The provided model identifier is invalid.", "model access"),
        ("Encountered an unexpected error when processing the request, please try again", "inside Bedrock"),
    ],
)
def test_a_known_failure_gets_its_hint(message: str, advice: str) -> None:
    assert advice in failure_hint(message)


@pytest.mark.parametrize("message", [None, "", "Something nobody has seen before"])
def test_an_unknown_failure_gets_the_general_checklist(message: str | None) -> None:
    assert failure_hint(message) == DEFAULT_HINT
