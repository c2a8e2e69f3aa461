"""A ``Notifier`` that keeps to Slack's pace: about one message per second per channel."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from workflows.messages import Attachment, Message
from workflows.ports import KeyedNotifier

#: Slack allows about one message per second per channel, with short bursts tolerated.
SECONDS_PER_MESSAGE = 1.0


class PacedNotifier:
    """Delays each post, edit, note or upload until its channel's previous one is ``interval`` old.

    Slots are reserved under a lock and waited for outside it, so channels never wait for each
    other. 429 answers are still possible (other apps, workspace-wide limits); the Slack client
    waits those out with ``Retry-After``.
    """

    def __init__(
        self,
        notifier: KeyedNotifier,
        *,
        interval: float = SECONDS_PER_MESSAGE,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._notifier = notifier
        self._interval = interval
        self._clock = clock
        self._sleep = sleep
        self._lock = threading.Lock()
        self._next_slot: dict[str, float] = {}

    def post(self, *, channel: str, message: Message, thread_ts: str | None = None) -> str:
        self._wait(channel)
        return self._notifier.post(channel=channel, message=message, thread_ts=thread_ts)

    def post_keyed(self, *, channel: str, message: Message, key: str, thread_ts: str | None = None) -> str:
        self._wait(channel)
        return self._notifier.post_keyed(channel=channel, message=message, key=key, thread_ts=thread_ts)

    def find_posted(self, *, channel: str, key: str, thread_ts: str | None = None) -> str | None:
        """A read: not paced."""
        return self._notifier.find_posted(channel=channel, key=key, thread_ts=thread_ts)

    def update(self, *, channel: str, ts: str, message: Message) -> None:
        self._wait(channel)
        self._notifier.update(channel=channel, ts=ts, message=message)

    def delete(self, *, channel: str, ts: str) -> None:
        self._wait(channel)
        self._notifier.delete(channel=channel, ts=ts)

    def whisper(self, *, channel: str, user: str, text: str, thread_ts: str | None = None) -> None:
        self._wait(channel)
        self._notifier.whisper(channel=channel, user=user, text=text, thread_ts=thread_ts)

    def attach(self, *, channel: str, attachment: Attachment, thread_ts: str | None = None) -> None:
        self._wait(channel)
        self._notifier.attach(channel=channel, attachment=attachment, thread_ts=thread_ts)

    def _wait(self, channel: str) -> None:
        """Take the channel's next free slot and sleep until it comes."""
        with self._lock:
            now = self._clock()
            slot = max(now, self._next_slot.get(channel, now))
            self._next_slot[channel] = slot + self._interval
        if slot > now:
            self._sleep(slot - now)
