"""boto3 clients for Bedrock, bedrock-runtime, S3 and SQS, at the settings' endpoint (else AWS), usual credentials."""

from __future__ import annotations

from typing import TYPE_CHECKING

import boto3
from botocore.config import Config

from workflows.adapters.aws_retry import retry_config

if TYPE_CHECKING:
    from mypy_boto3_bedrock import BedrockClient
    from mypy_boto3_bedrock_runtime import BedrockRuntimeClient
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_sqs import SQSClient

#: Seconds to wait for a connection and for a response.
CONNECT_TIMEOUT_SECONDS = 10
READ_TIMEOUT_SECONDS = 60


def bedrock_client(region: str, *, endpoint_url: str | None = None) -> BedrockClient:
    """Bedrock's control plane, with botocore's standard retries for throttling, 5xx and dropped connections."""
    timeouts = Config(connect_timeout=CONNECT_TIMEOUT_SECONDS, read_timeout=READ_TIMEOUT_SECONDS)
    config = retry_config().merge(timeouts)
    return boto3.session.Session().client("bedrock", region_name=region, endpoint_url=endpoint_url, config=config)


def bedrock_runtime_client(region: str, *, endpoint_url: str | None = None) -> BedrockRuntimeClient:
    """bedrock-runtime (``Converse``), with the same standard retries and timeouts as the control plane.

    botocore's standard mode also retries ``ModelNotReadyException``, which the service model marks retryable.
    """
    timeouts = Config(connect_timeout=CONNECT_TIMEOUT_SECONDS, read_timeout=READ_TIMEOUT_SECONDS)
    config = retry_config().merge(timeouts)
    return boto3.session.Session().client(
        "bedrock-runtime", region_name=region, endpoint_url=endpoint_url, config=config
    )


def s3_client(region: str, *, endpoint_url: str | None = None) -> S3Client:
    """S3 with botocore's standard retries (uploads and downloads are idempotent)."""
    config = Config(
        retries={"max_attempts": 5, "mode": "standard"},
        connect_timeout=CONNECT_TIMEOUT_SECONDS,
        read_timeout=READ_TIMEOUT_SECONDS,
    )
    return boto3.session.Session().client("s3", region_name=region, endpoint_url=endpoint_url, config=config)


def sqs_client(region: str, *, endpoint_url: str | None = None, wait_seconds: int) -> SQSClient:
    """SQS with the standard retries; the read timeout outlasts a long poll of ``wait_seconds``."""
    timeouts = Config(connect_timeout=CONNECT_TIMEOUT_SECONDS, read_timeout=wait_seconds + CONNECT_TIMEOUT_SECONDS)
    config = retry_config().merge(timeouts)
    return boto3.session.Session().client("sqs", region_name=region, endpoint_url=endpoint_url, config=config)
