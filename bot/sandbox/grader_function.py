"""The sample grader as a Lambda function in the emulated account: made in moto, run locally by the stand-in."""

from __future__ import annotations

import io
import json
import zipfile
from contextlib import suppress

import boto3
from moto.core.models import DEFAULT_ACCOUNT_ID

from bot.sandbox.bedrock_standin import BedrockStandIn
from bot.sandbox.samples import exact_match_grader, sample_path

GRADER_NAME = "finetune-bot-sample-grader"
GRADER_FILE = "exact_match_grader.py"
_ROLE_NAME = "finetune-bot-demo-grader"
_TRUST_POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
}


def grader_arn(region: str, account_id: str = DEFAULT_ACCOUNT_ID) -> str:
    return f"arn:aws:lambda:{region}:{account_id}:function:{GRADER_NAME}"


def provision_sample_grader(region: str, standin: BedrockStandIn, *, invoker: str | None = None) -> str:
    """The function (its code is the sample's source) with a role, so GetFunction finds it; Invoke runs it here.

    ``invoker``, a role ARN, is allowed to invoke it in the function's resource policy.
    """
    session = boto3.session.Session()
    iam = session.client("iam", region_name=region)
    lambdas = session.client("lambda", region_name=region)
    try:
        role_arn = iam.create_role(RoleName=_ROLE_NAME, AssumeRolePolicyDocument=json.dumps(_TRUST_POLICY))["Role"][
            "Arn"
        ]
    except iam.exceptions.EntityAlreadyExistsException:
        role_arn = iam.get_role(RoleName=_ROLE_NAME)["Role"]["Arn"]
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.write(sample_path(GRADER_FILE), GRADER_FILE)
    with suppress(lambdas.exceptions.ResourceConflictException):
        lambdas.create_function(
            FunctionName=GRADER_NAME,
            Runtime="python3.12",
            Role=role_arn,
            Handler="exact_match_grader.lambda_handler",
            Code={"ZipFile": archive.getvalue()},
            Description="finetune-bot's sample grader: exact match against reference_answer",
        )
    arn = grader_arn(region)
    if invoker is not None:
        with suppress(lambdas.exceptions.ResourceConflictException):
            lambdas.add_permission(
                FunctionName=GRADER_NAME,
                StatementId="bedrock-service-role",
                Action="lambda:InvokeFunction",
                Principal=invoker,
            )
    standin.register_function(arn, exact_match_grader.lambda_handler)
    return arn
