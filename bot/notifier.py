"""``SlackNotifier``: the domain's ``Notifier``, ``KeyedPosts`` and ``HomePublisher`` ports over the Slack Web API."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks import answer_text, fallback_text, render
from workflows.exceptions import MessageGone, WorkspaceGone
from workflows.messages import Attachment, Message

#: Slack's answers meaning that what the bot refers to no longer exists (deleted, archived, left).
GONE = frozenset({"thread_not_found", "message_not_found", "channel_not_found"})
#: Slack's answers meaning that the bot's token for the workspace is no longer good (the app was uninstalled).
REVOKED = frozenset({"invalid_auth", "token_revoked", "account_inactive", "not_authed"})
#: The message-metadata event type that carries a post's key (``KeyedPosts``).
KEY_EVENT_TYPE = "finetune_bot_post"
#: Recent messages searched for a keyed post (a thread, or the top of a channel).
SEARCHED_MESSAGES = 200


class SlackNotifier:
    """Posts, edits, whispers and uploads through a ``WebClient`` (which rides out 429s).

    ``client`` is one client, or a function giving the client of the workspace the bot is acting for.
    """

    def __init__(self, client: WebClient | Callable[[], WebClient]) -> None:
        self._source = client

    @property
    def _client(self) -> WebClient:
        return self._source if isinstance(self._source, WebClient) else self._source()

    def post(self, *, channel: str, message: Message, thread_ts: str | None = None) -> str:
        with _gone_translated():
            response = self._client.chat_postMessage(
                channel=channel,
                thread_ts=thread_ts,
                text=fallback_text(message),
                blocks=render(message),
                unfurl_links=False,
                unfurl_media=False,
            )
        ts: str = response["ts"]
        return ts

    def post_to(self, *, channel: str, message: Message) -> tuple[str, str]:
        """Post top-level to a channel, or to a user id (the bot's direct message with them); returns where and ts.

        Slack answers with the channel the message landed in (``D…`` for a user id), which later edits need.
        """
        with _gone_translated():
            response = self._client.chat_postMessage(
                channel=channel,
                text=fallback_text(message),
                blocks=render(message),
                unfurl_links=False,
                unfurl_media=False,
            )
        return str(response["channel"]), str(response["ts"])

    def post_keyed(self, *, channel: str, message: Message, key: str, thread_ts: str | None = None) -> str:
        """Post with the key in the message's metadata, where ``find_posted`` looks for it."""
        with _gone_translated():
            response = self._client.chat_postMessage(
                channel=channel,
                thread_ts=thread_ts,
                text=fallback_text(message),
                blocks=render(message),
                unfurl_links=False,
                unfurl_media=False,
                metadata={"event_type": KEY_EVENT_TYPE, "event_payload": {"key": key}},
            )
        ts: str = response["ts"]
        return ts

    def find_posted(self, *, channel: str, key: str, thread_ts: str | None = None) -> str | None:
        """The newest bot message in the thread (or the channel) whose metadata carries ``key``."""
        with _gone_translated():
            if thread_ts is not None:
                response = self._client.conversations_replies(
                    channel=channel, ts=thread_ts, include_all_metadata=True, limit=SEARCHED_MESSAGES
                )
            else:
                response = self._client.conversations_history(
                    channel=channel, include_all_metadata=True, limit=SEARCHED_MESSAGES
                )
        messages: list[dict[str, Any]] = response.get("messages") or []
        for found in reversed(messages):
            metadata = found.get("metadata") or {}
            payload = metadata.get("event_payload") or {}
            if metadata.get("event_type") == KEY_EVENT_TYPE and payload.get("key") == key and found.get("bot_id"):
                return str(found["ts"])
        return None

    def update(self, *, channel: str, ts: str, message: Message) -> None:
        with _gone_translated():
            self._client.chat_update(channel=channel, ts=ts, text=fallback_text(message), blocks=render(message))

    def delete(self, *, channel: str, ts: str) -> None:
        with _gone_translated():
            self._client.chat_delete(channel=channel, ts=ts)

    def whisper(self, *, channel: str, user: str, text: str, thread_ts: str | None = None) -> None:
        with _gone_translated():
            self._client.chat_postEphemeral(channel=channel, user=user, text=answer_text(text), thread_ts=thread_ts)

    def attach(self, *, channel: str, attachment: Attachment, thread_ts: str | None = None) -> None:
        with _gone_translated():
            self._client.files_upload_v2(
                channel=channel,
                thread_ts=thread_ts,
                content=attachment.content,
                filename=attachment.filename,
                title=attachment.title,
                initial_comment=answer_text(attachment.comment) if attachment.comment else None,
            )

    def publish_home(self, *, user: str, view: Mapping[str, Any]) -> None:
        """``views.publish``: the person's Home tab (``HomePublisher``); Slack's refusals raise ``SlackApiError``."""
        self._client.views_publish(user_id=user, view=dict(view))


@contextmanager
def _gone_translated() -> Iterator[None]:
    """Slack's "no longer exists" answers become ``MessageGone`` (``WorkspaceGone`` for a token Slack no longer
    takes); every other error passes unchanged."""
    try:
        yield
    except SlackApiError as exc:
        error = exc.response.get("error") if exc.response is not None else None
        if error in GONE:
            raise MessageGone(f"Slack answered {error}") from exc
        if error in REVOKED:
            raise WorkspaceGone(f"Slack answered {error}: the app is no longer installed there") from exc
        raise
