"""The answers to ``/finetune status``, ``list`` and ``stop``, built without I/O."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from workflows.jobs.formatting import (
    STATUS_EMOJI,
    STATUS_WORDS,
    channel_link,
    elapsed,
    person,
    record_cost_text,
)
from workflows.jobs.job import JobRecord, JobStatus
from workflows.jobs.monitoring.hints import failure_details
from workflows.jobs.monitoring.notices import STOP_WARNING, JobView, status_message
from workflows.messages import Action, Button, Message, Style
from workflows.slack_text import code, join, mrkdwn


def job_line(record: JobRecord, now: datetime) -> str:
    """``• :white_check_mark: `name` completed · <@U> · started 3h 05m ago · about $4.20``."""
    status = record.announced_status
    return mrkdwn(
        "• {emoji} {job:code} {word} · {who} · started {ago} ago · {cost}",
        emoji=STATUS_EMOJI[status],
        job=record.job_name,
        word=STATUS_WORDS[status],
        who=person(record.user),
        ago=elapsed(record, now),
        cost=record_cost_text(record),
    )


def channel_jobs(records: Sequence[JobRecord], now: datetime) -> Message:
    """``/finetune list``: the channel's jobs, newest first."""
    if not records:
        return Message(text="No fine-tuning jobs were started in this channel yet. Type `/finetune` to set one up.")
    return Message(
        text=f"*Fine-tuning jobs started in this channel* (newest first, {len(records)} shown)",
        details=(join("\n", (job_line(record, now) for record in records)),),
        context="`/finetune status JOB` shows one job in detail; `/finetune stop JOB` stops a running one.",
    )


def people_jobs(records: Sequence[JobRecord], now: datetime) -> Message:
    """``/finetune status`` without a job: the person's recent jobs."""
    if not records:
        return Message(text="You have not started any fine-tuning jobs yet. Type `/finetune` to set one up.")
    return Message(
        text="*Your recent fine-tuning jobs* (newest first)",
        details=(join("\n", (job_line(record, now) for record in records)),),
        context="`/finetune status JOB` shows one job in detail.",
    )


def job_status(view: JobView, *, live: bool, problem: str | None = None) -> Message:
    """``/finetune status JOB``: the status message's content, plus who started it and where."""
    base = status_message(view)
    facts = (*base.facts, ("Started by", person(view.record.user)), ("Channel", channel_link(view.record.channel)))
    details: tuple[str, ...] = ()
    if view.snapshot.status is JobStatus.FAILED:
        details = failure_details(view.snapshot.failure_message)
    context = base.context if live else f"Bedrock did not answer ({problem}); this is the last status I saw."
    return Message(text=base.text, details=details, facts=facts, context=context)


def unknown_job(job: str) -> Message:
    return Message(
        text=f"I don't know a fine-tuning job named {code(job)}. `/finetune list` shows the jobs started in this "
        "channel, and `/finetune status` shows yours."
    )


def not_allowed(record: JobRecord) -> Message:
    return Message(
        text=mrkdwn(
            "Only {who}, who started {job:code}, or a finetune-bot admin can stop it. Nothing was changed.",
            who=person(record.user),
            job=record.job_name,
        )
    )


def nothing_to_stop(record: JobRecord, status: JobStatus) -> Message:
    if status is JobStatus.STOPPING:
        return Message(
            text=f"{code(record.job_name)} is already stopping. I'll post in the channel when it has stopped."
        )
    return Message(text=f"{code(record.job_name)} has already {STATUS_WORDS[status]}; there is nothing to stop.")


def stop_confirmation(record: JobRecord, now: datetime) -> Message:
    """Asks before stopping, saying what a stop costs and that nothing is kept."""
    estimate = record_cost_text(record)
    return Message(
        text=f":warning: Stop fine-tuning job {code(record.job_name)}?",
        details=(f"{STOP_WARNING} It has run for {elapsed(record, now)}; the whole job was estimated at {estimate}.",),
        buttons=(
            Button("Stop the job", Action.CONFIRM_STOP, value=record.job_name, style=Style.DANGER),
            Button("Keep it running", Action.KEEP_RUNNING, value=record.job_name),
        ),
    )


def stop_requested(record: JobRecord, user: str) -> Message:
    return Message(
        text=mrkdwn(
            ":octagonal_sign: {who} asked Bedrock to stop {job:code}. I'll post in {channel} when it has stopped.",
            who=person(user),
            job=record.job_name,
            channel=channel_link(record.channel),
        )
    )


def kept_running(job: str) -> Message:
    return Message(text=f"OK, {code(job)} keeps running. Nothing was changed.")
