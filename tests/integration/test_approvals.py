"""Approvals over HTTP: ``serve`` with a policy that asks for approval above $20, driven as people would.

The approvers are asked by direct message (or in an approvals channel), click *Approve* or *Reject* (whose form
takes a reason), and the requester's thread hears the outcome; every step lands in the audit log, read back
with ``finetune-bot audit export``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import boto3
import pytest

from bot.sandbox.emulator import SlackEmulator
from bot.sandbox.records import Message
from tests.conftest import SIGNING_SECRET
from tests.integration.test_governance import BOB, CAROL, GROUP, POLICY, PRICES, Governed, to_review
from tests.support.bot_process import BotProcess
from tests.support.moto_server import MotoServer
from tests.support.net import wait_until
from tests.support.stack import BUCKET, CHANNEL, REGION, REPLY_WAIT, USER, bot_environment, full_text

pytestmark = pytest.mark.integration

APPROVALS = "C0APPROVALS"
#: Titan's $23.75 estimate is above $20: the review asks for approval, from Bob or the ML team (Carol).
APPROVAL = """\
    approval:
      above_usd: 20
      approvers:
        users: [U0BOB]
        groups: [S0MLTEAM]
"""


class Approvals(Governed):
    """A governed bot ticking every second, which a test can restart on the same state."""

    def __init__(self, start: Callable[[Mapping[str, str]], BotProcess], env: dict[str, str], **rest: Any) -> None:
        self.start, self.env = start, env
        super().__init__(start(env), **rest)

    def restart(self) -> None:
        """Kill the bot at once (as a crash would) and start another on the same Redis."""
        self.bot.kill()
        self.bot = self.start(self.env)
        self.driver.transport.bot_url = self.bot.events_url

    def thread_reply(self, thread: str, contains: str) -> str:
        """The newest bot reply in the thread containing ``contains``, once there (a busy machine may take a while)."""

        def found() -> str | None:
            texts = [full_text(m) for m in self.emulator.messages(CHANNEL, thread) if m.from_bot]
            return next((text for text in reversed(texts) if contains in text), None)

        text = self.emulator.wait_for(found, REPLY_WAIT, f"a reply containing {contains!r}")
        assert text is not None
        return text

    def wait_for_entry(self, **fields: str) -> dict[str, Any]:
        """The first exported audit entry whose fields include ``fields``, once it is there."""
        found: list[dict[str, Any]] = []

        def there() -> bool:
            found[:] = [entry for entry in self.entries() if fields.items() <= entry.items()]
            return bool(found)

        wait_until(there, timeout=REPLY_WAIT, what=f"an audit entry with {fields}", interval=0.3)
        return found[0]

    def set_policy(self, approval: str) -> None:
        self.policy.write_text(POLICY + approval, encoding="utf-8")

    def request(self) -> str:
        """A setup up to its review, where *Request approval* replaces Start, pressed: the thread."""
        thread, review = to_review(self)
        assert "Needs approval before it starts: its estimate, $23.75, is above the $20.00 allowed" in review
        assert "Start fine-tuning" not in review
        self.driver.click("Request approval", thread_ts=thread)
        self.thread_reply(thread, "Asked for approval")
        return thread

    def request_in(self, channel: str, contains: str = "asks for approval") -> Message:
        return self.emulator.wait_for_message(channel, contains=contains, timeout=REPLY_WAIT)

    def ephemeral(self, channel: str, user: str, contains: str) -> str:
        def found() -> str | None:
            texts = [full_text_of(e) for e in self.emulator.ephemerals(channel, user)]
            return next((text for text in reversed(texts) if contains in text), None)

        text = self.emulator.wait_for(found, REPLY_WAIT, f"an ephemeral for {user} containing {contains!r}")
        assert text is not None
        return text

    def edited(self, channel: str, ts: str, contains: str) -> str:
        """The text of a bot message once an edit made it contain ``contains``."""

        def found() -> str | None:
            message = self.emulator.message(channel, ts)
            text = full_text(message) if message is not None else ""
            return text if contains in text else None

        text = self.emulator.wait_for(found, REPLY_WAIT, f"the message {ts} edited to say {contains!r}")
        assert text is not None
        return text

    def modals(self, user: str) -> list[Any]:
        """The modals ``user`` has seen (their Home tab is a view too, but not a modal)."""
        return [view for view in self.emulator.views(user) if view.type == "modal"]

    def actions(self, action: str) -> list[dict[str, Any]]:
        return [entry for entry in self.entries() if entry["action"] == action]


def full_text_of(ephemeral: Any) -> str:
    return "\n".join([ephemeral.text, *(str(block) for block in ephemeral.blocks)])


@pytest.fixture
def approvals(
    bot_factory: Callable[[Mapping[str, str]], BotProcess],
    emulator: SlackEmulator,
    redis_client: Any,
    redis_url: str,
    aws: MotoServer,
    tmp_path: Path,
) -> Approvals:
    boto3.client("s3", region_name=REGION, endpoint_url=aws.endpoint_url).create_bucket(Bucket=BUCKET)
    emulator.set_usergroup(GROUP, [CAROL])
    for person in (BOB, CAROL):
        emulator.add_user(person)
    emulator.add_channel(APPROVALS)
    policy, prices = tmp_path / "policy.yml", tmp_path / "prices.yml"
    policy.write_text(POLICY + APPROVAL, encoding="utf-8")
    prices.write_text(PRICES, encoding="utf-8")
    env = bot_environment(
        emulator=emulator, signing_secret=SIGNING_SECRET, redis_url=redis_url, aws_url=aws.endpoint_url
    ) | {"FINETUNE_POLICY_FILE": str(policy), "FINETUNE_PRICES_FILE": str(prices), "FINETUNE_POLL_SECONDS": "1"}
    return Approvals(bot_factory, env, emulator=emulator, redis_url=redis_url, policy=policy)


def test_an_approved_job_starts_once_despite_a_restart_a_redelivery_and_a_second_approval(
    approvals: Approvals,
) -> None:
    thread = approvals.request()
    asked = approvals.thread_reply(thread, "Asked for approval")
    assert f"Who can: <@{BOB}> and members of the user group `{GROUP}`." in asked
    to_bob, to_carol = approvals.request_in("D0BOB"), approvals.request_in("D0CAROL")
    assert f"<@{USER}> asks for approval to start a fine-tuning job in <#{CHANNEL}>" in full_text(to_bob)
    assert "$23.75" in full_text(to_carol)
    assert not approvals.emulator.messages("D" + USER[1:])  # the requester is never asked

    approvals.restart()
    assert approvals.driver.click("Approve", channel="D0BOB", message_ts=to_bob.ts, user=BOB).status == 200
    assert approvals.driver.redeliver().status == 200
    approvals.thread_reply(thread, f"<@{BOB}> approved this. Starting the job now.")
    approvals.thread_reply(thread, "Started fine-tuning job")
    approvals.driver.click("Approve", channel="D0CAROL", message_ts=to_carol.ts, user=CAROL)
    assert f"Approved by <@{BOB}>" in approvals.ephemeral("D0CAROL", CAROL, "Nothing more was done.")

    time.sleep(2)  # room for a second job, were anything to start one
    assert len(approvals.bedrock_jobs()) == 1
    assert "Reject" not in approvals.edited("D0BOB", to_bob.ts, f"Approved by <@{BOB}>")
    approvals.wait_for_entry(action="job.started")
    [asked_entry], [approved] = approvals.actions("approval.asked"), approvals.actions("approval.approved")
    assert (asked_entry["user"], Decimal(asked_entry["cost_usd"])) == (USER, Decimal("23.75"))
    assert asked_entry["detail"] == "its estimate, $23.75, is above the $20.00 allowed without approval"
    assert (approved["user"], approved["channel"], approved["detail"]) == (BOB, CHANNEL, f"requested by {USER}")
    assert approved["subject"] == asked_entry["subject"]
    assert approved["subject"].endswith(thread)


def test_the_requester_cannot_approve_their_own_and_a_rejection_with_a_reason_reaches_them(
    approvals: Approvals,
) -> None:
    approvals.set_policy(
        APPROVAL.replace("users: [U0BOB]", f"users: [{USER}, {BOB}]") + f"      channel: {APPROVALS}\n"
    )
    thread = approvals.request()
    asked = approvals.request_in(APPROVALS)
    assert not approvals.emulator.messages("D0BOB")  # the approvals channel instead of direct messages

    approvals.driver.click("Approve", channel=APPROVALS, message_ts=asked.ts, user=USER)
    own = approvals.ephemeral(APPROVALS, USER, "You asked for this approval yourself")
    assert "nothing was done" in own
    approvals.driver.click("Reject", channel=APPROVALS, message_ts=asked.ts, user=USER)
    approvals.emulator.wait_for(
        lambda: len(approvals.emulator.ephemerals(APPROVALS, USER)) >= 2, REPLY_WAIT, "the answer to the own Reject"
    )
    assert approvals.modals(USER) == []

    approvals.driver.click("Reject", channel=APPROVALS, message_ts=asked.ts, user=BOB)
    approvals.emulator.wait_for(lambda: approvals.modals(BOB), REPLY_WAIT, "the reason form")
    approvals.driver.submit_view("ft_reject_reason", {"reason": {"reason": "Too much for November <3"}})
    rejected = approvals.thread_reply(thread, "rejected this")
    assert f"<@{BOB}> rejected this: Too much for November &lt;3" in rejected
    again = approvals.thread_reply(thread, "Review your fine-tuning job")
    assert "Request approval" in again

    approvals.edited(APPROVALS, asked.ts, f"Rejected by <@{BOB}>")
    entry = approvals.wait_for_entry(action="approval.rejected")
    assert (entry["user"], entry["detail"]) == (BOB, "Too much for November <3")
    assert approvals.bedrock_jobs() == []
    assert approvals.actions("approval.approved") == []


def test_a_request_nobody_answers_expires_and_the_requester_hears_it(approvals: Approvals) -> None:
    approvals.set_policy(APPROVAL + "      expires_after_hours: 0.001\n")  # 3.6 seconds
    thread = approvals.request()
    to_bob = approvals.request_in("D0BOB")

    expired = approvals.thread_reply(thread, "Nobody answered the request for approval")
    assert "Request approval" in approvals.thread_reply(thread, "Review your fine-tuning job")
    assert "so it expired" in expired
    entry = approvals.wait_for_entry(action="approval.expired")
    assert (entry["user"], Decimal(entry["cost_usd"])) == ("", Decimal("23.75"))
    approvals.edited("D0BOB", to_bob.ts, "without an answer")
    with pytest.raises(LookupError, match="no button labelled 'Approve'"):
        approvals.driver.click("Approve", channel="D0BOB", message_ts=to_bob.ts, user=BOB)
    assert approvals.bedrock_jobs() == []


def test_a_policy_change_before_the_answer_sends_the_request_back_for_approval(approvals: Approvals) -> None:
    thread = approvals.request()
    to_bob, to_carol = approvals.request_in("D0BOB"), approvals.request_in("D0CAROL")
    approvals.set_policy(APPROVAL.replace("        users: [U0BOB]\n", ""))  # only the ML team approves now

    approvals.driver.click("Approve", channel="D0BOB", message_ts=to_bob.ts, user=BOB)
    answer = approvals.ephemeral("D0BOB", BOB, "Nothing was done")
    assert "the policy or the price changed since it was asked, so it goes back for approval" in answer
    approvals.thread_reply(thread, "The request for approval was withdrawn")
    approvals.thread_reply(thread, "Asking for approval again, on the policy and prices in force now.")
    approvals.edited("D0BOB", to_bob.ts, "Withdrawn: the policy or the price changed")
    approvals.edited("D0CAROL", to_carol.ts, "Withdrawn: the policy or the price changed")
    [again] = approvals.emulator.wait_for(
        lambda: [m for m in approvals.emulator.messages("D0CAROL") if "asks for approval" in m.text],
        REPLY_WAIT,
        "the request asked again of the ML team",
    )
    assert len(approvals.emulator.messages("D0BOB")) == 1  # Bob is no longer an approver

    approvals.set_policy(APPROVAL.replace("above_usd: 20", "above_usd: 30"))  # $23.75 no longer needs it
    approvals.driver.click("Approve", channel="D0CAROL", message_ts=again.ts, user=CAROL)
    approvals.ephemeral("D0CAROL", CAROL, "Nothing was done")
    review = approvals.thread_reply(thread, "Start fine-tuning")  # the review again, with Start
    assert "Needs approval" not in review
    withdrawn = approvals.actions("approval.withdrawn")
    assert [entry["user"] for entry in withdrawn] == [BOB, CAROL]
    assert len(approvals.actions("approval.asked")) == 2
    assert approvals.actions("approval.approved") == []
    assert approvals.bedrock_jobs() == []
