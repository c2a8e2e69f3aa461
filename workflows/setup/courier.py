"""Delivering a conversation's outbox to Slack: in order, one worker at a time, never doubling a post.

Each entry is sent, then removed with another save; a failure is counted and the rest waits, so
the thread never shows a later message before an earlier one. A post is tagged with its entry id:
an entry that may have reached Slack before (it failed, or a worker died delivering it) is first
looked up in the thread, and the message found is edited rather than posted again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from typing import assert_never

from workflows.exceptions import ConcurrentUpdate, MessageGone
from workflows.messages import Message
from workflows.ports import ConversationStore, KeyedPosts, Locks, Notifier
from workflows.setup import outbox
from workflows.setup.model import Conversation
from workflows.setup.outgoing import Outgoing, OutgoingKind

logger = logging.getLogger(__name__)

#: Seconds one worker may hold a conversation's delivery before another may take over.
DELIVERY_LOCK_SECONDS = 60
#: Re-reads allowed when the conversation keeps changing while a delivery is recorded.
RECORD_ATTEMPTS = 10


class OutboxCourier:
    """Delivers pending outbox entries and records each result on the conversation."""

    def __init__(self, *, store: ConversationStore, notifier: Notifier, posts: KeyedPosts, locks: Locks) -> None:
        self._store = store
        self._notifier = notifier
        self._posts = posts
        self._locks = locks

    def deliver(self, conversation_id: str, *, fresh: frozenset[str] = frozenset()) -> bool:
        """Send what is pending; True when the outbox is empty afterwards.

        ``fresh`` names entries just saved by this worker: they cannot have reached Slack yet, so
        they are posted without first looking for them in the thread.
        """
        while True:
            lock = f"outbox:{conversation_id}"
            token = self._locks.acquire(lock, ttl_seconds=DELIVERY_LOCK_SECONDS)
            if token is None:
                return False  # another worker is delivering; it re-reads the outbox before it stops
            try:
                drained = self._drain(conversation_id, fresh)
            finally:
                self._locks.release(lock, token)
            current = self._store.load(conversation_id)
            if not drained or current is None or not current.outbox:
                return drained
            # Something was queued while the lock was held by us and given up by its writer: go again.

    def _drain(self, conversation_id: str, fresh: frozenset[str]) -> bool:
        while True:
            conversation = self._store.load(conversation_id)
            entry = outbox.next_entry(conversation) if conversation is not None else None
            if conversation is None or entry is None:
                return True
            try:
                ts = self._send(conversation, entry, recheck=entry.tries > 0 or entry.id not in fresh)
            except MessageGone as exc:
                # The thread or message was deleted: there is no one left to tell, so the entry is dropped.
                logger.info("Dropped %s %s of %s: %s", entry.kind.value, entry.id, conversation_id, exc)
                self._record(conversation_id, partial(outbox.delivered, entry_id=entry.id, ts=None))
                continue
            except Exception:
                logger.exception(
                    "Could not deliver %s %s of %s (try %d); it is re-driven later",
                    entry.kind.value,
                    entry.id,
                    conversation_id,
                    entry.tries + 1,
                )
                self._record(conversation_id, partial(outbox.failed, entry_id=entry.id))
                return False
            self._record(conversation_id, partial(outbox.delivered, entry_id=entry.id, ts=ts, slot=entry.slot))

    def _send(self, conversation: Conversation, entry: Outgoing, *, recheck: bool) -> str | None:
        channel, thread_ts = conversation.channel, conversation.thread_ts
        kind = entry.kind
        match kind:
            case OutgoingKind.ATTACH:
                assert entry.attachment is not None
                self._notifier.attach(channel=channel, thread_ts=thread_ts, attachment=entry.attachment)
                return None
            case OutgoingKind.EDIT:
                assert entry.message is not None
                assert entry.ts is not None
                self._notifier.update(channel=channel, ts=entry.ts, message=entry.message)
                return entry.ts
            case OutgoingKind.POST:
                assert entry.message is not None
                return self._post(conversation, entry, entry.message, recheck=recheck)
            case _:
                assert_never(kind)

    def _post(self, conversation: Conversation, entry: Outgoing, message: Message, *, recheck: bool) -> str:
        """Post the entry, unless a re-drive finds it posted already: then that message is edited instead."""
        channel, thread_ts = conversation.channel, conversation.thread_ts
        found = self._posts.find_posted(channel=channel, thread_ts=thread_ts, key=entry.id) if recheck else None
        if found is not None:
            logger.info(
                "Entry %s of %s had reached Slack already; editing it, not posting it again", entry.id, conversation.id
            )
            self._notifier.update(channel=channel, ts=found, message=message)
            return found
        return self._posts.post_keyed(channel=channel, thread_ts=thread_ts, message=message, key=entry.id)

    def _record(self, conversation_id: str, change: Callable[[Conversation], Conversation]) -> None:
        """Apply ``change`` to the stored conversation, re-reading when someone saved in between."""
        for _ in range(RECORD_ATTEMPTS):
            conversation = self._store.load(conversation_id)
            if conversation is None:
                return
            updated = change(conversation)
            if updated is conversation:
                return
            try:
                self._store.save(updated)
                return
            except ConcurrentUpdate:
                continue
        logger.warning("Could not record a delivery for %s: it kept changing", conversation_id)
