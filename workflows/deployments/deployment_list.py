"""``/finetune deployments``: each of the workspace's deployments with route, status, costs and last use."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from workflows.catalogue.costs import format_price
from workflows.deployments.deployment_costs import cost_so_far_text
from workflows.deployments.deployment_ports import ModelUsage
from workflows.deployments.deployment_record import DeploymentRecord, Route
from workflows.messages import Message
from workflows.slack_text import bullets, code

#: Room for the list in one section (Slack's limit is 3,000 characters).
LIST_ROOM = 2800
NO_DEPLOYMENTS = "No deployments in this workspace. Deploy a completed job with `/finetune deploy JOB`."
#: How far back "last use" looks in CloudWatch.
LAST_USE_DAYS = 14


@dataclass(frozen=True, slots=True)
class Activity:
    """What CloudWatch said about one deployment: its tokens since creation and its last request."""

    #: Tokens since creation (prices an on-demand deployment); None when not read.
    usage: ModelUsage | None = None
    last_used: datetime | None = None
    #: CloudWatch did not answer, so the last use is unknown.
    unread: bool = False


def last_use_window(record: DeploymentRecord, now: datetime) -> tuple[datetime, datetime]:
    """The span "last use" reads: the last ``LAST_USE_DAYS`` days, or since creation when younger."""
    return max(record.created_at, now - timedelta(days=LAST_USE_DAYS)), now


def deployments_answer(
    records: list[DeploymentRecord],
    now: datetime,
    *,
    activity: Mapping[str, Activity] | None = None,
    sources: tuple[str, ...] = (),
) -> Message:
    """Live deployments first (newest first), then the deleted and failed ones still kept.

    ``activity`` is by name (a deployment without one shows no last use); ``sources`` are the catalogue's
    "as of …, source" of the prices used.
    """
    if not records:
        return Message(text=NO_DEPLOYMENTS)
    seen = activity or {}
    ordered = sorted(records, key=lambda record: (record.status.terminal, -record.created_at.timestamp()))
    lines = [_line(record, now, seen.get(record.name)) for record in ordered]
    live = sum(not record.status.terminal for record in records)
    notes = [
        "Delete one with `/finetune undeploy NAME`. Provisioned Throughput is billed every hour until deleted.",
        *(f"Prices {source}." for source in sources),
    ]
    return Message(
        text=f"Deployments in this workspace: {live} live, {len(records) - live} ended.",
        details=(bullets(lines, limit=LIST_ROOM),),
        context=" ".join(notes),
    )


def _line(record: DeploymentRecord, now: datetime, activity: Activity | None) -> str:
    if record.route is Route.PROVISIONED:
        units = f"{record.units} unit{'' if record.units == 1 else 's'}"
        hourly = (
            f"{format_price(record.hourly_cost)} per hour" if record.hourly_cost is not None else "unknown per hour"
        )
        price = f"{units}, {hourly}"
    else:
        price = "per token"
    line = (
        f"{code(record.name)} — {record.route.words} ({price}), {record.status.value}; "
        f"cost so far {cost_so_far_text(record, now, activity.usage if activity else None)}"
    )
    if record.status.terminal or activity is None:
        return line
    return f"{line}; {_last_use(record, now, activity)}"


def _last_use(record: DeploymentRecord, now: datetime, activity: Activity) -> str:
    if activity.unread:
        return "last use unknown (CloudWatch did not answer)"
    if activity.last_used is not None:
        return f"last used {activity.last_used:%Y-%m-%d %H:%M} UTC"
    if now - record.created_at < timedelta(days=LAST_USE_DAYS):
        return "not used since it was deployed"
    return f"no use in the last {LAST_USE_DAYS} days"
