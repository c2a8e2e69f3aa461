"""The idle check: a Provisioned Throughput with no invocations for N hours gets one reminder per N hours."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from workflows.deployments.deployment_ports import ModelUsage
from workflows.deployments.deployment_record import DeploymentRecord, Route

#: Hours without a single invocation before a throughput counts as idle (and between two reminders).
DEFAULT_IDLE_HOURS = 24
#: The shortest period allowed (3.6 seconds), so tests and the demo can see a reminder without waiting hours.
MIN_IDLE_HOURS = 0.001
#: The longest period allowed: a year.
MAX_IDLE_HOURS = 8760


@dataclass(frozen=True, slots=True)
class IdleWindow:
    """The span whose ``Invocations`` decide whether a deployment is idle."""

    start: datetime
    end: datetime


def idle_window(
    record: DeploymentRecord, now: datetime, *, idle_hours: float = DEFAULT_IDLE_HOURS
) -> IdleWindow | None:
    """The window to read from CloudWatch, or None when no reminder can be due.

    Only a Provisioned Throughput bills while idle; it must have served for the whole window (a new one
    is not idle yet), and the last reminder must be a whole period old.
    """
    if idle_hours < MIN_IDLE_HOURS:
        raise ValueError(f"idle_hours must be at least {MIN_IDLE_HOURS}")
    period = timedelta(hours=idle_hours)
    if record.route is not Route.PROVISIONED or not record.status.ready or record.ready_at is None:
        return None
    if now - record.ready_at < period:
        return None
    if record.reminded_at is not None and now - record.reminded_at < period:
        return None
    return IdleWindow(start=now - period, end=now)


def is_idle(usage: ModelUsage) -> bool:
    """No request at all in the window."""
    return usage.invocations == 0


def span_words(hours: float) -> str:
    """A period for people: ``24 hours``, ``1 hour``, ``90 minutes``, ``7 seconds``."""
    seconds = round(hours * 3600)
    if seconds % 3600 == 0:
        whole = seconds // 3600
        return f"{whole} hour{'' if whole == 1 else 's'}"
    if seconds % 60 == 0:
        minutes = seconds // 60
        return f"{minutes} minute{'' if minutes == 1 else 's'}"
    return f"{seconds} second{'' if seconds == 1 else 's'}"
