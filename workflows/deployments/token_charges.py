"""What Try it and Compare with base cost per token: each answer priced from the catalogue, counted where it was asked.

A custom model's on-demand deployment is billed per 1K input and output tokens at its record's prices; a
base model is billed at the catalogue's on-demand prices for it (for Nova, the base model's own prices).
Where a price is unknown the tokens are recorded as unknown, never as $0. A Provisioned Throughput's
answers are part of its hourly price and add nothing. The charges count against the month of the channel
where the question was asked and of the person who asked (``TokenSpending``, for the budgets), and the
channel hears its budget notice when a charged answer takes it past a threshold.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from workflows.catalogue import CatalogueError
from workflows.catalogue.costs import format_usd
from workflows.catalogue.schema import Catalogue
from workflows.chat.chat_ports import ChatAnswer
from workflows.deployments.deployment_record import DeploymentRecord, Route
from workflows.governance.budget_decisions import MonthToDate
from workflows.governance.gatekeeper import Gatekeeper
from workflows.jobs.job_ports import Requester
from workflows.messages import Message
from workflows.ports import Clock, TokenCharge, TokenCharges

logger = logging.getLogger(__name__)

_THOUSAND = Decimal(1000)
#: What an answer whose model has no known per-token price is said to cost.
UNKNOWN_COST = "cost unknown: no per-token price in the catalogue"


@dataclass(frozen=True, slots=True)
class Asked:
    """Who asked a question, and where (a ``Requester``)."""

    team: str
    channel: str
    user: str


def token_cost(input_per_1k: Decimal | None, output_per_1k: Decimal | None, answer: ChatAnswer) -> Decimal | None:
    """The answer's input and output tokens at the prices per 1K tokens; None when either price is unknown."""
    if input_per_1k is None or output_per_1k is None:
        return None
    return (input_per_1k * answer.input_tokens + output_per_1k * answer.output_tokens) / _THOUSAND


def cost_words(cost: Decimal | None) -> str:
    """``$0.00012``, or that the cost is unknown (never $0)."""
    return format_usd(cost) if cost is not None else UNKNOWN_COST


def month_key(now: datetime) -> str:
    """``2026-11``: the month a charge counts in."""
    return f"{now:%Y-%m}"


class TokenMeter:
    """Records each priced answer of Try it and Compare with base against the asker's channel and month."""

    def __init__(
        self, *, charges: TokenCharges, catalogue: Catalogue, clock: Clock, gatekeeper: Gatekeeper | None = None
    ) -> None:
        self._charges = charges
        self._catalogue = catalogue
        self._clock = clock
        self._gatekeeper = gatekeeper

    def budget_notice(self, asker: Requester) -> Message | None:
        """The channel's budget notice when the answers just charged took it past 50, 80 or 100 %, once each."""
        if self._gatekeeper is None:
            return None
        try:
            return self._gatekeeper.budget_notice(asker.team, asker.channel, asker.user)
        except Exception:
            logger.warning("Could not check the budget of %s after a charged answer", asker.channel, exc_info=True)
            return None

    def custom(self, asker: Requester, record: DeploymentRecord, answer: ChatAnswer) -> Decimal | None:
        """Record an answer of the deployed custom model; its cost (None: unknown, or billed by the hour)."""
        if record.route is not Route.ON_DEMAND:
            return None
        cost = token_cost(record.input_per_1k, record.output_per_1k, answer)
        self._add(asker, model=record.name, deployment=True, answer=answer, cost=cost)
        return cost

    def base(self, asker: Requester, base_model_id: str, answer: ChatAnswer) -> Decimal | None:
        """Record an answer of the base model, at the catalogue's on-demand prices; its cost (None: unknown)."""
        try:
            prices = self._catalogue.model(base_model_id).prices
        except CatalogueError:
            prices = None
        given_in = prices.on_demand_input_per_1k_tokens if prices is not None else None
        given_out = prices.on_demand_output_per_1k_tokens if prices is not None else None
        cost = token_cost(
            given_in.usd if given_in is not None else None, given_out.usd if given_out is not None else None, answer
        )
        self._add(asker, model=base_model_id, deployment=False, answer=answer, cost=cost)
        return cost

    def _add(self, asker: Requester, *, model: str, deployment: bool, answer: ChatAnswer, cost: Decimal | None) -> None:
        charge = TokenCharge(
            channel=asker.channel,
            person=asker.user,
            model=model,
            deployment=deployment,
            calls=1,
            input_tokens=answer.input_tokens,
            output_tokens=answer.output_tokens,
            amount=cost,
        )
        try:
            self._charges.add(team=asker.team, month=month_key(self._clock.now()), charge=charge)
        except Exception:
            logger.warning("Could not record the tokens of an answer of %s for %s", model, asker.channel, exc_info=True)


class TokenSpending:
    """``Spending`` from the recorded per-token charges: the priced ones of this month, by channel and person."""

    def __init__(self, charges: TokenCharges) -> None:
        self._charges = charges

    def month_to_date(self, *, team: str, channel: str, user: str, now: datetime) -> MonthToDate:
        channel_usd = person_usd = Decimal(0)
        for charge in self._charges.in_month(team=team, month=month_key(now)):
            if charge.amount is None:
                continue
            if charge.channel == channel:
                channel_usd += charge.amount
            if charge.person == user:
                person_usd += charge.amount
        return MonthToDate(month=f"{now:%B %Y}", key=month_key(now), channel=channel_usd, person=person_usd)
