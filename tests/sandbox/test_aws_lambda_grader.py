"""The stand-in's help for reinforcement fine-tuning: Lambda Invoke of a local grader, customizationConfig kept."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from bot.sandbox.aws import emulated_aws
from bot.sandbox.grader_function import GRADER_NAME, grader_arn
from bot.sandbox.samples import exact_match_grader, sample_path
from tests.sandbox.standin_support import BUCKET, NOVA_MICRO, ROLE
from tests.support.moto_server import ACCOUNT_ID, REGION, MotoServer

pytestmark = pytest.mark.integration

GRADER = "rft-grader"
GRADER_ARN = f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{GRADER}"


def items() -> list[dict[str, Any]]:
    """What Bedrock sends a grader: per item its id, the conversation with the response, the record's extras."""

    def item(item_id: str, response: str, reference: Any) -> dict[str, Any]:
        return {
            "id": item_id,
            "messages": [
                {"role": "user", "content": "What is 6 times 7?"},
                {"role": "assistant", "content": response},
            ],
            "metadata": {"reference_answer": reference},
        }

    return [item("a", "42", "42"), item("b", " 42 \n", {"final_answer": "42"}), item("c", "41", "42")]


def invoke(payload: Any, function: str = GRADER_ARN, **extra: Any) -> Any:
    client = boto3.client("lambda", region_name=REGION, config=Config(retries={"total_max_attempts": 1}))
    return client.invoke(FunctionName=function, Payload=json.dumps(payload).encode(), **extra)


class TestSampleGrader:
    def test_exact_match_after_trimming_and_case(self) -> None:
        scores = exact_match_grader.lambda_handler(items(), None)
        assert [(score["id"], score["aggregate_reward_score"]) for score in scores] == [
            ("a", 1.0),
            ("b", 1.0),
            ("c", 0.0),
        ]

    def test_no_reference_scores_zero(self) -> None:
        [score] = exact_match_grader.lambda_handler([{"id": "x", "messages": []}], None)
        assert score == {"id": "x", "aggregate_reward_score": 0.0, "reward_components": {"exact_match": 0.0}}


class TestLocalLambda:
    def test_invoke_runs_the_registered_handler(self, aws: MotoServer) -> None:
        aws.standin.register_function(GRADER_ARN, exact_match_grader.lambda_handler)
        response = invoke(items())
        assert response["StatusCode"] == 200
        assert "FunctionError" not in response
        assert response["ExecutedVersion"] == "$LATEST"
        scores = json.loads(response["Payload"].read())
        assert [score["aggregate_reward_score"] for score in scores] == [1.0, 1.0, 0.0]
        by_name = json.loads(invoke(items()[:1], function=GRADER)["Payload"].read())
        assert by_name[0]["id"] == "a"
        assert [name for name, _ in aws.standin.functions.invocations][-2:] == [GRADER, GRADER]

    def test_a_raising_grader_is_reported_as_lambda_does(self, aws: MotoServer) -> None:
        def broken(event: Any, context: Any) -> Any:
            raise KeyError("reference_answer")

        aws.standin.register_function(f"{GRADER}-broken", broken)
        response = invoke(items(), function=f"{GRADER_ARN}-broken")
        assert response["StatusCode"] == 200
        assert response["FunctionError"] == "Unhandled"
        error = json.loads(response["Payload"].read())
        assert error["errorType"] == "KeyError"
        assert "reference_answer" in error["errorMessage"]
        assert error["stackTrace"]

    def test_event_and_dry_run_invocations(self, aws: MotoServer) -> None:
        aws.standin.register_function(GRADER, exact_match_grader.lambda_handler)
        assert invoke(items(), InvocationType="Event")["StatusCode"] == 202
        assert invoke(items(), InvocationType="DryRun")["StatusCode"] == 204

    def test_a_payload_that_is_not_json_is_refused(self, aws: MotoServer) -> None:
        aws.standin.register_function(GRADER, exact_match_grader.lambda_handler)
        client = boto3.client("lambda", region_name=REGION)
        with pytest.raises(ClientError) as refused:
            client.invoke(FunctionName=GRADER, Payload=b"{not json")
        assert refused.value.response["Error"]["Code"] == "InvalidRequestContentException"

    def test_functions_not_registered_are_moto_s(self, aws: MotoServer) -> None:
        with pytest.raises(ClientError) as missing:
            invoke(items(), function="nobody-registered-this")
        assert missing.value.response["Error"]["Code"] == "ResourceNotFoundException"

    def test_the_function_can_also_exist_in_moto_for_get_function(self, aws: MotoServer) -> None:
        iam = boto3.client("iam", region_name=REGION)
        role = iam.create_role(
            RoleName="grader-role",
            AssumeRolePolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": []}),
        )["Role"]["Arn"]
        archive = io.BytesIO()
        with zipfile.ZipFile(archive, "w") as bundle:
            bundle.write(sample_path("exact_match_grader.py"), "exact_match_grader.py")
        client = boto3.client("lambda", region_name=REGION)
        created = client.create_function(
            FunctionName=GRADER,
            Runtime="python3.12",
            Role=role,
            Handler="exact_match_grader.lambda_handler",
            Code={"ZipFile": archive.getvalue()},
        )
        aws.standin.register_function(created["FunctionArn"], exact_match_grader.lambda_handler)
        assert client.get_function(FunctionName=GRADER)["Configuration"]["FunctionArn"] == created["FunctionArn"]
        scores = json.loads(invoke(items(), function=created["FunctionArn"])["Payload"].read())
        assert [score["id"] for score in scores] == ["a", "b", "c"]


