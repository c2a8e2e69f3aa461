"""The shipped IAM policies list exactly what the code calls: derived from the adapters' source, both ways.

The boto3 client methods the AWS adapters use (calls, bound methods passed on, paginators, and boto3's
managed transfers) are read from ``workflows/adapters/*.py`` with ``ast``, turned into API operations
through botocore's service models, and into IAM actions (the same name for Bedrock; S3's documented
mapping below). The bot's policy must grant exactly those actions plus the ones the calls imply.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from workflows.datasets.checking import DATASET_PREFIX
from workflows.jobs.launch import OUTPUT_PREFIX

ROOT = Path(__file__).resolve().parents[2]
ADAPTERS = ROOT / "workflows" / "adapters"
IAM = ROOT / "iam"

#: S3 operations whose IAM action has another name (AWS Service Authorization Reference, Amazon S3).
S3_ACTIONS = {
    "HeadObject": "s3:GetObject",
    "GetObject": "s3:GetObject",
    "PutObject": "s3:PutObject",
    "CreateMultipartUpload": "s3:PutObject",
    "UploadPart": "s3:PutObject",
    "CompleteMultipartUpload": "s3:PutObject",
    "AbortMultipartUpload": "s3:AbortMultipartUpload",
    "ListObjectsV2": "s3:ListBucket",
    "GetBucketLocation": "s3:GetBucketLocation",
}
#: bedrock-runtime operations and their IAM action (AWS Service Authorization Reference, Amazon Bedrock:
#: Converse is authorized as bedrock:InvokeModel).
RUNTIME_ACTIONS = {"Converse": "bedrock:InvokeModel"}
#: boto3's injected S3 methods (not in the service model) and the operations they make.
MANAGED_TRANSFERS = {
    "upload_file": {
        "PutObject",
        "CreateMultipartUpload",
        "UploadPart",
        "CompleteMultipartUpload",
        "AbortMultipartUpload",
    },
}
#: Actions an operation needs besides its own: passing the service role, and tagging the job it creates.
IMPLIED = {
    "bedrock:CreateModelCustomizationJob": {"iam:PassRole", "bedrock:TagResource"},
    "bedrock:CreateCustomModelDeployment": {"bedrock:TagResource"},
    "bedrock:CreateProvisionedModelThroughput": {"bedrock:TagResource"},
}
#: Attributes of a client that are not API calls.
NOT_CALLS = {"meta", "exceptions", "get_paginator", "can_paginate", "close", "get_waiter"}


def adapter_services() -> Iterator[tuple[Path, str, ast.Module]]:
    """Each AWS adapter module with the service of the client it holds (from its ``mypy_boto3_<service>`` import)."""
    for path in sorted(ADAPTERS.glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        services = {
            node.module.split(".")[0].removeprefix("mypy_boto3_").replace("_", "-")
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("mypy_boto3_")
        }
        if services and any(isinstance(n, ast.Attribute) and _is_client(n.value) for n in ast.walk(tree)):
            (service,) = services
            yield path, service, tree


def _is_client(node: ast.expr) -> bool:
    """``self._client`` or ``client``: how the adapters name their boto3 client."""
    if isinstance(node, ast.Attribute):
        return node.attr == "_client" and isinstance(node.value, ast.Name) and node.value.id == "self"
    return isinstance(node, ast.Name) and node.id == "client"


def used_methods(tree: ast.Module) -> set[str]:
    """Client methods referenced (called or passed on), and paginators by their method name."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and _is_client(node.value) and node.attr not in NOT_CALLS:
            found.add(node.attr)
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "get_paginator"
            and _is_client(node.func.value)
        ):
            (argument,) = node.args
            assert isinstance(argument, ast.Constant), "paginator names must be literal to be checked"
            found.add(str(argument.value))
    return found


def operations(service: str, methods: set[str]) -> set[str]:
    """API operation names for client method names, through botocore's service model."""
    mapping = boto3.client(service, region_name="us-east-1").meta.method_to_api_mapping  # type: ignore[call-overload]
    result: set[str] = set()
    for method in methods:
        if method in MANAGED_TRANSFERS and service == "s3":
            result |= MANAGED_TRANSFERS[method]
        else:
            assert method in mapping, f"{service} client has no method {method}"
            result.add(mapping[method])
    return result


