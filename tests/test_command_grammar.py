"""The slash-command grammar: every form of ``/finetune …`` parses to the right command."""

from __future__ import annotations

import pytest

from workflows.command_grammar import (
    USAGE,
    Audit,
    Cancel,
    Command,
    Compare,
    Cost,
    Help,
    ListJobs,
    Models,
    New,
    Status,
    Stop,
    Unknown,
    parse_command,
)
from workflows.dataset_rules import CustomizationType


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", New()),
        ("   ", New()),
        ("new", New()),
        ("NEW", New()),
        ("help", Help()),
        ("status", Status()),
        ("status ft-job-1", Status("ft-job-1")),
        ("list", ListJobs()),
        ("stop ft-job-1", Stop("ft-job-1")),
        ("cost", Cost()),
        ("cancel", Cancel()),
        ("compare tone-1a2b n=5 lines=1-3", Compare("tone-1a2b n=5 lines=1-3")),
        ("compare", Compare("")),
        ("models", Models()),
        ("models conversation", Models(CustomizationType.CONVERSATION)),
        ("models cpt", Models(CustomizationType.CONTINUED_PRETRAINING)),
        ("audit", Audit()),
        ("audit 20", Audit(20)),
        ("audit 50", Audit(50)),
        (
            "new type=instruction model=meta.llama3-1-8b-instruct-v1:0:128k data=s3://b/t.jsonl epochs=2",
            New(
                {
                    "type": "instruction",
                    "model": "meta.llama3-1-8b-instruct-v1:0:128k",
                    "data": "s3://b/t.jsonl",
                    "epochs": "2",
                }
            ),
        ),
        (
            'new name="support bot v2" Type=conversation',
            New({"name": "support bot v2", "type": "conversation"}),
        ),
    ],
)
def test_valid_input_parses_to_its_command(text: str, expected: Command) -> None:
    assert parse_command(text) == expected


@pytest.mark.parametrize(
    ("text", "problem_mentions"),
    [
        ("frobnicate", "`frobnicate` is not a /finetune command"),
        ("stop", "needs exactly one job"),
        ("stop a b", "needs exactly one job"),
        ("status a b", "at most one job"),
        ("list everything", "takes no arguments"),
        ("models images", "one optional type"),
        ("new epochs", "is not key=value"),
        ("new epochs=", "has no value"),
        ("new =3", "is not key=value"),
        ("new epochs=1 epochs=2", "given twice"),
        ('new name="unterminated', "quote is not closed"),
    ],
)
def test_bad_input_says_what_is_wrong(text: str, problem_mentions: str) -> None:
    parsed = parse_command(text)
    assert isinstance(parsed, Unknown)
    assert problem_mentions in parsed.problem


def test_one_line_setup_is_new_with_options() -> None:
    assert New({"type": "instruction"}).one_line
    assert not New().one_line


def test_usage_documents_every_subcommand() -> None:
    for verb in ("new", "status", "list", "stop", "cost", "models", "cancel", "help", "type=TYPE"):
        assert verb in USAGE


def test_usage_names_the_one_line_setups_newer_options() -> None:
    for option in (
        "type=distillation",
        "teacher=",
        "type=reinforcement",
        "grader=",
        "source=invocation-logs",
        "logs=s3://",
        'filters="',
        "match=all|any",
        "responses=teacher|logged",
    ):
        assert option in USAGE


@pytest.mark.parametrize("text", ["audit 0", "audit 51", "audit ten", "audit 2 3", "audit ²", "audit -1"])
def test_audit_takes_one_number_from_1_to_50(text: str) -> None:
    assert parse_command(text) == Unknown(
        "`audit` takes one optional number of entries, from 1 to 50: `/finetune audit 20`"
    )
