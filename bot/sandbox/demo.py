"""``finetune-bot demo``: the scripted run, from ``/finetune`` to the completion notice, printed as Slack shows it.

A person (@alice) asks for help choosing, picks Nova Micro, uploads a sample with two mistakes,
reads the report, uploads the fixed file, reviews the cost and presses Start; the job then
moves through its stages on a compressed clock and the bot announces it in the channel.
"""

from __future__ import annotations

import re
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from bot.sandbox.blocktext import Names
from bot.sandbox.events import EventKind
from bot.sandbox.records import Message
from bot.sandbox.samples import CONVERSATION, CONVERSATION_WITH_MISTAKES, sample_bytes
from bot.sandbox.stack import (
    CHANNEL,
    USER,
    USER_NAME,
    Product,
    StartupFailed,
    log_to_file,
    problems_in_log,
    running_product,
)
from bot.sandbox.terminal import Transcript
from workflows.dataset_rules import TYPE_LABELS, CustomizationType
from workflows.setup.advice import DataAnswer, GoalAnswer

#: A simulated hour passes in 12 seconds: each stage lasts a few status ticks.
DEMO_SPEED = 300.0
#: Seconds to wait for each answer of the bot (the first dataset check loads the tokenizer).
REPLY_SECONDS = 30.0
#: Seconds the loss chart under the completion notice is waited for (it is shown if it comes).
CHART_SECONDS = 10.0
#: A person's pause before each action, so the conversation reads at a human pace.
PAUSE_SECONDS = 0.4
MODEL = "Nova Micro"
#: The names the person gives the sample files when uploading them.
FIRST_UPLOAD = "support-chats.jsonl"
FIXED_UPLOAD = "support-chats-fixed.jsonl"
_JOB_NAME = re.compile(r"`([A-Za-z0-9][A-Za-z0-9+.-]*)`")


class DemoFailed(Exception):
    """The bot did not do what the script expects; the message says what was missing."""


@dataclass(frozen=True)
class DemoResult:
    """What the run showed, for its summary line."""

    job_name: str
    seconds: float
    status_updates: int
    stages_seen: tuple[str, ...]


