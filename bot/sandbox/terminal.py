"""The terminal transcript: everything said in the sandbox Slack, printed as a person reads it, as it happens.

Each entry names who spoke and where (``#general``, or ``#general › thread 1``), then the text,
facts, buttons and menus. Edits print only what changed, so a status message that moves through
its stages reads as a short series of updates. In the interactive sandbox the choices are
numbered, and the newest message's choices are what a typed number picks.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TextIO

from bot.sandbox.blocktext import Choice, Names, Rendered, mrkdwn, render_message
from bot.sandbox.emulator import SlackEmulator
from bot.sandbox.events import EventKind, Interaction, SandboxEvent
from bot.sandbox.records import JSON, Ephemeral, Message, Reaction, View

#: Spaces before a message's lines, under its heading's timestamp.
INDENT = " " * 7


@dataclass(frozen=True)
class Offer:
    """The choices a typed number picks from: those of the newest message that has any."""

    channel: str
    ts: str
    #: The thread the message is in (None at the top of the channel).
    thread_ts: str | None
    choices: tuple[Choice, ...]


class Transcript:
    """Subscribes to the emulator and writes each change to ``out``; safe to call from any thread."""

    def __init__(
        self,
        out: TextIO,
        names: Names,
        *,
        numbered: bool = False,
        bot_name: str = "finetune-bot",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._out = out
        self._names = names
        self._numbered = numbered
        self._bot = bot_name
        self._clock = clock
        self._started = clock()
        self._lock = threading.RLock()
        self._threads: dict[tuple[str, str], int] = {}
        self._shown: dict[tuple[str, str], list[str]] = {}
        self._offer: Offer | None = None
        self._prompt = ""

    def attach(self, emulator: SlackEmulator) -> Callable[[], None]:
        """Start printing what happens in ``emulator``; returns the function that stops it."""
        return emulator.subscribe(self.on_event)

    def show_prompt(self, prompt: str) -> None:
        """Write ``prompt`` and keep it below every later entry until ``hide_prompt`` (a person is typing)."""
        with self._lock:
            self._prompt = prompt
            self._out.write(prompt)
            self._out.flush()

    def hide_prompt(self) -> None:
        with self._lock:
            self._prompt = ""

    @property
    def offer(self) -> Offer | None:
        with self._lock:
            return self._offer

    def thread_of(self, number: int) -> tuple[str, str] | None:
        """``(channel, thread_ts)`` of the thread shown as ``thread <number>``."""
        with self._lock:
            return next((key for key, shown in self._threads.items() if shown == number), None)

    def threads(self) -> dict[int, tuple[str, str]]:
        with self._lock:
            return {number: key for key, number in self._threads.items()}

    def where(self, channel: str, thread_ts: str | None = None) -> str:
        """``#general`` or ``#general › thread 2`` (threads are numbered as they start)."""
        with self._lock:
            place = self._names.channel(channel)
            if thread_ts is None:
                return place
            number = self._threads.setdefault((channel, thread_ts), len(self._threads) + 1)
            return f"{place} › thread {number}"

    def note(self, text: str) -> None:
        """A line from the sandbox itself (not from Slack), set apart with ``»``."""
        self._write(f"{self._stamp()}  » {text}", [])

    def on_event(self, event: SandboxEvent) -> None:
        """Print one recorded change; API calls and internal records are not shown."""
        record = event.record
        if event.kind is EventKind.INTERACTION and isinstance(record, Interaction):
            self._interaction(record)
        elif event.kind is EventKind.MESSAGE_POSTED and isinstance(record, Message):
            self._posted(record)
        elif event.kind is EventKind.MESSAGE_UPDATED and isinstance(record, Message):
            self._updated(record)
        elif event.kind is EventKind.MESSAGE_DELETED and isinstance(record, Message):
            self._deleted(record)
        elif event.kind in {EventKind.EPHEMERAL_POSTED, EventKind.EPHEMERAL_UPDATED} and isinstance(record, Ephemeral):
            self._ephemeral(record)
        elif event.kind in {EventKind.VIEW_OPENED, EventKind.VIEW_PUSHED, EventKind.VIEW_UPDATED} and isinstance(
            record, View
        ):
            self._view(record)
        elif event.kind is EventKind.REACTION_ADDED and isinstance(record, Reaction):
            self._write(f"{self._stamp()}  {self._names.person(record.user)} reacted :{record.name}:", [])

    # -- entries -----------------------------------------------------------------------------------

    def _interaction(self, record: Interaction) -> None:
        who = self._names.person(record.user)
        if record.kind == "slash_command":
            self._write(f"{self._stamp()}  {who} · {self._where_message(record.channel, None)}", [record.label])
        elif record.kind == "button":
            self._write(f"{self._stamp()}  {who} clicked [{record.label}]", [])
        elif record.kind == "choice":
            self._write(f"{self._stamp()}  {who} chose “{record.label}”", [])
        else:
            self._write(f"{self._stamp()}  {who} {record.kind.replace('_', ' ')}: {record.label}", [])

    def _posted(self, message: Message) -> None:
        heading = f"{self._stamp()}  {self._author(message)} · {self._where_message(message.channel, message)}"
        if not message.from_bot:
            self._write(heading, self._person_lines(message))
            return
        rendered = self._render(message.blocks, message.text)
        lines = rendered.lines + self._file_lines(message.files)
        with self._lock:
            self._shown[(message.channel, message.ts)] = lines
            self._offer_from(message.channel, message.ts, message.thread_ts, rendered)
            self._write(heading, lines)

    def _updated(self, message: Message) -> None:
        rendered = self._render(message.blocks, message.text)
        lines = rendered.lines + self._file_lines(message.files)
        with self._lock:
            before = self._shown.get((message.channel, message.ts), [])
            self._shown[(message.channel, message.ts)] = lines
            self._offer_from(message.channel, message.ts, message.thread_ts, rendered)
            fresh = [line for line in lines if line not in before]
            if fresh:
                where = self._where_message(message.channel, message)
                self._write(f"{self._stamp()}  {self._author(message)} edited a message · {where}", fresh)

    def _deleted(self, message: Message) -> None:
        with self._lock:
            if self._offer is not None and (self._offer.channel, self._offer.ts) == (message.channel, message.ts):
                self._offer = None
            where = self._where_message(message.channel, message)
            self._write(f"{self._stamp()}  {self._author(message)} deleted a message · {where}", [])

    def _ephemeral(self, ephemeral: Ephemeral) -> None:
        rendered = self._render(ephemeral.blocks, ephemeral.text)
        where = self.where(ephemeral.channel, ephemeral.thread_ts)
        with self._lock:
            self._offer_from(ephemeral.channel, ephemeral.ts, ephemeral.thread_ts, rendered)
            self._write(f"{self._stamp()}  {self._bot} · {where} (only you can see this)", rendered.lines)

    def _view(self, view: View) -> None:
        title = mrkdwn(str((view.payload.get("title") or {}).get("text", "")), self._names)
        rendered = self._render(list(view.blocks), "")
        self._write(f"{self._stamp()}  {self._bot} opened a window: {title or view.type}", rendered.lines)

    # -- helpers -----------------------------------------------------------------------------------

    def _render(self, blocks: tuple[JSON, ...] | list[JSON], text: str) -> Rendered:
        return render_message(list(blocks), text, self._names, numbered=self._numbered)

    def _offer_from(self, channel: str, ts: str, thread_ts: str | None, rendered: Rendered) -> None:
        """A message with choices becomes the one numbers pick from; one that lost its choices stops being it."""
        if rendered.choices:
            self._offer = Offer(channel, ts, thread_ts, tuple(rendered.choices))
        elif self._offer is not None and (self._offer.channel, self._offer.ts) == (channel, ts):
            self._offer = None

    def _author(self, message: Message) -> str:
        return self._bot if message.from_bot else self._names.person(message.user)

    def _where_message(self, channel: str | None, message: Message | None) -> str:
        if channel is None:
            return "a direct message"
        thread = message.thread_ts if message is not None and message.is_reply else None
        return self.where(channel, thread)

    def _person_lines(self, message: Message) -> list[str]:
        lines = [mrkdwn(message.text, self._names)] if message.text else []
        return lines + [f"attached {file.get('name', 'a file')} ({_size(file)})" for file in message.files]

    def _file_lines(self, files: tuple[JSON, ...]) -> list[str]:
        return [f"📎 {file.get('title') or file.get('name')} ({file.get('name')}, {_size(file)})" for file in files]

    def _stamp(self) -> str:
        seconds = int(self._clock() - self._started)
        return f"{seconds // 60:02d}:{seconds % 60:02d}"

    def _write(self, heading: str, lines: list[str]) -> None:
        """One entry and a blank line; with a prompt showing, the entry replaces it and the prompt follows."""
        with self._lock:
            text = "\n".join([heading, *(INDENT + line for line in lines)]) + "\n\n"
            if self._prompt:
                text = "\r\033[K" + text + self._prompt
            self._out.write(text)
            self._out.flush()


def _size(file: JSON) -> str:
    size = file.get("size")
    if not isinstance(size, int):
        return "size unknown"
    return f"{size} bytes" if size < 1024 else f"{size / 1024:.1f} KB"
