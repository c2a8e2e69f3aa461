"""What the emulator announces: API calls, ``response_url`` posts, interactions, and every change as an event."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import TypeAlias

from bot.sandbox.records import JSON, Ephemeral, Message, Reaction, UploadedFile, View


@dataclass(frozen=True)
class ResponsePost:
    """One POST to a ``response_url``; its effect on messages is applied separately."""

    url: str
    time: float
    payload: JSON
    status: int
    error: str | None = None

    @property
    def response_type(self) -> str:
        """``ephemeral`` (the default) or ``in_channel``."""
        return str(self.payload.get("response_type") or "ephemeral")

    @property
    def replace_original(self) -> bool:
        """Whether the post replaces the message the interaction came from."""
        return _truthy(self.payload.get("replace_original"))

    @property
    def delete_original(self) -> bool:
        """Whether the post deletes the message the interaction came from."""
        return _truthy(self.payload.get("delete_original"))

    @property
    def thread_ts(self) -> str | None:
        """The thread an ``in_channel`` response goes to, if any."""
        value = self.payload.get("thread_ts")
        return str(value) if value else None


@dataclass(frozen=True)
class Call:
    """One Web API request: what was asked (token removed) and how the emulator answered."""

    method: str
    params: JSON
    time: float
    status: int
    ok: bool
    error: str | None = None
    rate_limited: bool = False


@dataclass(frozen=True)
class Interaction:
    """Something a person did that leaves no message behind: a command, a click, a submission."""

    kind: str
    user: str
    label: str
    channel: str | None = None
    thread_ts: str | None = None


class EventKind(StrEnum):
    """What changed in the sandbox; every recorded change is announced to subscribers with one of these."""

    #: A Web API request was answered (any method, any outcome).
    API_CALL = "api_call"
    #: A message appeared in a channel or thread (the bot's or a person's).
    MESSAGE_POSTED = "message_posted"
    #: A message was edited (``chat.update`` or ``replace_original``).
    MESSAGE_UPDATED = "message_updated"
    #: A message was deleted (``chat.delete`` or ``delete_original``).
    MESSAGE_DELETED = "message_deleted"
    #: An ephemeral message was shown to one person.
    EPHEMERAL_POSTED = "ephemeral_posted"
    #: An ephemeral message was replaced in place.
    EPHEMERAL_UPDATED = "ephemeral_updated"
    #: An ephemeral message was removed.
    EPHEMERAL_DELETED = "ephemeral_deleted"
    #: A modal was opened, pushed, updated or closed, or a Home tab was published.
    VIEW_OPENED = "view_opened"
    VIEW_PUSHED = "view_pushed"
    VIEW_UPDATED = "view_updated"
    VIEW_PUBLISHED = "view_published"
    VIEW_CLOSED = "view_closed"
    #: The bot finished an external upload.
    FILE_UPLOADED = "file_uploaded"
    #: The bot reacted to a message.
    REACTION_ADDED = "reaction_added"
    #: Something was POSTed to a ``response_url``.
    RESPONSE_POSTED = "response_posted"
    #: A person ran a command, clicked, chose or submitted.
    INTERACTION = "interaction"


Record: TypeAlias = Message | Ephemeral | View | UploadedFile | Reaction | ResponsePost | Call | Interaction


@dataclass(frozen=True)
class SandboxEvent:
    """One recorded change, in the order the emulator applied it."""

    seq: int
    kind: EventKind
    record: Record
    time: float = field(default=0.0)


def _truthy(value: object) -> bool:
    """Slack flags arrive as JSON booleans or as ``"true"``/``"1"`` strings in form bodies."""
    if isinstance(value, str):
        return value.lower() in {"true", "1"}
    return bool(value)
