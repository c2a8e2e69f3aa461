"""Distillation and RFT jobs over HTTP (boto3 → AWS stand-in), and the grader Lambda adapter."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from bot.sandbox.grader_function import provision_sample_grader
from tests.adapters.test_bedrock import job_request
from tests.support.moto_server import MotoServer
from workflows.adapters.bedrock import BedrockJobs
from workflows.adapters.bedrock_logging import BedrockInvocationLogging
from workflows.adapters.lambda_graders import LambdaGraders, lambda_client
from workflows.dataset_rules import CustomizationType
from workflows.exceptions import GraderUnavailable, RequestRejected
from workflows.ports import LoggingSetup

pytestmark = pytest.mark.integration

REGION = "us-east-1"


@pytest.fixture
def client(aws: MotoServer) -> Any:
    return boto3.client("bedrock", region_name=REGION)


def test_a_distillation_job_carries_its_teacher_and_no_hyperparameters(client: Any) -> None:
    request = job_request(
        "distil-1",
        customization=CustomizationType.DISTILLATION,
        hyperparameters={},
        validation_uri=None,
        teacher_id="amazon.nova-pro-v1:0",
        max_response_tokens=700,
    )
    BedrockJobs(client).create(request)
    stored = client.get_model_customization_job(jobIdentifier="distil-1")
    assert stored["customizationType"] == "DISTILLATION"
    assert stored["customizationConfig"] == {
        "distillationConfig": {
            "teacherModelConfig": {
                "teacherModelIdentifier": "amazon.nova-pro-v1:0",
                "maxResponseLengthForInference": 700,
            }
        }
    }
    assert not stored.get("hyperParameters")


def test_an_rft_job_carries_its_grader_and_typed_settings(client: Any) -> None:
    grader = "arn:aws:lambda:us-east-1:123456789012:function:grader"
    request = job_request(
        "rft-1",
        customization=CustomizationType.REINFORCEMENT,
        hyperparameters={},
        validation_uri=None,
        grader_arn=grader,
        rft_hyperparameters={"batchSize": 32, "learningRate": 1e-5, "reasoningEffort": "low"},
    )
    BedrockJobs(client).create(request)
    stored = client.get_model_customization_job(jobIdentifier="rft-1")
    assert stored["customizationType"] == "REINFORCEMENT_FINE_TUNING"
    rft = stored["customizationConfig"]["rftConfig"]
    assert rft["graderConfig"] == {"lambdaGrader": {"lambdaArn": grader}}
    assert rft["hyperParameters"] == {"batchSize": 32, "learningRate": 1e-5, "reasoningEffort": "low"}


def test_creating_the_same_rft_job_twice_keeps_one(client: Any) -> None:
    request = job_request(
        "rft-2",
        customization=CustomizationType.REINFORCEMENT,
        hyperparameters={},
        grader_arn="arn:aws:lambda:us-east-1:123456789012:function:grader",
    )
    jobs = BedrockJobs(client)
    first = jobs.create(request)
    again = jobs.create(request)
    assert first.job_arn == again.job_arn
    assert len(client.list_model_customization_jobs()["modelCustomizationJobSummaries"]) == 1


def test_the_grader_adapter_finds_calls_and_reports_errors(aws: MotoServer) -> None:
    graders = LambdaGraders(lambda_client(REGION))
    arn = provision_sample_grader(REGION, aws.standin)
    graders.find(arn)
    item = {"id": "a", "messages": [{"role": "assistant", "content": "4"}], "metadata": {"reference_answer": "4"}}
    reply = graders.invoke(arn, [item])
    assert reply.error is None
    assert reply.payload == [{"id": "a", "aggregate_reward_score": 1.0, "reward_components": {"exact_match": 1.0}}]
    with pytest.raises(GraderUnavailable, match="There is no Lambda function"):
        graders.find(arn.replace("sample-grader", "nobody"))

    def broken(event: Any, context: Any) -> Any:
        raise ValueError("no reference")

    aws.standin.register_function(arn, broken)
    assert graders.invoke(arn, [item]).error == "ValueError: no reference"


LOGS = {
    "invocationLogSource": {"s3Uri": "s3://app-logs/bedrock/"},
    "usePromptResponse": False,
    "requestMetadataFilters": {"orAll": [{"equals": {"project": "support"}}, {"notEquals": {"team": "qa"}}]},
}


def logs_request(name: str, logs: dict[str, Any] = LOGS) -> Any:
    return job_request(
        name,
        customization=CustomizationType.DISTILLATION,
        hyperparameters={},
        training_uri=None,
        validation_uri=None,
        teacher_id="amazon.nova-pro-v1:0",
        max_response_tokens=1000,
        invocation_logs=logs,
    )


def test_a_distillation_job_reading_invocation_logs_carries_them_instead_of_a_file(client: Any) -> None:
    BedrockJobs(client).create(logs_request("logs-1"))
    stored = client.get_model_customization_job(jobIdentifier="logs-1")
    assert stored["trainingDataConfig"] == {"invocationLogsConfig": LOGS}
    assert stored["customizationConfig"]["distillationConfig"]["teacherModelConfig"]["teacherModelIdentifier"] == (
        "amazon.nova-pro-v1:0"
    )


def test_creating_the_same_logs_job_twice_keeps_one(client: Any) -> None:
    jobs = BedrockJobs(client)
    first = jobs.create(logs_request("logs-2"))
    again = jobs.create(logs_request("logs-2"))
    assert first.job_arn == again.job_arn
    assert len(client.list_model_customization_jobs()["modelCustomizationJobSummaries"]) == 1


def test_filters_the_service_model_refuses_are_refused_by_the_stand_in_too(client: Any) -> None:
    too_many = {**LOGS, "requestMetadataFilters": {"andAll": [{"equals": {f"k{n}": "v"}} for n in range(17)]}}
    with pytest.raises(RequestRejected):
        BedrockJobs(client).create(logs_request("logs-3", too_many))
    two_keys = {**LOGS, "requestMetadataFilters": {"equals": {"a": "1", "b": "2"}}}
    with pytest.raises(RequestRejected):
        BedrockJobs(client).create(logs_request("logs-4", two_keys))
    assert client.list_model_customization_jobs()["modelCustomizationJobSummaries"] == []


def test_invocation_logging_is_read_from_bedrock(client: Any) -> None:
    logging = BedrockInvocationLogging(client)
    assert logging.setup() == LoggingSetup()
    client.put_model_invocation_logging_configuration(
        loggingConfig={"s3Config": {"bucketName": "app-logs", "keyPrefix": "bedrock"}, "textDataDeliveryEnabled": True}
    )
    assert logging.setup() == LoggingSetup(s3_bucket="app-logs", s3_prefix="bedrock", text_delivery=True)


def test_a_refused_logging_question_is_unknown_not_off() -> None:
    client = boto3.client("bedrock", region_name=REGION, aws_access_key_id="a", aws_secret_access_key="b")
    with Stubber(client) as stub:
        stub.add_client_error(
            "get_model_invocation_logging_configuration", "AccessDeniedException", http_status_code=403
        )
        found = BedrockInvocationLogging(client).setup()
    assert found.unknown == "the bot may not call bedrock:GetModelInvocationLoggingConfiguration"
