"""What a person can see in the sandbox: surfaces with buttons, what they typed there, open modals."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from bot.sandbox.emulator import SlackEmulator
from bot.sandbox.records import JSON, Ephemeral, Message, View


@dataclass(frozen=True)
class Surface:
    """Somewhere a person sees blocks: a bot message, an ephemeral, or a view (modal or Home tab)."""

    kind: Literal["message", "ephemeral", "view"]
    record: Message | Ephemeral | View
    recency: float
    channel: str | None = None
    ts: str | None = None
    thread_ts: str | None = None

    @classmethod
    def of(cls, record: Message | Ephemeral | View) -> Surface:
        """The surface showing ``record``."""
        if isinstance(record, View):
            return cls("view", record, float(record.updated_ts))
        recency = float(record.last_activity if isinstance(record, Message) else record.ts)
        kind: Literal["message", "ephemeral"] = "message" if isinstance(record, Message) else "ephemeral"
        return cls(kind, record, recency, record.channel, record.ts, record.thread_ts)

    @property
    def blocks(self) -> list[JSON]:
        """The blocks on show, including those inside legacy attachments."""
        record = self.record
        blocks = list(record.blocks)
        if not isinstance(record, View):
            blocks += [block for att in record.attachments for block in att.get("blocks") or []]
        return blocks


def newest_first(records: Iterable[Message | Ephemeral | View]) -> list[Surface]:
    """Surfaces ordered as a person scans them: most recently changed first."""
    return sorted((Surface.of(record) for record in records), key=lambda s: s.recency, reverse=True)


def visible_surfaces(
    emulator: SlackEmulator, user: str, channel: str, thread_ts: str | None, message_ts: str | None
) -> tuple[list[Surface], str]:
    """What the person sees where they look, newest first, and a phrase naming the place.

    The bot's messages and the person's ephemerals in the channel (or one thread, or one
    message), plus, when looking at the whole channel, their top modal and Home tab.
    """
    messages = [m for m in emulator.all_messages(channel) if m.from_bot]
    shown: list[Message | Ephemeral] = [*messages, *emulator.ephemerals(channel, user)]
    if message_ts is not None:
        found = [r for r in shown if r.ts == message_ts]
        return newest_first(found), f"on message {message_ts} in {channel}"
    if thread_ts is not None:
        found = [r for r in shown if thread_ts in {r.ts, r.thread_ts}]
        return newest_first(found), f"in thread {thread_ts} of {channel}"
    return newest_first([*shown, *emulator.visible_views(user)]), f"in {channel} or an open view"


def open_modal(emulator: SlackEmulator, view: str) -> View:
    """An open modal by view ID, or the newest open one with that ``callback_id``."""
    by_id = emulator.view(view)
    candidates = [by_id] if by_id else [v for v in reversed(emulator.views()) if v.callback_id == view]
    for candidate in candidates:
        if candidate.is_open and candidate.type == "modal":
            return candidate
    open_ = [f"{v.id} ({v.callback_id})" for v in emulator.views() if v.is_open and v.type == "modal"]
    raise LookupError(f"no open modal {view!r}; open modals: {', '.join(open_) or '(none)'}")


def thread_parent(emulator: SlackEmulator, channel: str, thread_ts: str | None) -> Message | None:
    """The parent of the thread a person replies in; replying under a reply means under its parent."""
    if thread_ts is None:
        return None
    parent = emulator.message(channel, thread_ts)
    if parent is None:
        raise LookupError(f"no message {thread_ts} in {channel} to reply under")
    if parent.is_reply and parent.thread_ts:
        return emulator.message(channel, parent.thread_ts)
    return parent


class InputState:
    """What the person entered on each message or view; Slack sends it back as ``state.values``."""

    def __init__(self) -> None:
        self._values: dict[str, JSON] = {}

    def of(self, surface: Surface) -> JSON:
        """The live ``{block_id: {action_id: entry}}`` of one surface."""
        return self._values.setdefault(self._key(surface), {})

    def remember(self, surface: Surface, block_id: str, action_id: str, entry: JSON) -> None:
        """Keep one element's entry."""
        self.of(surface).setdefault(block_id, {})[action_id] = entry

    def ticked(self, surface: Surface, block_id: str, action_id: str) -> list[Any]:
        """The option values already ticked in a multi-choice element."""
        entry = self.of(surface).get(block_id, {}).get(action_id, {})
        return [option.get("value") for option in entry.get("selected_options", [])]

    @staticmethod
    def _key(surface: Surface) -> str:
        """Input state belongs to one view, or one message in one channel."""
        if isinstance(surface.record, View):
            return f"view:{surface.record.id}"
        return f"{surface.kind}:{surface.channel}:{surface.ts}"
