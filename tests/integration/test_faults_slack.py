"""Slack failing under a running bot: whatever the bot owes a person reaches the thread, once, and the setup goes on.

Failures are injected in the Slack emulator; each is more than the client's own retries absorb
(``SERVER_ERROR_RETRIES`` + 1 answers in a row), so what follows is the outbox's work: the
message stays owed with the state and is re-driven by the next event or the scheduled tick.
"""

from __future__ import annotations

import pytest

from bot.sandbox.records import Message
from bot.sandbox.samples import CONVERSATION, sample_bytes
from bot.slack_client import SERVER_ERROR_RETRIES
from tests.integration.test_conversation_flow import open_thread
from tests.support.fault_stack import FaultStack, faulty
from tests.support.stack import CHANNEL, Stack, full_text

pytestmark = pytest.mark.integration

__all__ = ["faulty"]

#: Failures in a row that outlast the Web API client's own retries.
BEYOND_RETRIES = SERVER_ERROR_RETRIES + 1
#: A re-driven message must arrive within this many seconds (re-drive delay plus a few ticks).
BOUNDED = 30


def bot_messages(stack: Stack, thread: str, contains: str) -> list[Message]:
    return [m for m in stack.emulator.messages(CHANNEL, thread) if m.from_bot and contains in full_text(m)]


def to_training_data(stack: Stack) -> str:
    thread = open_thread(stack)
    stack.driver.click("Conversational fine-tuning", thread_ts=thread)
    stack.reply(thread, "Which base model?")
    stack.driver.choose("Nova Micro", thread_ts=thread)
    stack.reply(thread, "Now the training data")
    return thread


def review_after_skipping_validation(stack: Stack, thread: str) -> None:
    stack.driver.click("Skip validation", thread_ts=thread)
    stack.reply(thread, "Review your fine-tuning job")


@pytest.mark.parametrize("kind", ["500", "drop"])
def test_a_failed_checking_post_still_ends_in_the_verdict_once_and_the_setup_goes_on(
    faulty: FaultStack, kind: str
) -> None:
    stack = faulty.stack
    thread = to_training_data(stack)
    stack.emulator.faults.fail("chat.postMessage", kind, times=BEYOND_RETRIES)

    stack.driver.upload_file("train.jsonl", sample_bytes(CONVERSATION), thread_ts=thread)

    stack.reply(thread, "`train.jsonl` is ready", timeout=BOUNDED)
    stack.reply(thread, "Do you have a validation file?", timeout=BOUNDED)
    assert len(stack.emulator.faults.injected("chat.postMessage")) == BEYOND_RETRIES
    assert len(bot_messages(stack, thread, "train.jsonl")) == 1
    review_after_skipping_validation(stack, thread)


def test_a_failed_verdict_edit_is_redriven_by_the_tick_before_the_next_question(faulty: FaultStack) -> None:
    stack = faulty.stack
    thread = to_training_data(stack)
    stack.emulator.faults.fail("chat.update", "500", times=BEYOND_RETRIES)

    stack.driver.upload_file("train.jsonl", sample_bytes(CONVERSATION), thread_ts=thread)

    verdict = stack.reply(thread, "`train.jsonl` is ready", timeout=BOUNDED)
    question = stack.reply(thread, "Do you have a validation file?", timeout=BOUNDED)
    assert float(verdict.ts) < float(question.ts)
    assert bot_messages(stack, thread, "line by line") == []
    assert len(bot_messages(stack, thread, "train.jsonl")) == 1
    assert len(stack.emulator.faults.injected("chat.update")) == BEYOND_RETRIES
    review_after_skipping_validation(stack, thread)


def test_a_failed_question_after_a_click_is_shown_once_and_the_choice_still_works(faulty: FaultStack) -> None:
    stack = faulty.stack
    thread = open_thread(stack)
    stack.emulator.faults.fail("chat.postMessage", "500", times=BEYOND_RETRIES)

    stack.driver.click("Conversational fine-tuning", thread_ts=thread)

    stack.reply(thread, "Which base model?", timeout=BOUNDED)
    assert len(bot_messages(stack, thread, "Which base model?")) == 1
    stack.driver.choose("Nova Micro", thread_ts=thread)
    stack.reply(thread, "Now the training data")


def test_a_click_repeated_while_the_question_is_owed_brings_the_question_before_the_hint(faulty: FaultStack) -> None:
    stack = faulty.stack
    thread = open_thread(stack)
    stack.emulator.faults.fail("chat.postMessage", "500", times=BEYOND_RETRIES)
    stack.driver.click("Conversational fine-tuning", thread_ts=thread)
    stack.emulator.wait_for(
        lambda: len(stack.emulator.faults.injected("chat.postMessage")) == BEYOND_RETRIES, 10, "the failed posts"
    )

    stack.driver.click("Conversational fine-tuning", thread_ts=thread)

    hint = stack.reply(thread, "Pick a model from the menu above", timeout=10)
    (question,) = bot_messages(stack, thread, "Which base model?")
    assert float(question.ts) < float(hint.ts)
    stack.driver.choose("Nova Micro", thread_ts=thread)
    stack.reply(thread, "Now the training data")
