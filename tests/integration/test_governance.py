"""Governance over HTTP: ``serve`` with a policy file refuses what it forbids; each decision lands in the audit log.

The bot runs as a subprocess against the Slack emulator (which answers ``usergroups.users.list``), the AWS
stand-in and a real Redis; ``finetune-bot audit export`` reads the log back as JSON Lines, as an operator would.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import boto3
import pytest

from bot.sandbox.driver import SlackDriver
from bot.sandbox.emulator import SlackEmulator
from bot.sandbox.samples import INSTRUCTION, sample_bytes
from tests.conftest import SIGNING_SECRET
from tests.jobs.monitoring.live import newest_ephemeral
from tests.support.bot_process import BotProcess, clean_environment
from tests.support.moto_server import MotoServer
from tests.support.net import wait_until
from tests.support.stack import BUCKET, CHANNEL, REGION, USER, bot_environment, full_text
from workflows.catalogue.costs import format_usd

pytestmark = pytest.mark.integration

BOB, CAROL, ADMIN = "U0BOB", "U0CAROL", "U0ADMIN"
GROUP = "S0MLTEAM"
NOVA = "amazon.nova-micro-v1:0:128k"
TITAN = "amazon.titan-text-express-v1:0:8k"
#: Titan Text G1 Express has no training price in the catalogue: the operator's price file gives one.
PRICES = f"""\
models:
  "{TITAN}":
    training_per_1k_tokens: {{usd: "10.00", as_of: 2026-11-01, source: "the team's negotiated rate"}}
"""
#: The instruction sample's 2,375 billed tokens (475 over 5 epochs) at $10.00 per 1K.
ESTIMATE = Decimal("23.75")
POLICY = f"""\
# Only Alice and the ML team start jobs here, on Titan Text G1 Express, for instruction or conversation.
version: 1
workspaces:
  T0SANDBOX01:
    allow:
      types: [instruction, conversation]
      models: [{TITAN}]
    start:
      users: [{USER}]
      groups: [{GROUP}]
"""


class Governed:
    """A bot serving with a policy file, and what a test drives and reads it with."""

    def __init__(self, bot: BotProcess, emulator: SlackEmulator, redis_url: str, policy: Path) -> None:
        self.bot, self.emulator, self.redis_url, self.policy = bot, emulator, redis_url, policy
        self.driver = SlackDriver(bot.events_url, SIGNING_SECRET, emulator, default_user=USER, default_channel=CHANNEL)

    def thread_reply(self, thread: str, contains: str) -> str:
        def found() -> str | None:
            texts = [full_text(m) for m in self.emulator.messages(CHANNEL, thread) if m.from_bot]
            return next((text for text in reversed(texts) if contains in text), None)

        text = self.emulator.wait_for(found, 15, f"a reply containing {contains!r}")
        assert text is not None
        return text

    def open_thread(self, user: str = USER) -> str:
        assert self.driver.slash_command("", user=user).status == 200
        root = self.emulator.wait_for_message(CHANNEL, contains=f"<@{user}> is setting up", timeout=10)
        self.thread_reply(root.ts, "What kind of customization do you want?")
        return root.ts

    def bedrock_jobs(self) -> list[dict[str, Any]]:
        client = boto3.client("bedrock", region_name=REGION)
        return list(client.list_model_customization_jobs()["modelCustomizationJobSummaries"])

    def export(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "bot", "audit", "export", *args],
            env=clean_environment({"REDIS_URL": self.redis_url}),
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )

    def entries(self) -> list[dict[str, Any]]:
        done = self.export()
        assert done.returncode == 0, done.stderr
        return [json.loads(line) for line in done.stdout.splitlines()]

    def wait_for_entry(self, **fields: str) -> dict[str, Any]:
        """The first exported entry whose fields include ``fields``, once it is there."""
        found: list[dict[str, Any]] = []

        def there() -> bool:
            found[:] = [entry for entry in self.entries() if fields.items() <= entry.items()]
            return bool(found)

        wait_until(there, timeout=15, what=f"an audit entry with {fields}", interval=0.3)
        return found[0]


@pytest.fixture
def governed(
    bot_factory: Callable[[Mapping[str, str]], BotProcess],
    emulator: SlackEmulator,
    redis_client: Any,
    redis_url: str,
    aws: MotoServer,
    tmp_path: Path,
) -> Governed:
    boto3.client("s3", region_name=REGION, endpoint_url=aws.endpoint_url).create_bucket(Bucket=BUCKET)
    emulator.set_usergroup(GROUP, [CAROL])
    for person in (BOB, ADMIN):
        emulator.add_user(person)
    policy, prices = tmp_path / "policy.yml", tmp_path / "prices.yml"
    policy.write_text(POLICY, encoding="utf-8")
    prices.write_text(PRICES, encoding="utf-8")
    env = bot_environment(
        emulator=emulator, signing_secret=SIGNING_SECRET, redis_url=redis_url, aws_url=aws.endpoint_url
    ) | {"FINETUNE_POLICY_FILE": str(policy), "FINETUNE_ADMINS": ADMIN, "FINETUNE_PRICES_FILE": str(prices)}
    return Governed(bot_factory(env), emulator, redis_url, policy)


def test_a_disallowed_model_is_refused_at_the_model_question_with_the_reason(governed: Governed) -> None:
    thread = governed.open_thread()
    governed.driver.click("Conversational fine-tuning", thread_ts=thread)
    governed.thread_reply(thread, "Which base model?")
    governed.driver.choose("Nova Micro", thread_ts=thread)

    refusal = governed.thread_reply(thread, "The policy here does not allow")
    assert f"does not allow Nova Micro (`{NOVA}`) as a base model; it allows `{TITAN}`." in refusal
    assert "Pick another model from the menu." in refusal
    assert "Now the training data" not in "\n".join(full_text(m) for m in governed.emulator.messages(CHANNEL, thread))

    entry = governed.wait_for_entry(action="policy.refused", subject=NOVA)
    assert entry | {"id": "", "at": ""} == {
        "id": "",
        "at": "",
        "action": "policy.refused",
        "user": USER,
        "team": "T0SANDBOX01",
        "channel": CHANNEL,
        "subject": NOVA,
        "cost_usd": None,
        "detail": f"allow.models: {NOVA}",
    }
    started = governed.wait_for_entry(action="setup.started", user=USER)
    assert started["subject"].endswith(thread)


def to_review(governed: Governed) -> tuple[str, str]:
    """A Titan Text G1 Express instruction setup up to its review: the thread and the review's text."""
    thread = governed.open_thread()
    governed.driver.click("Instruction fine-tuning", thread_ts=thread)
    governed.thread_reply(thread, "Which base model?")
    governed.driver.choose("Titan Text G1 Express", thread_ts=thread)
    governed.thread_reply(thread, "Now the training data")
    governed.driver.upload_file("train.jsonl", sample_bytes(INSTRUCTION), thread_ts=thread)
    governed.thread_reply(thread, "Do you have a validation file?")
    governed.driver.click("Skip validation", thread_ts=thread)
    return thread, governed.thread_reply(thread, "Review your fine-tuning job")


