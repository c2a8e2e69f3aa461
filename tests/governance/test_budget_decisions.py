"""Budgets as tables: a start that would go over is refused with what is left; notices at 50, 80 and 100 %."""

from __future__ import annotations

from decimal import Decimal

import pytest

from workflows.governance.budget_decisions import MonthToDate, budget_notice, budget_refusal, thresholds_reached
from workflows.governance.policy import Budgets

D = Decimal


def spent(channel: str = "0", person: str = "0") -> MonthToDate:
    return MonthToDate(month="November 2026", key="2026-11", channel=D(channel), person=D(person))


@pytest.mark.parametrize(
    ("budgets", "so_far", "estimate", "rule"),
    [
        (None, spent("1000"), D("5"), None),
        (Budgets(), spent("1000"), D("5"), None),
        (Budgets(channel_usd=D(100)), spent("95"), D("5"), None),
        (Budgets(channel_usd=D(100)), spent("95"), D("5.01"), "budgets.channel_usd: $95.00 + $5.01 > $100.00"),
        (Budgets(person_usd=D(20)), spent("0", "19"), D("2"), "budgets.person_usd: $19.00 + $2.00 > $20.00"),
        (Budgets(channel_usd=D(100), person_usd=D(20)), spent("10", "5"), D("10"), None),
        (Budgets(person_usd=D(20)), spent(), None, "budgets: the estimate is unknown"),
    ],
)
def test_refusals(budgets: Budgets | None, so_far: MonthToDate, estimate: Decimal | None, rule: str | None) -> None:
    refusal = budget_refusal(budgets, so_far, estimate)
    assert (refusal.rule if refusal else None) == rule


def test_a_refusal_says_what_is_spent_what_is_left_and_who_can_raise_it() -> None:
    refusal = budget_refusal(Budgets(channel_usd=D(50)), spent("47.50"), D("23.75"))
    assert refusal is not None
    assert refusal.reason == (
        "This job's estimate of $23.75 would take this channel's fine-tuning spend for November 2026 over its "
        "budget of $50.00: $47.50 is spent, $2.50 is left. The finetune-bot admins (FINETUNE_ADMINS) can raise "
        "it in the policy file (FINETUNE_POLICY_FILE)."
    )


def test_nothing_is_left_when_the_budget_is_already_passed() -> None:
    refusal = budget_refusal(Budgets(person_usd=D(10)), spent("0", "12"), D("1"))
    assert refusal is not None
    assert "your fine-tuning spend" in refusal.reason
    assert "$12.00 is spent, $0.00 is left" in refusal.reason


@pytest.mark.parametrize(
    ("limit", "spent", "reached"),
    [
        (D(100), D("49.99"), ()),
        (D(100), D(50), (50,)),
        (D(100), D(81), (50, 80)),
        (D(100), D(130), (50, 80, 100)),
        (None, D(500), ()),
        (D(0), D(5), ()),
    ],
)
def test_thresholds(limit: Decimal | None, spent: Decimal, reached: tuple[int, ...]) -> None:
    assert thresholds_reached(limit, spent) == reached


def test_notices() -> None:
    assert budget_notice(80, D(50), D("41"), "November 2026").text == (
        ":bar_chart: This channel has used 80% of its fine-tuning budget for November 2026: $41.00 of $50.00. "
        "$9.00 is left."
    )
    assert "used its whole fine-tuning budget" in budget_notice(100, D(50), D("60"), "November 2026").text
