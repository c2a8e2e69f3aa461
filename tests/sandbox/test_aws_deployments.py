"""Custom model deployments and Provisioned Throughput on the AWS stand-in, through boto3 over HTTP."""

from __future__ import annotations

import re
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from bot.sandbox.deployments import ON_DEMAND_MINUTES, PROVISIONED_MINUTES
from tests.sandbox.standin_support import TITAN_LITE, ManualClock, shape_problems, trained_model
from tests.support.moto_server import REGION, MotoServer

pytestmark = pytest.mark.integration

DEPLOYMENT_ARN = re.compile(r"^arn:aws:bedrock:us-east-1:123456789012:custom-model-deployment/[a-z0-9]{12}$")
THROUGHPUT_ARN = re.compile(r"^arn:aws:bedrock:us-east-1:123456789012:provisioned-model/[a-z0-9]{12}$")


@pytest.fixture
def bedrock(aws: MotoServer) -> Any:
    return boto3.client("bedrock", region_name=REGION)


def simulated(standin_clock: ManualClock, aws: MotoServer, minutes: float) -> None:
    standin_clock.advance(minutes * 60 / aws.standin.deployments.speed)


def error_code(info: pytest.ExceptionInfo[ClientError]) -> str:
    return str(info.value.response["Error"]["Code"])