def iam_action(service: str, operation: str) -> str:
    if service == "bedrock-runtime":
        assert operation in RUNTIME_ACTIONS, f"map the operation {operation} to its IAM action in RUNTIME_ACTIONS"
        return RUNTIME_ACTIONS[operation]
    if service == "lambda" and operation == "Invoke":
        return "lambda:InvokeFunction"  # the one Lambda operation whose IAM action has another name
    if service == "s3":
        assert operation in S3_ACTIONS, f"map the S3 operation {operation} to its IAM action in S3_ACTIONS"
        return S3_ACTIONS[operation]
    return f"{service}:{operation}"


def derived_actions() -> set[str]:
    actions: set[str] = set()
    for _path, service, tree in adapter_services():
        actions |= {iam_action(service, op) for op in operations(service, used_methods(tree))}
    for action in list(actions):
        actions |= IMPLIED.get(action, set())
    return actions


def load(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((IAM / name).read_text(encoding="utf-8"))
    return document


def statements(document: dict[str, Any]) -> list[dict[str, Any]]:
    assert document["Version"] == "2012-10-17"
    found: list[dict[str, Any]] = document["Statement"]
    assert all(statement["Effect"] == "Allow" for statement in found)
    return found


def listed(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else value


def granted(document: dict[str, Any]) -> set[str]:
    return {action for statement in statements(document) for action in listed(statement["Action"])}


def resources_for(document: dict[str, Any], action: str) -> set[str]:
    return {
        resource
        for statement in statements(document)
        if action in listed(statement["Action"])
        for resource in listed(statement["Resource"])
    }


class TestDerivation:
    def test_the_adapters_are_found_with_their_services(self) -> None:
        assert {(path.name, service) for path, service, _ in adapter_services()} == {
            ("bedrock.py", "bedrock"),
            ("bedrock_chat.py", "bedrock-runtime"),
            ("bedrock_deployments.py", "bedrock"),
            ("bedrock_logging.py", "bedrock"),
            ("cloudwatch_metrics.py", "cloudwatch"),
            ("iam_roles.py", "iam"),
            ("lambda_graders.py", "lambda"),
            ("s3.py", "s3"),
            ("sqs_queue.py", "sqs"),
        }

    def test_calls_passed_on_and_paginators_are_seen(self) -> None:
        trees = {path.name: tree for path, _, tree in adapter_services()}
        assert "list_model_customization_jobs" in used_methods(trees["bedrock.py"])  # passed to functools.partial
        assert "list_objects_v2" in used_methods(trees["s3.py"])  # a paginator and a call
        assert "list_provisioned_model_throughputs" in used_methods(
            trees["bedrock_deployments.py"]
        )  # chosen, then called


class TestBotPolicy:
    def test_it_grants_exactly_the_actions_the_code_calls(self) -> None:
        derived, policy = derived_actions(), granted(load("bot-policy.json"))
        assert derived - policy == set(), "the code calls actions the policy does not grant"
        assert policy - derived == set(), "the policy grants actions the code never calls"

    def test_the_service_role_is_passed_to_bedrock_only(self) -> None:
        (statement,) = [s for s in statements(load("bot-policy.json")) if "iam:PassRole" in listed(s["Action"])]
        assert statement["Condition"] == {"StringEquals": {"iam:PassedToService": "bedrock.amazonaws.com"}}
        assert listed(statement["Resource"]) == ["arn:aws:iam::<ACCOUNT_ID>:role/<BEDROCK_SERVICE_ROLE>"]

    def test_writes_go_to_the_product_bucket_only(self) -> None:
        policy = load("bot-policy.json")
        for action in ("s3:PutObject", "s3:AbortMultipartUpload"):
            assert resources_for(policy, action) == {"arn:aws:s3:::<FINETUNE_BUCKET>/*"}
        assert resources_for(policy, "s3:GetObject") == {
            "arn:aws:s3:::<FINETUNE_BUCKET>/*",
            "arn:aws:s3:::<DATASET_BUCKET>/*",
        }

    def test_the_job_event_queue_is_only_read_and_emptied(self) -> None:
        policy = load("bot-policy.json")
        assert {action for action in granted(policy) if action.startswith("sqs:")} == {
            "sqs:ReceiveMessage",
            "sqs:DeleteMessage",
        }
        for action in ("sqs:ReceiveMessage", "sqs:DeleteMessage"):
            assert resources_for(policy, action) == {"arn:aws:sqs:<REGION>:<ACCOUNT_ID>:<EVENTS_QUEUE>"}

    def test_base_models_in_other_regions_are_invoked_only_through_this_regions_inference_profiles(self) -> None:
        invoking = [s for s in statements(load("bot-policy.json")) if "bedrock:InvokeModel" in listed(s["Action"])]
        unconditioned = {resource for s in invoking if "Condition" not in s for resource in listed(s["Resource"])}
        anywhere = [s for s in invoking if "arn:aws:bedrock:*::foundation-model/*" in listed(s["Resource"])]

        assert all(resource.startswith("arn:aws:bedrock:<REGION>:") for resource in unconditioned)
        assert "arn:aws:bedrock:<REGION>:<ACCOUNT_ID>:inference-profile/*" in unconditioned
        assert [s["Condition"] for s in anywhere] == [
            {"StringLike": {"bedrock:InferenceProfileArn": "arn:aws:bedrock:<REGION>:<ACCOUNT_ID>:inference-profile/*"}}
        ]

    def test_only_the_service_role_is_simulated(self) -> None:
        assert resources_for(load("bot-policy.json"), "iam:SimulatePrincipalPolicy") == {
            "arn:aws:iam::<ACCOUNT_ID>:role/<BEDROCK_SERVICE_ROLE>"
        }

    def test_no_wildcard_actions(self) -> None:
        assert not any("*" in action for action in granted(load("bot-policy.json")))


class TestServiceRole:
    def test_only_bedrock_customization_jobs_of_this_account_may_assume_it(self) -> None:
        (statement,) = statements(load("bedrock-service-role-trust.json"))
        assert statement["Principal"] == {"Service": "bedrock.amazonaws.com"}
        assert statement["Action"] == "sts:AssumeRole"
        assert statement["Condition"] == {
            "StringEquals": {"aws:SourceAccount": "<ACCOUNT_ID>"},
            "ArnEquals": {"aws:SourceArn": "arn:aws:bedrock:<REGION>:<ACCOUNT_ID>:model-customization-job/*"},
        }

    def test_it_reads_the_datasets_and_writes_only_the_job_output(self) -> None:
        policy = load("bedrock-service-role-policy.json")
        assert granted(policy) == {
            "s3:GetObject",
            "s3:ListBucket",
            "s3:PutObject",
            "lambda:InvokeFunction",
            "bedrock:InvokeModel",
        }
        assert resources_for(policy, "s3:PutObject") == {f"arn:aws:s3:::<FINETUNE_BUCKET>/{OUTPUT_PREFIX}/*"}
        readable = resources_for(policy, "s3:GetObject")
        assert "arn:aws:s3:::<DATASET_BUCKET>/*" in readable
        assert any(f"arn:aws:s3:::<FINETUNE_BUCKET>/{DATASET_PREFIX}/".startswith(r.rstrip("*")) for r in readable)

    def test_it_invokes_only_the_grader_function_in_the_jobs_region(self) -> None:
        policy = load("bedrock-service-role-policy.json")
        assert resources_for(policy, "lambda:InvokeFunction") == {
            "arn:aws:lambda:<REGION>:<ACCOUNT_ID>:function:<GRADER_FUNCTION>"
        }

    def test_invocation_logs_are_only_read(self) -> None:
        policy = load("bedrock-service-role-policy.json")
        logs = {"arn:aws:s3:::<LOGS_BUCKET>", "arn:aws:s3:::<LOGS_BUCKET>/*"}
        assert "arn:aws:s3:::<LOGS_BUCKET>/*" in resources_for(policy, "s3:GetObject")
        assert "arn:aws:s3:::<LOGS_BUCKET>" in resources_for(policy, "s3:ListBucket")
        assert not logs & resources_for(policy, "s3:PutObject")

    def test_teachers_are_invoked_only_through_this_regions_inference_profiles(self) -> None:
        invoking = [
            s
            for s in statements(load("bedrock-service-role-policy.json"))
            if "bedrock:InvokeModel" in listed(s["Action"])
        ]
        profile = "arn:aws:bedrock:<REGION>:<ACCOUNT_ID>:inference-profile/*"
        unconditioned = {resource for s in invoking if "Condition" not in s for resource in listed(s["Resource"])}
        conditioned = [s for s in invoking if "Condition" in s]

        assert unconditioned == {profile}
        assert [listed(s["Resource"]) for s in conditioned] == [["arn:aws:bedrock:*::foundation-model/*"]]
        assert [s["Condition"] for s in conditioned] == [{"StringLike": {"bedrock:InferenceProfileArn": profile}}]


@pytest.mark.parametrize(
    "name", ["bot-policy.json", "bedrock-service-role-trust.json", "bedrock-service-role-policy.json"]
)
def test_the_readme_references_each_policy_file(name: str) -> None:
    assert f"iam/{name}" in (ROOT / "README.md").read_text(encoding="utf-8")