def test_a_job_started_within_the_policy_is_recorded_with_its_estimate(governed: Governed) -> None:
    thread, review = to_review(governed)
    governed.driver.click("Start fine-tuning", thread_ts=thread)
    governed.thread_reply(thread, "Started fine-tuning job")

    entry = governed.wait_for_entry(action="job.started")
    assert (entry["user"], entry["channel"], entry["detail"]) == (USER, CHANNEL, f"instruction on {TITAN}")
    assert Decimal(entry["cost_usd"]) == ESTIMATE
    assert format_usd(ESTIMATE) in review


def test_budgets_notify_the_channel_once_and_refuse_a_start_that_would_go_over(governed: Governed) -> None:
    governed.policy.write_text(POLICY + "    budgets:\n      channel_usd: 29\n", encoding="utf-8")
    thread, _ = to_review(governed)
    governed.driver.click("Start fine-tuning", thread_ts=thread)
    governed.thread_reply(thread, "Started fine-tuning job")
    governed.emulator.wait_for_message(CHANNEL, contains="used 80% of its fine-tuning budget", timeout=10)

    second, _ = to_review(governed)
    governed.driver.click("Start fine-tuning", thread_ts=second)
    refusal = governed.thread_reply(second, "The job did not start.")
    assert "would take this channel's fine-tuning spend for" in refusal
    assert "over its budget of $29.00: $23.75 is spent, $5.25 is left." in refusal
    assert "FINETUNE_ADMINS" in refusal
    assert len(governed.bedrock_jobs()) == 1
    entry = governed.wait_for_entry(action="policy.refused", user=USER)
    assert entry["detail"] == "budgets.channel_usd: $23.75 + $23.75 > $29.00"

    top = [m.text for m in governed.emulator.messages(CHANNEL) if "fine-tuning budget" in m.text]
    # $23.75 of $29.00 passed 50 % and 80 % at once: only the 80 % notice is said, once.
    assert len([text for text in top if "used 80%" in text]) == 1
    assert [text for text in top if "used 50%" in text or "whole fine-tuning budget" in text] == []


def test_a_person_not_allowed_to_start_is_refused_with_who_can_and_a_group_member_may(governed: Governed) -> None:
    assert governed.driver.slash_command("", user=BOB).status == 200
    refusal = newest_ephemeral(governed.emulator, BOB, "does not allow you to start", timeout=10)
    assert refusal == (
        "The policy here does not allow you to start fine-tuning jobs. "
        f"Who can: <@{USER}> and members of the user group `{GROUP}`."
    )
    entry = governed.wait_for_entry(action="policy.refused", user=BOB)
    assert (entry["subject"], entry["detail"]) == ("setup", f"start: {BOB} is not allowed")
    assert not [m for m in governed.emulator.messages(CHANNEL) if f"<@{BOB}> is setting up" in m.text]

    governed.open_thread(CAROL)  # in the group, as Slack's usergroups.users.list says
    governed.wait_for_entry(action="setup.started", user=CAROL)
    assert [call.params["usergroup"] for call in governed.emulator.calls("usergroups.users.list")] == [GROUP]
    assert governed.emulator.unknown_methods == []


