"""The ``chat.*`` and ``reactions.add`` methods: messages the bot posts, edits, deletes, links and reacts to."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.sandbox import blockkit
from bot.sandbox.params import ApiError, Params
from bot.sandbox.records import JSON, Channel, Ephemeral, Message, Reaction
from bot.sandbox.state import SandboxState

#: Slack refuses message text longer than this with ``msg_too_long``.
MAX_TEXT = blockkit.MESSAGE_TEXT_LIMIT


def post_message(state: SandboxState, params: Params) -> JSON:
    """``chat.postMessage``: post as the bot, top-level or in a thread.

    Stricter than Slack in one way: a ``thread_ts`` that names no message in the channel is
    refused with ``thread_not_found`` instead of silently starting a new conversation.
    """
    channel = channel_of(state, params)
    content = _content(params)
    thread_ts = _thread_of(state, channel, params.text("thread_ts"))
    broadcast = thread_ts is not None and params.flag("reply_broadcast")
    message = state.conversations.post_as_bot(
        channel.id,
        thread_ts=thread_ts,
        subtype="thread_broadcast" if broadcast else None,
        metadata=params.obj("metadata"),
        **content,
    )
    return {"ok": True, "channel": channel.id, "ts": message.ts, "message": message.as_slack()}


def update(state: SandboxState, params: Params) -> JSON:
    """``chat.update``: edit one of the bot's own messages; absent fields keep their old value."""
    channel = channel_of(state, params)
    current = _own_message(state, channel, params, "cant_update_message")
    changes: dict[str, Any] = {}
    if "text" in params.values:
        changes["text"] = params.text("text") or ""
    if "blocks" in params.values:
        changes["blocks"] = tuple(_checked_blocks(params))
    if "attachments" in params.values:
        changes["attachments"] = tuple(params.blocks("attachments", "invalid_attachments") or ())
    merged = {"text": current.text, "blocks": current.blocks, "attachments": current.attachments, **changes}
    if not (merged["text"] or merged["blocks"] or merged["attachments"]):
        raise ApiError("no_text")
    if len(merged["text"]) > MAX_TEXT:
        raise ApiError("msg_too_long")
    updated = state.conversations.replace(channel.id, current.ts, **changes)
    return {"ok": True, "channel": channel.id, "ts": updated.ts, "text": updated.text, "message": updated.as_slack()}


def post_ephemeral(state: SandboxState, params: Params) -> JSON:
    """``chat.postEphemeral``: a message only one person sees."""
    channel = channel_of(state, params)
    user = params.require("user", "user_not_found")
    if state.conversations.user(user) is None:
        raise ApiError("user_not_found")
    content = _content(params)
    ephemeral = Ephemeral(
        channel=channel.id,
        user=user,
        ts=state.conversations.new_ts(),
        text=content["text"],
        blocks=tuple(content["blocks"]),
        attachments=tuple(content["attachments"]),
        thread_ts=params.text("thread_ts"),
    )
    state.conversations.post_ephemeral(ephemeral)
    return {"ok": True, "message_ts": ephemeral.ts}


def delete(state: SandboxState, params: Params) -> JSON:
    """``chat.delete``: remove one of the bot's own messages."""
    channel = channel_of(state, params)
    current = _own_message(state, channel, params, "cant_delete_message")
    state.conversations.delete(channel.id, current.ts)
    return {"ok": True, "channel": channel.id, "ts": current.ts}


def add_reaction(state: SandboxState, params: Params) -> JSON:
    """``reactions.add``: the bot reacts to a message with an emoji."""
    channel = channel_of(state, params)
    ts = params.require("timestamp", "message_not_found")
    name = params.require("name", "invalid_name").strip(":")
    if state.conversations.message(channel.id, ts) is None:
        raise ApiError("message_not_found")
    reaction = Reaction(channel=channel.id, ts=ts, name=name, user=state.workspace.bot_user_id)
    if not state.conversations.add_reaction(reaction):
        raise ApiError("already_reacted")
    return {"ok": True}


def permalink(state: SandboxState, params: Params) -> JSON:
    """``chat.getPermalink``: the link people follow to a message (a reply links into its thread)."""
    channel = channel_of(state, params)
    message = state.conversations.message(channel.id, params.require("message_ts", "message_not_found"))
    if message is None:
        raise ApiError("message_not_found")
    link = f"https://{state.workspace.team_domain}.slack.com/archives/{channel.id}/p{message.ts.replace('.', '')}"
    if message.is_reply:
        link += f"?thread_ts={message.thread_ts}&cid={channel.id}"
    return {"ok": True, "channel": channel.id, "permalink": link}


def channel_of(state: SandboxState, params: Params) -> Channel:
    """The registered channel named by ``channel``; ``channel_not_found`` otherwise."""
    channel = state.conversations.resolve_channel(params.require("channel", "channel_not_found"))
    if channel is None:
        raise ApiError("channel_not_found")
    return channel


def _content(params: Params) -> dict[str, Any]:
    """Text, blocks and attachments of a new message, checked as Slack checks them."""
    text = params.text("text") or ""
    blocks = _checked_blocks(params)
    attachments = params.blocks("attachments", "invalid_attachments") or []
    if not (text or blocks or attachments):
        raise ApiError("no_text")
    if len(text) > MAX_TEXT:
        raise ApiError("msg_too_long")
    return {"text": text, "blocks": blocks, "attachments": attachments}


def _checked_blocks(params: Params) -> list[JSON]:
    """The ``blocks`` argument, validated against Block Kit limits, with Slack's generated IDs filled in."""
    blocks = params.blocks() or []
    errors = blockkit.validate_blocks(blocks)
    if errors:
        raise ApiError("invalid_blocks", errors)
    return blockkit.fill_ids(blocks)


def _thread_of(state: SandboxState, channel: Channel, thread_ts: str | None) -> str | None:
    """The thread a reply belongs to; replying to a reply lands in the parent's thread, as on Slack."""
    if thread_ts is None:
        return None
    parent = state.conversations.message(channel.id, thread_ts)
    if parent is None:
        raise ApiError("thread_not_found")
    return parent.thread_ts if parent.is_reply else parent.ts


def _own_message(state: SandboxState, channel: Channel, params: Params, refusal: str) -> Message:
    """The message named by ``ts``, which must be the bot's own."""
    message = state.conversations.message(channel.id, params.require("ts", "message_not_found"))
    if message is None:
        raise ApiError("message_not_found")
    if message.bot_id != state.workspace.bot_id:
        raise ApiError(refusal)
    return message


METHODS: dict[str, Callable[[SandboxState, Params], JSON]] = {
    "chat.postMessage": post_message,
    "chat.update": update,
    "chat.postEphemeral": post_ephemeral,
    "chat.delete": delete,
    "chat.getPermalink": permalink,
    "reactions.add": add_reaction,
}
