"""``finetune-bot demo``: the scripted run, from ``/finetune`` to a deleted deployment, printed as Slack shows it.

A person (@alice) asks for help choosing, picks Nova Micro, uploads a sample with two mistakes,
reads the report, uploads the fixed file, reviews the cost and presses Start; the job then
moves through its stages on a compressed clock and the bot announces it in the channel. Then
(``demo_serving``) she deploys the custom model, tries it side by side with its base model, compares
it with its base model on the validation file, and deletes it.
"""

from __future__ import annotations

import re
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from bot.sandbox.blocktext import Names
from bot.sandbox.demo_serving import Served, Serving
from bot.sandbox.demo_waits import REPLY_SECONDS, DemoFailed, Waits, full_text, pause
from bot.sandbox.events import EventKind
from bot.sandbox.records import Message
from bot.sandbox.samples import CONVERSATION, CONVERSATION_VALIDATION, CONVERSATION_WITH_MISTAKES, sample_bytes
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
MODEL = "Nova Micro"
#: The names the person gives the sample files when uploading them.
FIRST_UPLOAD = "support-chats.jsonl"
FIXED_UPLOAD = "support-chats-fixed.jsonl"
VALIDATION_UPLOAD = "support-chats-held-out.jsonl"
_JOB_NAME = re.compile(r"`([A-Za-z0-9][A-Za-z0-9+.-]*)`")


@dataclass(frozen=True)
class DemoResult:
    """What the run showed, for its summary line."""

    job_name: str
    seconds: float
    status_updates: int
    stages_seen: tuple[str, ...]
    #: Deployed, tried and deleted after completion.
    served: Served


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
        script = Script(product)
        job_name = script.play()
        status_ts = Waits(product).status_message(job_name).ts
        served = Serving(product, job_thread=script.thread, notice_ts=script.notice_ts).play()
        return DemoResult(
            job_name=job_name,
            seconds=time.monotonic() - started,
            status_updates=_updates_of(product, status_ts),
            stages_seen=_stages_seen(product, status_ts),
            served=served,
        )
    finally:
        stop_printing()


def summary(result: DemoResult) -> str:
    """The one line the demo ends with."""
    stages = ", ".join(result.stages_seen) or "no stages"
    served = result.served
    tried = "tried side by side with its base model, " if served.tried_side_by_side else ""
    compared = f"compared with it on {served.compared_prompts} held-out prompts of the validation file, "
    deleted = "then deleted" if served.deleted else "left running"
    return (
        f"Demo complete in {result.seconds:.0f}s: job {result.job_name} on {MODEL} went through {stages} "
        f"(status message updated {result.status_updates} times) and its completion notice is in #general; "
        f"its model was deployed {served.route} as {served.deployment}, {tried}{compared}{deleted}."
    )


class Script:
    """The conversation, step by step; each step waits for the bot's answer before the next."""

    def __init__(self, product: Product) -> None:
        self._driver = product.driver
        self._wait = Waits(product)
        self._lifecycle = product.aws.lifecycle
        #: The setup's thread (the job's), and the completion notice, once played.
        self.thread = ""
        self.notice_ts = ""
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
        self.thread = thread
        self._help_me_choose(thread)
        self._datasets(thread)
        return self._start(thread)

    def _open(self) -> str:
        pause()
        self._driver.slash_command("")
        thread = self._wait.top_level("is setting up a fine-tuning job").ts
        self._wait.reply(thread, "What kind of customization do you want?")
        return thread

    def _help_me_choose(self, thread: str) -> None:
        self._click("Help me choose", thread, then="What data do you have?")
        self._click(DataAnswer.CHATS.value, thread, then="What do you want the model to do differently?")
        self._click(GoalAnswer.CHATBOT.value, thread, then="I recommend")
        self._click(f"{TYPE_LABELS[CustomizationType.CONVERSATION]} (recommended)", thread, then="Which base model?")
        pause()
        self._driver.choose(MODEL, thread_ts=thread)
        self._wait.reply(thread, "Now the training data")

    def _datasets(self, thread: str) -> None:
        pause()
        self._driver.upload_file(FIRST_UPLOAD, sample_bytes(CONVERSATION_WITH_MISTAKES), thread_ts=thread)
        report = full_text(self._wait.reply(thread, "problems to fix before training"))
        missing = [line for line in ("Line 3", "Line 7") if line not in report]
        if missing:
            raise DemoFailed(f"the dataset report does not name {' and '.join(missing)}")
        pause()
        self._driver.upload_file(FIXED_UPLOAD, sample_bytes(CONVERSATION), thread_ts=thread)
        self._wait.reply(thread, f"`{FIXED_UPLOAD}` is ready")
        self._wait.reply(thread, "Do you have a validation file?")
        pause()
        self._driver.upload_file(VALIDATION_UPLOAD, sample_bytes(CONVERSATION_VALIDATION), thread_ts=thread)
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
        self.notice_ts = notice.ts
        return job_name

    def _click(self, label: str, thread: str, *, then: str) -> None:
        pause()
        self._driver.click(label, thread_ts=thread)
        self._wait.reply(thread, then)


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
