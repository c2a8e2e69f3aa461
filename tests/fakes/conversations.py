"""Conversations in a dict with the Redis store's optimistic concurrency and indexes (``ConversationStore``)."""

from __future__ import annotations

import threading
from datetime import datetime

from workflows.exceptions import ConcurrentUpdate
from workflows.setup.model import Conversation
from workflows.setup.outbox import due_at


class MemoryConversationStore:
    """A save must carry the version it read; nothing expires."""

    def __init__(self) -> None:
        self.saved: dict[str, Conversation] = {}
        self._lock = threading.Lock()

    def load(self, conversation_id: str) -> Conversation | None:
        return self.saved.get(conversation_id)

    def save(self, conversation: Conversation) -> Conversation:
        with self._lock:
            current = self.saved.get(conversation.id)
            if (current.version if current else 0) != conversation.version:
                raise ConcurrentUpdate(f"{conversation.id} changed")
            stored = conversation.model_copy(update={"version": conversation.version + 1})
            self.saved[conversation.id] = stored
            return stored

    def active_in_channel(self, *, team: str, channel: str) -> list[str]:
        """Unfinished conversations in the channel, most recently updated first."""
        active = [c for c in self.saved.values() if (c.team, c.channel) == (team, channel) and not c.stage.finished]
        return [c.id for c in sorted(active, key=lambda c: c.updated_at, reverse=True)]

    def active_for_user(self, *, team: str, user: str) -> list[str]:
        """A person's unfinished conversations in the workspace, most recently updated first."""
        active = [c for c in self.saved.values() if (c.team, c.user) == (team, user) and not c.stage.finished]
        return [c.id for c in sorted(active, key=lambda c: c.updated_at, reverse=True)]

    def due(self, now: datetime, *, limit: int = 100) -> list[str]:
        """Conversations owed attention by ``now``, oldest deadline first."""
        owed = [(due_at(c), c.id) for c in self.saved.values()]
        return [cid for when, cid in sorted((w, i) for w, i in owed if w is not None and w <= now)][:limit]
