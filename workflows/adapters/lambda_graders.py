"""AWS Lambda behind the ``GraderFunctions`` port: find the grader, call it, and say what went wrong in words."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from workflows.adapters.aws_clients import CONNECT_TIMEOUT_SECONDS
from workflows.adapters.aws_retry import busy_error, retry_config
from workflows.exceptions import GraderUnavailable
from workflows.ports import GraderReply, Lookup
from workflows.slack_text import code

if TYPE_CHECKING:
    from mypy_boto3_lambda import LambdaClient

#: A grader must answer within seconds (AWS's advice); Lambda itself allows up to 15 minutes.
READ_TIMEOUT_SECONDS = 120
#: The most of an answer that is read (Lambda's synchronous response limit is 6 MB).
MAX_ANSWER_BYTES = 6 * 1024 * 1024


def lambda_client(region: str, *, endpoint_url: str | None = None) -> LambdaClient:
    """Lambda with the same standard retries as the Bedrock client, and room for a slow grader."""
    timeouts = Config(connect_timeout=CONNECT_TIMEOUT_SECONDS, read_timeout=READ_TIMEOUT_SECONDS)
    config = retry_config().merge(timeouts)
    return boto3.session.Session().client("lambda", region_name=region, endpoint_url=endpoint_url, config=config)


class LambdaGraders:
    """``GetFunction`` to find a grader, ``Invoke`` (request-response) to test it, ``GetPolicy`` for who may call it."""

    def __init__(self, client: LambdaClient) -> None:
        self._client = client

    def find(self, arn: str) -> None:
        try:
            self._client.get_function(FunctionName=arn)
        except ClientError as error:
            raise _unavailable(error, arn) from error
        except BotoCoreError as error:
            raise GraderUnavailable(f"I could not reach AWS Lambda to look up {code(arn)}: {error}") from error

    def invoke(self, arn: str, payload: object) -> GraderReply:
        try:
            response = self._client.invoke(
                FunctionName=arn, InvocationType="RequestResponse", Payload=json.dumps(payload).encode()
            )
        except ClientError as error:
            raise _unavailable(error, arn) from error
        except BotoCoreError as error:
            raise GraderUnavailable(f"I could not reach AWS Lambda to call {code(arn)}: {error}") from error
        body = response["Payload"].read(MAX_ANSWER_BYTES + 1)
        if len(body) > MAX_ANSWER_BYTES:
            raise GraderUnavailable("The grader's answer is larger than Lambda's 6 MB limit for a synchronous call.")
        text = body.decode("utf-8", errors="replace")
        try:
            answer: object = json.loads(text) if text else None
        except ValueError:
            answer = text
        if response.get("FunctionError"):
            return GraderReply(error=_function_error(answer))
        return GraderReply(payload=answer)

    def resource_policy(self, arn: str) -> Lookup:
        try:
            response = self._client.get_policy(FunctionName=arn)
        except ClientError as error:
            code_name = error.response.get("Error", {}).get("Code", "")
            if code_name == "ResourceNotFoundException":
                return Lookup(found=False)
            if code_name in {"AccessDeniedException", "AccessDenied"}:
                return Lookup(unknown="the bot may not call lambda:GetPolicy on the function")
            return Lookup(unknown=f"lambda:GetPolicy failed: {code_name}")
        except BotoCoreError as error:
            return Lookup(unknown=f"AWS Lambda could not be reached: {type(error).__name__}")
        return Lookup(found=True, value=str(response.get("Policy", "")))


def _function_error(answer: object) -> str:
    """Lambda's ``{"errorType", "errorMessage"}`` (or whatever it sent) as one line."""
    if isinstance(answer, dict):
        kind = str(answer.get("errorType", "Error"))
        message = str(answer.get("errorMessage", ""))
        return f"{kind}: {message}" if message else kind
    return str(answer)[:500]


def _unavailable(error: ClientError, arn: str) -> Exception:
    busy = busy_error(error, "AWS Lambda")
    if busy is not None:
        return busy
    code_name = error.response.get("Error", {}).get("Code", "")
    if code_name == "ResourceNotFoundException":
        return GraderUnavailable(
            f"There is no Lambda function {code(arn)} in this account and region. Check the ARN (the function "
            "name, account and region) and type it again."
        )
    if code_name in {"AccessDeniedException", "AccessDenied"}:
        return GraderUnavailable(
            f"The bot's AWS identity may not use {code(arn)} (it needs lambda:GetFunction and "
            "lambda:InvokeFunction on it). Ask whoever runs finetune-bot to allow that."
        )
    message = error.response.get("Error", {}).get("Message", "")
    return GraderUnavailable(f"AWS Lambda refused the call to {code(arn)}: {code_name} {message}".strip())
