"""``finetune-bot sandbox``: chat with the real bot in a terminal, as the only person in a local Slack.

Lines are read from standard input one at a time, so a script can drive it as well as a person:
slash commands, messages into the current thread, numbers to pick a button or menu option,
``attach`` to upload a file. After each line the sandbox waits until the bot has answered, and at
the end of the input it waits for running jobs to finish and be announced.
"""

from __future__ import annotations

import re
import sys
import tempfile
import time
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import TextIO

from bot.sandbox.blocktext import mrkdwn
from bot.sandbox.demo import names_for
from bot.sandbox.events import EventKind
from bot.sandbox.records import Message
from bot.sandbox.samples import sample_bytes
from bot.sandbox.stack import CHANNEL, Product, StartupFailed, log_to_file, problems_in_log, running_product
from bot.sandbox.terminal import Transcript
from bot.sandbox.transport import DriverResponse

#: After a line, how long to wait for the bot to start answering, then how long it must stay quiet.
FIRST_ANSWER_SECONDS = 10.0
QUIET_SECONDS = 1.0
#: The most a line waits for the bot before the next is read.
SETTLE_SECONDS = 30.0
#: Largest file ``attach`` uploads (the sandbox keeps files in memory).
MAX_ATTACH_BYTES = 100 * 1024 * 1024
#: What the bot does that a person sees (as opposed to API calls and the person's own actions).
_BOT_EVENTS = {
    EventKind.MESSAGE_POSTED,
    EventKind.MESSAGE_UPDATED,
    EventKind.EPHEMERAL_POSTED,
    EventKind.EPHEMERAL_UPDATED,
    EventKind.VIEW_OPENED,
    EventKind.VIEW_PUSHED,
    EventKind.VIEW_UPDATED,
}

WELCOME = """\
You are @alice in #general of a local Slack, and finetune-bot is the real app.
Type /finetune to start, a number to pick a button or menu option, `help` for everything else.
"""

HELP = """\
/finetune [...]        run the slash command in #general (try `/finetune help`)
N                      pick choice N of the newest message that offers choices
attach PATH            upload a file into the current thread (e.g. your dataset .jsonl)
attach sample:NAME     upload a sample dataset shipped with finetune-bot (`samples` lists them)
samples                list the sample datasets
threads                list the threads; `thread N` types into thread N, `channel` into #general
wait                   wait until every running job has finished and been announced
help                   this list
quit                   leave (end of input also leaves, after running jobs finish)
Anything else is a message from you, posted in the current thread (or #general).
"""


def main(*, speed: float, redis_url: str | None, inp: TextIO = sys.stdin, out: TextIO = sys.stdout) -> int:
    """Run the sandbox until ``quit`` or the end of the input; 1 when it could not start or a job never ended."""
    with tempfile.TemporaryDirectory(prefix="finetune-bot-sandbox-") as workdir:
        log = Path(workdir) / "sandbox.log"
        log_to_file(log)
        out.write("finetune-bot sandbox: starting local stand-ins for Slack, AWS and Redis…\n")
        out.flush()
        try:
            with running_product(speed=speed, redis_url=redis_url) as product:
                out.write("".join(f"  {line}\n" for line in product.setup_lines()) + "\n" + WELCOME + "\n")
                return Sandbox(product, inp, out).run()
        except StartupFailed as exc:
            out.write(f"finetune-bot sandbox could not start: {exc}\n")
            out.write("".join(f"  {line}\n" for line in problems_in_log(log)))
            return 1


