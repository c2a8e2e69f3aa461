"""AWS IAM behind the ``RolePolicies`` port: ask the policy simulator what the job's service role may do."""

from __future__ import annotations

from typing import TYPE_CHECKING

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from workflows.adapters.aws_clients import CONNECT_TIMEOUT_SECONDS
from workflows.adapters.aws_retry import retry_config
from workflows.ports import Lookup

if TYPE_CHECKING:
    from mypy_boto3_iam import IAMClient

READ_TIMEOUT_SECONDS = 30


def iam_client(region: str, *, endpoint_url: str | None = None) -> IAMClient:
    """IAM (a global service, signed for ``region``) with the same standard retries as the other clients."""
    config = retry_config().merge(Config(connect_timeout=CONNECT_TIMEOUT_SECONDS, read_timeout=READ_TIMEOUT_SECONDS))
    return boto3.session.Session().client("iam", region_name=region, endpoint_url=endpoint_url, config=config)


class IamRoles:
    """``SimulatePrincipalPolicy`` for one action on one resource."""

    def __init__(self, client: IAMClient) -> None:
        self._client = client

    def simulate(self, role_arn: str, action: str, resource: str) -> Lookup:
        try:
            response = self._client.simulate_principal_policy(
                PolicySourceArn=role_arn, ActionNames=[action], ResourceArns=[resource]
            )
        except ClientError as error:
            code_name = error.response.get("Error", {}).get("Code", "")
            if code_name == "NoSuchEntity":
                return Lookup(found=False)
            if code_name in {"AccessDenied", "AccessDeniedException"}:
                return Lookup(unknown="the bot may not call iam:SimulatePrincipalPolicy on the role")
            return Lookup(unknown=f"iam:SimulatePrincipalPolicy failed: {code_name}")
        except BotoCoreError as error:
            return Lookup(unknown=f"AWS IAM could not be reached: {type(error).__name__}")
        results = response.get("EvaluationResults", [])
        if not results:
            return Lookup(unknown="IAM's policy simulator gave no decision")
        result = results[0]
        sources = tuple(
            str(statement.get("SourcePolicyId", ""))
            for statement in result.get("MatchedStatements", [])
            if statement.get("SourcePolicyId")
        )
        return Lookup(found=True, value=str(result.get("EvalDecision", "")), sources=sources)
