"""Small text helpers shared by the notices and the command answers: durations, money, stages, people."""

from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation

from workflows import slack_text
from workflows.catalogue.costs import format_usd
from workflows.jobs.job import JobRecord, JobStatus
from workflows.slack_text import Mrkdwn, mention

#: Stage names in the order a job goes through them (``BedrockJobs`` maps statusDetails to these).
STAGE_ORDER = ("validation", "data processing", "training")

#: A short word for each status, as the list and status answers show it.
STATUS_WORDS = {
    JobStatus.IN_PROGRESS: "running",
    JobStatus.STOPPING: "stopping",
    JobStatus.COMPLETED: "completed",
    JobStatus.FAILED: "failed",
    JobStatus.STOPPED: "stopped",
}

STATUS_EMOJI = {
    JobStatus.IN_PROGRESS: ":hourglass_flowing_sand:",
    JobStatus.STOPPING: ":double_vertical_bar:",
    JobStatus.COMPLETED: ":white_check_mark:",
    JobStatus.FAILED: ":x:",
    JobStatus.STOPPED: ":octagonal_sign:",
}


def duration(span: timedelta) -> str:
    """``2d 3h``, ``1h 05m``, ``12m``, or ``under a minute``; negative spans (clock skew) count as zero."""
    minutes = max(0, int(span.total_seconds() // 60))
    days, rest = divmod(minutes, 24 * 60)
    hours, minutes = divmod(rest, 60)
    if days:
        return f"{days}d {hours}h"
    if hours:
        return f"{hours}h {minutes:02d}m"
    return f"{minutes}m" if minutes else "under a minute"


def elapsed(record: JobRecord, until: datetime) -> str:
    """How long the job has been running (or ran) since it was started."""
    return duration(until - record.started_at)


def estimated_training_cost(record: JobRecord) -> Decimal | None:
    """The training estimate saved at launch, or None when the price was unknown (or unreadable)."""
    if record.estimated_training_cost is None:
        return None
    try:
        return Decimal(record.estimated_training_cost)
    except InvalidOperation:
        return None


def record_cost_text(record: JobRecord) -> str:
    """The job's training estimate in words; for a job reading invocation logs, why there is none."""
    amount = estimated_training_cost(record)
    if amount is None and record.from_invocation_logs:
        return "unknown (the prompts come from invocation logs; the review said what bounds it)"
    return cost_text(amount)


def tokens_text(record: JobRecord) -> str:
    """``12,000 × 2 epochs``, or that the tokens are unknown (a job reading invocation logs)."""
    if record.from_invocation_logs:
        return "unknown until the job reads the invocation logs"
    return f"{record.training_tokens:,} × {record.epochs} epochs"


def cost_text(amount: Decimal | None) -> str:
    """``about $4.20``, or ``unknown (no price in the catalogue)``."""
    return f"about {format_usd(amount)}" if amount is not None else "unknown (no price in the catalogue)"


def stages_text(stages: dict[str, str]) -> str:
    """``Validation: Completed · Data processing: InProgress · Training: NotStarted``, known stages only."""
    ordered = [name for name in STAGE_ORDER if name in stages] + sorted(set(stages) - set(STAGE_ORDER))
    return " · ".join(f"{name.capitalize()}: {stages[name]}" for name in ordered)


def person(user: str) -> Mrkdwn:
    """A Slack mention of a person."""
    return mention(user)


def channel_link(channel: str) -> Mrkdwn:
    """A Slack link to a channel."""
    return slack_text.channel_link(channel)
