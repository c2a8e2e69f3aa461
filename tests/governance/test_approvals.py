"""The pure decisions of approvals: when the policy asks for one, on what basis, who may answer, who is asked."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from tests.fakes.approvals import sample_request
from workflows.governance.approvals import (
    ApprovalStatus,
    Verdict,
    basis,
    deployment_requirement,
    recipients,
    request_id,
    requirement,
    verdict,
)
from workflows.governance.policy import Approval, People

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
BOB = People(users=("U2",))
ASKS = "the policy here asks for approval"


def approval(**fields: object) -> Approval:
    return Approval.model_validate({"approvers": {"users": ["U2"]}, **fields})


@pytest.mark.parametrize(
    ("rule", "estimate", "reasons"),
    [
        ({"above_usd": "20"}, Decimal("23.75"), ["its estimate, $23.75, is above the $20.00 allowed without approval"]),
        ({"above_usd": "20"}, Decimal("20.00"), None),
        (
            {"above_usd": "20"},
            None,
            ["its cost cannot be estimated, and the policy here asks for approval above $20.00"],
        ),
        ({"provisioned_throughput": True}, Decimal(1000), None),
        ({}, Decimal(10**6), None),
    ],
)
def test_a_job_needs_approval_only_above_the_threshold_or_when_its_cost_is_unknown(
    rule: dict[str, object], estimate: Decimal | None, reasons: list[str] | None
) -> None:
    needed = requirement(approval(**rule), estimate=estimate)
    assert (list(needed.reasons) if needed else None) == reasons


def test_throughput_and_commitment_need_approval_when_the_policy_says_so_with_every_reason() -> None:
    needed = deployment_requirement(
        approval(above_usd="5", provisioned_throughput=True, commitment=True, channel="C9", expires_after_hours="0.5"),
        provisioned=True,
        commitment=True,
    )
    assert needed is not None
    assert needed.reasons == (
        "the policy here asks for approval of any Provisioned Throughput",
        "it commits to a term, and the policy here asks for approval of any commitment",
    )
    assert (needed.channel, needed.expires_after, needed.approvers) == ("C9", timedelta(minutes=30), BOB)


def test_a_deployment_is_not_held_by_the_jobs_threshold_nor_on_demand_by_the_throughput_rule() -> None:
    rule = approval(above_usd="5", provisioned_throughput=True)
    assert deployment_requirement(rule, provisioned=False, commitment=False) is None
    assert deployment_requirement(approval(above_usd="5"), provisioned=True, commitment=True) is None
    assert deployment_requirement(None, provisioned=True, commitment=True) is None


def test_no_policy_section_asks_for_nothing_and_the_default_wait_is_a_day() -> None:
    assert requirement(None, estimate=Decimal(10**6)) is None
    needed = requirement(approval(above_usd="1"), estimate=Decimal(2))
    assert needed is not None
    assert needed.expires_after == timedelta(hours=24)


def test_the_basis_changes_with_the_approvers_the_cost_or_the_need_but_not_the_threshold() -> None:
    needed = requirement(approval(above_usd="20"), estimate=Decimal("23.75"))
    lowered = requirement(approval(above_usd="10"), estimate=Decimal("23.75"))
    others = requirement(
        Approval.model_validate({"above_usd": "20", "approvers": {"groups": ["S1"]}}), estimate=Decimal("23.75")
    )
    assert basis(needed, Decimal("23.75")) == basis(lowered, Decimal("23.750"))
    assert basis(needed, Decimal("23.75")) != basis(needed, Decimal("24.00"))
    assert basis(needed, Decimal("23.75")) != basis(others, Decimal("23.75"))
    assert basis(None, Decimal("23.75")) == "none" != basis(needed, Decimal("23.75"))


def test_request_ids_are_short_and_stable_per_subject_and_attempt() -> None:
    first = request_id(sample_request().kind, "T1:C1:1.000", "v7")
    assert first == request_id(sample_request().kind, "T1:C1:1.000", "v7")
    assert first != request_id(sample_request().kind, "T1:C1:1.000", "v8")
    assert first.startswith("a")
    assert len(first) == 21


@pytest.mark.parametrize(
    ("user", "members", "changes", "expected"),
    [
        ("U2", (), {}, Verdict.GO),
        ("U3", ("U3",), {"approvers": People(groups=("S1",))}, Verdict.GO),
        ("U1", ("U1",), {"approvers": People(users=("U1", "U2"))}, Verdict.OWN),
        ("U3", (), {}, Verdict.NOT_APPROVER),
        ("U2", (), {"status": ApprovalStatus.APPROVED}, Verdict.ANSWERED),
        ("U2", (), {"expires_at": NOW}, Verdict.EXPIRED),
        ("U2", (), {"team": "T9"}, Verdict.UNKNOWN),
    ],
)
def test_who_may_answer_a_request_and_never_the_requester(
    user: str, members: tuple[str, ...], changes: dict[str, object], expected: Verdict
) -> None:
    assert verdict(sample_request(**changes), team="T1", user=user, members=members, now=NOW) is expected


def test_an_unknown_request_is_unknown() -> None:
    assert verdict(None, team="T1", user="U2", members=(), now=NOW) is Verdict.UNKNOWN


def test_requests_go_to_each_approver_but_the_requester_or_to_the_approvals_channel() -> None:
    asked = sample_request(approvers=People(users=("U1", "U2"), groups=("S1",)))
    assert recipients(asked, {"U4", "U2", "U1"}) == ["U2", "U4"]
    assert recipients(asked.model_copy(update={"approvals_channel": "C9"}), {"U4"}) == ["C9"]
