"""This month's estimated spend on fine-tuning, from the job records and the catalogue's prices (pure).

Training counts every job started this month at its estimate, except failed jobs; running and
stopped jobs count in full, an upper bound (a stopped job is billed only for the tokens trained).
Storage counts every custom model from a completed job still on record, for the whole month.
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
from workflows.messages import Message
from workflows.slack_text import join, mrkdwn

#: How many channels and people the answer lists before "and N more".
TOP = 10


@dataclass
class Tally:
    """Training and storage dollars for one scope (everyone, a channel, a person)."""

    training: Decimal = Decimal(0)
    storage: Decimal = Decimal(0)
    jobs: int = 0
    models: int = 0

    @property
    def total(self) -> Decimal:
        return self.training + self.storage


@dataclass
class MonthSpend:
    """The month's spend, whole and split by channel and by person, plus what could not be priced."""

    month: str
    overall: Tally = field(default_factory=Tally)
    by_channel: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    by_person: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    #: Jobs or models left out because their price is unknown.
    unpriced: int = 0


def month_start(now: datetime) -> datetime:
    """Midnight on the first of ``now``'s month, in ``now``'s timezone (UTC)."""
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def month_spend(records: Iterable[JobRecord], *, now: datetime, model: Callable[[str], ModelSpec | None]) -> MonthSpend:
    """Add up training for jobs started this month and storage for every completed job's model."""
    since = month_start(now)
    spend = MonthSpend(month=f"{now:%B %Y}")
    for record in records:
        if since <= record.started_at <= now and record.announced_status is not JobStatus.FAILED:
            _add_training(spend, record)
        if record.announced_status is JobStatus.COMPLETED and record.started_at <= now:
            _add_storage(spend, record, model(record.base_model_id))
    return spend


def spend_message(spend: MonthSpend) -> Message:
    """The ``/finetune cost`` answer."""
    overall = spend.overall
    facts = (
        ("Training", f"{format_usd(overall.training)} for {overall.jobs} job{_s(overall.jobs)}"),
        ("Model storage", f"{format_usd(overall.storage)} for {overall.models} custom model{_s(overall.models)}"),
        ("Total", format_usd(overall.total)),
    )
    details = [
        _breakdown("By channel", spend.by_channel, channel_link),
        _breakdown("By person", spend.by_person, person),
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
    return Message(
        text=f"*Estimated fine-tuning spend for {spend.month}*",
        facts=facts,
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


def _breakdown(title: str, tallies: dict[str, Tally], name: Callable[[str], str]) -> str:
    """``*By channel*`` then one line per scope, largest first."""
    ranked = sorted(tallies.items(), key=lambda item: (-item[1].total, item[0]))
    lines: list[str] = [
        mrkdwn(
            "• {who}: {total} (training {training}, storage {storage})",
            who=name(key),
            total=format_usd(tally.total),
            training=format_usd(tally.training),
            storage=format_usd(tally.storage),
        )
        for key, tally in ranked[:TOP]
    ]
    if len(ranked) > TOP:
        lines.append(f"• and {len(ranked) - TOP} more")
    return join("\n", [f"*{title}*", *lines]) if lines else ""


def _s(count: int) -> str:
    return "" if count == 1 else "s"
