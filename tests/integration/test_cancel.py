"""``/finetune cancel`` over HTTP: every setup of the person in the channel, even one whose thread was deleted."""

from __future__ import annotations

import pytest

from tests.integration.test_conversation_flow import open_thread
from tests.support.stack import CHANNEL, USER, Stack

pytestmark = pytest.mark.integration

OTHER = "U0BOB"


def cancel_answer(stack: Stack) -> str:
    """The private answer to this ``/finetune cancel`` (through its response URL)."""
    earlier = len(stack.emulator.responses())
    assert stack.driver.slash_command("cancel").status == 200

    def answered() -> str | None:
        texts = [str(post.payload.get("text", "")) for post in stack.emulator.responses()[earlier:]]
        return next((text for text in texts if "setup" in text), None)

    return stack.emulator.wait_for(answered, 15, "the answer to /finetune cancel")


def test_cancel_cancels_every_setup_even_one_whose_thread_was_deleted(stack: Stack) -> None:
    threads = [open_thread(stack) for _ in range(3)]
    stack.driver.slash_command("", user=OTHER)
    theirs = stack.emulator.wait_for(
        lambda: next((m.ts for m in stack.emulator.messages(CHANNEL) if f"<@{OTHER}>" in m.text), None),
        10,
        "the other person's setup",
    )
    deleted = threads[-1]  # the newest: the first one cancel comes to
    stack.emulator.delete_message(CHANNEL, deleted)

    assert cancel_answer(stack).startswith("Cancelled your 3 setups in this channel.")

    for thread in threads[:-1]:
        stack.reply(thread, "Cancelled. Nothing was started")
    failed = [call for call in stack.emulator.calls("chat.postMessage") if not call.ok]
    assert [call.error for call in failed] == ["thread_not_found"]
    assert "Traceback" not in stack.bot.log()

    shown = {ephemeral.ts for ephemeral in stack.emulator.ephemerals(CHANNEL, USER)}  # the cancel answer among them
    stack.driver.click("Conversational fine-tuning", thread_ts=threads[0])
    note = stack.emulator.wait_for(
        lambda: [e for e in stack.emulator.ephemerals(CHANNEL, USER) if e.ts not in shown], 10, "the click's note"
    )
    assert len(note) == 1
    assert "This setup was cancelled" in note[0].text
    stack.driver.click("Conversational fine-tuning", thread_ts=theirs, user=OTHER)
    stack.reply(theirs, "Which base model?")


def test_cancel_with_no_setup_says_so(stack: Stack) -> None:
    assert cancel_answer(stack) == "You have no setup in progress in this channel."


def test_cancel_twice_finds_nothing_the_second_time(stack: Stack) -> None:
    open_thread(stack)
    assert cancel_answer(stack).startswith("Cancelled your setup in this channel.")
    assert cancel_answer(stack) == "You have no setup in progress in this channel."
