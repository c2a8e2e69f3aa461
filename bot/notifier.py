"""``SlackNotifier``: the domain's ``Notifier`` port over the Slack Web API."""

from __future__ import annotations

from slack_sdk import WebClient

from bot.blocks import render
from workflows.messages import Attachment, Message


class SlackNotifier:
    """Posts, edits, whispers and uploads through one ``WebClient`` (which rides out 429s)."""

    def __init__(self, client: WebClient) -> None:
        self._client = client

    def post(self, *, channel: str, message: Message, thread_ts: str | None = None) -> str:
        response = self._client.chat_postMessage(
            channel=channel,
            thread_ts=thread_ts,
            text=message.fallback_text(),
            blocks=render(message),
            unfurl_links=False,
            unfurl_media=False,
        )
        ts: str = response["ts"]
        return ts

    def update(self, *, channel: str, ts: str, message: Message) -> None:
        self._client.chat_update(channel=channel, ts=ts, text=message.fallback_text(), blocks=render(message))

    def whisper(self, *, channel: str, user: str, text: str, thread_ts: str | None = None) -> None:
        self._client.chat_postEphemeral(channel=channel, user=user, text=text, thread_ts=thread_ts)

    def attach(self, *, channel: str, attachment: Attachment, thread_ts: str | None = None) -> None:
        self._client.files_upload_v2(
            channel=channel,
            thread_ts=thread_ts,
            content=attachment.content,
            filename=attachment.filename,
            title=attachment.title,
            initial_comment=attachment.comment or None,
        )
