"""This month's estimated spend on fine-tuning, from the job records and the catalogue's prices (pure).

Training counts every job started this month at its estimate, except failed jobs; running and
stopped jobs count in full, an upper bound (a stopped job is billed only for the tokens trained).
Storage counts every custom model from a completed job still on record, for the whole month.
Deployments count what serving cost this month (``ServingCost``, from the deployments' own records:
throughput hours, on-demand tokens); one whose price is unknown is listed as unknown, never as $0.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from workflows.catalogue import ModelSpec
from workflows.catalogue.costs import format_usd
from workflows.jobs.formatting import channel_link, estimated_training_cost, person
from workflows.jobs.job import JobRecord, JobStatus
from workflows.jobs.job_ports import ServingCost
from workflows.messages import Message
from workflows.slack_text import join, mrkdwn

#: How many channels and people the answer lists before "and N more".
TOP = 10


@dataclass
class Tally:
    """Training and storage dollars for one scope (everyone, a channel, a person)."""

    training: Decimal = Decimal(0)
    storage: Decimal = Decimal(0)
    #: Serving (deployments) with a known cost.
    serving: Decimal = Decimal(0)
    jobs: int = 0
    models: int = 0

    @property
    def total(self) -> Decimal:
        return self.training + self.storage + self.serving


@dataclass
class MonthSpend:
    """The month's spend, whole and split by channel and by person, plus what could not be priced."""

    month: str
    overall: Tally = field(default_factory=Tally)
    by_channel: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    by_person: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    #: Jobs or models left out because their price is unknown.
    unpriced: int = 0
    #: Every deployment that existed this month, priced or not.
    deployments: list[ServingCost] = field(default_factory=list)


def month_start(now: datetime) -> datetime:
    """Midnight on the first of ``now``'s month, in ``now``'s timezone (UTC)."""
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def month_spend(
    records: Iterable[JobRecord],
    *,
    now: datetime,
    model: Callable[[str], ModelSpec | None],
    serving: Iterable[ServingCost] = (),
) -> MonthSpend:
    """Add up training for jobs started this month, storage for every completed job's model, and serving."""
    since = month_start(now)
    spend = MonthSpend(month=f"{now:%B %Y}")
    for record in records:
        if since <= record.started_at <= now and record.announced_status is not JobStatus.FAILED:
            _add_training(spend, record)
        if record.announced_status is JobStatus.COMPLETED and record.started_at <= now:
            _add_storage(spend, record, model(record.base_model_id))
    for cost in serving:
        spend.deployments.append(cost)
        if cost.amount is not None:
            for tally in (spend.overall, spend.by_channel[cost.channel], spend.by_person[cost.person]):
                tally.serving += cost.amount
    return spend


def spend_message(spend: MonthSpend) -> Message:
    """The ``/finetune cost`` answer."""
    overall = spend.overall
    facts = [
        ("Training", f"{format_usd(overall.training)} for {overall.jobs} job{_s(overall.jobs)}"),
        ("Model storage", f"{format_usd(overall.storage)} for {overall.models} custom model{_s(overall.models)}"),
    ]
    if spend.deployments:
        facts.append(("Deployments", _serving_fact(spend)))
    unknown = sum(cost.amount is None for cost in spend.deployments)
    facts.append(("Total", format_usd(overall.total) + (" plus the unknown costs below" if unknown else "")))
    serving = bool(spend.deployments)
    details = [
        _breakdown("By channel", spend.by_channel, channel_link, serving=serving),
        _breakdown("By person", spend.by_person, person, serving=serving),
        _deployments(spend.deployments),
    ]
    notes = [
        "Running and stopped jobs count at their full estimate (a stopped job is billed only for the tokens "
        "it trained); failed jobs are not counted; storage assumes no custom model was deleted."
    ]
    if spend.unpriced:
        notes.append(
            f"{spend.unpriced} job{_s(spend.unpriced)} or model{_s(spend.unpriced)} without a known price "
            "are left out; set the price in the price override file (FINETUNE_PRICES_FILE)."
        )
    if spend.deployments:
        notes.append(
            "Deployments count the hours each Provisioned Throughput existed this month and the tokens "
            "on-demand ones served (from CloudWatch)."
        )
        sources = dict.fromkeys(source for cost in spend.deployments for source in cost.sources)
        notes += [f"Deployment prices {source}." for source in sources]
    return Message(
        text=f"*Estimated fine-tuning spend for {spend.month}*",
        facts=tuple(facts),
        details=tuple(detail for detail in details if detail),
        context=" ".join(notes),
    )


def _add_training(spend: MonthSpend, record: JobRecord) -> None:
    amount = estimated_training_cost(record)
    if amount is None:
        spend.unpriced += 1
        return
    for tally in _scopes(spend, record):
        tally.training += amount
        tally.jobs += 1


def _add_storage(spend: MonthSpend, record: JobRecord, model: ModelSpec | None) -> None:
    price = model.prices.storage_per_month.usd if model is not None else None
    if price is None:
        spend.unpriced += 1
        return
    for tally in _scopes(spend, record):
        tally.storage += price
        tally.models += 1


def _scopes(spend: MonthSpend, record: JobRecord) -> tuple[Tally, ...]:
    return spend.overall, spend.by_channel[record.channel], spend.by_person[record.user]


def _breakdown(title: str, tallies: dict[str, Tally], name: Callable[[str], str], *, serving: bool) -> str:
    """``*By channel*`` then one line per scope, largest first."""
    ranked = sorted(tallies.items(), key=lambda item: (-item[1].total, item[0]))
    lines: list[str] = [
        mrkdwn(
            "• {who}: {total} (training {training}, storage {storage}{deployments})",
            who=name(key),
            total=format_usd(tally.total),
            training=format_usd(tally.training),
            storage=format_usd(tally.storage),
            deployments=f", deployments {format_usd(tally.serving)}" if serving else "",
        )
        for key, tally in ranked[:TOP]
    ]
    if len(ranked) > TOP:
        lines.append(f"• and {len(ranked) - TOP} more")
    return join("\n", [f"*{title}*", *lines]) if lines else ""


def _serving_fact(spend: MonthSpend) -> str:
    """``$21.30 for 2 deployments``, ``$21.30 for 2 deployments, 1 more at an unknown cost``, ``unknown for 1``."""
    known = [cost for cost in spend.deployments if cost.amount is not None]
    unknown = len(spend.deployments) - len(known)
    if not known:
        return f"unknown for {unknown} deployment{_s(unknown)}"
    text = f"{format_usd(spend.overall.serving)} for {len(known)} deployment{_s(len(known))}"
    return text + (f", {unknown} more at an unknown cost" if unknown else "")


def _deployments(costs: list[ServingCost]) -> str:
    """``*Deployments*`` then one line each, the dearest first, unknown ones last."""
    ranked = sorted(costs, key=lambda cost: (cost.amount is None, -(cost.amount or 0), cost.name))
    lines: list[str] = [
        mrkdwn(
            "• {name:code} ({kind}): {amount} ({basis})",
            name=cost.name,
            kind=cost.kind,
            amount=format_usd(cost.amount) if cost.amount is not None else "unknown",
            basis=cost.basis,
        )
        for cost in ranked[:TOP]
    ]
    if len(ranked) > TOP:
        lines.append(f"• and {len(ranked) - TOP} more")
    return join("\n", ["*Deployments this month*", *lines]) if lines else ""


def _s(count: int) -> str:
    return "" if count == 1 else "s"
