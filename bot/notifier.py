"""``SlackNotifier``: the domain's ``Notifier`` port over the Slack Web API."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks import answer_text, fallback_text, render
from workflows.errors import MessageGone
from workflows.messages import Attachment, Message

#: Slack's answers meaning that what the bot refers to no longer exists (deleted, archived, left).
GONE = frozenset({"thread_not_found", "message_not_found", "channel_not_found"})


class SlackNotifier:
    """Posts, edits, whispers and uploads through one ``WebClient`` (which rides out 429s)."""

    def __init__(self, client: WebClient) -> None:
        self._client = client

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


@contextmanager
def _gone_translated() -> Iterator[None]:
    """Slack's "no longer exists" answers become ``MessageGone``; every other error passes unchanged."""
    try:
        yield
    except SlackApiError as exc:
        error = exc.response.get("error") if exc.response is not None else None
        if error in GONE:
            raise MessageGone(f"Slack answered {error}") from exc
        raise
