"""Whether model invocation logging is on in the job's region, delivering text where the logs are said to be."""

from __future__ import annotations

from enum import StrEnum

from workflows.ports import LoggingSetup
from workflows.slack_text import code


class LoggingState(StrEnum):
    """Whether the job will find logs where the person said."""

    #: Logging delivers text to S3, in the location given.
    ON = "on"
    #: Off, or not to S3, or without text, or to another place: the job would find nothing to distill.
    OFF = "off"
    #: The bot could not ask; Start is not held.
    UNKNOWN = "unknown"


def judge_logging(setup: LoggingSetup, source: str, region: str) -> tuple[LoggingState, str]:
    """The verdict on the region's logging configuration for logs read from ``source``, and what to say."""
    if setup.unknown is not None:
        return LoggingState.UNKNOWN, (
            f"I could not check that model invocation logging is on in {region} ({setup.unknown}). The job will only "
            f"find prompts if Bedrock delivers text logs to {code(source)}; the bot's identity needs "
            "`bedrock:GetModelInvocationLoggingConfiguration` for me to check."
        )
    bucket, key = _split(source)
    fix = _fix(region, bucket, key)
    if setup.s3_bucket is None:
        where = " (it goes to CloudWatch Logs only)" if setup.cloudwatch else ""
        return LoggingState.OFF, (
            f"Model invocation logging does not deliver to S3 in {region}{where}, so a distillation job there has no "
            f"logs to read. {fix}"
        )
    delivered = f"s3://{setup.s3_bucket}/{setup.s3_prefix}"
    if not setup.text_delivery:
        return LoggingState.OFF, (
            f"Model invocation logging in {region} delivers to {code(delivered)} but without text data, and "
            f"distillation reads the text prompts. Turn on text in the logging settings. {fix}"
        )
    if setup.s3_bucket != bucket or not _overlaps(setup.s3_prefix, key):
        return LoggingState.OFF, (
            f"Model invocation logging in {region} delivers to {code(delivered)}, not to {code(source)}, so the job "
            f"would find no logs there. Type {code(delivered)} (or a prefix under it) instead, or change the "
            "logging destination."
        )
    return LoggingState.ON, (
        f"Model invocation logging is on in {region}: text is delivered to {code(delivered)}. Only requests "
        "logged from when it was turned on can be distilled. The job's service role (FINETUNE_ROLE_ARN) needs "
        f"`s3:GetObject` and `s3:ListBucket` on {code('s3://' + bucket)}."
    )


def _split(uri: str) -> tuple[str, str]:
    bucket, _, key = uri.removeprefix("s3://").partition("/")
    return bucket, key


def _overlaps(prefix: str, key: str) -> bool:
    """Whether logs under ``prefix`` can be under ``key`` (one of the two contains the other)."""
    return key.startswith(prefix) or prefix.startswith(key)


def _fix(region: str, bucket: str, key: str) -> str:
    """How to turn logging on for the bucket and prefix given (console, or the CLI)."""
    prefix = f',"keyPrefix":"{key}"' if key else ""
    command = (
        f"aws bedrock put-model-invocation-logging-configuration --region {region} --logging-config "
        f'\'{{"s3Config":{{"bucketName":"{bucket}"{prefix}}},"textDataDeliveryEnabled":true}}\''
    )
    return (
        f"Turn it on in the Bedrock console (Settings → Model invocation logging: S3 only or both, Text checked, "
        f"bucket {code(bucket)}), or run {code(command)}; the bucket policy must let Bedrock write to it. Only "
        "requests made after that are logged. Then press *Check logging again*."
    )
