"""Distillation from invocation logs, the pure decisions: the source's words, the filters' limits, logging's verdict."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.validate import ParamValidator

from bot.sandbox.shapes import limit_problems, operation
from workflows.ports import LoggingSetup
from workflows.setup.log_source import FilterTerm, LogSource, parse_filters, parse_source, parse_typed
from workflows.setup.logging_check import LoggingState, judge_logging

REGION = "us-east-1"


def request_with(logs: LogSource) -> dict[str, Any]:
    """A whole CreateModelCustomizationJob request reading ``logs``."""
    return {
        "jobName": "j",
        "customModelName": "m",
        "roleArn": "arn:aws:iam::123456789012:role/r",
        "baseModelIdentifier": "amazon.nova-micro-v1:0:128k",
        "customizationType": "DISTILLATION",
        "trainingDataConfig": {"invocationLogsConfig": logs.api()},
        "outputDataConfig": {"s3Uri": "s3://out/"},
    }


def botocore_problems(logs: LogSource) -> str:
    """What botocore (required, types, minimums) and the service model's limits (maximums, patterns) refuse."""
    shape = operation("bedrock", "CreateModelCustomizationJob").input_shape
    assert shape is not None
    request = request_with(logs)
    report = ParamValidator().validate(request, shape)
    problems = [report.generate_report()] if report.has_errors() else []
    return "; ".join(problems + limit_problems(shape, request, "request"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", None),
        ("project=support", {"equals": {"project": "support"}}),
        ("team!=qa", {"notEquals": {"team": "qa"}}),
        ("project=", {"equals": {"project": ""}}),
        ("'cost center=42 west'", {"equals": {"cost center": "42 west"}}),
        ("url=a=b", {"equals": {"url": "a=b"}}),
        ("a=1 b!=2", {"andAll": [{"equals": {"a": "1"}}, {"notEquals": {"b": "2"}}]}),
    ],
    ids=["none", "equals", "not-equals", "empty-value", "quoted-spaces", "equals-in-value", "two-all"],
)
def test_filters_become_the_request_metadata_filters_bedrock_takes(text: str, expected: object) -> None:
    terms = parse_filters(text)
    assert isinstance(terms, tuple)
    source = LogSource(s3_uri="s3://logs/", terms=terms)
    assert source.filters_api() == expected
    assert botocore_problems(source) == ""


def test_match_any_combines_filters_under_or_all_and_one_filter_stands_alone() -> None:
    two = parse_source({"logs": "s3://logs/", "filters": "a=1 b=2", "match": "any"})
    assert isinstance(two, LogSource)
    assert two.filters_api() == {"orAll": [{"equals": {"a": "1"}}, {"equals": {"b": "2"}}]}
    one = parse_source({"logs": "s3://logs/", "filters": "a=1", "match": "any"})
    assert isinstance(one, LogSource)
    assert one.filters_api() == {"equals": {"a": "1"}}


def test_sixteen_filters_are_taken_and_seventeen_refused_as_the_service_model_says() -> None:
    sixteen = parse_filters(" ".join(f"k{n}=v" for n in range(16)))
    assert isinstance(sixteen, tuple)
    assert botocore_problems(LogSource(s3_uri="s3://logs/", terms=sixteen)) == ""
    seventeen = parse_filters(" ".join(f"k{n}=v" for n in range(17)))
    assert seventeen == ["Bedrock takes at most 16 request-metadata filters; you gave 17."]
    # The refusal matches the service model's limit on andAll.
    too_many = LogSource(s3_uri="s3://logs/", terms=tuple(FilterTerm(key=f"k{n}", value="v") for n in range(17)))
    assert "andAll" in botocore_problems(too_many)


@pytest.mark.parametrize(
    ("word", "problem"),
    [
        ("k" * 257 + "=v", "a metadata key is 1 to 256 characters"),
        ("k=" + "v" * 257, "a value at most 256"),
        ("=v", "has no key before `=`"),
        ("!=v", "has no key before `!=`"),
        ("project", "is not a filter"),
        ("proj#ect=1", "may hold only letters, digits"),
        ("project=caf\u00e9", "may hold only letters, digits"),
    ],
    ids=["long-key", "long-value", "no-key", "no-key-negated", "no-equals", "bad-key-char", "non-ascii-value"],
)
def test_a_filter_bedrock_would_refuse_is_refused_with_the_reason(word: str, problem: str) -> None:
    found = parse_filters(word)
    assert isinstance(found, list)
    assert len(found) == 1
    assert problem in found[0]


@pytest.mark.parametrize(
    "term",
    [
        FilterTerm(key="k" * 257, value="v"),
        FilterTerm(key="k", value="v" * 257),
        FilterTerm(key="proj#ect", value="1"),
        FilterTerm(key="", value="1"),
    ],
    ids=["long-key", "long-value", "bad-char", "empty-key"],
)
def test_what_the_parser_refuses_the_service_model_refuses_too(term: FilterTerm) -> None:
    assert parse_filters(term.words()) != (term,)
    assert botocore_problems(LogSource(s3_uri="s3://logs/", terms=(term,))) != ""


def test_the_longest_key_and_value_are_taken() -> None:
    terms = parse_filters("k" * 256 + "=" + "v" * 256)
    assert isinstance(terms, tuple)
    assert botocore_problems(LogSource(s3_uri="s3://logs/", terms=terms)) == ""


