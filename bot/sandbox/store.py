"""Channels, people, messages, ephemerals and reactions: the conversation state of the sandbox."""

from __future__ import annotations

import dataclasses
import time
from typing import Any

from bot.sandbox.events import EventKind, Interaction
from bot.sandbox.ids import TsClock
from bot.sandbox.recorder import Recorder
from bot.sandbox.records import JSON, Channel, Ephemeral, Message, Reaction, User, Workspace


class ConversationStore:
    """The workspace's conversations as they stand, with every change announced through the recorder.

    Channels and people form a registry: posting to an unknown channel fails with
    ``channel_not_found`` as it does on Slack, and the driver registers whatever it acts in.
    """

    def __init__(self, workspace: Workspace, recorder: Recorder, clock: TsClock) -> None:
        self.workspace = workspace
        self._recorder = recorder
        self._clock = clock
        self._channels: dict[str, Channel] = {}
        self._users: dict[str, User] = {}
        #: User groups (``S…``) and their members, for ``usergroups.users.list``.
        self._usergroups: dict[str, tuple[str, ...]] = {}
        self._messages: dict[str, dict[str, Message]] = {}
        self._ephemerals: dict[str, dict[str, Ephemeral]] = {}
        self._reactions: list[Reaction] = []
        self._interactions: list[Interaction] = []
        self.add_user(workspace.bot_user_id, workspace.bot_name, is_bot=True)

    # -- registry --------------------------------------------------------------------------------

    def add_channel(self, channel_id: str, name: str | None = None, *, is_private: bool = False) -> Channel:
        """Register a channel (idempotent: an existing one is returned unchanged)."""
        with self._recorder.lock:
            if channel_id not in self._channels:
                self._channels[channel_id] = Channel(
                    id=channel_id,
                    name=name or channel_id.lower(),
                    created=int(time.time()),
                    is_private=is_private,
                    is_im=channel_id.startswith("D"),
                )
            return self._channels[channel_id]

    def channel(self, channel_id: str) -> Channel | None:
        """The channel with that ID, if registered."""
        with self._recorder.lock:
            return self._channels.get(channel_id)

    def resolve_channel(self, channel: str) -> Channel | None:
        """The channel a post goes to; a user ID means the bot's direct message with that person."""
        with self._recorder.lock:
            if channel[:1] in {"U", "W"} and channel in self._users:
                return self.add_channel("D" + channel[1:], name=channel)
            return self._channels.get(channel)

    def add_user(self, user_id: str, name: str | None = None, *, is_bot: bool = False) -> User:
        """Register a person (idempotent); the name defaults to a readable form of the ID."""
        with self._recorder.lock:
            if user_id not in self._users:
                handle = name or user_id.lower()
                self._users[user_id] = User(
                    id=user_id,
                    team_id=self.workspace.team_id,
                    name=handle,
                    real_name=handle.replace(".", " ").title(),
                    is_bot=is_bot,
                )
            return self._users[user_id]

    def user(self, user_id: str) -> User | None:
        """The person with that ID, if registered."""
        with self._recorder.lock:
            return self._users.get(user_id)

    def set_usergroup(self, group_id: str, users: tuple[str, ...]) -> None:
        """Create a user group or replace its members (each registered as a person)."""
        for user in users:
            self.add_user(user)
        with self._recorder.lock:
            self._usergroups[group_id] = users

    def usergroup(self, group_id: str) -> tuple[str, ...] | None:
        """The group's members, or None when there is no such group."""
        with self._recorder.lock:
            return self._usergroups.get(group_id)

    # -- messages --------------------------------------------------------------------------------

    def post(self, message: Message) -> Message:
        """Store a new message; its ``ts`` must come from the sandbox clock."""
        with self._recorder.lock:
            self._messages.setdefault(message.channel, {})[message.ts] = message
            self._recorder.emit(EventKind.MESSAGE_POSTED, message)
            return message

    def post_as_bot(
        self,
        channel: str,
        *,
        text: str = "",
        blocks: list[JSON] | None = None,
        attachments: list[JSON] | None = None,
        thread_ts: str | None = None,
        **extra: Any,
    ) -> Message:
        """Post a message from the bot user, shaped as Slack shows bot messages."""
        workspace = self.workspace
        return self.post(
            Message(
                channel=channel,
                ts=self._clock.next(),
                user=workspace.bot_user_id,
                team=workspace.team_id,
                text=text,
                blocks=tuple(blocks or ()),
                attachments=tuple(attachments or ()),
                thread_ts=thread_ts,
                bot_id=workspace.bot_id,
                app_id=workspace.app_id,
                **extra,
            )
        )

    def user_message(
        self,
        channel: str,
        user: str,
        *,
        text: str = "",
        thread_ts: str | None = None,
        files: list[JSON] | None = None,
        client_msg_id: str | None = None,
    ) -> Message:
        """A message from a person (typed or a file share), stamped but not yet posted."""
        return Message(
            channel=channel,
            ts=self._clock.next(),
            user=user,
            team=self.workspace.team_id,
            text=text,
            thread_ts=thread_ts,
            subtype="file_share" if files else None,
            files=tuple(files or ()),
            client_msg_id=client_msg_id,
        )

    def new_ts(self) -> str:
        """The next timestamp, shared by messages, ephemerals and views so they order together."""
        return self._clock.next()

    def replace(self, channel: str, ts: str, **changes: Any) -> Message:
        """Edit a message in place and stamp it as edited; ``KeyError`` when it does not exist."""
        with self._recorder.lock:
            current = self._messages.get(channel, {})[ts]
            updated = dataclasses.replace(current, edited_ts=self._clock.next(), **changes)
            self._messages[channel][ts] = updated
            self._recorder.emit(EventKind.MESSAGE_UPDATED, updated)
            return updated

    def delete(self, channel: str, ts: str) -> Message:
        """Remove a message; ``KeyError`` when it does not exist."""
        with self._recorder.lock:
            removed = self._messages.get(channel, {}).pop(ts)
            self._recorder.emit(EventKind.MESSAGE_DELETED, removed)
            return removed

    def message(self, channel: str, ts: str) -> Message | None:
        """One message by channel and ``ts``."""
        with self._recorder.lock:
            return self._messages.get(channel, {}).get(ts)

    def messages(self, channel: str, thread_ts: str | None = None) -> list[Message]:
        """Top-level messages of a channel, or with ``thread_ts`` the replies in that thread; oldest first.

        A reply sent with ``reply_broadcast`` (subtype ``thread_broadcast``) shows in both.
        """
        with self._recorder.lock:
            found = sorted(self._messages.get(channel, {}).values(), key=lambda m: float(m.ts))
        if thread_ts is None:
            return [m for m in found if not m.is_reply or m.subtype == "thread_broadcast"]
        return [m for m in found if m.is_reply and m.thread_ts == thread_ts]

    def all_messages(self, channel: str) -> list[Message]:
        """Every message in a channel, thread replies included, oldest first."""
        with self._recorder.lock:
            return sorted(self._messages.get(channel, {}).values(), key=lambda m: float(m.ts))

    # -- ephemerals ------------------------------------------------------------------------------

    def post_ephemeral(self, ephemeral: Ephemeral) -> Ephemeral:
        """Show a message to one person."""
        with self._recorder.lock:
            self._ephemerals.setdefault(ephemeral.channel, {})[ephemeral.ts] = ephemeral
            self._recorder.emit(EventKind.EPHEMERAL_POSTED, ephemeral)
            return ephemeral

    def replace_ephemeral(self, channel: str, ts: str, **changes: Any) -> Ephemeral:
        """Replace an ephemeral in place (``replace_original`` on its ``response_url``)."""
        with self._recorder.lock:
            current = self._ephemerals.get(channel, {})[ts]
            updated = dataclasses.replace(current, **changes)
            self._ephemerals[channel][ts] = updated
            self._recorder.emit(EventKind.EPHEMERAL_UPDATED, updated)
            return updated

    def delete_ephemeral(self, channel: str, ts: str) -> Ephemeral:
        """Remove an ephemeral (``delete_original`` on its ``response_url``)."""
        with self._recorder.lock:
            removed = self._ephemerals.get(channel, {}).pop(ts)
            self._recorder.emit(EventKind.EPHEMERAL_DELETED, removed)
            return removed

    def ephemeral(self, channel: str, ts: str) -> Ephemeral | None:
        """One ephemeral by channel and ``ts``."""
        with self._recorder.lock:
            return self._ephemerals.get(channel, {}).get(ts)

    def ephemerals(self, channel: str, user: str | None = None) -> list[Ephemeral]:
        """Ephemerals in a channel (threads included), optionally only those one person sees."""
        with self._recorder.lock:
            found = sorted(self._ephemerals.get(channel, {}).values(), key=lambda e: float(e.ts))
        return [e for e in found if user is None or e.user == user]

    # -- reactions and interactions --------------------------------------------------------------

    def add_reaction(self, reaction: Reaction) -> bool:
        """Record a reaction; ``False`` when that user already reacted with that emoji."""
        with self._recorder.lock:
            if reaction in self._reactions:
                return False
            self._reactions.append(reaction)
            self._recorder.emit(EventKind.REACTION_ADDED, reaction)
            return True

    def reactions(self, channel: str | None = None, ts: str | None = None) -> list[Reaction]:
        """Reactions, optionally on one channel or one message."""
        with self._recorder.lock:
            return [
                r for r in self._reactions if (channel is None or r.channel == channel) and (ts is None or r.ts == ts)
            ]

    def record_interaction(self, interaction: Interaction) -> Interaction:
        """Note a command, click or submission so a transcript can show what the person did."""
        with self._recorder.lock:
            self._interactions.append(interaction)
            self._recorder.emit(EventKind.INTERACTION, interaction)
            return interaction

    def interactions(self) -> list[Interaction]:
        """Everything people did through the driver, oldest first."""
        with self._recorder.lock:
            return list(self._interactions)
