"""A message queue in memory with SQS's semantics (``MessageQueue``): hidden while in flight, back unless deleted."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field

from workflows.ports import QueuedMessage


@dataclass
class _Stored:
    message_id: str
    body: str
    receives: int = 0
    #: The receipt of the current delivery, while the message is hidden; None when visible.
    receipt: str | None = None


@dataclass
class MemoryQueue:
    """Messages in order; ``expire_visibility`` makes every undeleted in-flight message visible again."""

    batch: int = 10
    messages: list[_Stored] = field(default_factory=list)
    receives: int = 0
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def send(self, body: str) -> str:
        message_id = f"m-{next(self._ids)}"
        self.messages.append(_Stored(message_id, body))
        return message_id

    def receive(self) -> list[QueuedMessage]:
        self.receives += 1
        taken = [stored for stored in self.messages if stored.receipt is None][: self.batch]
        for stored in taken:
            stored.receives += 1
            stored.receipt = f"{stored.message_id}/{stored.receives}"
        return [QueuedMessage(s.message_id, s.body, s.receipt or "", s.receives) for s in taken]

    def delete(self, message: QueuedMessage) -> None:
        """Deleting with a receipt that is no longer current is a no-op, as SQS logs it."""
        self.messages = [s for s in self.messages if s.receipt != message.receipt]

    def expire_visibility(self) -> None:
        for stored in self.messages:
            stored.receipt = None

    def bodies(self) -> list[str]:
        """Every message still on the queue, visible or in flight."""
        return [stored.body for stored in self.messages]