class TestCustomizationConfig:
    @staticmethod
    def create(bedrock: Any, name: str, **extra: Any) -> None:
        bedrock.create_model_customization_job(
            jobName=name,
            customModelName=f"{name}-model",
            roleArn=ROLE,
            baseModelIdentifier=NOVA_MICRO,
            trainingDataConfig={"s3Uri": f"s3://{BUCKET}/{name}/train.jsonl"},
            outputDataConfig={"s3Uri": f"s3://{BUCKET}/{name}/output/"},
            **extra,
        )

    def test_distillation_and_rft_configs_come_back_from_get(self, aws: MotoServer) -> None:
        bedrock = boto3.client("bedrock", region_name=REGION)
        distillation = {
            "distillationConfig": {
                "teacherModelConfig": {
                    "teacherModelIdentifier": "amazon.nova-pro-v1:0",
                    "maxResponseLengthForInference": 1000,
                }
            }
        }
        rft = {
            "rftConfig": {
                "graderConfig": {"lambdaGrader": {"lambdaArn": GRADER_ARN}},
                "hyperParameters": {"epochCount": 2, "batchSize": 64, "learningRate": 0.00001},
            }
        }
        self.create(bedrock, "distil", customizationType="DISTILLATION", customizationConfig=distillation)
        self.create(bedrock, "reinforce", customizationType="REINFORCEMENT_FINE_TUNING", customizationConfig=rft)
        self.create(bedrock, "plain", customizationType="FINE_TUNING", hyperParameters={"epochCount": "1"})
        got = bedrock.get_model_customization_job(jobIdentifier="distil")
        assert (got["customizationType"], got["customizationConfig"]) == ("DISTILLATION", distillation)
        reinforce = bedrock.get_model_customization_job(jobIdentifier="reinforce")
        assert reinforce["customizationConfig"] == rft
        assert "customizationConfig" not in bedrock.get_model_customization_job(jobIdentifier="plain")
        aws.reset()
        self.create(bedrock, "distil", customizationType="FINE_TUNING")
        assert "customizationConfig" not in bedrock.get_model_customization_job(jobIdentifier="distil")

    def test_a_config_that_does_not_fit_the_service_model_is_refused(self, aws: MotoServer) -> None:
        unchecked = boto3.client("bedrock", region_name=REGION, config=Config(parameter_validation=False))
        with pytest.raises(ClientError) as refused:
            self.create(
                unchecked,
                "bad-config",
                customizationType="REINFORCEMENT_FINE_TUNING",
                customizationConfig={"rftConfig": {"graderConfig": {"lambdaGrader": {"lambdaArn": 7}}}},
            )
        assert refused.value.response["Error"]["Code"] == "ValidationException"
        assert "lambdaArn" in refused.value.response["Error"]["Message"]
        assert (
            boto3.client("bedrock", region_name=REGION).list_model_customization_jobs()[
                "modelCustomizationJobSummaries"
            ]
            == []
        )

    def test_a_refused_create_keeps_no_config(self, aws: MotoServer) -> None:
        bedrock = boto3.client("bedrock", region_name=REGION)
        config = {"distillationConfig": {"teacherModelConfig": {"teacherModelIdentifier": "amazon.nova-pro-v1:0"}}}
        self.create(bedrock, "twice", customizationType="DISTILLATION", customizationConfig=config)
        with pytest.raises(ClientError):
            bedrock.create_model_customization_job(
                jobName="twice",
                customModelName="another-model",
                roleArn=ROLE,
                baseModelIdentifier=NOVA_MICRO,
                trainingDataConfig={"s3Uri": f"s3://{BUCKET}/x.jsonl"},
                outputDataConfig={"s3Uri": f"s3://{BUCKET}/out/"},
                customizationType="DISTILLATION",
                customizationConfig={
                    "distillationConfig": {"teacherModelConfig": {"teacherModelIdentifier": "amazon.nova-premier-v1:0"}}
                },
            )
        assert bedrock.get_model_customization_job(jobIdentifier="twice")["customizationConfig"] == config


def test_the_demo_s_aws_ships_the_sample_grader() -> None:
    with emulated_aws(speed=300) as aws:
        client = boto3.client("lambda", region_name=aws.region)
        arn = grader_arn(aws.region)
        assert client.get_function(FunctionName=GRADER_NAME)["Configuration"]["FunctionArn"] == arn
        response = client.invoke(FunctionName=arn, Payload=json.dumps(items()).encode())
        scores = json.loads(response["Payload"].read())
        assert [score["aggregate_reward_score"] for score in scores] == [1.0, 1.0, 0.0]
