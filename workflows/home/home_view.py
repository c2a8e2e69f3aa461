"""The Home tab as Block Kit (pure: facts in, a ``views.publish`` view out), escaped and within Slack's limits.

Every value a person or AWS chose (file names, job and deployment names, model ids) goes through
``workflows.slack_text``, so it shows as text and never becomes a mention or a link. Each list shows its
first few entries and then says how many more there are; a view that would still pass Slack's 100 blocks
is cut with a line saying how much was left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from workflows.catalogue.costs import format_price, format_usd
from workflows.dataset_rules import TYPE_LABELS
from workflows.deployments.deployment_costs import cost_so_far
from workflows.deployments.deployment_record import DeploymentRecord, Route
from workflows.home.home_facts import ChannelBudget, HomeFacts, SpendFacts
from workflows.jobs.formatting import STAGE_ORDER, STATUS_WORDS, duration, estimated_training_cost
from workflows.jobs.job import JobRecord, JobStatus
from workflows.setup.model import Conversation, Stage
from workflows.slack_text import Mrkdwn, channel_link, clip, join, mrkdwn

Block = dict[str, Any]

#: Slack's limits for a Home tab (docs.slack.dev, Block Kit reference).
VIEW_BLOCKS_MAX = 100
SECTION_TEXT_MAX = 3000
HEADER_TEXT_MAX = 150
#: Entries each list shows before "…and N more".
LISTED = 10

#: What a setup is waiting for, by stage (finished stages are never listed).
STAGE_WORDS = {
    Stage.CHOOSING_TYPE: "choosing the kind of customization",
    Stage.ASKING_DATA: "answering Help me choose",
    Stage.ASKING_GOAL: "answering Help me choose",
    Stage.CHOOSING_MODEL: "choosing the base model",
    Stage.CHOOSING_TEACHER: "choosing the teacher model",
    Stage.AWAITING_GRADER: "waiting for the grader's ARN",
    Stage.AWAITING_TRAINING: "waiting for the training data",
    Stage.AWAITING_LOGS: "waiting for the invocation logs' location (or logging to be turned on)",
    Stage.CHECKING_TRAINING: "checking the training data",
    Stage.AWAITING_VALIDATION: "waiting for validation data (optional)",
    Stage.CHECKING_VALIDATION: "checking the validation data",
    Stage.REVIEWING: "ready to review and start",
    Stage.AWAITING_APPROVAL: "waiting for approval",
    Stage.STARTING: "starting the job",
}


def home_view(facts: HomeFacts, *, extra: Sequence[Block] = ()) -> dict[str, Any]:
    """The ``view`` argument of ``views.publish``; ``extra`` blocks (pending approvals) go after the header."""
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": "Your fine-tuning"}},
        context(
            mrkdwn(
                "What finetune-bot is doing for you in this workspace, as of {when} UTC. "
                "Type `/finetune` in a channel to start a job.",
                when=f"{facts.now:%Y-%m-%d %H:%M}",
            )
        ),
        *extra,
        *listing(
            "Setups in progress",
            [_setup(facts, setup) for setup in facts.setups],
            empty="No setup in progress.",
            noun="setup",
        ),
        *listing(
            "Running jobs",
            [_job(facts, job) for job in facts.jobs],
            empty="No job running.",
            noun="running job",
        ),
        *listing(
            "Deployments",
            [_deployment(facts, record) for record in facts.deployments],
            empty="No deployment: nothing of yours is billed by the hour.",
            noun="deployment",
        ),
        *_spend(facts.spend),
    ]
    return {"type": "home", "blocks": fit(blocks)}


def fit(blocks: list[Block], limit: int = VIEW_BLOCKS_MAX) -> list[Block]:
    """``blocks`` within ``limit``: the last one kept says how many were left out."""
    if len(blocks) <= limit:
        return blocks
    left = len(blocks) - limit + 1
    return [*blocks[: limit - 1], context(mrkdwn("…and {left} more blocks not shown.", left=f"{left:,}"))]


def listing(title: str, items: Sequence[Sequence[Block]], *, empty: str, noun: str) -> list[Block]:
    """A titled list: a divider, the title with the count, the first ``LISTED`` items, then "…and N more"."""
    count = f" ({len(items)})" if items else ""
    blocks: list[Block] = [{"type": "divider"}, section(mrkdwn("*{title}*{count}", title=title, count=count))]
    if not items:
        return [*blocks, context(mrkdwn("{empty}", empty=empty))]
    for item in items[:LISTED]:
        blocks += item
    left = len(items) - LISTED
    if left > 0:
        blocks.append(
            context(mrkdwn("…and {left} more {noun}.", left=f"{left:,}", noun=noun if left == 1 else noun + "s"))
        )
    return blocks


def section(text: Mrkdwn) -> Block:
    """A section of escaped mrkdwn, clipped to Slack's limit."""
    return {"type": "section", "text": {"type": "mrkdwn", "text": clip(str.__str__(text), SECTION_TEXT_MAX)}}


def context(text: Mrkdwn) -> Block:
    """A context line of escaped mrkdwn, clipped to Slack's limit."""
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": clip(str.__str__(text), SECTION_TEXT_MAX)}]}


