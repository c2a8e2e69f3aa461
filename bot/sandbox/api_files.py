"""The ``files.*`` methods: file details, and the upload-URL flow behind ``files_upload_v2``."""

from __future__ import annotations

import json
from collections.abc import Callable

from bot.sandbox.api_chat import channel_of
from bot.sandbox.params import ApiError, Params
from bot.sandbox.records import JSON, Channel, StoredFile
from bot.sandbox.state import SandboxState


def info(state: SandboxState, params: Params) -> JSON:
    """``files.info``: the file object, for a file someone attached or the bot uploaded."""
    stored = state.files.file(params.require("file", "file_not_found"))
    if stored is None:
        raise ApiError("file_not_found")
    return {"ok": True, "file": stored.info, "comments": [], "response_metadata": {"next_cursor": ""}}


def get_upload_url(state: SandboxState, params: Params) -> JSON:
    """``files.getUploadURLExternal``: reserve a file ID and a URL to POST the bytes to."""
    filename = params.require("filename")
    length = params.require("length")
    if not length.isdigit():
        raise ApiError("invalid_arguments", ["[ERROR] length must be a non-negative integer"])
    file_id, upload_id = state.files.start_upload(filename, int(length))
    return {"ok": True, "upload_url": f"{state.files.base_url}upload/v1/{upload_id}", "file_id": file_id}


def complete_upload(state: SandboxState, params: Params) -> JSON:
    """``files.completeUploadExternal``: turn uploads into files and share them, in a thread if asked."""
    requested = _requested_files(params)
    channels = _target_channels(state, params)
    thread_ts = params.text("thread_ts")
    if thread_ts is not None and any(state.conversations.message(c.id, thread_ts) is None for c in channels):
        raise ApiError("thread_not_found")
    completed: list[StoredFile] = []
    for item in requested:
        stored = state.files.complete(str(item.get("id", "")), item.get("title"), user=state.workspace.bot_user_id)
        if stored is None:
            raise ApiError("file_not_found")
        completed.append(stored)
    comment = params.text("initial_comment") or ""
    for channel in channels:
        message = state.conversations.post_as_bot(
            channel.id,
            text=comment,
            thread_ts=thread_ts,
            subtype="file_share",
            files=tuple(stored.info for stored in completed),
        )
        completed = [state.files.share(s.id, channel.id, message.ts, thread_ts) for s in completed]
    for stored in completed:
        state.files.record_upload(
            stored, channel=channels[0].id if channels else None, thread_ts=thread_ts, comment=comment
        )
    return {"ok": True, "files": [stored.info for stored in completed]}


def _requested_files(params: Params) -> list[JSON]:
    """The ``files`` argument: a JSON list of ``{"id", "title"}`` objects."""
    raw = params.require("files")
    try:
        requested = json.loads(raw)
    except ValueError as exc:
        raise ApiError("invalid_arguments", ["[ERROR] files must be a JSON array"]) from exc
    if not isinstance(requested, list) or not requested or not all(isinstance(f, dict) for f in requested):
        raise ApiError("invalid_arguments", ["[ERROR] files must be a non-empty JSON array of objects"])
    return requested


def _target_channels(state: SandboxState, params: Params) -> list[Channel]:
    """Where to share: ``channel_id``, or the comma-separated ``channels``, or nowhere (kept private)."""
    names = [params.text("channel_id")] if params.text("channel_id") else []
    names += [name.strip() for name in (params.text("channels") or "").split(",") if name.strip()]
    return [channel_of(state, Params({"channel": name})) for name in names]


METHODS: dict[str, Callable[[SandboxState, Params], JSON]] = {
    "files.info": info,
    "files.getUploadURLExternal": get_upload_url,
    "files.completeUploadExternal": complete_upload,
}
