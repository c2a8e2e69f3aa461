"""Slack as a log of what the bot asked to show (``KeyedNotifier``), with failures to inject."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from workflows.exceptions import MessageGone
from workflows.messages import Attachment, Message


@dataclass(frozen=True)
class Sent:
    """One thing the notifier was asked to do: a post, update, delete, whisper or attach."""

    kind: str
    channel: str
    message: Message | None = None
    ts: str | None = None
    thread_ts: str | None = None
    attachment: Attachment | None = None
    user: str | None = None


@dataclass(frozen=True)
class Posted:
    """A message as it stands in Slack now: edits applied."""

    channel: str
    message: Message
    thread_ts: str | None
    ts: str


class RecordingNotifier:
    """Keeps every call in ``sent`` and the messages as they stand in ``posts``.

    Like Slack, a deleted message (or a reply into a deleted thread) is ``MessageGone`` and is no
    longer found by its key. Messages the fake never saw (posted before it existed) count as present.
    """

    def __init__(self) -> None:
        self.sent: list[Sent] = []
        self.posts: list[Posted] = []
        self.keys: dict[tuple[str, str | None, str], str] = {}
        #: The next N posts, edits and uploads fail (Slack answering 500 after the client's retries).
        self.fail_next = 0
        #: The next N keyed posts reach Slack but their answer is lost (a reset after Slack acted).
        self.answers_lost = 0
        self._gone: set[tuple[str, str]] = set()
        self._ts = itertools.count(1)

    def post(self, *, channel: str, message: Message, thread_ts: str | None = None) -> str:
        self._maybe_fail()
        if thread_ts is not None:
            self._refuse_if_gone(channel, thread_ts, "thread_not_found")
        ts = f"1800000000.{next(self._ts):06d}"
        self.sent.append(Sent("post", channel, message, ts=ts, thread_ts=thread_ts))
        self.posts.append(Posted(channel, message, thread_ts, ts))
        return ts

    def post_keyed(self, *, channel: str, message: Message, key: str, thread_ts: str | None = None) -> str:
        ts = self.post(channel=channel, message=message, thread_ts=thread_ts)
        self.keys[(channel, thread_ts, key)] = ts
        if self.answers_lost:
            self.answers_lost -= 1
            raise ConnectionError("the connection dropped after Slack posted the message")
        return ts

    def post_to(self, *, channel: str, message: Message) -> tuple[str, str]:
        """A post to a user id lands in their direct message, ``D`` and the rest of the id, as Slack answers."""
        landed = "D" + channel[1:] if channel[:1] in {"U", "W"} else channel
        return landed, self.post(channel=landed, message=message)

    def find_posted(self, *, channel: str, key: str, thread_ts: str | None = None) -> str | None:
        ts = self.keys.get((channel, thread_ts, key))
        return None if ts is None or (channel, ts) in self._gone else ts

    def update(self, *, channel: str, ts: str, message: Message) -> None:
        self._maybe_fail()
        self._refuse_if_gone(channel, ts, "message_not_found")
        self.sent.append(Sent("update", channel, message, ts=ts))
        self.posts = [
            Posted(channel, message, posted.thread_ts, ts) if (posted.channel, posted.ts) == (channel, ts) else posted
            for posted in self.posts
        ]

    def delete(self, *, channel: str, ts: str) -> None:
        self._refuse_if_gone(channel, ts, "message_not_found")
        self.sent.append(Sent("delete", channel, ts=ts))
        self._gone.add((channel, ts))
        self.posts = [posted for posted in self.posts if (posted.channel, posted.ts) != (channel, ts)]

    def whisper(self, *, channel: str, user: str, text: str, thread_ts: str | None = None) -> None:
        self.sent.append(Sent("whisper", channel, Message(text=text), thread_ts=thread_ts, user=user))

    def attach(self, *, channel: str, attachment: Attachment, thread_ts: str | None = None) -> None:
        self._maybe_fail()
        self.sent.append(Sent("attach", channel, thread_ts=thread_ts, attachment=attachment))

    def of_kind(self, kind: str) -> list[Sent]:
        return [item for item in self.sent if item.kind == kind]

    def channel_posts(self) -> list[Sent]:
        """Top-level posts: the end-of-job notices."""
        return [item for item in self.sent if item.kind == "post" and item.thread_ts is None]

    @property
    def whispers(self) -> list[tuple[str, str]]:
        return [(item.user or "", item.message.text if item.message else "") for item in self.of_kind("whisper")]

    @property
    def attachments(self) -> list[Attachment]:
        return [item.attachment for item in self.of_kind("attach") if item.attachment is not None]

    @property
    def deleted(self) -> list[str]:
        return [item.ts for item in self.of_kind("delete") if item.ts is not None]

    def texts(self) -> list[str]:
        """The text of every message as it stands now."""
        return [posted.message.text for posted in self.posts]

    def everything(self) -> str:
        """Every text, detail and fact of the messages as they stand, one per line."""
        parts = []
        for posted in self.posts:
            message = posted.message
            parts += [message.text, *message.details, *(f"{k}: {v}" for k, v in message.facts)]
        return "\n".join(parts)

    def _maybe_fail(self) -> None:
        if self.fail_next:
            self.fail_next -= 1
            raise RuntimeError("Slack answered 500")

    def _refuse_if_gone(self, channel: str, ts: str, error: str) -> None:
        if (channel, ts) in self._gone:
            raise MessageGone(f"Slack answered {error}")
