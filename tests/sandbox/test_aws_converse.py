"""bedrock-runtime Converse on the AWS stand-in, through boto3 over HTTP: learned versus generic answers."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from bot.sandbox.aws import emulated_aws
from bot.sandbox.deployments import ON_DEMAND_MINUTES, PROVISIONED_MINUTES
from bot.sandbox.samples import CONVERSATION, sample_bytes
from tests.sandbox.standin_support import TITAN_LITE, TRAINING, ManualClock, shape_problems, trained_model
from tests.support.moto_server import REGION, MotoServer

pytestmark = pytest.mark.integration

BASE_MODEL = "amazon.nova-micro-v1:0"


@pytest.fixture
def bedrock(aws: MotoServer) -> Any:
    return boto3.client("bedrock", region_name=REGION)


@pytest.fixture
def runtime(aws: MotoServer) -> Any:
    """No retries, so a throttled call shows as the error the bot would see after its own retries."""
    return boto3.client("bedrock-runtime", region_name=REGION, config=Config(retries={"total_max_attempts": 1}))


def ask(runtime: Any, model_id: str, question: str, **extra: Any) -> Any:
    return runtime.converse(modelId=model_id, messages=[{"role": "user", "content": [{"text": question}]}], **extra)


def text_of(response: Any) -> str:
    return str(response["output"]["message"]["content"][0]["text"])


def ready_deployment(aws: MotoServer, bedrock: Any, standin_clock: ManualClock, name: str = "support") -> str:
    model = trained_model(name)
    arn = bedrock.create_custom_model_deployment(modelDeploymentName=f"{name}-od", modelArn=model.custom_model_arn)[
        "customModelDeploymentArn"
    ]
    standin_clock.advance(ON_DEMAND_MINUTES * 60 / aws.standin.deployments.speed)
    return str(arn)


def error_code(info: pytest.ExceptionInfo[ClientError]) -> str:
    return str(info.value.response["Error"]["Code"])


class TestAnswers:
    def test_the_custom_model_answers_with_the_closest_training_reply(
        self, aws: MotoServer, bedrock: Any, runtime: Any, standin_clock: ManualClock
    ) -> None:
        arn = ready_deployment(aws, bedrock, standin_clock)
        for question, reply in TRAINING:
            assert text_of(ask(runtime, arn, question)) == reply
        reworded = ask(runtime, arn, "I forgot my password, how can I reset it?")
        assert text_of(reworded) == TRAINING[0][1]

    def test_the_base_model_answers_generically_and_differently(
        self, aws: MotoServer, bedrock: Any, runtime: Any, standin_clock: ManualClock
    ) -> None:
        arn = ready_deployment(aws, bedrock, standin_clock)
        question = "Where can I download my invoices?"
        custom = text_of(ask(runtime, arn, question))
        base = text_of(ask(runtime, BASE_MODEL, question))
        assert custom == TRAINING[1][1]
        assert base != custom
        assert "general answer" in base
        assert "Where can I download my invoices?" in base
        assert text_of(ask(runtime, BASE_MODEL, question)) == base

    @pytest.mark.parametrize(
        "profile", ["us.amazon.nova-micro-v1:0", "us.meta.llama3-2-1b-instruct-v1:0", "global.amazon.nova-2-lite-v1:0"]
    )
    def test_a_system_inference_profile_answers_generically_as_its_base_model(self, runtime: Any, profile: str) -> None:
        question = "Where can I download my invoices?"

        assert text_of(ask(runtime, profile, question)) == text_of(ask(runtime, BASE_MODEL, question))

    @pytest.mark.parametrize(
        ("model_id", "message"),
        [
            ("amazon.nova-micro-v1:0:128k", "The provided model identifier is invalid"),
            ("meta.llama3-2-1b-instruct-v1:0", "with on-demand throughput isn’t supported"),
            ("meta.llama3-3-70b-instruct-v1:0", "ID or ARN of an inference profile"),
        ],
    )
    def test_ids_bedrock_refuses_on_demand_are_refused_like_bedrock_does(
        self, runtime: Any, model_id: str, message: str
    ) -> None:
        with pytest.raises(ClientError) as info:
            ask(runtime, model_id, "Hello?")

        assert error_code(info) == "ValidationException"
        assert message in str(info.value.response["Error"]["Message"])

    def test_the_answer_has_converse_s_shape_with_usage_and_latency(
        self, aws: MotoServer, bedrock: Any, runtime: Any, standin_clock: ManualClock
    ) -> None:
        arn = ready_deployment(aws, bedrock, standin_clock)
        response = ask(runtime, arn, "How do I reset my password?", system=[{"text": "Be brief."}])
        assert shape_problems("bedrock-runtime", "Converse", response) == ""
        assert response["stopReason"] == "end_turn"
        assert response["output"]["message"]["role"] == "assistant"
        usage = response["usage"]
        assert usage["inputTokens"] > 0
        assert usage["outputTokens"] > 0
        assert usage["totalTokens"] == usage["inputTokens"] + usage["outputTokens"]
        assert response["metrics"]["latencyMs"] > 0

    def test_max_tokens_cuts_the_answer(
        self, aws: MotoServer, bedrock: Any, runtime: Any, standin_clock: ManualClock
    ) -> None:
        arn = ready_deployment(aws, bedrock, standin_clock)
        response = ask(runtime, arn, "How do I reset my password?", inferenceConfig={"maxTokens": 3})
        assert response["stopReason"] == "max_tokens"
        assert response["usage"]["outputTokens"] == 3
        assert text_of(response) == "Open Settings ›"

    def test_a_provisioned_custom_model_answers_from_its_training_data(
        self, aws: MotoServer, bedrock: Any, runtime: Any, standin_clock: ManualClock
    ) -> None:
        model = trained_model("titan", base=TITAN_LITE)
        arn = bedrock.create_provisioned_model_throughput(
            provisionedModelName="titan-pt", modelId=model.custom_model_arn, modelUnits=1
        )["provisionedModelArn"]
        standin_clock.advance(PROVISIONED_MINUTES * 60 / aws.standin.deployments.speed)
        assert text_of(ask(runtime, arn, "Can I change my email?")) == TRAINING[2][1]
        assert text_of(ask(runtime, "titan-pt", "Can I change my email?")) == TRAINING[2][1]

    def test_prompt_completion_training_data_is_learned_too(
        self, aws: MotoServer, bedrock: Any, runtime: Any, standin_clock: ManualClock
    ) -> None:
        data = b'{"prompt": "Classify: my invoice is wrong", "completion": "billing"}\nnot json\n'
        data += b'{"prompt": "Classify: the app crashes on start", "completion": "bug"}\n'
        model = trained_model("classifier", base=TITAN_LITE, data=data)
        arn = bedrock.create_provisioned_model_throughput(
            provisionedModelName="classifier", modelId=model.custom_model_arn, modelUnits=1
        )["provisionedModelArn"]
        standin_clock.advance(PROVISIONED_MINUTES * 60 / aws.standin.deployments.speed)
        assert text_of(ask(runtime, arn, "Classify: it crashes when I start the app")) == "bug"


class TestRefusals:
    def test_model_not_ready_while_creating(self, bedrock: Any, runtime: Any, standin_clock: ManualClock) -> None:
        model = trained_model()
        arn = bedrock.create_custom_model_deployment(modelDeploymentName="early", modelArn=model.custom_model_arn)[
            "customModelDeploymentArn"
        ]
        with pytest.raises(ClientError) as not_ready:
            ask(runtime, arn, "How do I reset my password?")
        assert error_code(not_ready) == "ModelNotReadyException"
        assert not_ready.value.response["ResponseMetadata"]["HTTPStatusCode"] == 429

    def test_a_failed_or_deleted_deployment_cannot_answer(
        self, aws: MotoServer, bedrock: Any, runtime: Any, standin_clock: ManualClock
    ) -> None:
        model = trained_model()
        failed = bedrock.create_custom_model_deployment(
            modelDeploymentName="will-fail", modelArn=model.custom_model_arn
        )["customModelDeploymentArn"]
        standin_clock.advance(ON_DEMAND_MINUTES * 60 / aws.standin.deployments.speed)
        with pytest.raises(ClientError) as refused:
            ask(runtime, failed, "How do I reset my password?")
        assert error_code(refused) == "ValidationException"
        bedrock.delete_custom_model_deployment(customModelDeploymentIdentifier=failed)
        with pytest.raises(ClientError) as gone:
            ask(runtime, failed, "How do I reset my password?")
        assert error_code(gone) == "ResourceNotFoundException"

    def test_a_custom_model_is_not_invoked_directly(self, runtime: Any) -> None:
        model = trained_model()
        with pytest.raises(ClientError) as refused:
            ask(runtime, model.custom_model_arn, "How do I reset my password?")
        assert error_code(refused) == "ValidationException"

    def test_throttling_on_demand_for_one_model(
        self, aws: MotoServer, bedrock: Any, runtime: Any, standin_clock: ManualClock
    ) -> None:
        arn = ready_deployment(aws, bedrock, standin_clock)
        aws.standin.throttle(1, model_id=arn)
        assert text_of(ask(runtime, BASE_MODEL, "Hello there"))
        with pytest.raises(ClientError) as throttled:
            ask(runtime, arn, "How do I reset my password?")
        assert error_code(throttled) == "ThrottlingException"
        assert text_of(ask(runtime, arn, "How do I reset my password?")) == TRAINING[0][1]

    def test_boto3_s_own_retries_ride_out_one_throttle(self, aws: MotoServer) -> None:
        retrying = boto3.client("bedrock-runtime", region_name=REGION, config=Config(retries={"mode": "standard"}))
        aws.standin.throttle(1)
        response = ask(retrying, BASE_MODEL, "Hello there")
        assert response["ResponseMetadata"]["RetryAttempts"] == 1

    def test_a_conversation_must_end_with_the_user(self, runtime: Any) -> None:
        with pytest.raises(ClientError) as refused:
            runtime.converse(
                modelId=BASE_MODEL,
                messages=[
                    {"role": "user", "content": [{"text": "Hi"}]},
                    {"role": "assistant", "content": [{"text": "Hello"}]},
                ],
            )
        assert error_code(refused) == "ValidationException"

    def test_a_malformed_request_is_refused_by_the_service_model(self, aws: MotoServer) -> None:
        unchecked = boto3.client(
            "bedrock-runtime",
            region_name=REGION,
            config=Config(parameter_validation=False, retries={"total_max_attempts": 1}),
        )
        with pytest.raises(ClientError) as refused:
            unchecked.converse(modelId=BASE_MODEL, messages=[{"content": [{"text": 42}]}])
        assert error_code(refused) == "ValidationException"
        message = refused.value.response["Error"]["Message"]
        assert "role" in message
        assert "messages[0].content[0].text" in message


class TestInvocationMetrics:
    def test_each_answer_counts_as_an_invocation_of_its_model_id(
        self, aws: MotoServer, bedrock: Any, runtime: Any, standin_clock: ManualClock
    ) -> None:
        arn = ready_deployment(aws, bedrock, standin_clock)
        idle = ready_deployment(aws, bedrock, standin_clock, name="idle")
        ask(runtime, arn, "How do I reset my password?")
        ask(runtime, arn, "Where can I download my invoices?")
        cloudwatch = boto3.client("cloudwatch", region_name=REGION)
        now = datetime.now(UTC)

        def invocations(model_id: str) -> float:
            stats = cloudwatch.get_metric_statistics(
                Namespace="AWS/Bedrock",
                MetricName="Invocations",
                Dimensions=[{"Name": "ModelId", "Value": model_id}],
                StartTime=now - timedelta(hours=1),
                EndTime=now + timedelta(minutes=5),
                Period=3600,
                Statistics=["Sum"],
            )
            return sum(point["Sum"] for point in stats["Datapoints"])

        assert invocations(arn) == 2
        assert invocations(idle) == 0
        listed = cloudwatch.list_metrics(Namespace="AWS/Bedrock", MetricName="OutputTokenCount")["Metrics"]
        assert [metric["Dimensions"] for metric in listed] == [[{"Name": "ModelId", "Value": arn}]]


def test_the_demo_s_aws_serves_a_job_it_completed() -> None:
    """The demo's path: a job the lifecycle completes, deployed by its outputModelArn, answers from its data."""
    with emulated_aws(speed=36000) as demo:
        s3 = boto3.client("s3", region_name=demo.region)
        bedrock = boto3.client("bedrock", region_name=demo.region)
        s3.put_object(Bucket=demo.bucket, Key="data/support.jsonl", Body=sample_bytes(CONVERSATION))
        bedrock.create_model_customization_job(
            jobName="demo-job",
            customModelName="demo-model",
            roleArn=demo.role_arn,
            baseModelIdentifier="amazon.nova-micro-v1:0:128k",
            customizationType="FINE_TUNING",
            trainingDataConfig={"s3Uri": f"s3://{demo.bucket}/data/support.jsonl"},
            outputDataConfig={"s3Uri": f"s3://{demo.bucket}/output/"},
            hyperParameters={"epochCount": "1"},
        )
        job = wait_for(lambda: bedrock.get_model_customization_job(jobIdentifier="demo-job"), "Completed")
        arn = bedrock.create_custom_model_deployment(modelDeploymentName="demo-try", modelArn=job["outputModelArn"])[
            "customModelDeploymentArn"
        ]
        wait_for(lambda: bedrock.get_custom_model_deployment(customModelDeploymentIdentifier=arn), "Active")
        runtime = boto3.client("bedrock-runtime", region_name=demo.region)
        answer = text_of(ask(runtime, arn, "There are two charges on my November invoice"))
        assert answer.startswith("I'm sorry about the double charge.")
        assert text_of(ask(runtime, "amazon.nova-micro-v1:0", "There are two charges on my November invoice")) != answer


def wait_for(read: Any, status: str, seconds: float = 20.0) -> Any:
    """Poll ``read()`` until its ``status`` is the one wanted; fail after ``seconds``."""
    deadline = time.monotonic() + seconds
    while True:
        found = read()
        if found["status"] == status:
            return found
        assert time.monotonic() < deadline, f"still {found['status']} after {seconds} s"
        time.sleep(0.05)