class Sandbox:
    """Reads lines and acts on them as the person; prints through a numbered transcript."""

    def __init__(self, product: Product, inp: TextIO, out: TextIO) -> None:
        self._product = product
        self._driver = product.driver
        self._emulator = product.emulator
        self._inp = inp
        self._out = out
        self._interactive = inp.isatty()
        self._transcript = Transcript(out, names_for(product), numbered=True)
        #: Where plain text goes: a thread of #general, or None for the channel itself.
        self._thread: str | None = None
        self._followed: str | None = None

    def run(self) -> int:
        stop_printing = self._transcript.attach(self._emulator)
        try:
            return self._loop()
        except KeyboardInterrupt:
            self._out.write("\n")
            return 0
        finally:
            stop_printing()

    def _loop(self) -> int:
        while True:
            self._follow_conversation()
            line = self._read()
            if line is None:
                return 0 if self._wait_for_jobs() else 1
            command = line.strip()
            if command.lower() in {"quit", "exit"}:
                return 0
            if command:
                mark = len(self._emulator.events())
                if self._act(command):
                    self._settle(mark)

    def _read(self) -> str | None:
        if not self._interactive:
            line = self._inp.readline()
            return line if line else None
        self._transcript.show_prompt("› ")
        try:
            return input()
        except EOFError:
            return None
        finally:
            self._transcript.hide_prompt()

    def _act(self, command: str) -> bool:
        """Do what the line says; True when something went to the bot (and its answer is worth waiting for)."""
        word, _, rest = command.partition(" ")
        rest = rest.strip()
        simple: dict[str, Callable[[], None]] = {
            "help": lambda: self._print(HELP),
            "samples": lambda: self._print("\n".join(sample_names()) + "\n"),
            "threads": self._list_threads,
            "channel": self._leave_thread,
            "wait": self._wait_command,
        }
        if command in simple:
            simple[command]()
            return False
        if word == "thread":
            self._enter_thread(rest)
            return False
        if command.startswith("/"):
            return self._checked(self._driver.slash_command(rest, command=word))
        if command.isdigit():
            return self._pick(int(command))
        if word == "attach":
            return self._attach(rest)
        return self._checked(self._driver.message(command, thread_ts=self._thread))

    # -- choices, files and threads ----------------------------------------------------------------

    def _pick(self, number: int) -> bool:
        offer = self._transcript.offer
        if offer is None or not 1 <= number <= len(offer.choices):
            count = len(offer.choices) if offer else 0
            self._transcript.note(
                f"There is no choice {number}: " + (f"pick 1 to {count}." if count else "none is offered now.")
            )
            return False
        choice = offer.choices[number - 1]
        response: DriverResponse | None
        try:
            if choice.kind == "button":
                response = self._driver.click(choice.label, channel=offer.channel, message_ts=offer.ts)
            else:
                response = self._driver.choose(choice.label, channel=offer.channel, message_ts=offer.ts)
        except LookupError:
            self._transcript.note(f"“{choice.label}” is no longer on offer; the newest choices are above.")
            return False
        return response is None or self._checked(response)

    def _attach(self, argument: str) -> bool:
        loaded = load_attachment(argument)
        if isinstance(loaded, str):
            self._transcript.note(loaded)
            return False
        name, content = loaded
        return self._checked(self._driver.upload_file(name, content, thread_ts=self._thread))

    def _follow_conversation(self) -> None:
        """When the bot asks something new in a thread, that thread becomes the current one."""
        offer = self._transcript.offer
        if offer is not None and offer.ts != self._followed:
            self._followed = offer.ts
            if offer.thread_ts is not None:
                self._thread = offer.thread_ts

    def _list_threads(self) -> None:
        threads = self._transcript.threads()
        if not threads:
            self._transcript.note("No threads yet.")
        for number, (_, ts) in sorted(threads.items()):
            current = " (current)" if ts == self._thread else ""
            parent = self._emulator.message(CHANNEL, ts)
            preview = mrkdwn(parent.text, names_for(self._product)) if parent else "(gone)"
            self._transcript.note(f"thread {number}{current}: {preview[:80]}")

    def _enter_thread(self, argument: str) -> None:
        found = self._transcript.thread_of(int(argument)) if argument.isdigit() else None
        if found is None:
            self._transcript.note("Which thread? `threads` lists them; type `thread 1`, for example.")
            return
        self._thread = found[1]
        self._transcript.note(f"Messages now go to {self._transcript.where(CHANNEL, found[1])}.")

    def _leave_thread(self) -> None:
        self._thread = None
        self._transcript.note("Messages now go to #general.")

    # -- waiting -----------------------------------------------------------------------------------

    def _settle(self, mark: int) -> None:
        """Wait for the bot to answer the line and then go quiet, so the next line sees its answer."""
        started = time.monotonic()
        while time.monotonic() - started < SETTLE_SECONDS:
            last = self._last_bot_event(mark)
            if last is None and time.monotonic() - started >= FIRST_ANSWER_SECONDS:
                return
            if last is not None and time.time() - last >= QUIET_SECONDS:
                return
            time.sleep(0.05)

    def _last_bot_event(self, mark: int) -> float | None:
        """When the bot last posted, edited or showed something since event number ``mark``."""
        events = self._emulator.events()[mark:]
        times = [
            event.time
            for event in events
            if event.kind in _BOT_EVENTS and not (isinstance(event.record, Message) and not event.record.from_bot)
        ]
        return max(times) if times else None

    def _wait_command(self) -> None:
        if not self._unannounced():
            self._transcript.note("No job is running.")
        self._wait_for_jobs()

    def _wait_for_jobs(self) -> bool:
        """Wait until every job has ended and its notice is in #general; False when one takes too long."""
        lifecycle = self._product.aws.lifecycle
        pending = self._unannounced()
        if not pending:
            return True
        self._transcript.note(f"Waiting for {len(pending)} job(s) to finish and be announced…")
        timeout = lifecycle.job_seconds + 60
        try:
            self._emulator.wait_for(lambda: not self._unannounced(), timeout, "the jobs' notices")
        except TimeoutError:
            self._transcript.note(f"Still not announced after {timeout:.0f}s: {', '.join(self._unannounced())}.")
            return False
        return True

    def _unannounced(self) -> list[str]:
        """Jobs still running, or ended without their notice in #general yet."""
        lifecycle = self._product.aws.lifecycle
        notices = [m.text for m in self._emulator.messages(CHANNEL) if m.from_bot]
        ended = [name for name in lifecycle.ended() if not any(_announces(text, name) for text in notices)]
        return lifecycle.running() + ended

    # -- output ------------------------------------------------------------------------------------

    def _checked(self, response: DriverResponse) -> bool:
        if response.status != 200:
            self._transcript.note(f"finetune-bot answered HTTP {response.status}: {response.body.strip()[:200]}")
        return response.status == 200

    def _print(self, text: str) -> None:
        self._out.write(text)
        self._out.flush()


def sample_names() -> list[str]:
    """The sample datasets shipped with the package."""
    folder = resources.files("bot.sandbox.samples")
    return sorted(entry.name for entry in folder.iterdir() if entry.name.endswith(".jsonl"))


def load_attachment(argument: str) -> tuple[str, bytes] | str:
    """``(name, bytes)`` for ``PATH`` or ``sample:NAME``, or a sentence saying what is wrong."""
    if not argument:
        return "Attach what? Type `attach PATH` or `attach sample:conversation.jsonl`."
    if argument.startswith("sample:"):
        name = argument.removeprefix("sample:").strip()
        if name not in sample_names():
            return f"No sample called {name!r}. Samples: {', '.join(sample_names())}."
        return name, sample_bytes(name)
    path = Path(argument).expanduser()
    if not path.is_file():
        return f"No file at {argument}."
    if path.stat().st_size > MAX_ATTACH_BYTES:
        return f"{path.name} is larger than the sandbox's {MAX_ATTACH_BYTES // (1024 * 1024)} MB limit for attachments."
    return path.name, path.read_bytes()


def _announces(text: str, job_name: str) -> bool:
    return re.search(rf"`{re.escape(job_name)}` (completed|failed|was stopped)", text) is not None
