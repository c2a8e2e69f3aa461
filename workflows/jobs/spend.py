"""This month's estimated spend on fine-tuning, from the job records and the catalogue's prices (pure).

Training counts every job started this month at its estimate, except failed jobs; running and
stopped jobs count in full, an upper bound (a stopped job is billed only for the tokens trained).
Storage counts every custom model from a completed job still on record, for the whole month.
Deployments count what serving cost this month (``ServingCost``, from the deployments' own records:
throughput hours, on-demand tokens); one whose price is unknown is listed as unknown, never as $0.
The answers of Try it and Compare with base billed per token (``TokenCharge``) count for the channel
where they were asked and the person who asked; those of an on-demand deployment are taken out of that
deployment's own line (its CloudWatch tokens include them), so nothing counts twice.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from decimal import Decimal

from workflows.catalogue import ModelSpec
from workflows.catalogue.costs import format_usd
from workflows.jobs.formatting import channel_link, estimated_training_cost, person
from workflows.jobs.job import JobRecord, JobStatus
from workflows.jobs.job_ports import ServingCost
from workflows.messages import Message
from workflows.ports import TokenCharge
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
    #: Answers of Try it and Compare billed per token, with a known price.
    answers: Decimal = Decimal(0)
    jobs: int = 0
    models: int = 0

    @property
    def total(self) -> Decimal:
        return self.training + self.storage + self.serving + self.answers


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
    #: The month's per-token answers of Try it and Compare, priced or not.
    charges: list[TokenCharge] = field(default_factory=list)


def month_start(now: datetime) -> datetime:
    """Midnight on the first of ``now``'s month, in ``now``'s timezone (UTC)."""
    return now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)


def month_spend(
    records: Iterable[JobRecord],
    *,
    now: datetime,
    model: Callable[[str], ModelSpec | None],
    serving: Iterable[ServingCost] = (),
    charges: Iterable[TokenCharge] = (),
) -> MonthSpend:
    """Add up training for jobs started this month, storage for every completed job's model, serving and answers."""
    since = month_start(now)
    spend = MonthSpend(month=f"{now:%B %Y}")
    for record in records:
        if since <= record.started_at <= now and record.announced_status is not JobStatus.FAILED:
            _add_training(spend, record)
        if record.announced_status is JobStatus.COMPLETED and record.started_at <= now:
            _add_storage(spend, record, model(record.base_model_id))
    spend.charges = list(charges)
    asked: dict[str, Decimal] = defaultdict(Decimal)
    for charge in spend.charges:
        if charge.amount is None:
            continue
        if charge.deployment:
            asked[charge.model] += charge.amount
        for tally in (spend.overall, spend.by_channel[charge.channel], spend.by_person[charge.person]):
            tally.answers += charge.amount
    for cost in (_without_answers(cost, asked.get(cost.name)) for cost in serving):
        spend.deployments.append(cost)
        if cost.amount is not None:
            for tally in (spend.overall, spend.by_channel[cost.channel], spend.by_person[cost.person]):
                tally.serving += cost.amount
    return spend


def _without_answers(cost: ServingCost, answers: Decimal | None) -> ServingCost:
    """A deployment's cost less what its answers in Try it and Compare cost (counted for who asked them)."""
    if cost.amount is None or not answers:
        return cost
    return replace(
        cost,
        amount=max(cost.amount - answers, Decimal(0)),
        basis=f"{cost.basis}, less {format_usd(answers)} of Try it and Compare answers counted where they were asked",
    )


def spend_message(spend: MonthSpend) -> Message:
    """The ``/finetune cost`` answer."""
    overall = spend.overall
    facts = [
        ("Training", f"{format_usd(overall.training)} for {overall.jobs} job{_s(overall.jobs)}"),
        ("Model storage", f"{format_usd(overall.storage)} for {overall.models} custom model{_s(overall.models)}"),
    ]
    if spend.deployments:
        facts.append(("Deployments", _serving_fact(spend)))
    unpriced_answers = sum(charge.calls for charge in spend.charges if charge.amount is None)
    if spend.charges:
        facts.append(("Try it and Compare", _answers_fact(spend, unpriced_answers)))
    unknown = sum(cost.amount is None for cost in spend.deployments) + unpriced_answers
    facts.append(("Total", format_usd(overall.total) + (" plus the unknown costs below" if unknown else "")))
    serving = bool(spend.deployments)
    answered = bool(spend.charges)
    details = [
        _breakdown("By channel", spend.by_channel, channel_link, serving=serving, answered=answered),
        _breakdown("By person", spend.by_person, person, serving=serving, answered=answered),
        _deployments(spend.deployments),
        _unpriced_answers(spend.charges),
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
    if spend.charges:
        notes.append(
            "Try it and Compare count each answer's tokens at the catalogue's per-token prices (an on-demand "
            "deployment's, or the base model's on-demand price) for the channel where it was asked and the "
            "person who asked; a Provisioned Throughput's answers are in its hourly cost."
        )
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


def _breakdown(
    title: str, tallies: dict[str, Tally], name: Callable[[str], str], *, serving: bool, answered: bool = False
) -> str:
    """``*By channel*`` then one line per scope, largest first."""
    ranked = sorted(tallies.items(), key=lambda item: (-item[1].total, item[0]))
    lines: list[str] = [
        mrkdwn(
            "• {who}: {total} (training {training}, storage {storage}{deployments}{answers})",
            who=name(key),
            total=format_usd(tally.total),
            training=format_usd(tally.training),
            storage=format_usd(tally.storage),
            deployments=f", deployments {format_usd(tally.serving)}" if serving else "",
            answers=f", Try it and Compare {format_usd(tally.answers)}" if answered else "",
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


def _answers_fact(spend: MonthSpend, unpriced: int) -> str:
    """``$0.0042 for 12 answers (3,456 tokens)``, with the answers at an unknown price; ``unknown for 3 answers``."""
    priced = [charge for charge in spend.charges if charge.amount is not None]
    calls = sum(charge.calls for charge in priced)
    if not priced:
        return f"unknown for {unpriced} answer{_s(unpriced)}"
    tokens = sum(charge.input_tokens + charge.output_tokens for charge in priced)
    text = f"{format_usd(spend.overall.answers)} for {calls} answer{_s(calls)} ({tokens:,} tokens)"
    return text + (f", {unpriced} more at an unknown price" if unpriced else "")


def _unpriced_answers(charges: list[TokenCharge]) -> str:
    """``*Answers at an unknown price*``: each model without a per-token price, with its answers and tokens."""
    by_model: dict[str, list[int]] = {}
    for charge in charges:
        if charge.amount is None:
            counts = by_model.setdefault(charge.model, [0, 0])
            counts[0] += charge.calls
            counts[1] += charge.input_tokens + charge.output_tokens
    lines = [
        mrkdwn(
            "• {model:code}: {calls} answer{s} ({tokens} tokens), price unknown",
            model=model,
            calls=str(calls),
            s=_s(calls),
            tokens=f"{tokens:,}",
        )
        for model, (calls, tokens) in sorted(by_model.items())[:TOP]
    ]
    if not lines:
        return ""
    note = "not counted in the totals; set the price in the price override file (FINETUNE_PRICES_FILE)"
    return join("\n", [f"*Try it and Compare answers at an unknown price* ({note})", *lines])


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
