"""The lock, event log and change notification that every part of the emulator's state shares."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from bot.sandbox.events import EventKind, Record, SandboxEvent

logger = logging.getLogger(__name__)

T = TypeVar("T")
Subscriber = Callable[[SandboxEvent], None]


class Recorder:
    """Serialises state changes, numbers them, tells subscribers and wakes anyone in ``wait_for``.

    One re-entrant lock guards the whole sandbox so a test never reads half an update; subscribers
    run under it, in order, so a transcript printer sees events exactly as they were applied.
    """

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self._changed = threading.Condition(self.lock)
        self._events: list[SandboxEvent] = []
        self._subscribers: list[Subscriber] = []

    def emit(self, kind: EventKind, record: Record) -> SandboxEvent:
        """Log a change and announce it; a failing subscriber is logged, never fatal to the bot's call."""
        with self.lock:
            event = SandboxEvent(seq=len(self._events) + 1, kind=kind, record=record, time=time.time())
            self._events.append(event)
            for subscriber in list(self._subscribers):
                try:
                    subscriber(event)
                except Exception:
                    logger.exception("sandbox subscriber failed on %s", kind)
            self._changed.notify_all()
            return event

    def subscribe(self, callback: Subscriber) -> Callable[[], None]:
        """Call ``callback`` with every later event; returns a function that unsubscribes it.

        Callbacks run while the sandbox is locked: keep them quick and never wait on another thread.
        """
        with self.lock:
            self._subscribers.append(callback)

        def unsubscribe() -> None:
            with self.lock:
                if callback in self._subscribers:
                    self._subscribers.remove(callback)

        return unsubscribe

    def events(self) -> list[SandboxEvent]:
        """Every event so far, oldest first."""
        with self.lock:
            return list(self._events)

    def wait_for(self, predicate: Callable[[], T], timeout: float, description: str) -> T:
        """Re-check ``predicate`` after each change until it returns something truthy, and return that.

        Bots post asynchronously after they ack, so tests wait on recorded state instead of sleeping.
        """
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                result = predicate()
                if result:
                    return result
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"timed out after {timeout:g}s waiting for {description}")
                self._changed.wait(min(remaining, 0.25))
