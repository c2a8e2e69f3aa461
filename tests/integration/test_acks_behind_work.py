"""Acks do not wait behind the work after earlier acks: with every after-ack thread stuck on AWS, commands still ack.

Each one-line setup is acknowledged, then checks its dataset in S3; the proxy holds every S3
``GetObject``, so that work cannot finish. More setups than the bot has listener threads are
sent, and a command sent after them must still be acknowledged well within Slack's 3 s; once S3
answers again, all of the work that waited gets done.
"""

from __future__ import annotations

import time

import pytest

from bot.app import LISTENER_THREADS
from bot.sandbox.samples import CONVERSATION, sample_bytes
from tests.integration.test_conversation_flow import CASES
from tests.support.aws_proxy import S3_GET_OBJECT
from tests.support.fault_stack import FaultStack, faulty
from tests.support.stack import BUCKET, CHANNEL, full_text

pytestmark = pytest.mark.integration

__all__ = ["faulty"]

NOVA = CASES[2]
#: Slack's patience is 3 s; an ack that waited behind held work would take all of it.
PROMPT_SECONDS = 2.0


def bot_replies(faulty: FaultStack, contains: str) -> list[str]:
    texts = (full_text(m) for m in faulty.stack.emulator.all_messages(CHANNEL) if m.from_bot)
    return [text for text in texts if contains in text]


def test_commands_are_acknowledged_while_earlier_work_waits_on_aws(faulty: FaultStack) -> None:
    stack = faulty.stack
    stack.s3().put_object(Bucket=BUCKET, Key="data/train.jsonl", Body=sample_bytes(CONVERSATION))
    one_line = f"new type=conversation model={NOVA.model_id} data=s3://{BUCKET}/data/train.jsonl"
    people = [stack.emulator.add_user(f"U0WAITING{n:02d}").id for n in range(LISTENER_THREADS + 2)]
    late = stack.emulator.add_user("U0LATECOMER").id
    held = faulty.proxy.hold(S3_GET_OBJECT)

    for person in people:
        assert stack.driver.slash_command(one_line, user=person).status == 200
    held.wait_until_held(10)

    started = time.monotonic()
    answer = stack.driver.slash_command("", user=late)
    elapsed = time.monotonic() - started
    help_started = time.monotonic()
    usage = stack.driver.slash_command("help", user=late)
    help_elapsed = time.monotonic() - help_started

    assert answer.status == 200
    assert elapsed < PROMPT_SECONDS, f"the ack took {elapsed:.2f} s behind the held work"
    assert usage.status == 200
    assert help_elapsed < PROMPT_SECONDS, f"the help answer took {help_elapsed:.2f} s behind the held work"
    assert "/finetune" in usage.body
    assert bot_replies(faulty, "Review your fine-tuning job") == []

    held.release()
    stack.emulator.wait_for(
        lambda: len(bot_replies(faulty, "Review your fine-tuning job")) == len(people),
        60,
        "every one-line setup's review once S3 answers",
    )
    stack.emulator.wait_for(
        lambda: bot_replies(faulty, "What kind of customization do you want?"), 30, "the latecomer's first question"
    )
