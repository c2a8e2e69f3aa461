"""AWS errors become advice people can act on; AWS's own text (accounts, ARNs) only reaches the log."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from hypothesis import given
from hypothesis import strategies as st

from workflows.adapters.bedrock import BedrockJobs
from workflows.aws_advice import IN_THE_LOG, Kind, job_advice, launch_advice
from workflows.dataset_rules import CustomizationType
from workflows.exceptions import AccessProblem, BotError, QuotaExceeded, RequestRejected, ServiceBusy
from workflows.jobs.job import JobRequest

ACCOUNT = "210987654321"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/secret-team-role"
MODEL = "amazon.titan-text-express-v1:0:8k"

#: (error code, AWS's message, the kind of advice, words the advice must contain).
CASES = [
    (
        "AccessDeniedException",
        f"User: arn:aws:sts::{ACCOUNT}:assumed-role/bot/i-0abc is not authorized to perform: iam:PassRole on {ROLE}",
        Kind.ACCESS,
        "Check the role and policy settings",
    ),
    (
        "ValidationException",
        f"The role {ROLE} cannot be assumed by bedrock.amazonaws.com",
        Kind.REJECTED,
        "FINETUNE_ROLE_ARN",
    ),
    ("ValidationException", "epochCount must be between 1 and 5", Kind.REJECTED, "hyperparameter"),
    ("ValidationException", f"s3://bucket-{ACCOUNT}/train.jsonl is not accessible", Kind.REJECTED, "FINETUNE_BUCKET"),
    ("ValidationException", "The provided model identifier is invalid.", Kind.REJECTED, "model access"),
    ("ServiceQuotaExceededException", f"Account {ACCOUNT} has reached 2 concurrent jobs", Kind.QUOTA, "quota increase"),
    ("ThrottlingException", f"Rate exceeded for account {ACCOUNT}", Kind.BUSY, "try again in a few minutes"),
    (
        "ResourceInUseException",
        f"Custom model arn:aws:bedrock:us-east-1:{ACCOUNT}:custom-model/x exists",
        Kind.REJECTED,
        "another name",
    ),
    ("InternalServerException", f"Failure in {ROLE}", Kind.BUSY, "try again"),
    ("SomethingNewException", f"Details about {ROLE}", Kind.FAILED, "SomethingNewException"),
]


@pytest.mark.parametrize(("code", "message", "kind", "words"), CASES, ids=[f"{c[0]}-{c[3]}" for c in CASES])
def test_launch_errors_become_advice_without_aws_text(code: str, message: str, kind: Kind, words: str) -> None:
    advice = launch_advice(code, message, base_model_id=MODEL)
    assert advice.kind is kind
    assert words in advice.text
    assert ACCOUNT not in advice.text
    assert "arn:" not in advice.text


@given(st.sampled_from([case[0] for case in CASES] + ["", "X"]), st.text(min_size=1))
def test_no_aws_message_is_ever_repeated(code: str, message: str) -> None:
    marked = f"{message}<<{ACCOUNT}>>"
    for advice in (launch_advice(code, marked, base_model_id=MODEL), job_advice(code, marked)):
        assert ACCOUNT not in advice.text
        assert marked not in advice.text


def test_advice_that_hides_a_message_says_where_it_is() -> None:
    assert launch_advice("AccessDeniedException", "x", base_model_id=MODEL).text.endswith(IN_THE_LOG)
    assert job_advice("AccessDeniedException", "x").text.endswith(IN_THE_LOG)


def request() -> JobRequest:
    return JobRequest(
        job_name="support-tone-1a2b",
        custom_model_name="support-tone-1a2b-model",
        client_request_token="ftb-support-tone-1a2b",
        base_model_id=MODEL,
        customization=CustomizationType.INSTRUCTION,
        role_arn=ROLE,
        training_uri="s3://team-datasets/train.jsonl",
        output_uri="s3://finetune-output/jobs/",
        hyperparameters={"epochCount": "2"},
    )


class TestTheAdapter:
    """``BedrockJobs`` against botocore's Stubber: the raised error is advice, the log has AWS's text."""

    @pytest.fixture
    def client(self, monkeypatch: pytest.MonkeyPatch) -> Any:
        monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
        return boto3.client("bedrock", region_name="us-east-1", aws_access_key_id="t", aws_secret_access_key="t")

    @pytest.fixture
    def stub(self, client: Any) -> Iterator[Stubber]:
        with Stubber(client) as stubber:
            yield stubber
            stubber.assert_no_pending_responses()

    @pytest.fixture
    def jobs(self, client: Any) -> BedrockJobs:
        return BedrockJobs(client)

    @pytest.mark.parametrize(
        ("code", "message", "error"),
        [
            ("AccessDeniedException", f"arn:aws:sts::{ACCOUNT}:assumed-role/bot is not authorized", AccessProblem),
            ("ValidationException", f"Role {ROLE} is invalid", RequestRejected),
            ("ServiceQuotaExceededException", f"Account {ACCOUNT}: limit reached", QuotaExceeded),
            ("ThrottlingException", f"Rate exceeded for {ACCOUNT}", ServiceBusy),
        ],
    )
    def test_create_raises_advice_and_logs_the_raw_message(
        self,
        jobs: BedrockJobs,
        stub: Stubber,
        caplog: pytest.LogCaptureFixture,
        code: str,
        message: str,
        error: type[BotError],
    ) -> None:
        stub.add_client_error("create_model_customization_job", code, message, 400)
        with caplog.at_level(logging.INFO), pytest.raises(error) as raised:
            jobs.create(request())
        assert ACCOUNT not in str(raised.value)
        assert message in caplog.text or code == "ThrottlingException"

    def test_describe_access_denied_names_the_permissions_not_the_identity(
        self, jobs: BedrockJobs, stub: Stubber, caplog: pytest.LogCaptureFixture
    ) -> None:
        message = f"User: arn:aws:sts::{ACCOUNT}:assumed-role/bot/i-0abc is not authorized"
        stub.add_client_error("get_model_customization_job", "AccessDeniedException", message, 403)
        with caplog.at_level(logging.INFO), pytest.raises(AccessProblem) as raised:
            jobs.describe("support-tone-1a2b")
        assert "bedrock:GetModelCustomizationJob" in str(raised.value)
        assert ACCOUNT not in str(raised.value)
        assert message in caplog.text
