"""Bedrock's model invocation logging settings behind the ``InvocationLogging`` port (distillation from logs)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from botocore.exceptions import BotoCoreError, ClientError

from workflows.ports import LoggingSetup

if TYPE_CHECKING:
    from mypy_boto3_bedrock.client import BedrockClient

logger = logging.getLogger(__name__)


class BedrockInvocationLogging:
    """``GetModelInvocationLoggingConfiguration`` in the bot's region, read into a ``LoggingSetup``."""

    def __init__(self, client: BedrockClient) -> None:
        self._client = client

    def setup(self) -> LoggingSetup:
        try:
            response = self._client.get_model_invocation_logging_configuration()
        except ClientError as error:
            code = str(error.response.get("Error", {}).get("Code", ""))
            logger.info("GetModelInvocationLoggingConfiguration refused: %s", code)
            if code in {"AccessDenied", "AccessDeniedException"}:
                return LoggingSetup(unknown="the bot may not call bedrock:GetModelInvocationLoggingConfiguration")
            return LoggingSetup(unknown=f"Bedrock answered {code or 'an error'}")
        except BotoCoreError as error:
            return LoggingSetup(unknown=f"Bedrock could not be reached: {type(error).__name__}")
        config = response.get("loggingConfig") or {}
        s3 = config.get("s3Config")
        bucket = s3.get("bucketName") if s3 else None
        return LoggingSetup(
            s3_bucket=str(bucket) if bucket else None,
            s3_prefix=str(s3.get("keyPrefix") or "") if s3 else "",
            text_delivery=bool(config.get("textDataDeliveryEnabled")),
            cloudwatch=bool(config.get("cloudWatchConfig")),
        )
