"""The demo's patience: waiting for the bot's messages and ephemerals in the emulator, and a person's pauses."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from bot.sandbox.records import Ephemeral, Message
from bot.sandbox.stack import CHANNEL, USER, Product

#: Seconds to wait for each answer of the bot (the first dataset check loads the tokenizer).
REPLY_SECONDS = 30.0
#: Seconds the loss chart under the completion notice is waited for (it is shown if it comes).
CHART_SECONDS = 10.0
#: A person's pause before each action, so the conversation reads at a human pace.
PAUSE_SECONDS = 0.4


class DemoFailed(Exception):
    """The bot did not do what the script expects; the message says what was missing."""


class Waits:
    """Waiting for the bot's messages in the emulator (replies are asynchronous)."""

    def __init__(self, product: Product) -> None:
        self._emulator = product.emulator

    def reply(self, thread: str, contains: str, *, timeout: float = REPLY_SECONDS) -> Message:
        """The newest bot message in the thread whose text or blocks contain ``contains``."""
        return self._newest(lambda: self._emulator.messages(CHANNEL, thread), contains, timeout, "in the thread")

    def top_level(self, contains: str, *, timeout: float = REPLY_SECONDS) -> Message:
        """The newest bot message at the top of #general containing ``contains``."""
        return self._newest(lambda: self._emulator.messages(CHANNEL), contains, timeout, "in #general")

    def ephemeral(self, contains: str, *, timeout: float = REPLY_SECONDS) -> Ephemeral:
        """The newest message only the demo's person sees in #general that contains ``contains``."""

        def found() -> Ephemeral | None:
            shown = self._emulator.ephemerals(CHANNEL, USER)
            return next((e for e in reversed(shown) if contains in full_text(e)), None)

        try:
            ephemeral = self._emulator.wait_for(found, timeout, contains)
        except TimeoutError:
            raise DemoFailed(f"the bot did not answer “{contains}” within {timeout:.0f}s") from None
        assert ephemeral is not None  # wait_for returns only a truthy answer
        return ephemeral

    def latest_ephemeral(self) -> str:
        """The text of the newest message only the demo's person sees, for a failure's reason."""
        shown = self._emulator.ephemerals(CHANNEL, USER)
        return " ".join(full_text(shown[-1]).split()) if shown else "nothing"

    def attachment(self, thread: str, *, named: str = "") -> Message | None:
        """The file the bot attaches in a thread (the loss chart; ``named``: whose name starts so), if it comes
        within a few seconds."""

        def found() -> Message | None:
            attached = (m for m in self._emulator.messages(CHANNEL, thread) if m.from_bot and m.files)
            return next((m for m in attached if any(_name(f).startswith(named) for f in m.files)), None)

        try:
            return self._emulator.wait_for(found, CHART_SECONDS, "the loss chart")
        except TimeoutError:
            return None

    def status_message(self, job_name: str) -> Message:
        """The job's status message in its thread (the one the bot edits)."""
        return self._newest(
            lambda: self._emulator.all_messages(CHANNEL), f"`{job_name}` on", REPLY_SECONDS, "for the job's status"
        )

    def _newest(self, pool: Callable[[], list[Message]], contains: str, timeout: float, where: str) -> Message:
        def found() -> Message | None:
            return next((m for m in reversed(pool()) if m.from_bot and contains in full_text(m)), None)

        try:
            message = self._emulator.wait_for(found, timeout, contains)
        except TimeoutError:
            raise DemoFailed(f"the bot did not say “{contains}” {where} within {timeout:.0f}s") from None
        assert message is not None  # wait_for returns only a truthy answer
        return message


def _name(file: Any) -> str:
    return str(file.get("name", "")) if isinstance(file, dict) else ""


def pause() -> None:
    time.sleep(PAUSE_SECONDS)


def full_text(message: Message | Ephemeral) -> str:
    """Everything a person reads in a message or an ephemeral: its text and every text in its blocks."""
    return "\n".join([message.text, *_texts(list(message.blocks))])


def _texts(node: Any) -> list[str]:
    if isinstance(node, dict):
        return [
            text
            for key, value in node.items()
            for text in ([value] if key == "text" and isinstance(value, str) else _texts(value))
        ]
    if isinstance(node, list):
        return [text for item in node for text in _texts(item)]
    return []
