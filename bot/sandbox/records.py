"""What the emulator records: frozen snapshots of workspace state, API calls and user interactions."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any, TypeAlias

JSON: TypeAlias = dict[str, Any]


@dataclass(frozen=True)
class Workspace:
    """Who is who in the sandbox: the team, the app and its bot user."""

    team_id: str = "T0SANDBOX01"
    team_domain: str = "sandbox"
    team_name: str = "Sandbox"
    bot_token: str = "xoxb-sandbox-token"
    bot_user_id: str = "U0FINETUNE"
    bot_id: str = "B0FINETUNE"
    bot_name: str = "finetune-bot"
    app_id: str = "A0FINETUNE"
    #: Set for a workspace of an Enterprise Grid org.
    enterprise_id: str | None = None


@dataclass(frozen=True)
class Channel:
    """A conversation the bot can see; ``is_im`` marks a direct message with one user."""

    id: str
    name: str
    created: int
    is_private: bool = False
    is_im: bool = False

    def as_slack(self) -> JSON:
        """The ``channel`` object of ``conversations.info``."""
        return {
            "id": self.id,
            "name": self.name,
            "created": self.created,
            "is_channel": not self.is_im and not self.is_private,
            "is_group": self.is_private,
            "is_im": self.is_im,
            "is_private": self.is_private or self.is_im,
            "is_archived": False,
            "is_member": True,
            "topic": {"value": "", "creator": "", "last_set": 0},
            "purpose": {"value": "", "creator": "", "last_set": 0},
        }


@dataclass(frozen=True)
class User:
    """A member of the workspace, a person or the bot."""

    id: str
    team_id: str
    name: str
    real_name: str
    is_bot: bool = False

    def as_slack(self) -> JSON:
        """The ``user`` object of ``users.info``."""
        return {
            "id": self.id,
            "team_id": self.team_id,
            "name": self.name,
            "real_name": self.real_name,
            "deleted": False,
            "is_bot": self.is_bot,
            "is_admin": False,
            "tz": "Europe/London",
            "profile": {"real_name": self.real_name, "display_name": self.name, "team": self.team_id},
        }


@dataclass(frozen=True)
class Message:
    """A channel or thread message as it stands now (after edits); ``bot_id`` is set for the bot's."""

    channel: str
    ts: str
    user: str
    team: str
    text: str = ""
    blocks: tuple[JSON, ...] = ()
    attachments: tuple[JSON, ...] = ()
    thread_ts: str | None = None
    bot_id: str | None = None
    app_id: str | None = None
    subtype: str | None = None
    files: tuple[JSON, ...] = ()
    client_msg_id: str | None = None
    edited_ts: str | None = None
    metadata: JSON | None = None

    @property
    def from_bot(self) -> bool:
        """Whether the bot posted it (as opposed to a person through the driver)."""
        return self.bot_id is not None

    @property
    def is_reply(self) -> bool:
        """Whether it lives inside a thread rather than at the top of the channel."""
        return self.thread_ts is not None and self.thread_ts != self.ts

    @property
    def last_activity(self) -> str:
        """The ``ts`` of the last change, so an edited message counts as recent."""
        return self.edited_ts or self.ts

    def as_slack(self) -> JSON:
        """The message object Slack returns from the Web API and puts in interaction payloads."""
        out: JSON = {"type": "message", "ts": self.ts, "user": self.user, "team": self.team, "text": self.text}
        optional: JSON = {
            "blocks": copy.deepcopy(list(self.blocks)) or None,
            "attachments": copy.deepcopy(list(self.attachments)) or None,
            "thread_ts": self.thread_ts,
            "bot_id": self.bot_id,
            "app_id": self.app_id,
            "subtype": self.subtype,
            "files": copy.deepcopy(list(self.files)) or None,
            "client_msg_id": self.client_msg_id,
            "metadata": copy.deepcopy(self.metadata),
            "edited": {"user": self.user, "ts": self.edited_ts} if self.edited_ts else None,
        }
        out.update({key: value for key, value in optional.items() if value is not None})
        return out


@dataclass(frozen=True)
class Ephemeral:
    """A message only ``user`` sees: from ``chat.postEphemeral``, a ``response_url`` or a command's ack."""

    channel: str
    user: str
    ts: str
    text: str = ""
    blocks: tuple[JSON, ...] = ()
    attachments: tuple[JSON, ...] = ()
    thread_ts: str | None = None
    source: str = "chat.postEphemeral"

    def as_slack(self) -> JSON:
        """The message shape, for code that handles ephemerals and messages alike."""
        out: JSON = {"type": "message", "ts": self.ts, "text": self.text, "blocks": list(self.blocks)}
        if self.thread_ts:
            out["thread_ts"] = self.thread_ts
        return out


@dataclass(frozen=True)
class View:
    """A modal or App Home view as it stands now; ``is_open`` turns false when it is closed."""

    id: str
    hash: str
    user: str
    team_id: str
    app_id: str
    bot_id: str
    payload: JSON
    updated_ts: str
    root_view_id: str
    previous_view_id: str | None = None
    is_open: bool = True

    @property
    def type(self) -> str:
        """``modal`` or ``home``."""
        return str(self.payload.get("type", ""))

    @property
    def callback_id(self) -> str:
        """The app's name for the view, used to route its submission."""
        return str(self.payload.get("callback_id", ""))

    @property
    def external_id(self) -> str:
        """The app's own unique key for the view, if it set one."""
        return str(self.payload.get("external_id", ""))

    @property
    def blocks(self) -> tuple[JSON, ...]:
        """The view's blocks."""
        return tuple(self.payload.get("blocks", ()))

    def as_slack(self, state: JSON | None = None) -> JSON:
        """The full view object Slack returns and embeds in payloads, with optional input ``state``."""
        out: JSON = {
            "callback_id": "",
            "private_metadata": "",
            "external_id": "",
            "clear_on_close": False,
            "notify_on_close": False,
            **copy.deepcopy(self.payload),
        }
        out.update(
            id=self.id,
            team_id=self.team_id,
            hash=self.hash,
            state={"values": copy.deepcopy(state or {})},
            root_view_id=self.root_view_id,
            previous_view_id=self.previous_view_id,
            app_id=self.app_id,
            app_installed_team_id=self.team_id,
            bot_id=self.bot_id,
        )
        return out


@dataclass(frozen=True)
class StoredFile:
    """A file in the workspace and its bytes; ``info`` is the Slack file object."""

    id: str
    info: JSON
    content: bytes
    uploaded_by_bot: bool = False


@dataclass(frozen=True)
class UploadedFile:
    """A file the bot uploaded with the external-upload flow, and where it shared it."""

    id: str
    name: str
    title: str
    content: bytes
    channel: str | None
    thread_ts: str | None
    initial_comment: str
    info: JSON


@dataclass(frozen=True)
class Reaction:
    """An emoji reaction the bot added to a message."""

    channel: str
    ts: str
    name: str
    user: str