def test_the_one_line_setup_names_the_policy_refusal(governed: Governed) -> None:
    response = governed.driver.slash_command(
        f"new type=continued-pretraining model={NOVA} data=s3://{BUCKET}/train.jsonl"
    )
    assert response.status == 200

    def answered() -> str | None:
        posts = [post.payload.get("text", "") for post in governed.emulator.responses()]
        return next((text for text in posts if "does not allow" in text), None)

    text = governed.emulator.wait_for(answered, 10, "the one-line answer")
    assert text is not None
    assert "The policy here does not allow continued pre-training" in text
    assert f"does not allow Nova Micro (`{NOVA}`)" in text
    governed.wait_for_entry(action="policy.refused", subject="continued-pretraining")
    governed.wait_for_entry(action="policy.refused", subject=NOVA)


def test_audit_in_slack_is_for_admins_and_export_prints_json_lines(governed: Governed) -> None:
    assert governed.driver.slash_command("", user=BOB).status == 200
    governed.wait_for_entry(action="policy.refused", user=BOB)

    governed.driver.slash_command("audit")
    newest_ephemeral(governed.emulator, USER, "Only the admins named in FINETUNE_ADMINS", timeout=10)
    governed.driver.slash_command("audit 5", user=ADMIN)
    shown = newest_ephemeral(governed.emulator, ADMIN, "audit entr", timeout=10)
    assert f"`policy.refused` by <@{BOB}> in <#{CHANNEL}>: `setup`" in shown

    today = time.strftime("%Y-%m-%d", time.gmtime())
    within = governed.export("--since", today, "--until", today)
    assert within.returncode == 0
    lines = within.stdout.splitlines()
    assert lines
    assert all(json.loads(line)["action"] for line in lines)
    assert governed.export("--since", "2001-01-01", "--until", "2001-01-02").stdout == ""

    bad = governed.export("--since", "last tuesday")
    assert bad.returncode == 2
    assert bad.stdout == ""
    assert bad.stderr.strip().splitlines() == [
        "finetune-bot audit export: --since 'last tuesday' is not a date: use YYYY-MM-DD, "
        "or YYYY-MM-DDTHH:MM[:SS] with an optional Z or ±HH:MM (UTC when none)"
    ]


def test_a_changed_policy_applies_at_once_and_a_bad_change_keeps_the_last_good_one(governed: Governed) -> None:
    governed.policy.write_text(POLICY.replace(f"models: [{TITAN}]", f"models: [{TITAN}, {NOVA}]"), encoding="utf-8")
    thread = governed.open_thread()
    governed.driver.click("Conversational fine-tuning", thread_ts=thread)
    governed.thread_reply(thread, "Which base model?")
    governed.driver.choose("Nova Micro", thread_ts=thread)
    governed.thread_reply(thread, "Now the training data")
    governed.wait_for_entry(action="policy.reloaded")

    governed.policy.write_text("version: 1\nworkspaces: {T0SANDBOX01: {start: {users: [bob]}}}\n", encoding="utf-8")
    for _ in range(2):
        assert governed.driver.slash_command("", user=BOB).status == 200
        newest_ephemeral(governed.emulator, BOB, "does not allow you to start", timeout=10)
    refused = governed.wait_for_entry(action="policy.reload_refused")
    assert "'bob' is not a Slack user id" in refused["detail"]
    assert governed.bot.log().count("the last good policy stays") == 1


def test_a_malformed_policy_file_stops_serve_with_one_line(
    emulator: SlackEmulator, redis_url: str, aws: MotoServer, tmp_path: Path
) -> None:
    policy = tmp_path / "policy.yml"
    policy.write_text("version: 1\nworkspaces:\n  T0SANDBOX01:\n    allow:\n      modles: [x]\n", encoding="utf-8")
    env = bot_environment(
        emulator=emulator, signing_secret=SIGNING_SECRET, redis_url=redis_url, aws_url=aws.endpoint_url
    ) | {"FINETUNE_POLICY_FILE": policy.name}  # relative to the working directory: a short path, shown whole
    done = subprocess.run(
        [sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--port", "0"],
        env=clean_environment(env),
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.splitlines() == [
        "finetune-bot: FINETUNE_POLICY_FILE 'policy.yml' is not a valid policy: "
        "at workspaces.T0SANDBOX01.allow.modles: is not a key the policy knows (check its spelling); "
        "fix the file, or unset FINETUNE_POLICY_FILE to run without a policy (anyone may start and deploy)."
    ]
