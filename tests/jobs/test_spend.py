"""This month's spend: which jobs count, storage per completed model, and what has no price."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from tests.fakes.samples import START, record
from workflows.catalogue import ModelSpec, load_catalogue
from workflows.jobs.job import JobRecord, JobStatus
from workflows.jobs.job_ports import ServingCost
from workflows.jobs.spend import month_spend, month_start, spend_message
from workflows.ports import TokenCharge

CATALOGUE = load_catalogue(None)
NOW = START + timedelta(days=3)


def model(model_id: str) -> ModelSpec | None:
    return CATALOGUE.model(model_id) if model_id.startswith("amazon.") else None


def test_the_month_starts_at_midnight_on_the_first() -> None:
    assert month_start(NOW) == NOW.replace(day=1, hour=0, minute=0)


@pytest.mark.parametrize(
    ("job", "training", "storage"),
    [
        (record(announced_status=JobStatus.COMPLETED, estimated_training_cost="3"), "3", "1.95"),
        (record(announced_status=JobStatus.IN_PROGRESS, estimated_training_cost="3"), "3", "0"),
        (record(announced_status=JobStatus.STOPPED, estimated_training_cost="3"), "3", "0"),
        (record(announced_status=JobStatus.FAILED, estimated_training_cost="3"), "0", "0"),
        # started last month: its training is not this month's, its model is still stored
        (
            record(
                announced_status=JobStatus.COMPLETED,
                estimated_training_cost="3",
                started_at=START - timedelta(days=40),
            ),
            "0",
            "1.95",
        ),
    ],
)
def test_what_counts_this_month(job: JobRecord, training: str, storage: str) -> None:
    spend = month_spend([job], now=NOW, model=model)

    assert (str(spend.overall.training), str(spend.overall.storage)) == (training, storage)


def test_jobs_and_models_without_a_price_are_counted_as_left_out() -> None:
    jobs = [
        record("a", estimated_training_cost=None),
        record("b", announced_status=JobStatus.COMPLETED, base_model_id="acme.gone-v1"),
    ]

    spend = month_spend(jobs, now=NOW, model=model)

    assert spend.unpriced == 2
    assert "left out" in (spend_message(spend).context or "")


def test_an_empty_month_is_zero_not_an_error() -> None:
    message = spend_message(month_spend([], now=NOW, model=model))

    assert dict(message.facts)["Total"] == "$0.00"
    assert message.details == ()


def test_the_breakdown_lists_the_largest_first_and_summarises_the_rest() -> None:
    jobs = [record(f"job-{n}", channel=f"C{n:02d}", estimated_training_cost=str(n)) for n in range(1, 13)]

    by_channel = spend_message(month_spend(jobs, now=NOW, model=model)).details[0].splitlines()

    assert by_channel[1].startswith("• <#C12>: $12.00")
    assert by_channel[-1] == "• and 2 more"


def serving(name: str, amount: str | None, *, channel: str = "C1", person: str = "U1") -> ServingCost:
    return ServingCost(
        name=name,
        kind="Provisioned Throughput",
        channel=channel,
        person=person,
        amount=None if amount is None else Decimal(amount),
        basis="no Provisioned Throughput price in the catalogue" if amount is None else "3.0 hours at $7.10 per hour",
        sources=() if amount is None else ("as of 2024, AWS pricing page",),
    )


def test_deployments_count_in_the_total_and_unknown_ones_are_shown_as_unknown_never_zero() -> None:
    costs = [serving("tone-pt1-aaaa", "21.30"), serving("other-pt1-bbbb", None, channel="C2", person="U2")]
    spend = month_spend([], now=NOW, model=model, serving=costs)
    message = spend_message(spend)
    facts = dict(message.facts)
    assert facts["Deployments"] == "$21.30 for 1 deployment, 1 more at an unknown cost"
    assert facts["Total"] == "$21.30 plus the unknown costs below"
    everything = "\n".join(message.details)
    assert "• `tone-pt1-aaaa` (Provisioned Throughput): $21.30 (3.0 hours at $7.10 per hour)" in everything
    assert "• `other-pt1-bbbb` (Provisioned Throughput): unknown (no Provisioned Throughput price" in everything
    assert "deployments $21.30" in everything
    assert message.context is not None
    assert "Deployment prices as of 2024, AWS pricing page." in message.context


def test_only_unknown_deployments_say_unknown_not_zero() -> None:
    message = spend_message(month_spend([], now=NOW, model=model, serving=[serving("x-pt1-cccc", None)]))
    assert dict(message.facts)["Deployments"] == "unknown for 1 deployment"


def test_without_deployments_the_answer_has_no_deployment_lines() -> None:
    message = spend_message(month_spend([], now=NOW, model=model))
    assert "Deployments" not in dict(message.facts)
    assert all("deployments" not in detail for detail in message.details)


def charge(
    model_id: str, amount: str | None, *, deployment: bool = False, channel: str = "C1", who: str = "U1"
) -> TokenCharge:
    return TokenCharge(
        channel=channel,
        person=who,
        model=model_id,
        deployment=deployment,
        calls=2,
        input_tokens=300,
        output_tokens=100,
        amount=None if amount is None else Decimal(amount),
    )


def test_try_it_and_compare_answers_count_for_where_and_who_asked_and_unknown_ones_are_said() -> None:
    charges = [
        charge("amazon.nova-micro-v1:0:128k", "0.0125", channel="C2", who="U2"),
        charge("amazon.titan-text-lite-v1:0:4k", None),
    ]
    spend = month_spend([], now=NOW, model=model, charges=charges)
    message = spend_message(spend)

    facts = dict(message.facts)
    assert facts["Try it and Compare"] == "$0.01 for 2 answers (400 tokens), 2 more at an unknown price"
    assert facts["Total"] == "$0.01 plus the unknown costs below"
    assert spend.by_channel["C2"].answers == spend.by_person["U2"].answers == Decimal("0.0125")
    assert spend.by_channel["C1"].total == 0
    everything = "\n".join(message.details)
    assert "Try it and Compare $0.01" in everything
    assert "`amazon.titan-text-lite-v1:0:4k`: 2 answers (400 tokens), price unknown" in everything
    assert message.context is not None
    assert "for the channel where it was asked and the person who asked" in message.context


def test_an_on_demand_deployments_own_line_leaves_out_the_answers_counted_where_they_were_asked() -> None:
    od = ServingCost("tone-od1-aaaa", "on demand", "C1", "U1", Decimal("0.05"), "10,000 tokens")
    charges = [charge("tone-od1-aaaa", "0.02", deployment=True, channel="C2", who="U2")]

    spend = month_spend([], now=NOW, model=model, serving=[od], charges=charges)

    assert spend.overall.total == Decimal("0.05")
    assert (spend.by_channel["C1"].serving, spend.by_channel["C2"].answers) == (Decimal("0.03"), Decimal("0.02"))
    [listed] = spend.deployments
    assert "less $0.02 of Try it and Compare answers counted where they were asked" in listed.basis
    assert "Try it and Compare" not in dict(spend_message(month_spend([], now=NOW, model=model)).facts)
