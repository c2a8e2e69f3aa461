"""CloudWatch's ``AWS/Bedrock`` metrics behind the ``ModelInvocations`` port: requests and tokens per model."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING, TypeVar

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from workflows.adapters.aws_clients import CONNECT_TIMEOUT_SECONDS, READ_TIMEOUT_SECONDS
from workflows.adapters.aws_retry import busy_error, retry_config
from workflows.aws_advice import IN_THE_LOG
from workflows.deployments.deployment_ports import LAST_USE_RESOLUTION, ModelUsage
from workflows.exceptions import BotError

if TYPE_CHECKING:
    from mypy_boto3_cloudwatch.client import CloudWatchClient
    from mypy_boto3_cloudwatch.type_defs import MetricDataQueryTypeDef

logger = logging.getLogger(__name__)

T = TypeVar("T")

NAMESPACE = "AWS/Bedrock"
#: Shorter windows are widened to this (earlier start): a deployment has no datapoints from before it existed.
SHORTEST_WINDOW = timedelta(minutes=1)
#: The metrics read, by the query id each gets.
METRICS = {"invocations": "Invocations", "input": "InputTokenCount", "output": "OutputTokenCount"}


def cloudwatch_client(region: str, *, endpoint_url: str | None = None) -> CloudWatchClient:
    """CloudWatch with the same standard retries and timeouts as the Bedrock client."""
    timeouts = Config(connect_timeout=CONNECT_TIMEOUT_SECONDS, read_timeout=READ_TIMEOUT_SECONDS)
    config = retry_config().merge(timeouts)
    return boto3.session.Session().client("cloudwatch", region_name=region, endpoint_url=endpoint_url, config=config)


class CloudWatchInvocations:
    """``ModelInvocations``: one GetMetricData call per window (three sums, every page), and the last use."""

    def __init__(self, client: CloudWatchClient) -> None:
        self._client = client

    def usage(self, *, model_id: str, start: datetime, end: datetime) -> ModelUsage:
        """Sums of Invocations, InputTokenCount and OutputTokenCount for ``ModelId=model_id``; zeros when none."""
        if end <= start:
            raise ValueError("the window must end after it starts")
        start = _widened(start, end)
        period = _period(start, end)
        queries: list[MetricDataQueryTypeDef] = [
            {
                "Id": query_id,
                "MetricStat": {
                    "Metric": {
                        "Namespace": NAMESPACE,
                        "MetricName": metric,
                        "Dimensions": [{"Name": "ModelId", "Value": model_id}],
                    },
                    "Period": period,
                    "Stat": "Sum",
                },
                "ReturnData": True,
            }
            for query_id, metric in METRICS.items()
        ]
        totals = dict.fromkeys(METRICS, 0.0)
        token: str | None = None
        while True:
            call = partial(self._client.get_metric_data, MetricDataQueries=queries, StartTime=start, EndTime=end)
            try:
                page = _call(partial(call, NextToken=token) if token else call)
            except ClientError as error:
                raise _refusal(error) from error
            for result in page.get("MetricDataResults", []):
                totals[result["Id"]] += sum(result.get("Values", []))
            token = page.get("NextToken")
            if not token:
                break
        return ModelUsage(
            invocations=round(totals["invocations"]),
            input_tokens=round(totals["input"]),
            output_tokens=round(totals["output"]),
        )

    def last_used(self, *, model_id: str, start: datetime, end: datetime) -> datetime | None:
        """The start of the newest five-minute datapoint with an invocation, reading newest first."""
        if end <= start:
            raise ValueError("the window must end after it starts")
        start = _widened(start, end)
        query: MetricDataQueryTypeDef = {
            "Id": "invocations",
            "MetricStat": {
                "Metric": {
                    "Namespace": NAMESPACE,
                    "MetricName": METRICS["invocations"],
                    "Dimensions": [{"Name": "ModelId", "Value": model_id}],
                },
                "Period": int(LAST_USE_RESOLUTION.total_seconds()),
                "Stat": "Sum",
            },
            "ReturnData": True,
        }
        token: str | None = None
        while True:
            call = partial(
                self._client.get_metric_data,
                MetricDataQueries=[query],
                StartTime=start,
                EndTime=end,
                ScanBy="TimestampDescending",
            )
            try:
                page = _call(partial(call, NextToken=token) if token else call)
            except ClientError as error:
                raise _refusal(error) from error
            for result in page.get("MetricDataResults", []):
                used = [
                    moment
                    for moment, value in zip(result.get("Timestamps", []), result.get("Values", []), strict=False)
                    if value > 0
                ]
                if used:
                    return max(used)
            token = page.get("NextToken")
            if not token:
                return None


def _widened(start: datetime, end: datetime) -> datetime:
    """At least one minute, CloudWatch's finest datapoint (a window within one second is refused)."""
    return min(start, end - SHORTEST_WINDOW)


def _period(start: datetime, end: datetime) -> int:
    """One datapoint for the whole window where CloudWatch allows it: whole minutes, at least one."""
    seconds = int((end - start).total_seconds())
    return max(60, -(-seconds // 60) * 60)


def _call(function: Callable[[], T]) -> T:
    try:
        return function()
    except Exception as error:
        busy = busy_error(error, "CloudWatch")
        if busy is None:
            raise
        raise busy from error


def _refusal(error: ClientError) -> BotError:
    code = str(error.response.get("Error", {}).get("Code", ""))
    logger.warning("CloudWatch refused GetMetricData: %s: %s", code, error.response.get("Error", {}).get("Message"))
    if code in {"AccessDenied", "AccessDeniedException"}:
        return BotError(
            "CloudWatch denied the bot access: its identity needs cloudwatch:GetMetricData to tell idle deployments. "
            + IN_THE_LOG
        )
    return BotError(
        f"CloudWatch did not answer ({code or 'an unknown error'}). The exact reason is in finetune-bot's log."
    )
