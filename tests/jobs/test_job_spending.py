"""The budgets' month to date: this month's training estimates by channel and by person, as ``/finetune cost``."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from tests.fakes.records import MemoryRecords
from tests.fakes.samples import CHANNEL, START, TEAM, USER, record
from workflows.catalogue import load_catalogue
from workflows.jobs.job import JobStatus
from workflows.jobs.job_spending import JobSpending


def test_this_months_jobs_count_for_their_channel_and_their_starter() -> None:
    records = MemoryRecords()
    records.save(record("a", estimated_training_cost="10"))
    records.save(record("b", estimated_training_cost="5", channel="C9"))
    records.save(record("c", estimated_training_cost="7", user="U9"))
    records.save(record("d", estimated_training_cost="100", started_at=START - timedelta(days=40)))
    records.save(record("e", estimated_training_cost="50", announced_status=JobStatus.FAILED))
    records.save(record("f", estimated_training_cost="3", team="T9"))
    spending = JobSpending(history=records, catalogue=load_catalogue())
    spent = spending.month_to_date(team=TEAM, channel=CHANNEL, user=USER, now=START + timedelta(hours=1))
    assert (spent.month, spent.key) == ("March 2026", "2026-03")
    assert spent.channel == Decimal(17)
    assert spent.person == Decimal(15)
