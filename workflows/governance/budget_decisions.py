"""What the policy's monthly budgets decide, as pure functions: a start that would go over, and the notices due."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from workflows.catalogue.costs import format_usd
from workflows.governance.policy import Budgets
from workflows.governance.policy_decisions import Refusal
from workflows.messages import Message

#: The shares of a channel's budget at which the channel hears about it, once each per month.
THRESHOLDS = (50, 80, 100)
#: Who can raise a budget, in the words of a refusal.
WHO_RAISES = "The finetune-bot admins (FINETUNE_ADMINS) can raise it in the policy file (FINETUNE_POLICY_FILE)."
UNKNOWN_PRICE_FIX = "Choose a model with a known price, or ask the admins to set its price in FINETUNE_PRICES_FILE."


@dataclass(frozen=True, slots=True)
class MonthToDate:
    """This month's estimated spend so far for one channel and one person (``/finetune cost``'s figures)."""

    #: "November 2026".
    month: str
    #: "2026-11", for keys.
    key: str
    channel: Decimal
    person: Decimal

    def __add__(self, other: MonthToDate) -> MonthToDate:
        return MonthToDate(self.month, self.key, self.channel + other.channel, self.person + other.person)


def budget_refusal(
    budgets: Budgets | None,
    spent: MonthToDate,
    estimate: Decimal | None,
    *,
    what: str = "This job's estimate",
    price: str = "this job's training price",
    unknown_fix: str = UNKNOWN_PRICE_FIX,
) -> Refusal | None:
    """A cost (``what``: a job's estimate, a deployment's) that would take a month over budget, with what is left.

    An unknown cost is refused under a budget: ``price`` names what is unknown and ``unknown_fix`` what to do.
    """
    if budgets is None or (budgets.channel_usd is None and budgets.person_usd is None):
        return None
    if estimate is None:
        return Refusal(
            "budgets: the estimate is unknown",
            f"This channel has a fine-tuning budget, and {price} is unknown, so I cannot tell whether it fits. "
            + unknown_fix,
        )
    for scope, limit, so_far in (
        ("channel", budgets.channel_usd, spent.channel),
        ("person", budgets.person_usd, spent.person),
    ):
        if limit is not None and so_far + estimate > limit:
            whose = "this channel's" if scope == "channel" else "your"
            left = max(limit - so_far, Decimal(0))
            return Refusal(
                f"budgets.{scope}_usd: {format_usd(so_far)} + {format_usd(estimate)} > {format_usd(limit)}",
                f"{what} of {format_usd(estimate)} would take {whose} fine-tuning spend for "
                f"{spent.month} over its budget of {format_usd(limit)}: {format_usd(so_far)} is spent, "
                f"{format_usd(left)} is left. {WHO_RAISES}",
            )
    return None


def thresholds_reached(limit: Decimal | None, spent: Decimal) -> tuple[int, ...]:
    """The thresholds (percent of ``limit``) that ``spent`` has reached, lowest first."""
    if limit is None or limit <= 0:
        return ()
    return tuple(pct for pct in THRESHOLDS if spent >= limit * pct / 100)


def budget_notice(pct: int, limit: Decimal, spent: Decimal, month: str) -> Message:
    """What the channel hears when its spend passes a threshold."""
    if pct >= 100:
        head = f"This channel has used its whole fine-tuning budget for {month}"
        tail = "New jobs that would go over it are refused until next month or until it is raised."
    else:
        head = f"This channel has used {pct}% of its fine-tuning budget for {month}"
        tail = f"{format_usd(max(limit - spent, Decimal(0)))} is left."
    return Message(text=f":bar_chart: {head}: {format_usd(spent)} of {format_usd(limit)}. {tail}")