class TestCustomModelDeployment:
    def test_creating_then_active_on_the_standins_clock(
        self, aws: MotoServer, bedrock: Any, standin_clock: ManualClock
    ) -> None:
        model = trained_model()
        created = bedrock.create_custom_model_deployment(
            modelDeploymentName="support-ondemand", modelArn=model.custom_model_arn, description="try it"
        )
        assert created["ResponseMetadata"]["HTTPStatusCode"] == 202
        arn = created["customModelDeploymentArn"]
        assert DEPLOYMENT_ARN.match(arn)
        first = bedrock.get_custom_model_deployment(customModelDeploymentIdentifier=arn)
        assert shape_problems("bedrock", "GetCustomModelDeployment", first) == ""
        assert (first["status"], first["modelDeploymentName"], first["modelArn"]) == (
            "Creating",
            "support-ondemand",
            model.custom_model_arn,
        )
        assert first["description"] == "try it"
        simulated(standin_clock, aws, ON_DEMAND_MINUTES - 0.1)
        assert bedrock.get_custom_model_deployment(customModelDeploymentIdentifier=arn)["status"] == "Creating"
        simulated(standin_clock, aws, 0.2)
        ready = bedrock.get_custom_model_deployment(customModelDeploymentIdentifier="support-ondemand")
        assert ready["status"] == "Active"
        assert ready["lastUpdatedAt"] > ready["createdAt"]
        assert "failureMessage" not in ready

    def test_the_jobs_output_model_arn_is_accepted(self, bedrock: Any, standin_clock: ManualClock) -> None:
        model = trained_model()
        arn = bedrock.create_custom_model_deployment(
            modelDeploymentName="by-output-arn", modelArn=model.output_model_arn
        )["customModelDeploymentArn"]
        assert bedrock.get_custom_model_deployment(customModelDeploymentIdentifier=arn)["modelArn"] == (
            model.output_model_arn
        )

    def test_a_request_token_makes_one_deployment(self, bedrock: Any, standin_clock: ManualClock) -> None:
        model = trained_model()
        request = {
            "modelDeploymentName": "once",
            "modelArn": model.custom_model_arn,
            "clientRequestToken": "ftb-once-1",
        }
        first = bedrock.create_custom_model_deployment(**request)["customModelDeploymentArn"]
        again = bedrock.create_custom_model_deployment(**request)["customModelDeploymentArn"]
        assert again == first
        listed = bedrock.list_custom_model_deployments()["modelDeploymentSummaries"]
        assert [item["customModelDeploymentArn"] for item in listed] == [first]
        with pytest.raises(ClientError) as changed:
            bedrock.create_custom_model_deployment(**{**request, "description": "something else"})
        assert error_code(changed) == "ValidationException"
        with pytest.raises(ClientError) as same_name:
            bedrock.create_custom_model_deployment(modelDeploymentName="once", modelArn=model.custom_model_arn)
        assert error_code(same_name) == "ValidationException"

    def test_a_name_asking_for_failure_fails_with_a_message(
        self, aws: MotoServer, bedrock: Any, standin_clock: ManualClock
    ) -> None:
        model = trained_model()
        arn = bedrock.create_custom_model_deployment(
            modelDeploymentName="please-fail", modelArn=model.custom_model_arn
        )["customModelDeploymentArn"]
        assert bedrock.get_custom_model_deployment(customModelDeploymentIdentifier=arn)["status"] == "Creating"
        simulated(standin_clock, aws, ON_DEMAND_MINUTES)
        failed = bedrock.get_custom_model_deployment(customModelDeploymentIdentifier=arn)
        assert failed["status"] == "Failed"
        assert "fail" in failed["failureMessage"]

    def test_fail_next_fails_the_next_deployment_only(
        self, aws: MotoServer, bedrock: Any, standin_clock: ManualClock
    ) -> None:
        model = trained_model()
        aws.standin.deployments.fail_next("Insufficient capacity.")
        failing = bedrock.create_custom_model_deployment(modelDeploymentName="one", modelArn=model.custom_model_arn)
        working = bedrock.create_custom_model_deployment(modelDeploymentName="two", modelArn=model.custom_model_arn)
        simulated(standin_clock, aws, ON_DEMAND_MINUTES)
        first = bedrock.get_custom_model_deployment(customModelDeploymentIdentifier=failing["customModelDeploymentArn"])
        second = bedrock.get_custom_model_deployment(
            customModelDeploymentIdentifier=working["customModelDeploymentArn"]
        )
        assert (first["status"], first["failureMessage"]) == ("Failed", "Insufficient capacity.")
        assert second["status"] == "Active"

    def test_refused_for_a_base_model_without_on_demand_deployment(self, bedrock: Any) -> None:
        model = trained_model("titan", base=TITAN_LITE)
        with pytest.raises(ClientError) as refused:
            bedrock.create_custom_model_deployment(modelDeploymentName="titan", modelArn=model.custom_model_arn)
        assert error_code(refused) == "ValidationException"
        assert "Provisioned Throughput" in refused.value.response["Error"]["Message"]

    def test_refused_while_the_job_is_still_training(self, bedrock: Any) -> None:
        model = trained_model("early", complete=False)
        with pytest.raises(ClientError) as refused:
            bedrock.create_custom_model_deployment(modelDeploymentName="early", modelArn=model.custom_model_arn)
        assert error_code(refused) == "ValidationException"
        assert "InProgress" in refused.value.response["Error"]["Message"]

    def test_unknown_models_and_deployments_are_not_found(self, bedrock: Any) -> None:
        arn = "arn:aws:bedrock:us-east-1:123456789012:custom-model/amazon.nova-micro-v1:0:128k/abcdefghijkl"
        with pytest.raises(ClientError) as no_model:
            bedrock.create_custom_model_deployment(modelDeploymentName="ghost", modelArn=arn)
        assert error_code(no_model) == "ResourceNotFoundException"
        with pytest.raises(ClientError) as no_deployment:
            bedrock.get_custom_model_deployment(customModelDeploymentIdentifier="never-made")
        assert error_code(no_deployment) == "ResourceNotFoundException"
        assert no_deployment.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404

    def test_list_filters_sorts_and_pages(self, aws: MotoServer, bedrock: Any, standin_clock: ManualClock) -> None:
        model = trained_model()
        for name in ("alpha", "beta", "gamma-fail"):
            bedrock.create_custom_model_deployment(modelDeploymentName=name, modelArn=model.custom_model_arn)
            standin_clock.advance(0.01)
        simulated(standin_clock, aws, ON_DEMAND_MINUTES)
        everything = bedrock.list_custom_model_deployments()
        assert shape_problems("bedrock", "ListCustomModelDeployments", everything) == ""
        names = [item["customModelDeploymentName"] for item in everything["modelDeploymentSummaries"]]
        assert set(names) == {"alpha", "beta", "gamma-fail"}
        ascending = bedrock.list_custom_model_deployments(sortBy="CreationTime", sortOrder="Ascending")
        created = [item["createdAt"] for item in ascending["modelDeploymentSummaries"]]
        assert created == sorted(created)
        failed = bedrock.list_custom_model_deployments(statusEquals="Failed")["modelDeploymentSummaries"]
        assert [item["customModelDeploymentName"] for item in failed] == ["gamma-fail"]
        assert [
            item["customModelDeploymentName"]
            for item in bedrock.list_custom_model_deployments(nameContains="alp")["modelDeploymentSummaries"]
        ] == ["alpha"]
        pages = bedrock.get_paginator("list_custom_model_deployments").paginate(PaginationConfig={"PageSize": 1})
        paged = [item["customModelDeploymentName"] for page in pages for item in page["modelDeploymentSummaries"]]
        assert sorted(paged) == sorted(names)

    def test_delete_removes_it(self, bedrock: Any, standin_clock: ManualClock) -> None:
        model = trained_model()
        arn = bedrock.create_custom_model_deployment(modelDeploymentName="gone", modelArn=model.custom_model_arn)[
            "customModelDeploymentArn"
        ]
        bedrock.delete_custom_model_deployment(customModelDeploymentIdentifier=arn)
        with pytest.raises(ClientError) as missing:
            bedrock.get_custom_model_deployment(customModelDeploymentIdentifier=arn)
        assert error_code(missing) == "ResourceNotFoundException"
        with pytest.raises(ClientError) as twice:
            bedrock.delete_custom_model_deployment(customModelDeploymentIdentifier=arn)
        assert error_code(twice) == "ResourceNotFoundException"
        assert bedrock.list_custom_model_deployments()["modelDeploymentSummaries"] == []

    def test_moto_reset_forgets_deployments(self, aws: MotoServer, bedrock: Any, standin_clock: ManualClock) -> None:
        model = trained_model()
        bedrock.create_custom_model_deployment(modelDeploymentName="before-reset", modelArn=model.custom_model_arn)
        aws.reset()
        assert bedrock.list_custom_model_deployments()["modelDeploymentSummaries"] == []


