"""An approver's Home tab: the requests they may answer, with the request messages' own Approve and Reject."""

from __future__ import annotations

import json

from bot.listeners.approval_buttons import APPROVAL_ACTIONS
from bot.sandbox.blockkit import validate_view
from tests.fakes.approvals import sample_request
from tests.fakes.samples import record as job
from tests.home.test_home_view import facts, shown
from workflows.governance.approvals import ApprovalKind
from workflows.home.home_approvals import approvals_blocks
from workflows.home.home_facts import HomeFacts
from workflows.home.home_view import LISTED, VIEW_BLOCKS_MAX, home_view


def view(home: HomeFacts) -> dict[str, object]:
    return home_view(home, extra=approvals_blocks(home.approvals))


def test_a_pending_request_shows_who_asks_for_what_why_and_until_when_with_approve_and_reject() -> None:
    request = sample_request("a1f00d", estimate_usd="23.75")

    home = view(facts(approvals=(request,), jobs=(job(),)))

    text = shown(home)
    assert "*Waiting for your approval* (1)" in text
    assert (
        "<@U1> asks to start a fine-tuning job in <#C1>: about $23.75 to train\n"
        "Estimate $23.75 · needs approval because its estimate, $23.75, is above the $20.00 allowed without "
        "approval · expires 2026-11-27 12:00 UTC"
    ) in text
    assert text.index("Waiting for your approval") < text.index("*Running jobs*")
    [buttons] = [block for block in home["blocks"] if block["type"] == "actions"]  # type: ignore[index,union-attr]
    assert [(b["text"]["text"], b["value"], b["style"]) for b in buttons["elements"]] == [
        ("Approve", "a1f00d", "primary"),
        ("Reject", "a1f00d", "danger"),
    ]
    assert all(APPROVAL_ACTIONS.match(element["action_id"]) for element in buttons["elements"])
    assert validate_view(home) == []


def test_a_deployment_request_and_one_without_an_estimate_say_so() -> None:
    request = sample_request(kind=ApprovalKind.DEPLOYMENT, estimate_usd=None)

    assert "asks to deploy a custom model in <#C1>" in shown(view(facts(approvals=(request,))))
    assert "Estimate unknown" in shown(view(facts(approvals=(request,))))


def test_nobody_without_a_pending_request_sees_the_section() -> None:
    assert approvals_blocks(()) == []
    assert "Waiting for your approval" not in shown(view(facts()))


def test_what_the_requester_typed_is_escaped() -> None:
    request = sample_request(headline="<!channel> pay <@U9> & <https://x.example|here>")

    raw = json.dumps(view(facts(approvals=(request,))))

    assert "<!channel>" not in raw
    assert "<@U9>" not in raw
    assert "&lt;!channel&gt; pay &lt;@U9&gt; &amp; &lt;https://x.example|here&gt;" in raw


def test_many_requests_show_the_oldest_ten_then_how_many_more_within_slack_s_limits() -> None:
    requests = tuple(sample_request(f"a{index:02d}", minutes=index) for index in range(13))
    full = facts(
        approvals=requests,
        jobs=tuple(job(f"job-{index:02d}") for index in range(30)),
        spend=None,
    )

    home = view(full)

    text = shown(home)
    assert "*Waiting for your approval* (13)" in text
    assert text.count("asks to start a fine-tuning job") == LISTED
    assert "…and 3 more requests." in text
    assert len(home["blocks"]) <= VIEW_BLOCKS_MAX  # type: ignore[arg-type]
    assert validate_view(home) == []
