"""``response_url``s: where commands and clicks let the bot answer, and what each answer does."""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from typing import Any

from bot.sandbox import blockkit
from bot.sandbox.events import EventKind, ResponsePost
from bot.sandbox.recorder import Recorder
from bot.sandbox.records import JSON, Ephemeral
from bot.sandbox.store import ConversationStore

#: Slack accepts five posts per ``response_url``.
MAX_USES = 5


@dataclass(frozen=True)
class ResponseTarget:
    """Where a ``response_url`` answers: the channel and person, and the message clicked, if any."""

    url: str
    channel: str
    user: str
    message_ts: str | None = None
    thread_ts: str | None = None
    is_ephemeral: bool = False


class ResponseUrls:
    """Issues ``response_url``s and applies what the bot POSTs to them, as Slack would show it.

    ``delete_original`` and ``replace_original`` act on the clicked message (a channel message or
    an ephemeral); otherwise ``response_type: in_channel`` posts as the bot and anything else is
    an ephemeral for the person who acted. Unknown URLs answer 404 ``no_service``, a sixth post 404
    ``used_url``, a body without text or blocks 400 ``no_text``, and one Slack would refuse 400
    ``invalid_blocks``, ``invalid_blocks_format`` or ``msg_too_long``.
    """

    def __init__(self, recorder: Recorder, conversations: ConversationStore) -> None:
        self.base_url = ""
        self._recorder = recorder
        self._conversations = conversations
        self._targets: dict[str, ResponseTarget] = {}
        self._uses: dict[str, int] = {}
        self._posts: list[ResponsePost] = []

    def new(
        self,
        *,
        channel: str,
        user: str,
        message_ts: str | None = None,
        thread_ts: str | None = None,
        is_ephemeral: bool = False,
    ) -> str:
        """A fresh URL bound to the interaction it answers."""
        kind = "actions" if message_ts else "commands"
        team = self._conversations.workspace.team_id
        url = f"{self.base_url}{kind}/{team}/{secrets.randbelow(10**12)}/{secrets.token_urlsafe(18)}"
        target = ResponseTarget(url, channel, user, message_ts, thread_ts, is_ephemeral)
        with self._recorder.lock:
            self._targets[url] = target
        return url

    def deliver(self, url: str, payload: JSON) -> ResponsePost:
        """Apply one POST to a ``response_url`` and record it with the status Slack would answer."""
        with self._recorder.lock:
            target = self._targets.get(url)
            if target is None:
                return self._record(url, payload, 404, "no_service")
            if self._uses.get(url, 0) >= MAX_USES:
                return self._record(url, payload, 404, "used_url")
            self._uses[url] = self._uses.get(url, 0) + 1
            error = self._apply(target, payload)
            return self._record(url, payload, 400 if error else 200, error)

    def posts(self, url: str | None = None) -> list[ResponsePost]:
        """Every POST to response URLs (or to one), oldest first, including refused ones."""
        with self._recorder.lock:
            return [post for post in self._posts if url is None or post.url == url]

    def _record(self, url: str, payload: JSON, status: int, error: str | None) -> ResponsePost:
        """Keep and announce one post."""
        post = ResponsePost(url=url, time=time.time(), payload=payload, status=status, error=error)
        self._posts.append(post)
        self._recorder.emit(EventKind.RESPONSE_POSTED, post)
        return post

    def _apply(self, target: ResponseTarget, payload: JSON) -> str | None:
        """Change the conversation as the post asks; an error code when the post is unusable."""
        probe = ResponsePost(url=target.url, time=0.0, payload=payload, status=0)
        if probe.delete_original:
            self._delete_original(target)
            return None
        try:
            blocks = blockkit.parse_json_list(payload.get("blocks")) or []
            attachments = blockkit.parse_json_list(payload.get("attachments")) or []
        except ValueError:
            return "invalid_blocks_format"
        text = str(payload.get("text") or "")
        if not (text or blocks or attachments):
            return "no_text"
        if len(text) > blockkit.MESSAGE_TEXT_LIMIT:
            return "msg_too_long"
        if blockkit.validate_blocks(blocks):
            return "invalid_blocks"
        blocks = blockkit.fill_ids(blocks)
        content: dict[str, Any] = {"text": text, "blocks": tuple(blocks), "attachments": tuple(attachments)}
        if probe.replace_original and self._replace_original(target, content):
            return None
        thread_ts = probe.thread_ts or target.thread_ts
        if probe.response_type == "in_channel":
            self._conversations.post_as_bot(
                target.channel, text=text, blocks=blocks, attachments=attachments, thread_ts=thread_ts
            )
        else:
            self._post_ephemeral(target, content, thread_ts)
        return None

    def _post_ephemeral(self, target: ResponseTarget, content: dict[str, Any], thread_ts: str | None) -> None:
        """Show the answer to the person who acted, and only to them."""
        self._conversations.post_ephemeral(
            Ephemeral(
                channel=target.channel,
                user=target.user,
                ts=self._conversations.new_ts(),
                thread_ts=thread_ts,
                source="response_url",
                **content,
            )
        )

    def _replace_original(self, target: ResponseTarget, content: dict[str, Any]) -> bool:
        """Replace the clicked message in place; ``False`` when there is no original to replace."""
        if target.message_ts is None:
            return False
        if target.is_ephemeral:
            if self._conversations.ephemeral(target.channel, target.message_ts) is None:
                return False
            self._conversations.replace_ephemeral(target.channel, target.message_ts, **content)
            return True
        if self._conversations.message(target.channel, target.message_ts) is None:
            return False
        self._conversations.replace(target.channel, target.message_ts, **content)
        return True

    def _delete_original(self, target: ResponseTarget) -> None:
        """Delete the clicked message, if it is still there."""
        if target.message_ts is None:
            return
        if target.is_ephemeral:
            if self._conversations.ephemeral(target.channel, target.message_ts) is not None:
                self._conversations.delete_ephemeral(target.channel, target.message_ts)
        elif self._conversations.message(target.channel, target.message_ts) is not None:
            self._conversations.delete(target.channel, target.message_ts)