class TestProvisionedThroughput:
    def test_creating_then_in_service(self, aws: MotoServer, bedrock: Any, standin_clock: ManualClock) -> None:
        model = trained_model("haiku-like", base=TITAN_LITE)
        created = bedrock.create_provisioned_model_throughput(
            provisionedModelName="titan-pt", modelId=model.custom_model_arn, modelUnits=2
        )
        assert created["ResponseMetadata"]["HTTPStatusCode"] == 201
        arn = created["provisionedModelArn"]
        assert THROUGHPUT_ARN.match(arn)
        first = bedrock.get_provisioned_model_throughput(provisionedModelId=arn)
        assert shape_problems("bedrock", "GetProvisionedModelThroughput", first) == ""
        assert first["status"] == "Creating"
        assert (first["modelUnits"], first["desiredModelUnits"]) == (2, 2)
        assert first["foundationModelArn"] == f"arn:aws:bedrock:us-east-1::foundation-model/{TITAN_LITE}"
        assert first["modelArn"] == first["desiredModelArn"] == model.custom_model_arn
        assert "commitmentDuration" not in first
        simulated(standin_clock, aws, PROVISIONED_MINUTES)
        assert bedrock.get_provisioned_model_throughput(provisionedModelId="titan-pt")["status"] == "InService"

    def test_a_request_token_makes_one_throughput(self, bedrock: Any, standin_clock: ManualClock) -> None:
        model = trained_model()
        request = {
            "provisionedModelName": "pt-once",
            "modelId": model.custom_model_arn,
            "modelUnits": 1,
            "clientRequestToken": "ftb-pt-1",
        }
        first = bedrock.create_provisioned_model_throughput(**request)["provisionedModelArn"]
        assert bedrock.create_provisioned_model_throughput(**request)["provisionedModelArn"] == first
        assert len(bedrock.list_provisioned_model_throughputs()["provisionedModelSummaries"]) == 1
        with pytest.raises(ClientError) as changed:
            bedrock.create_provisioned_model_throughput(**{**request, "modelUnits": 3})
        assert error_code(changed) == "ValidationException"

    def test_a_commitment_has_an_end_and_blocks_deletion_until_then(
        self, aws: MotoServer, bedrock: Any, standin_clock: ManualClock
    ) -> None:
        model = trained_model()
        arn = bedrock.create_provisioned_model_throughput(
            provisionedModelName="committed",
            modelId=model.custom_model_arn,
            modelUnits=1,
            commitmentDuration="OneMonth",
        )["provisionedModelArn"]
        described = bedrock.get_provisioned_model_throughput(provisionedModelId=arn)
        assert described["commitmentDuration"] == "OneMonth"
        assert described["commitmentExpirationTime"] > described["creationTime"]
        with pytest.raises(ClientError) as early:
            bedrock.delete_provisioned_model_throughput(provisionedModelId=arn)
        assert error_code(early) == "ConflictException"
        simulated(standin_clock, aws, 30 * 24 * 60)
        bedrock.delete_provisioned_model_throughput(provisionedModelId=arn)
        assert bedrock.list_provisioned_model_throughputs()["provisionedModelSummaries"] == []

    def test_a_throughput_on_a_base_model_needs_no_job(self, bedrock: Any, standin_clock: ManualClock) -> None:
        arn = bedrock.create_provisioned_model_throughput(
            provisionedModelName="base-pt", modelId="amazon.nova-micro-v1:0", modelUnits=1
        )["provisionedModelArn"]
        described = bedrock.get_provisioned_model_throughput(provisionedModelId=arn)
        foundation = "arn:aws:bedrock:us-east-1::foundation-model/amazon.nova-micro-v1:0"
        assert described["foundationModelArn"] == described["modelArn"] == foundation

    def test_failure_list_filters_and_delete(self, aws: MotoServer, bedrock: Any, standin_clock: ManualClock) -> None:
        model = trained_model()
        ok = bedrock.create_provisioned_model_throughput(
            provisionedModelName="fine", modelId=model.custom_model_arn, modelUnits=1
        )["provisionedModelArn"]
        bedrock.create_provisioned_model_throughput(
            provisionedModelName="will-fail", modelId=model.custom_model_arn, modelUnits=1
        )
        simulated(standin_clock, aws, PROVISIONED_MINUTES)
        listed = bedrock.list_provisioned_model_throughputs()
        assert shape_problems("bedrock", "ListProvisionedModelThroughputs", listed) == ""
        statuses = {item["provisionedModelName"]: item["status"] for item in listed["provisionedModelSummaries"]}
        assert statuses == {"fine": "InService", "will-fail": "Failed"}
        in_service = bedrock.list_provisioned_model_throughputs(statusEquals="InService")["provisionedModelSummaries"]
        assert [item["provisionedModelArn"] for item in in_service] == [ok]
        failed = bedrock.get_provisioned_model_throughput(provisionedModelId="will-fail")
        assert failed["failureMessage"]
        bedrock.delete_provisioned_model_throughput(provisionedModelId=ok)
        with pytest.raises(ClientError) as missing:
            bedrock.get_provisioned_model_throughput(provisionedModelId=ok)
        assert error_code(missing) == "ResourceNotFoundException"

    def test_refused_while_the_job_is_still_training(self, bedrock: Any) -> None:
        model = trained_model("pt-early", complete=False)
        with pytest.raises(ClientError) as refused:
            bedrock.create_provisioned_model_throughput(
                provisionedModelName="pt-early", modelId=model.custom_model_arn, modelUnits=1
            )
        assert error_code(refused) == "ValidationException"
