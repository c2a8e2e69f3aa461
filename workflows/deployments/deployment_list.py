"""``/finetune deployments``: each of the workspace's deployments with route, status, hourly cost and cost so far."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from workflows.catalogue.costs import format_price
from workflows.deployments.deployment_costs import cost_so_far_text
from workflows.deployments.deployment_ports import ModelUsage
from workflows.deployments.deployment_record import DeploymentRecord, Route
from workflows.messages import Message
from workflows.slack_text import bullets, code

#: Room for the list in one section (Slack's limit is 3,000 characters).
LIST_ROOM = 2800
NO_DEPLOYMENTS = "No deployments in this workspace. Deploy a completed job with `/finetune deploy JOB`."


def deployments_answer(
    records: list[DeploymentRecord], now: datetime, usage: Mapping[str, ModelUsage] | None = None
) -> Message:
    """Live deployments first (newest first), then the deleted and failed ones still kept; ``usage`` by name."""
    if not records:
        return Message(text=NO_DEPLOYMENTS)
    ordered = sorted(records, key=lambda record: (record.status.terminal, -record.created_at.timestamp()))
    lines = [_line(record, now, (usage or {}).get(record.name)) for record in ordered]
    live = sum(not record.status.terminal for record in records)
    return Message(
        text=f"Deployments in this workspace: {live} live, {len(records) - live} ended.",
        details=(bullets(lines, limit=LIST_ROOM),),
        context="Delete one with `/finetune undeploy NAME`. Provisioned Throughput is billed every hour until deleted.",
    )


def _line(record: DeploymentRecord, now: datetime, usage: ModelUsage | None) -> str:
    if record.route is Route.PROVISIONED:
        units = f"{record.units} unit{'' if record.units == 1 else 's'}"
        hourly = (
            f"{format_price(record.hourly_cost)} per hour" if record.hourly_cost is not None else "unknown per hour"
        )
        price = f"{units}, {hourly}"
    else:
        price = "per token"
    return (
        f"{code(record.name)} — {record.route.words} ({price}), {record.status.value}; "
        f"cost so far {cost_so_far_text(record, now, usage)}"
    )
