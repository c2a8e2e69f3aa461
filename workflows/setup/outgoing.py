"""One message the bot owes a conversation's thread, as kept in its outbox until Slack takes it."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from workflows.messages import Attachment, Message


class OutgoingKind(StrEnum):
    """What delivering an entry does in Slack."""

    #: Post a message in the thread (tagged with the entry's id, so a re-drive finds it instead of doubling it).
    POST = "post"
    #: Edit a message already posted (``ts``) in place.
    EDIT = "edit"
    #: Upload a file into the thread.
    ATTACH = "attach"


class Outgoing(BaseModel):
    """An outbox entry: saved with the state that owes it, removed once Slack accepted it."""

    model_config = ConfigDict(frozen=True, ser_json_bytes="base64", val_json_bytes="base64")

    #: Unique within the conversation; posts carry it so a re-driven post finds the first one.
    id: str
    kind: OutgoingKind
    message: Message | None = None
    attachment: Attachment | None = None
    #: A name later replies use to edit this message in place (a check's progress, then its verdict).
    slot: str | None = None
    #: The message an EDIT replaces.
    ts: str | None = None
    #: Failed deliveries so far; each one delays the next try a little more.
    tries: int = 0