def test_every_problem_of_a_source_is_named_at_once() -> None:
    problems = parse_source({"logs": "https://logs", "match": "some", "responses": "mine", "filters": "x"})
    assert isinstance(problems, list)
    assert len(problems) == 4
    assert "not an S3 location" in problems[0]
    assert "`match=all`" in problems[1]
    assert "`responses=teacher`" in problems[2]
    assert "is not a filter" in problems[3]
    assert parse_source({})[0].startswith("`logs=` is required")  # type: ignore[index]


@pytest.mark.parametrize(
    "uri", ["s3://my-logs", "s3://my-logs/", "s3://my-logs/bedrock/", "s3://my-logs/AWSLogs/123/x(1)/"]
)
def test_a_bucket_or_a_prefix_is_a_location(uri: str) -> None:
    source = parse_source({"logs": uri})
    assert isinstance(source, LogSource)
    assert botocore_problems(source) == ""


@pytest.mark.parametrize("uri", ["s3://My-Logs/", "s3://a/", "s3://logs/with space/", "s3://logs//double", "logs"])
def test_a_location_bedrock_would_refuse_is_refused(uri: str) -> None:
    problems = parse_source({"logs": uri})
    assert isinstance(problems, list)
    assert "not an S3 location Bedrock takes" in problems[0]


def test_responses_logged_reuses_the_logged_answers() -> None:
    source = parse_source({"logs": "s3://logs/", "responses": "logged"})
    assert isinstance(source, LogSource)
    assert source.api() == {"invocationLogSource": {"s3Uri": "s3://logs/"}, "usePromptResponse": True}


def test_typed_in_the_thread_the_location_comes_first_without_its_key() -> None:
    source = parse_typed('s3://logs/app/ filters="project=support team!=qa" match=all')
    assert source == LogSource(
        s3_uri="s3://logs/app/",
        terms=(FilterTerm(key="project", value="support"), FilterTerm(key="team", value="qa", negate=True)),
    )
    assert parse_typed("logs=s3://logs/app/") == LogSource(s3_uri="s3://logs/app/")


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("s3://logs/ whatever", "I did not understand `whatever`"),
        ("s3://logs/ colour=red", "I did not understand `colour=red`"),
        ("s3://logs/ match=any match=all", "`match=` is given twice"),
        ('s3://logs/ filters="a=1', "A quote is not closed"),
        ("", "`logs=` is required"),
    ],
)
def test_typed_text_that_is_not_a_source_is_explained(text: str, problem: str) -> None:
    found = parse_typed(text)
    assert isinstance(found, list)
    assert problem in found[0]


def test_the_review_line_says_which_requests_and_who_answers() -> None:
    source = parse_typed('s3://logs/ filters="a=1 b!=2" match=any responses=logged')
    assert isinstance(source, LogSource)
    assert source.describe() == (
        "model invocation logs in `s3://logs/`, requests with `a=1` or `b!=2`; the logged responses as the answers"
    )


ON = LoggingSetup(s3_bucket="logs", s3_prefix="bedrock", text_delivery=True)


@pytest.mark.parametrize(
    ("setup", "source", "state", "words"),
    [
        (ON, "s3://logs/bedrock/", LoggingState.ON, "is on in us-east-1: text is delivered to `s3://logs/bedrock`"),
        (ON, "s3://logs/", LoggingState.ON, "is on"),
        (ON, "s3://logs/bedrock/AWSLogs/", LoggingState.ON, "is on"),
        (LoggingSetup(s3_bucket="logs", text_delivery=True), "s3://logs/any/", LoggingState.ON, "is on"),
        (LoggingSetup(), "s3://logs/", LoggingState.OFF, "does not deliver to S3 in us-east-1, so"),
        (
            LoggingSetup(cloudwatch=True),
            "s3://logs/",
            LoggingState.OFF,
            "(it goes to CloudWatch Logs only)",
        ),
        (
            LoggingSetup(s3_bucket="logs", s3_prefix="bedrock"),
            "s3://logs/bedrock/",
            LoggingState.OFF,
            "without text data",
        ),
        (ON, "s3://other/bedrock/", LoggingState.OFF, "delivers to `s3://logs/bedrock`, not to `s3://other/bedrock/`"),
        (ON, "s3://logs/elsewhere/", LoggingState.OFF, "not to `s3://logs/elsewhere/`"),
        (
            LoggingSetup(unknown="the bot may not call bedrock:GetModelInvocationLoggingConfiguration"),
            "s3://logs/",
            LoggingState.UNKNOWN,
            "I could not check",
        ),
    ],
    ids=[
        "on-at-prefix",
        "on-bucket-root",
        "on-under-prefix",
        "on-no-prefix",
        "off",
        "cloudwatch-only",
        "no-text",
        "other-bucket",
        "other-prefix",
        "not-checkable",
    ],
)
def test_the_logging_verdict(setup: LoggingSetup, source: str, state: LoggingState, words: str) -> None:
    found, text = judge_logging(setup, source, REGION)
    assert found is state
    assert words in text


def test_logging_off_says_how_to_turn_it_on_for_the_bucket_and_prefix_given() -> None:
    _, text = judge_logging(LoggingSetup(), "s3://app-logs/bedrock/", REGION)
    assert "Settings → Model invocation logging" in text
    assert (
        "aws bedrock put-model-invocation-logging-configuration --region us-east-1 --logging-config "
        '\'{"s3Config":{"bucketName":"app-logs","keyPrefix":"bedrock/"},"textDataDeliveryEnabled":true}\''
    ) in text
    assert "*Check logging again*" in text