def _setup(facts: HomeFacts, setup: Conversation) -> list[Block]:
    what = TYPE_LABELS[setup.customization] if setup.customization else "A fine-tuning setup"
    parts: list[str] = [
        mrkdwn(
            "*{what}*{on} in {channel}: {stage}",
            what=what,
            on=mrkdwn(" on *{model}*", model=facts.model_name(setup.model_id)) if setup.model_id else mrkdwn(""),
            channel=channel_link(setup.channel),
            stage=STAGE_WORDS.get(setup.stage, setup.stage.value),
        )
    ]
    if setup.training is not None:
        parts.append(
            mrkdwn(
                "training data {name:code} ({records:,} records)",
                name=setup.training.name,
                records=setup.training.records,
            )
        )
    parts.append(f"started {_ago(facts.now, setup.created_at)}")
    return [section(join(" · ", parts))]


def _job(facts: HomeFacts, job: JobRecord) -> list[Block]:
    estimate = estimated_training_cost(job)
    cost = (
        f"up to about {format_usd(estimate)} (its estimate, counted in full while it runs)"
        if estimate is not None
        else "unknown (no training price in the catalogue)"
    )
    status = "stopping" if job.announced_status is JobStatus.STOPPING else STATUS_WORDS[job.announced_status]
    text = mrkdwn(
        "{name:code} on *{model}* in {channel}: *{status}*, {stage}\nRunning for {elapsed} · cost so far {cost}",
        name=job.job_name,
        model=facts.model_name(job.base_model_id),
        channel=channel_link(job.channel),
        status=status,
        stage=current_stage(job.announced_stages),
        elapsed=duration(facts.now - job.started_at),
        cost=cost,
    )
    return [section(text)]


def current_stage(stages: dict[str, str]) -> str:
    """``stage: training`` (the first stage not completed, in Bedrock's order), or ``starting`` before any."""
    ordered = [name for name in STAGE_ORDER if name in stages] + sorted(set(stages) - set(STAGE_ORDER))
    for name in ordered:
        if stages[name] != "Completed":
            return f"stage: {name}"
    return f"stage: {ordered[-1]} done" if ordered else "starting"


def _deployment(facts: HomeFacts, record: DeploymentRecord) -> list[Block]:
    if record.route is Route.PROVISIONED:
        rate = f"{format_price(record.hourly_cost)} per hour" if record.hourly_cost is not None else "price unknown"
        spent = cost_so_far(record, facts.now)
        so_far = "" if spent is None else f" · {_about(spent)} so far"
        units = f", {record.units} model unit{'' if record.units == 1 else 's'}"
    else:
        rate = "no hourly fee (billed per token)"
        so_far, units = "", ""
    text = mrkdwn(
        "{name:code} ({route}{units}, {status}) in {channel}: {rate}{so_far}",
        name=record.name,
        route=record.route.words,
        units=units,
        status=record.status.value,
        channel=channel_link(record.channel),
        rate=rate,
        so_far=so_far,
    )
    return [section(text)]


def _spend(spend: SpendFacts | None) -> list[Block]:
    head: list[Block] = [{"type": "divider"}, section(mrkdwn("*Spend this month*"))]
    if spend is None:
        return [*head, context(mrkdwn("Your spend could not be read just now; it shows at the next change."))]
    lines = [
        mrkdwn(
            "Your estimated spend for {month}: *{spent}*{against}",
            month=spend.month,
            spent=format_usd(spend.spent),
            against=_against(spend.spent, spend.person_limit, "your monthly budget"),
        )
    ]
    lines += [_channel_budget(budget) for budget in spend.channels]
    if spend.more_channels:
        lines.append(mrkdwn("…and {count} more channels with a budget.", count=f"{spend.more_channels:,}"))
    if spend.person_limit is None and not spend.channels:
        lines.append(mrkdwn("No monthly budget applies to you."))
    note = mrkdwn(
        "Counted as `/finetune cost` counts it: this month's jobs at their estimate, model storage, and "
        "Provisioned Throughput hours."
    )
    return [*head, section(join("\n", lines)), context(note)]


def _channel_budget(budget: ChannelBudget) -> Mrkdwn:
    person = (
        mrkdwn("; your budget there is {limit}", limit=format_usd(budget.person_limit))
        if budget.person_limit is not None
        else mrkdwn("")
    )
    return mrkdwn(
        "• {channel}: {spent}{against}{person}",
        channel=channel_link(budget.channel),
        spent=format_usd(budget.spent),
        against=_against(budget.spent, budget.limit, "the channel's budget"),
        person=person,
    )


def _against(spent: Decimal, limit: Decimal | None, what: str) -> Mrkdwn:
    """`` of $200.00, your monthly budget (12 %)``, or nothing without a limit."""
    if limit is None:
        return mrkdwn("")
    used = f" ({spent * 100 / limit:.0f}%)" if limit > 0 else ""
    return mrkdwn(" of {limit}, {what}{used}", limit=format_usd(limit), what=what, used=used)


def _about(amount: Decimal) -> str:
    """``about $363.00``, or ``less than $0.01`` for the first seconds of a throughput."""
    return "less than $0.01" if amount < Decimal("0.01") else f"about {format_usd(amount)}"


def _ago(now: datetime, then: datetime) -> str:
    return f"{duration(now - then)} ago"