def main(*, speed: float, redis_url: str | None, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    """Run the demo; 0 when the job completed and was announced, 1 with the reason otherwise."""
    with tempfile.TemporaryDirectory(prefix="finetune-bot-demo-") as workdir:
        log = Path(workdir) / "demo.log"
        log_to_file(log)
        out.write(
            "finetune-bot demo: the whole product on this machine, with local stand-ins for Slack, AWS and Redis.\n"
        )
        try:
            with running_product(speed=speed, redis_url=redis_url) as product:
                result = play(product, out)
        except (DemoFailed, StartupFailed) as exc:
            return _failed(str(exc), log, err)
        except KeyboardInterrupt:
            return _failed("interrupted", log, err)
        except Exception as exc:
            return _failed(f"{type(exc).__name__}: {exc}", log, err)
    out.write(summary(result) + "\n")
    out.flush()
    return 0


def _failed(reason: str, log: Path, err: TextIO) -> int:
    err.write(f"finetune-bot demo failed: {reason}\n")
    problems = problems_in_log(log)
    if problems:
        err.write("Last problems the bot logged:\n" + "".join(f"  {line}\n" for line in problems))
    err.flush()
    return 1


def names_for(product: Product) -> Names:
    """How people and channels are shown in the transcript."""
    workspace = product.emulator.workspace
    return Names(people={USER: USER_NAME, workspace.bot_user_id: workspace.bot_name}, channels={CHANNEL: "general"})


def play(product: Product, out: TextIO) -> DemoResult:
    """Print the setup, play the conversation with the transcript attached, and check the ending."""
    started = time.monotonic()
    out.write("".join(f"  {line}\n" for line in product.setup_lines()) + "\n")
    transcript = Transcript(out, names_for(product))
    stop_printing = transcript.attach(product.emulator)
    try:
        job_name = Script(product).play()
        status_ts = _Waits(product).status_message(job_name).ts
        return DemoResult(
            job_name=job_name,
            seconds=time.monotonic() - started,
            status_updates=_updates_of(product, status_ts),
            stages_seen=_stages_seen(product, status_ts),
        )
    finally:
        stop_printing()


def summary(result: DemoResult) -> str:
    """The one line the demo ends with."""
    stages = ", ".join(result.stages_seen) or "no stages"
    return (
        f"Demo complete in {result.seconds:.0f}s: job {result.job_name} on {MODEL} went through {stages} "
        f"(status message updated {result.status_updates} times) and its completion notice is in #general."
    )


class Script:
    """The conversation, step by step; each step waits for the bot's answer before the next."""

    def __init__(self, product: Product) -> None:
        self._driver = product.driver
        self._wait = _Waits(product)
        self._lifecycle = product.aws.lifecycle
        #: On a shared Redis, another demo or sandbox may hold the demo's monitoring lease and watch for us.
        self._lease_hint = (
            ""
            if product.redis.private
            else "; if another demo or sandbox uses the same Redis it runs the status checks instead: "
            "stop it, or leave out --redis-url"
        )

    def play(self) -> str:
        """Run the whole conversation; the started job's name."""
        thread = self._open()
        self._help_me_choose(thread)
        self._datasets(thread)
        return self._start(thread)

    def _open(self) -> str:
        _pause()
        self._driver.slash_command("")
        thread = self._wait.top_level("is setting up a fine-tuning job").ts
        self._wait.reply(thread, "What kind of customization do you want?")
        return thread

    def _help_me_choose(self, thread: str) -> None:
        self._click("Help me choose", thread, then="What data do you have?")
        self._click(DataAnswer.CHATS.value, thread, then="What do you want the model to do differently?")
        self._click(GoalAnswer.CHATBOT.value, thread, then="I recommend")
        self._click(f"{TYPE_LABELS[CustomizationType.CONVERSATION]} (recommended)", thread, then="Which base model?")
        _pause()
        self._driver.choose(MODEL, thread_ts=thread)
        self._wait.reply(thread, "Now the training data")

    def _datasets(self, thread: str) -> None:
        _pause()
        self._driver.upload_file(FIRST_UPLOAD, sample_bytes(CONVERSATION_WITH_MISTAKES), thread_ts=thread)
        report = full_text(self._wait.reply(thread, "problems to fix before training"))
        missing = [line for line in ("Line 3", "Line 7") if line not in report]
        if missing:
            raise DemoFailed(f"the dataset report does not name {' and '.join(missing)}")
        _pause()
        self._driver.upload_file(FIXED_UPLOAD, sample_bytes(CONVERSATION), thread_ts=thread)
        self._wait.reply(thread, f"`{FIXED_UPLOAD}` is ready")
        self._wait.reply(thread, "Do you have a validation file?")
        self._click("Skip validation", thread, then="Review your fine-tuning job")
        review = full_text(self._wait.reply(thread, "Review your fine-tuning job"))
        if "What it will cost" not in review:
            raise DemoFailed("the review shows no cost")

    def _start(self, thread: str) -> str:
        self._click("Start fine-tuning", thread, then="Started fine-tuning job")
        started = self._wait.reply(thread, "Started fine-tuning job")
        found = _JOB_NAME.search(started.text)
        if found is None:
            raise DemoFailed("the bot did not name the job it started")
        job_name = found.group(1)
        try:
            notice = self._wait.top_level(
                f"`{job_name}` completed", timeout=self._lifecycle.job_seconds + REPLY_SECONDS
            )
        except DemoFailed as exc:
            raise DemoFailed(f"{exc}{self._lease_hint}") from None
        self._wait.attachment(notice.ts)
        return job_name

    def _click(self, label: str, thread: str, *, then: str) -> None:
        _pause()
        self._driver.click(label, thread_ts=thread)
        self._wait.reply(thread, then)


class _Waits:
    """Waiting for the bot's messages in the emulator (replies are asynchronous)."""

    def __init__(self, product: Product) -> None:
        self._emulator = product.emulator

    def reply(self, thread: str, contains: str, *, timeout: float = REPLY_SECONDS) -> Message:
        """The newest bot message in the thread whose text or blocks contain ``contains``."""
        return self._newest(lambda: self._emulator.messages(CHANNEL, thread), contains, timeout, "in the thread")

    def top_level(self, contains: str, *, timeout: float = REPLY_SECONDS) -> Message:
        """The newest bot message at the top of #general containing ``contains``."""
        return self._newest(lambda: self._emulator.messages(CHANNEL), contains, timeout, "in #general")

    def attachment(self, thread: str) -> Message | None:
        """The file the bot attaches under a notice (the loss chart), if it comes within a few seconds."""

        def found() -> Message | None:
            return next((m for m in self._emulator.messages(CHANNEL, thread) if m.from_bot and m.files), None)

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


def _pause() -> None:
    time.sleep(PAUSE_SECONDS)


def full_text(message: Message) -> str:
    """Everything a person reads in a message: its text and every text in its blocks."""
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


def _updates_of(product: Product, ts: str) -> int:
    return sum(
        1
        for event in product.emulator.events()
        if event.kind is EventKind.MESSAGE_UPDATED and isinstance(event.record, Message) and event.record.ts == ts
    )


def _stages_seen(product: Product, ts: str) -> tuple[str, ...]:
    """The stages shown running in the status message, in the order they appeared."""
    seen: list[str] = []
    for event in product.emulator.events():
        record = event.record
        if event.kind is not EventKind.MESSAGE_UPDATED or not isinstance(record, Message) or record.ts != ts:
            continue
        for stage in re.findall(r"([A-Z][a-z ]+): InProgress", full_text(record)):
            if stage.lower() not in seen:
                seen.append(stage.lower())
    return tuple(seen)
