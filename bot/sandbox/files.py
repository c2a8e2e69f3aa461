"""Files in the sandbox workspace: ones people attach, and ones the bot uploads through upload URLs."""

from __future__ import annotations

import copy
import dataclasses
import mimetypes
import time
from urllib.parse import quote

from bot.sandbox import ids
from bot.sandbox.events import EventKind
from bot.sandbox.recorder import Recorder
from bot.sandbox.records import JSON, StoredFile, UploadedFile, Workspace


class FileStore:
    """File objects and their bytes, plus the pending uploads of the external-upload flow.

    ``base_url`` is the emulator's address; file URLs point back at it so downloads go through
    the same token check Slack applies.
    """

    def __init__(self, workspace: Workspace, recorder: Recorder) -> None:
        self.workspace = workspace
        self.base_url = ""
        self._recorder = recorder
        self._files: dict[str, StoredFile] = {}
        self._pending: dict[str, tuple[str, str, int]] = {}
        self._received: dict[str, bytes] = {}
        self._uploads: list[UploadedFile] = []
        self._redirects: dict[str, str] = {}

    def register(
        self,
        name: str,
        content: bytes,
        *,
        user: str,
        filetype: str = "jsonl",
        mimetype: str | None = None,
        title: str | None = None,
        by_bot: bool = False,
        size: int | None = None,
    ) -> StoredFile:
        """Store a file and build the Slack file object that describes it (``size`` overrides its length)."""
        if not self.base_url:
            raise RuntimeError("start the emulator before registering files: file URLs point at it")
        file_id = ids.slack_id("F")
        stored = StoredFile(
            id=file_id,
            info=self._file_object(
                file_id, name, len(content) if size is None else size, user, filetype, mimetype, title or name
            ),
            content=content,
            uploaded_by_bot=by_bot,
        )
        with self._recorder.lock:
            self._files[file_id] = stored
        return stored

    def redirect(self, file_id: str, location: str) -> None:
        """Answer downloads of ``file_id`` with a 302 to ``location`` (a CDN, or a hostile host in tests)."""
        with self._recorder.lock:
            self._redirects[file_id] = location

    def redirect_of(self, file_id: str) -> str | None:
        """Where downloads of ``file_id`` are redirected, if anywhere."""
        with self._recorder.lock:
            return self._redirects.get(file_id)

    def file(self, file_id: str) -> StoredFile | None:
        """A stored file by ID."""
        with self._recorder.lock:
            return self._files.get(file_id)

    def start_upload(self, filename: str, length: int) -> tuple[str, str]:
        """Reserve a file ID and an upload ID for ``files.getUploadURLExternal``."""
        upload_id = ids.slack_id("", 24)
        file_id = ids.slack_id("F")
        with self._recorder.lock:
            self._pending[file_id] = (upload_id, filename, length)
        return file_id, upload_id

    def receive(self, upload_id: str, content: bytes) -> bool:
        """Accept the bytes POSTed to an upload URL; ``False`` for an upload ID never handed out."""
        with self._recorder.lock:
            if not any(pending[0] == upload_id for pending in self._pending.values()):
                return False
            self._received[upload_id] = content
            return True

    def complete(self, file_id: str, title: str | None, *, user: str) -> StoredFile | None:
        """Turn a finished upload into a file; ``None`` if unknown or its bytes never arrived."""
        with self._recorder.lock:
            pending = self._pending.get(file_id)
            if pending is None or pending[0] not in self._received:
                return None
            upload_id, filename, _ = self._pending.pop(file_id)
            content = self._received.pop(upload_id)
            filetype = filename.rsplit(".", 1)[-1].lower() if "." in filename else "binary"
            info = self._file_object(file_id, filename, len(content), user, filetype, None, title or filename)
            stored = StoredFile(id=file_id, info=info, content=content, uploaded_by_bot=True)
            self._files[file_id] = stored
            return stored

    def share(self, file_id: str, channel: str, ts: str, thread_ts: str | None) -> StoredFile:
        """Record that a file was shared into a channel (and thread) by the message at ``ts``."""
        with self._recorder.lock:
            stored = self._files[file_id]
            info = copy.deepcopy(stored.info)
            info["channels"] = sorted({*info["channels"], channel})
            share: JSON = {"ts": ts, "team_id": self.workspace.team_id}
            if thread_ts:
                share["thread_ts"] = thread_ts
            info["shares"].setdefault("public", {}).setdefault(channel, []).append(share)
            stored = dataclasses.replace(stored, info=info)
            self._files[file_id] = stored
            return stored

    def record_upload(self, stored: StoredFile, *, channel: str | None, thread_ts: str | None, comment: str) -> None:
        """Announce a completed bot upload so tests and transcripts can read its bytes."""
        upload = UploadedFile(
            id=stored.id,
            name=str(stored.info["name"]),
            title=str(stored.info["title"]),
            content=stored.content,
            channel=channel,
            thread_ts=thread_ts,
            initial_comment=comment,
            info=copy.deepcopy(stored.info),
        )
        with self._recorder.lock:
            self._uploads.append(upload)
            self._recorder.emit(EventKind.FILE_UPLOADED, upload)

    def uploads(self) -> list[UploadedFile]:
        """Every upload the bot completed, oldest first."""
        with self._recorder.lock:
            return list(self._uploads)

    def _file_object(
        self,
        file_id: str,
        name: str,
        size: int,
        user: str,
        filetype: str,
        mimetype: str | None,
        title: str,
    ) -> JSON:
        """The Slack file object; URLs point at the emulator so downloads need the bot token."""
        now = int(time.time())
        path = f"{self.base_url}files-pri/{self.workspace.team_id}-{file_id}"
        return {
            "id": file_id,
            "created": now,
            "timestamp": now,
            "name": name,
            "title": title,
            "mimetype": mimetype or mimetypes.guess_type(name)[0] or "text/plain",
            "filetype": filetype,
            "pretty_type": filetype.upper(),
            "user": user,
            "user_team": self.workspace.team_id,
            "editable": False,
            "size": size,
            "mode": "hosted",
            "is_external": False,
            "external_type": "",
            "is_public": True,
            "public_url_shared": False,
            "display_as_bot": False,
            "url_private": f"{path}/{quote(name)}",
            "url_private_download": f"{path}/download/{quote(name)}",
            "permalink": f"https://{self.workspace.team_domain}.slack.com/files/{user}/{file_id}/{quote(name)}",
            "channels": [],
            "groups": [],
            "ims": [],
            "shares": {},
            "comments_count": 0,
        }
